"""The scorer end to end: a tmp release with hand-made gold, prediction files, the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from trisec.annotation.gold import text_sha256, write_annotation
from trisec.cli import main
from trisec.errors import TrisecError
from trisec.evaluate.benchmark import evaluate_file
from trisec.evaluate.gold import read_gold
from trisec.evaluate.labelmap import from_labels_yaml, from_relation
from trisec.evaluate.views import view_to_prediction
from trisec.pipeline.corpus import Corpus
from trisec.release.build import write_release
from trisec.schema import Schema

FAST = {"resamples": 200}


def make_gold(doc_id: str, text: str) -> dict[str, Any]:
    """A small but complete annotation picked mechanically from the text: four capitalised
    words as GPE mentions, a lowercase word as an EXERCISE trigger with two arguments, a
    span of text as a quote with a cue and a source."""
    caps = [m for m in re.finditer(r"\b[A-Z][a-z]{3,}\b", text)][:4]
    mentions = [{"id": f"M{i}", "start": m.start(), "end": m.end(), "text": m.group(),
                 "label": "GPE", "mention_type": "NAM", "gpe_role": "GOV",
                 "entity": f"E{i}", "timex_value": None} for i, m in enumerate(caps, 1)]
    taken = [(m.start(), m.end()) for m in caps]
    words = [m for m in re.finditer(r"\b[a-z]{6,}\b", text)
             if not any(s < m.end() and m.start() < e for s, e in taken)]
    trig, cue, content = words[0], words[1], words[2]

    def span(m: re.Match[str]) -> dict[str, Any]:
        return {"start": m.start(), "end": m.end(), "text": m.group()}

    return {
        "doc_id": doc_id, "text_sha256": text_sha256(text), "pass": "gold",
        "mentions": mentions,
        "entities": [{"id": f"E{i}", "name": m.group(), "qid": None}
                     for i, m in enumerate(caps, 1)],
        "events": [{"id": "V1", "type": "EXERCISE", "realis": "ACTUAL", "mode": None,
                    "trigger": span(trig),
                    "arguments": [{"role": "participant", "mention": "M1"},
                                  {"role": "participant", "mention": "M2"}]}],
        "attributions": [{"id": "Q1", "kind": "indirect", "content": span(content),
                          "cue": span(cue), "source": "M3"}],
    }


@pytest.fixture(scope="session")
def gold_release(tmp_path_factory: pytest.TempPathFactory, bare_release: Path,
                 fixed_corpus: Corpus, schema: Schema) -> Path:
    """The fixed corpus rebuilt with hand-made gold on every test-split document (read only;
    shared with test_evaluate_tags and test_evaluate_leaderboard)."""
    base = tmp_path_factory.mktemp("gold_release")
    gold_dir = base / "gold"
    gold_dir.mkdir()
    rows = pq.read_table(bare_release / "data/documents/test-00000-of-00001.parquet",
                         columns=["doc_id", "text"]).to_pylist()
    for r in rows:
        write_annotation(gold_dir / f"{r['doc_id']}.json", make_gold(r["doc_id"], r["text"]))
    out = base / "dataset"
    out.mkdir()
    write_release(out, Corpus(fixed_corpus.raw_dir, fixed_corpus.metadata_dir, gold_dir), schema)
    return out


@pytest.fixture(scope="session")
def nogold_release(bare_release: Path) -> Path:
    """The fixed corpus built with no gold (how every release looked before gold)."""
    return bare_release


def gold_predictions(release: Path) -> list[dict[str, Any]]:
    return [view_to_prediction(v) for v in read_gold(release, "test").views]


def write_jsonl(path: Path, objs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return path


def all_f1(report: dict[str, Any]) -> dict[str, float]:
    out = {f"entities/{s}": report["entities"][s]["f1"] for s in
           ("strict", "exact", "partial", "type")}
    for layer in ("events", "attribution"):
        for k, m in report[layer].items():
            if isinstance(m, dict) and "f1" in m:
                out[f"{layer}/{k}"] = m["f1"]
    return out


def test_gold_against_itself_is_perfect(gold_release: Path, tmp_path: Path) -> None:
    preds = write_jsonl(tmp_path / "gold.jsonl", gold_predictions(gold_release))
    r = evaluate_file(preds, gold_release, "test", **FAST)
    f1 = all_f1(r)
    assert len(f1) == 4 + 7 + 4
    assert all(v == 1.0 for v in f1.values()), f1
    assert all(m["strict"]["f1"] == 1.0 for m in r["entities"]["per_label"].values())
    assert r["entities"]["macro"]["strict"]["f1"] == 1.0
    assert r["entities"]["strict"]["ci95"] == [1.0, 1.0]
    assert r["gold_items"] == {"entities": 8, "events": 2, "arguments": 4, "attributions": 2}
    assert r["notes"] == []


def test_empty_predictions_have_zero_recall(gold_release: Path, tmp_path: Path) -> None:
    preds = write_jsonl(tmp_path / "empty.jsonl", [])
    r = evaluate_file(preds, gold_release, "test", **FAST)
    assert r["entities"]["strict"]["recall"] == 0.0
    assert r["entities"]["strict"]["missed"] == 8
    assert r["events"]["trigger_classification"]["recall"] == 0.0
    assert r["attribution"]["source"]["recall"] == 0.0
    assert r["documents_without_predictions"] == 2


def test_hand_made_predictions_give_known_counts(gold_release: Path, tmp_path: Path) -> None:
    preds = gold_predictions(gold_release)
    d0 = preds[0]
    ents = d0["entities"]
    ents[0]["label"] = "ORG"       # wrong type, right span
    ents[1]["end"] -= 1            # right type, short by one character
    del ents[2]                    # missed
    ents.append({"start": ents[-1]["end"] + 1, "end": ents[-1]["end"] + 2,
                 "label": "PER"})  # spurious: after the last gold mention
    d0["events"][0]["type"] = "DEPLOY"                    # trigger found, wrong type
    d0["attributions"][0]["source"] = None                # quote found, source lost
    r = evaluate_file(write_jsonl(tmp_path / "p.jsonl", preds), gold_release, "test", **FAST)
    e = r["entities"]
    # doc 0: 1 correct (4th), incorrect: ORG-for-GPE and the short one; 1 missed; 1 spurious
    # doc 1: 4 correct
    assert [e["strict"][k] for k in ("correct", "incorrect", "partial", "missed",
                                      "spurious")] == [5, 2, 0, 1, 1]
    assert [e["exact"][k] for k in ("correct", "incorrect", "missed", "spurious")] == \
        [6, 1, 1, 1]
    assert [e["partial"][k] for k in ("correct", "partial", "missed", "spurious")] == \
        [6, 1, 1, 1]
    assert [e["type"][k] for k in ("correct", "incorrect", "missed", "spurious")] == \
        [6, 1, 1, 1]
    assert e["strict"]["precision"] == pytest.approx(5 / 8)
    assert e["partial"]["precision"] == pytest.approx(6.5 / 8)  # half credit for the partial
    ev = r["events"]
    assert (ev["trigger_identification"]["correct"], ev["trigger_classification"]["correct"]) \
        == (2, 1)
    # arguments carry the event type, so a mistyped trigger loses its two arguments
    assert (ev["argument_identification"]["correct"],
            ev["argument_identification"]["spurious"]) == (2, 2)
    a = r["attribution"]
    assert (a["content_strict"]["correct"], a["cue"]["correct"], a["source"]["correct"]) == \
        (2, 2, 1)


def test_bootstrap_is_reproducible_with_the_seed(gold_release: Path, tmp_path: Path) -> None:
    preds = gold_predictions(gold_release)
    preds[0]["entities"] = []  # doc 0 scores 0, doc 1 scores 1: the interval is wide
    p = write_jsonl(tmp_path / "half.jsonl", preds)
    a = evaluate_file(p, gold_release, "test", resamples=300, seed=7)
    b = evaluate_file(p, gold_release, "test", resamples=300, seed=7)
    assert a["entities"]["strict"]["ci95"] == b["entities"]["strict"]["ci95"]
    lo, hi = a["entities"]["strict"]["ci95"]
    assert lo == 0.0 and hi == 1.0  # resamples drawing doc 0 twice, or doc 1 twice


def test_label_map_scores_ontonotes_predictions(gold_release: Path, tmp_path: Path) -> None:
    preds = gold_predictions(gold_release)
    for d in preds:
        for x in d["entities"]:
            x["label"] = "GPE"  # OntoNotes GPE
        d["entities"].append({"start": 0, "end": 1, "label": "WORK_OF_ART"})  # unmapped
    p = write_jsonl(tmp_path / "onto.jsonl", preds)
    with pytest.raises(TrisecError, match="unknown label 'WORK_OF_ART'"):
        evaluate_file(p, gold_release, "test", **FAST)
    r = evaluate_file(p, gold_release, "test", "ontonotes", **FAST)
    assert r["entities"]["strict"]["f1"] == 1.0
    assert any("WORK_OF_ART" in n and "dropped" in n for n in r["notes"])
    assert any(n.startswith("gold TITLE") for n in r["notes"])


def test_label_map_classes(schema: Schema) -> None:
    onto = from_labels_yaml(schema.labels, "ontonotes", "entity_labels")
    assert onto.pred["PERSON"] == "PER"
    assert onto.gold["VEH"] == onto.gold["WEA"] == onto.pred["PRODUCT"] == "VEH+WEA"
    assert "TITLE" in onto.unscorable
    ace = from_labels_yaml(schema.labels, "ace", "entity_labels")
    assert ace.gold["NORP"] == ace.gold["GPE"] == ace.pred["GPE"] == "GPE+NORP"
    m = from_relation("f", ["A", "B", "C"], {"A": ["x"], "B": ["x", "y"], "C": []})
    assert m.gold == {"A": "A+B", "B": "A+B"} and m.pred == {"x": "A+B", "y": "A+B"}
    assert m.unscorable == ("C",)


BAD_LINES = [
    ('{"doc_id": "tsn-nope", "entities": []}', "unknown doc_id 'tsn-nope'"),
    ('{"doc_id": DOC, "entities": [{"start": 5, "end": 999999, "label": "GPE"}]}',
     "entities[0]: offsets 5..999999 out of range"),
    ('{"doc_id": DOC, "entities": [{"start": 5, "end": 3, "label": "GPE"}]}',
     "entities[0]: offsets 5..3 out of range"),
    ('{"doc_id": DOC, "entities": [{"start": 0, "end": 3, "label": "PERSON"}]}',
     "entities[0]: unknown label 'PERSON'"),
    ('{"doc_id": DOC, "entities": [{"start": "0", "end": 3, "label": "PER"}]}',
     "start and end must be integers"),
    ('{"doc_id": DOC, "entities": [{"start": 0, "end": 3, "label": "PER", "text": "zzz"}]}',
     "text 'zzz' does not match"),
    ('{"doc_id": DOC, "events": [{"trigger": {"start": 0, "end": 3}, "type": "PARADE"}]}',
     "events[0]: unknown event type 'PARADE'"),
    ('{"doc_id": DOC, "events": [{"trigger": {"start": 0, "end": 3}, "type": "EXERCISE", '
     '"arguments": [{"role": "pilot", "start": 0, "end": 2}]}]}',
     "events[0].arguments[0]: unknown role 'pilot'"),
    ('{"doc_id": DOC, "attributions": [{"cue": null}]}',
     "attributions[0].content: needs start and end"),
    ('{"doc_id": DOC, "entites": []}', "unknown key(s) 'entites'"),
    ('{"doc_id": DOC, "entities": {"start": 0}}', "entities: must be a list"),
    ('{"doc_id": DOC,', "invalid JSON"),
    ("[1, 2]", "expected a JSON object"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES)
def test_malformed_lines_are_located(gold_release: Path, tmp_path: Path, line: str,
                                     message: str) -> None:
    preds = gold_predictions(gold_release)
    doc, other = json.dumps(preds[0]["doc_id"]), json.dumps(preds[1]["doc_id"])
    path = tmp_path / "bad.jsonl"  # a good line 1, the bad line 2
    path.write_text('{"doc_id": ' + other + '}\n' + line.replace("DOC", doc) + "\n",
                    encoding="utf-8")
    with pytest.raises(TrisecError) as exc:
        evaluate_file(path, gold_release, "test", **FAST)
    problems = [str(p) for p in exc.value.problems]
    assert any(p.startswith(f"{path}:2: ") and message in p for p in problems), problems


def test_duplicate_doc_and_other_split(gold_release: Path, tmp_path: Path) -> None:
    preds = gold_predictions(gold_release)
    path = write_jsonl(tmp_path / "dup.jsonl", [preds[0], preds[0]])
    with pytest.raises(TrisecError, match=r"dup.jsonl:2: doc_id .* already on line 1"):
        evaluate_file(path, gold_release, "test", **FAST)
    train = read_gold(gold_release, "train").views[0].doc_id
    path = write_jsonl(tmp_path / "other.jsonl", [*preds, {"doc_id": train}])
    r = evaluate_file(path, gold_release, "test", **FAST)
    assert any("other splits were ignored" in n for n in r["notes"])


def test_cli_json_and_clean_errors(gold_release: Path, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "gold.jsonl", gold_predictions(gold_release))
    res = CliRunner().invoke(main, ["evaluate", "-p", str(good), "--release",
                                    str(gold_release), "--json", "--resamples", "100"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["entities"]["strict"]["f1"] == 1.0
    res = CliRunner().invoke(main, ["evaluate", "-p", str(good), "--release",
                                    str(gold_release), "--resamples", "100"])
    assert res.exit_code == 0 and "Trig-C" in res.output and "strict" in res.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "x"}\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", "-p", str(bad), "--release",
                                    str(gold_release)])
    assert res.exit_code == 1
    assert f"error: {bad}:1: unknown doc_id 'x'" in res.output
    assert "Traceback" not in res.output
    res = CliRunner().invoke(main, ["evaluate", "-p", str(good), "--release",
                                    str(tmp_path / "nowhere")])
    assert res.exit_code == 1 and "no such folder (expected a release)" in res.output
    res = CliRunner().invoke(main, ["evaluate", "-p", str(good), "--release",
                                    str(gold_release), "--split", "validation"])
    assert res.exit_code == 1 and "no 'validation' documents" in res.output


def test_release_without_gold_says_so(nogold_release: Path, tmp_path: Path) -> None:
    p = write_jsonl(tmp_path / "p.jsonl", [])
    r = evaluate_file(p, nogold_release, "test", **FAST)
    assert any("no gold annotations yet" in n for n in r["notes"])

