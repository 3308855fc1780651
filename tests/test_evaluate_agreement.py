"""Annotator agreement on hand-made annotation dicts (docs/ANNOTATION_FORMAT.md)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from trisec.errors import TrisecError
from trisec.evaluate.agreement import agreement, agreement_corpus, format_agreement_table

TEXT = "South Korea held exercises in May. Kim said: the drills will go on. Japan agreed."


def _span(text: str, occurrence: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(text, start + 1)
    return {"start": start, "end": start + len(text), "text": text}


def _mention(mid: str, text: str, label: str, entity: str, timex: str | None = None
             ) -> dict[str, Any]:
    return {"id": mid, **_span(text), "label": label, "mention_type": "NAM",
            "gpe_role": "GOV" if label == "GPE" else None, "entity": entity,
            "timex_value": timex}


def pass_a() -> dict[str, Any]:
    return {
        "doc_id": "tsn-0000000000000001", "text_sha256": "x", "pass": "a",
        "mentions": [_mention("M1", "South Korea", "GPE", "E1"),
                     _mention("M2", "May", "TIMEX", "E2", "2024-05"),
                     _mention("M3", "Kim", "PER", "E3"),
                     _mention("M4", "Japan", "GPE", "E4")],
        "entities": [{"id": "E1", "name": "South Korea", "qid": "Q884"},
                     {"id": "E2", "name": "May", "qid": None},
                     {"id": "E3", "name": "Kim", "qid": None},
                     {"id": "E4", "name": "Japan", "qid": "Q17"}],
        "events": [{"id": "V1", "type": "EXERCISE", "realis": "ACTUAL", "mode": None,
                    "trigger": _span("exercises"),
                    "arguments": [{"role": "participant", "mention": "M1"},
                                  {"role": "time", "mention": "M2"}]},
                   {"id": "V2", "type": "AGREE_PLEDGE", "realis": "ACTUAL", "mode": None,
                    "trigger": _span("agreed"),
                    "arguments": [{"role": "agent", "mention": "M4"}]}],
        "attributions": [{"id": "Q1", "kind": "direct",
                          "content": _span("the drills will go on"), "cue": _span("said"),
                          "source": "M3"}],
    }


def test_a_pass_agrees_with_itself_everywhere() -> None:
    r = agreement(pass_a(), pass_a())
    for section, names in [("mentions", ["strict", "overlap", "span"]),
                           ("triggers", ["strict", "overlap"]),
                           ("arguments", ["identification", "classification"]),
                           ("attribution", ["attribution", "cue", "content_overlap"])]:
        for n in names:
            assert r[section][n]["f1"] == 1.0, (section, n)
    assert r["qid"]["agreement"] == 1.0 and r["qid"]["pairs"] == 4
    assert r["qid"]["linked_pairs"] == 2
    assert r["timex"] == {"pairs": 1, "agree": 1, "accuracy": 1.0}


def test_known_disagreements_give_known_figures() -> None:
    b = copy.deepcopy(pass_a())
    b["pass"] = "b"
    # 1. B labels Kim as ORG: strict and overlap lose it, span-only keeps it
    b["mentions"][2]["label"] = "ORG"
    # 2. B gives May another value
    b["mentions"][1]["timex_value"] = "XXXX-05"
    # 3. B links Japan to a wrong QID
    b["entities"][3]["qid"] = "Q999"
    # 4. B's exercise trigger is "held exercises" (overlap, not strict) and the time
    #    argument has role `place`
    b["events"][0]["trigger"] = _span("held exercises")
    b["events"][0]["arguments"][1]["role"] = "place"
    # 5. B attributes the quote to nobody
    b["attributions"][0]["source"] = None
    r = agreement(pass_a(), b)
    assert (r["mentions"]["strict"]["correct"], r["mentions"]["strict"]["f1"]) == (3, 0.75)
    assert r["mentions"]["overlap"]["f1"] == 0.75
    assert r["mentions"]["span"]["f1"] == 1.0
    assert r["triggers"]["strict"]["f1"] == 0.5  # 1 of 2 on each side
    assert r["triggers"]["overlap"]["f1"] == 1.0
    # arguments hang on the trigger: only Japan/agent survives in both views
    assert r["arguments"]["identification"]["correct"] == 1
    assert r["arguments"]["identification"]["f1"] == pytest.approx(1 / 3)
    assert r["arguments"]["classification"]["f1"] == pytest.approx(1 / 3)
    assert r["attribution"]["attribution"]["f1"] == 0.0
    assert r["attribution"]["content_overlap"]["f1"] == 1.0
    assert r["attribution"]["cue"]["f1"] == 1.0
    # strict pairs: South Korea, May, Japan (Kim differs in label)
    assert (r["qid"]["pairs"], r["qid"]["agree"]) == (3, 2)
    assert (r["qid"]["linked_pairs"], r["qid"]["linked_agree"]) == (2, 1)
    assert r["timex"] == {"pairs": 1, "agree": 0, "accuracy": 0.0}
    table = format_agreement_table(r)
    assert "| Entity mentions: strict F1 (span + label) | 0.750 |" in table


def test_corpus_is_micro_averaged() -> None:
    a1, a2 = pass_a(), pass_a()
    a2["doc_id"] = "tsn-0000000000000002"
    b2 = copy.deepcopy(a2)
    b2["mentions"] = b2["mentions"][:1]  # B found 1 of 4 mentions in doc 2
    b2["events"], b2["attributions"] = [], []
    r = agreement_corpus([(a1, a1), (a2, b2)])
    m = r["mentions"]["strict"]
    assert (m["correct"], m["possible"], m["actual"]) == (5, 8, 5)
    assert m["f1"] == pytest.approx(2 * 5 / (8 + 5))
    lo, hi = m["ci95"]
    assert lo <= m["f1"] <= hi and lo < hi  # two different documents: a real interval


def test_mismatched_documents_are_refused() -> None:
    b = pass_a()
    b["doc_id"] = "tsn-ffffffffffffffff"
    with pytest.raises(TrisecError, match="different documents"):
        agreement(pass_a(), b)
    b = pass_a()
    b["text_sha256"] = "y"
    with pytest.raises(TrisecError, match="different texts"):
        agreement(pass_a(), b)


# --- headline scope: a pass that annotated only the opening headline ---------------------

def _write(folder: Any, ann: dict[str, Any]) -> None:
    from trisec.annotation.gold import write_annotation

    write_annotation(folder / f"{ann['doc_id']}.json", ann)


def test_headline_scope_cuts_both_passes_to_the_headline(tmp_path: Any) -> None:
    from trisec.annotation.agreement import corpus_agreement, within

    full = pass_a()  # "South Korea held exercises in May." plays the headline
    end = TEXT.index(" Kim")
    head = within(full, end)
    assert [m["text"] for m in head["mentions"]] == ["South Korea", "May"]
    assert [e["trigger"]["text"] for e in head["events"]] == ["exercises"]
    assert head["attributions"] == [] and {e["id"] for e in head["entities"]} == {"E1", "E2"}
    b = copy.deepcopy(head)
    b.update({"pass": "h", "headline": TEXT[:end]})
    b["mentions"][1]["label"] = "NUM"  # one disagreement inside the headline
    (tmp_path / "gold").mkdir()
    (tmp_path / "h").mkdir()
    _write(tmp_path / "gold", full)
    _write(tmp_path / "gold", {**pass_a(), "doc_id": "tsn-0000000000000002"})  # not in H
    _write(tmp_path / "h", b)
    r = corpus_agreement(tmp_path / "gold", tmp_path / "h", scope="headline")
    assert r["documents"] == 1
    m = r["mentions"]["strict"]
    assert (m["possible"], m["actual"], m["correct"]) == (2, 2, 1)  # Kim, Japan not counted
    assert r["attribution"]["cue"]["possible"] == 0
    assert "| Attribution: cue F1 (exact span) | n/a |" in format_agreement_table(r)
    with pytest.raises(TrisecError, match="headline"):  # a scoped pass must say its headline
        corpus_agreement(tmp_path / "gold", tmp_path / "gold", scope="headline")


def test_the_headline_pass_annotates_the_published_headlines() -> None:
    """Every headline-scope pass states the headline it annotated; that string opens the
    published text of its document, so its offsets are offsets into `text`."""
    from trisec.annotation.agreement import COMPARISONS, pass_dir, read_pass_pairs
    from trisec.pipeline.local import published_documents
    from trisec.release.build import default_corpus

    texts = {d.doc_id: d.text for d in published_documents(default_corpus())}
    scoped = [c for c in COMPARISONS if c.scope == "headline"]
    assert scoped
    for c in scoped:
        from trisec.annotation.gold import read_annotation

        for path in sorted(pass_dir(c.second).glob("*.json")):
            ann = read_annotation(path)
            assert texts[ann["doc_id"]].startswith(ann["headline"] + "\n\n"), path
        assert read_pass_pairs(pass_dir(c.first), pass_dir(c.second), scope="headline")
