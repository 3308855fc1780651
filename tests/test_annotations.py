"""The gold loader's verification and reanchoring, on real text and broken files."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from trisec.annotation.gold import read_annotation, text_sha256, verify, write_annotation
from trisec.annotation.reanchor import locate, reanchor, reanchor_from
from trisec.errors import TrisecError
from trisec.pipeline.local import published_documents
from trisec.release.build import default_corpus
from trisec.schema import load_schema

DOC = "tsn-8d916232446cf2d2"  # 004: Austin-Hamada meeting in Tokyo


@pytest.fixture(scope="module")
def text() -> str:
    docs = {d.doc_id: d for d in published_documents(default_corpus())}
    return docs[DOC].text


def span(text: str, surface: str, after: str = "") -> dict[str, object]:
    start = text.index(surface, text.index(after) if after else 0)
    return {"start": start, "end": start + len(surface), "text": surface}


@pytest.fixture()
def good(text: str) -> dict:
    """A small but complete annotation, written against the real published text."""
    austin = span(text, "Lloyd Austin")
    hamada = span(text, "Yasukazu Hamada")
    tokyo = span(text, "Tokyo", after="Hamada in")
    met = span(text, "met", after="Lloyd Austin")
    return {
        "doc_id": DOC, "text_sha256": text_sha256(text), "pass": "gold",
        "mentions": [
            {"id": "M1", **austin, "label": "PER", "mention_type": "NAM", "gpe_role": None,
             "entity": "E1", "timex_value": None},
            {"id": "M2", **hamada, "label": "PER", "mention_type": "NAM", "gpe_role": None,
             "entity": "E2", "timex_value": None},
            {"id": "M3", **tokyo, "label": "GPE", "mention_type": "NAM", "gpe_role": "LOC",
             "entity": "E3", "timex_value": None},
        ],
        "entities": [{"id": "E1", "name": "Lloyd Austin", "qid": None},
                     {"id": "E2", "name": "Yasukazu Hamada", "qid": None},
                     {"id": "E3", "name": "Tokyo", "qid": "Q1490"}],
        "events": [{"id": "V1", "type": "MEET", "realis": "ACTUAL", "mode": "in-person",
                    "trigger": met,
                    "arguments": [{"role": "participant", "mention": "M1"},
                                  {"role": "participant", "mention": "M2"},
                                  {"role": "place", "mention": "M3"}]}],
        "attributions": [],
    }


def problems_of(ann: dict, text: str) -> list[str]:
    with pytest.raises(TrisecError) as exc:
        verify(ann, text, load_schema(), where="f.json")
    return [str(p) for p in exc.value.problems]


def test_good_annotation_verifies(good: dict, text: str) -> None:
    v = verify(good, text, load_schema())
    assert set(v.mention_by_id) == {"M1", "M2", "M3"}
    assert v.entity_by_id["E3"]["qid"] == "Q1490"


def test_wrong_offsets_name_span_expected_and_found(good: dict, text: str) -> None:
    good["mentions"][0]["start"] += 2
    good["mentions"][0]["end"] += 2
    [msg] = problems_of(good, text)
    assert msg.startswith("f.json/M1:")
    assert "expected 'Lloyd Austin'" in msg and "found 'oyd Austin m'" in msg
    assert "reanchor" in msg


def test_out_of_range_offsets(good: dict, text: str) -> None:
    good["mentions"][1]["end"] = len(text) + 5
    [msg] = problems_of(good, text)
    assert "f.json/M2" in msg and "out of range" in msg


def test_unknown_label_lists_allowed(good: dict, text: str) -> None:
    good["mentions"][0]["label"] = "PERSON"
    msgs = problems_of(good, text)
    assert any("f.json/M1" in m and "unknown label 'PERSON'" in m and "PER, ORG, GPE" in m
               for m in msgs)
    # the MEET participant constraint notices the bad filler too
    assert any("participant of MEET cannot be a PERSON mention" in m for m in msgs)


def test_argument_to_missing_mention(good: dict, text: str) -> None:
    good["events"][0]["arguments"][0]["mention"] = "M99"
    [msg] = problems_of(good, text)
    assert "f.json/V1/arg0" in msg and "missing mention 'M99'" in msg


def test_role_not_allowed_for_event_type(good: dict, text: str) -> None:
    good["events"][0]["arguments"][0]["role"] = "instrument"
    msgs = problems_of(good, text)
    assert any("role 'instrument' not allowed for MEET" in m for m in msgs)


def test_duplicate_ids(good: dict, text: str) -> None:
    good["mentions"].append(copy.deepcopy(good["mentions"][0]))
    msgs = problems_of(good, text)
    assert any("duplicate id 'M1' in mentions" in m for m in msgs)


def test_overlap_is_refused_in_flat_layer(good: dict, text: str) -> None:
    inner = span(text, "Austin", after="Lloyd")
    good["mentions"].append({"id": "M4", **inner, "label": "PER", "mention_type": "NAM",
                             "gpe_role": None, "entity": "E1", "timex_value": None})
    msgs = problems_of(good, text)
    assert any("M4" in m and "overlaps M1" in m for m in msgs)


def test_bad_qid_and_attribute_misuse(good: dict, text: str) -> None:
    good["entities"][0]["qid"] = "Q0123"
    good["mentions"][0]["gpe_role"] = "GOV"
    good["events"][0]["type"] = "TRAVEL"
    msgs = problems_of(good, text)
    assert any("bad QID 'Q0123'" in m for m in msgs)
    assert any("gpe_role is only for items whose label is GPE" in m for m in msgs)
    assert any("mode is only for items whose type is MEET" in m for m in msgs)


def test_all_problems_reported_at_once(good: dict, text: str) -> None:
    good["mentions"][0]["label"] = "X"
    good["events"][0]["arguments"][1]["mention"] = "nope"
    assert len(problems_of(good, text)) >= 2


def test_invalid_json_names_line(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text('{\n  "doc_id": "a",\n  "mentions": [,]\n}\n', encoding="utf-8")
    with pytest.raises(TrisecError) as exc:
        read_annotation(p)
    assert f"{p}:3:" in str(exc.value)


def test_write_is_diff_friendly_and_round_trips(good: dict, tmp_path: Path) -> None:
    p = tmp_path / "g.json"
    write_annotation(p, good)
    lines = p.read_text(encoding="utf-8").splitlines()
    assert sum(1 for ln in lines if '"id": "M' in ln) == 3  # one mention per line
    assert read_annotation(p) == good


def test_reanchor_after_text_shift(good: dict, text: str) -> None:
    shifted = "Editor's note: updated.\n\n" + text
    new, moves = reanchor(good, shifted, text_sha256(shifted))
    assert {m.status for m in moves} == {"moved"}
    verify(new, shifted, load_schema())  # every span lands on its quote again
    assert new["text_sha256"] == text_sha256(shifted)


def test_reanchor_reports_missing_quote_and_keeps_hash(good: dict, text: str) -> None:
    changed = text.replace("Yasukazu Hamada", "Y. Hamada")
    new, moves = reanchor(good, changed, text_sha256(changed))
    bad = [m for m in moves if m.status == "not_found"]
    assert [m.span_id for m in bad] == ["M2"]
    assert new["text_sha256"] == good["text_sha256"]  # not marked as re-anchored


def test_locate_prefers_nearest_and_refuses_ties() -> None:
    t = "Tokyo and Tokyo and Tokyo"
    assert locate(t, {"text": "Tokyo", "start": 9}) == (10, "moved")
    assert locate(t, {"text": "Tokyo", "start": 5}) == (None, "ambiguous")
    assert locate(t, {"text": "Tokyo", "start": 15, "suffix": " and"}) == (10, "moved")


def test_check_command_reports_each_file(good: dict, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from trisec.cli import main

    ok = tmp_path / "ok.json"
    bad = tmp_path / "bad.json"
    write_annotation(ok, good)
    broken = json.loads(json.dumps(good))
    broken["mentions"][0]["label"] = "NOPE"
    write_annotation(bad, broken)
    res = CliRunner().invoke(main, ["annotations", "check", str(ok), str(bad)])
    assert res.exit_code == 1
    assert f"ok {ok}: 3 mentions" in res.output
    assert "unknown label 'NOPE'" in res.output


def test_disagreements_list_each_layer(good: dict, text: str) -> None:
    from trisec.annotation.disagreements import disagreements

    b = copy.deepcopy(good)
    b["mentions"][2]["gpe_role"] = "GOV"  # attribute differs
    b["entities"][2]["qid"] = None  # QID differs
    b["mentions"].pop(1)  # B missed Hamada ...
    b["events"][0]["arguments"] = [x for x in b["events"][0]["arguments"] if x["mention"] != "M2"]
    b["events"][0]["realis"] = "OTHER"
    out = disagreements(good, b, text)
    assert len(out["mentions"]) == 1 and out["mentions"][0].startswith("only A: PER 'Yasukazu")
    attrs = out["mention attributes and QIDs"]
    assert any(a.startswith("gpe_role: A='LOC' B='GOV'") for a in attrs)
    assert any(a.startswith("qid: A=Q1490 B=None") for a in attrs)
    assert out["events"] == [next(e for e in out["events"] if e.startswith("realis: A=ACTUAL"))]
    assert len(out["arguments"]) == 1 and "participant" in out["arguments"][0]
    assert disagreements(good, good, text) == {k: [] for k in out}


def test_disagreements_show_cluster_differences(good: dict, text: str) -> None:
    from trisec.annotation.disagreements import disagreements

    b = copy.deepcopy(good)
    b["mentions"][1]["entity"] = "E1"  # B puts Hamada in Austin's cluster
    out = disagreements(good, b, text)["entity clusters"]
    assert len(out) == 2  # both Austin and Hamada now have different partners
    assert any(line.startswith("cluster of 'Lloyd Austin'") for line in out)


def test_coreference_link_agreement(good: dict) -> None:
    from trisec.evaluate.agreement import agreement, coreference_counts

    c = coreference_counts(good, good)  # every mention is its own entity: no links at all
    assert (c.correct, c.missed, c.spurious) == (0, 0, 0)
    b = copy.deepcopy(good)
    b["mentions"][1]["entity"] = "E1"  # B links Hamada to Austin: one spurious link
    c = coreference_counts(good, b)
    assert (c.correct, c.missed, c.spurious) == (0, 0, 1)
    a2 = copy.deepcopy(b)  # both passes link them: one shared link
    c = coreference_counts(a2, b)
    assert (c.correct, c.missed, c.spurious) == (1, 0, 0)
    assert agreement(a2, b)["coreference"]["links"]["f1"] == 1.0
    assert agreement(a2, good)["coreference"]["links"]["recall"] == 0.0


def test_reanchor_from_previous_text_keeps_short_quotes_on_their_occurrence(good: dict,
                                                                            text: str) -> None:
    """A headline put before the text: a short quote at its old place can now be the
    headline's copy of the same words. Plain reanchoring keeps it there (wrong); with the old
    text's context every span moves by the headline's length."""
    ann = copy.deepcopy(good)
    us = {"id": "M0", **span(text, "US"), "label": "GPE", "mention_type": "NAM",
          "gpe_role": "GOV", "entity": "E1", "timex_value": None}
    ann["mentions"].insert(0, us)
    new_text = "US, Japan talks\n\n" + text
    _, plain = reanchor(ann, new_text, text_sha256(new_text))
    assert plain[0].status == "kept" and plain[0].new_start == us["start"]  # the wrong "US"
    moved, moves = reanchor_from(ann, text, new_text, text_sha256(new_text))
    shift = len("US, Japan talks\n\n")
    assert all(m.new_start == m.old_start + shift for m in moves)
    assert all("prefix" not in m and "suffix" not in m for m in moved["mentions"])
    assert new_text[moved["mentions"][0]["start"] - 2:][:4] == "\n\nUS"


def test_a_file_read_again_is_checked_again_once_it_changes(tmp_path: Path) -> None:
    """read_annotation checks a text it has seen pass only once; a changed file (same path)
    is checked again and refused."""
    from trisec.paths import ANNOTATIONS_DIR

    src = sorted((ANNOTATIONS_DIR / "gold").glob("*.json"))[0]
    path = tmp_path / src.name
    path.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    first = read_annotation(path)
    assert read_annotation(path) == first  # the second read: same data
    data = json.loads(path.read_text(encoding="utf-8"))
    data["mentions"][0]["labell"] = data["mentions"][0].pop("label")
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(TrisecError, match="labell"):
        read_annotation(path)
