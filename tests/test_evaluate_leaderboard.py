"""The card's benchmark section: computed from prediction files and passes at build time."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pyarrow.parquet as pq
from test_evaluate_scorer import (
    gold_predictions,
    gold_release,
    make_gold,
    nogold_release,
    write_jsonl,
)

from trisec.annotation.gold import write_annotation
from trisec.release.build import default_corpus
from trisec.release.card import BuildContext
from trisec.release.extras.leaderboard import KEY, extend, leaderboard_section
from trisec.release.writer import SplitCounts
from trisec.schema import Schema

__all__ = ["gold_release", "nogold_release"]  # fixtures shared with test_evaluate_scorer


def test_no_gold_gives_one_line_and_no_table(nogold_release: Path, schema: Schema,
                                             tmp_path: Path) -> None:
    preds = tmp_path / "predictions"
    preds.mkdir()
    (preds / "rules.jsonl").write_text("", encoding="utf-8")
    text = leaderboard_section(nogold_release, schema, preds, tmp_path / "passes")
    assert "No gold annotations in the test split yet" in text
    assert "| System |" not in text


def test_extend_adds_the_section(release: Path, schema: Schema) -> None:
    ctx = BuildContext(schema, SplitCounts(), default_corpus())
    extend(release, ctx)
    assert ctx.extra[KEY].startswith("## Benchmark")


def test_rows_are_scored_from_the_files(gold_release: Path, schema: Schema,
                                        tmp_path: Path) -> None:
    preds = tmp_path / "predictions"
    preds.mkdir()
    write_jsonl(preds / "perfect.jsonl", gold_predictions(gold_release))
    write_jsonl(preds / "nothing.jsonl", [])
    (preds / "broken.jsonl").write_text('{"doc_id": "tsn-nope"}\n', encoding="utf-8")
    # passes: A = the gold; B misses every mention of the first document
    passes = tmp_path / "passes"
    rows = pq.read_table(gold_release / "data/documents/test-00000-of-00001.parquet",
                         columns=["doc_id", "text"]).to_pylist()
    for r in rows:
        a = make_gold(r["doc_id"], r["text"])
        b = copy.deepcopy(a)
        if r is rows[0]:
            b["mentions"], b["events"], b["attributions"] = [], [], []
        write_annotation(passes / "a" / f"{r['doc_id']}.json", a)
        write_annotation(passes / "b" / f"{r['doc_id']}.json", b)
    text = leaderboard_section(gold_release, schema, preds, passes)
    lines = text.splitlines()
    row = {ln.split("|")[1].strip(): ln for ln in lines if ln.startswith("| `")}
    assert "| 1.000 (1.000-1.000) | 1.000 (1.000-1.000) | 1.000 (1.000-1.000) |" \
        in row["`perfect`"]
    assert row["`nothing`"].count("| not predicted") == 3  # no layer at all, not 0.000
    assert "`broken`" not in row
    assert any(ln.startswith("- `broken.jsonl`: prediction file rejected") and "tsn-nope" in ln
               for ln in lines)
    iaa = next(ln for ln in lines if ln.startswith("| inter-annotator agreement")
               and "B vs pass A" in ln)
    # B found 4 of 8 mentions, all right: P=1, R=0.5, F1=2/3
    assert iaa.split("|")[2].strip() == "test split"
    assert iaa.split("|")[3].strip().startswith("0.667 (")
    assert "2 document(s), 8 gold mentions" in text
    assert text == leaderboard_section(gold_release, schema, preds, passes)  # deterministic


def test_committed_rules_file_is_accepted_by_the_leaderboard(schema: Schema,
                                                             tmp_path: Path) -> None:
    """The committed prediction files cover the committed release (as the build scores
    them): rules.jsonl one line per test document."""
    from trisec.evaluate.gold import read_rows
    from trisec.paths import DATASET_DIR, PREDICTIONS_DIR

    text = leaderboard_section(DATASET_DIR, schema, PREDICTIONS_DIR, tmp_path / "none")
    assert "| `rules` | test split |" in text and "| `rules` | all documents |" in text
    assert "| `spacy` | test split |" in text and "| `spacy` | held-out folds |" in text
    assert "- `spacy` (a spaCy NER pipeline" in text and "`make predictions`" in text
    assert "rejected" not in text
    report_lines = [json.loads(x) for x in
                    (PREDICTIONS_DIR / "rules.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["doc_id"] for x in report_lines] == \
        sorted(r["doc_id"] for r in read_rows(DATASET_DIR, "test"))


def test_scope_comes_from_the_file_name(gold_release: Path, schema: Schema,
                                        tmp_path: Path) -> None:
    from trisec.evaluate.gold import read_gold
    from trisec.evaluate.views import view_to_prediction
    from trisec.release.extras.leaderboard import system_and_scope

    assert system_and_scope(Path("rules.jsonl")) == ("rules", "test")
    assert system_and_scope(Path("rules.all.jsonl")) == ("rules", "all")
    assert system_and_scope(Path("m.v2.folds.jsonl")) == ("m.v2", "folds")
    assert system_and_scope(Path("m.v2.jsonl")) == ("m.v2", "test")
    preds = tmp_path / "predictions"
    preds.mkdir()
    views = read_gold(gold_release, "all").views
    ids = [v.doc_id for v in views]
    lines = [view_to_prediction(v) for v in views]
    # gold only on test documents: the `all` row is perfect on them, and train rows add none
    write_jsonl(preds / "oracle.all.jsonl", lines)
    write_jsonl(preds / "oracle.folds.jsonl", [
        {**x, "model": {"fold": f"loo-{x['doc_id']}",
                        "trained_on": [d for d in ids if d != x["doc_id"]]}} for x in lines])
    write_jsonl(preds / "leaky.folds.jsonl", [
        {**x, "model": {"fold": "one", "trained_on": ids}} for x in lines])
    write_jsonl(preds / "untagged.folds.jsonl", lines)
    text = leaderboard_section(gold_release, schema, preds, tmp_path / "none")
    rows = [ln for ln in text.splitlines() if ln.startswith("| `")]
    # (a resample of gold-less train documents only scores 0, hence the intervals' low end)
    assert [[c.strip()[:7] for c in r.split("|")[1:-1]] for r in rows] == [
        ["`oracle", "all doc", "1.000 (", "1.000 (", "1.000 ("],
        ["`oracle", "held-ou", "1.000 (", "1.000 (", "1.000 ("]]
    assert f"({len(ids)} document(s)," in text
    assert "- `leaky.folds.jsonl`: prediction file rejected" in text
    assert "predicted by a model trained on it" in text
    assert "- `untagged.folds.jsonl`: prediction file rejected" in text


def test_documents_without_gold_are_named_and_not_scored(gold_release: Path, schema: Schema,
                                                         tmp_path: Path) -> None:
    """Here only the test split has gold: the train documents (like an article added but not
    annotated yet) are named as not scored, and predictions on them cost nothing."""
    from trisec.evaluate.gold import read_gold

    every = read_gold(gold_release, "all")
    train = sorted(d for d, s in every.split_of.items() if s == "train")
    assert train and every.unannotated == train
    preds = tmp_path / "predictions"
    preds.mkdir()
    lines = gold_predictions(gold_release) + [
        {"doc_id": d, "entities": [{"start": 0, "end": 1, "label": "PER"}], "events": [],
         "attributions": []} for d in train]
    write_jsonl(preds / "rules.all.jsonl", lines)
    text = leaderboard_section(gold_release, schema, preds, tmp_path / "passes")
    assert (f"{len(train)} document(s) without gold annotations yet are not scored in any "
            f"row ({', '.join(train)})") in text
    row = next(x for x in text.splitlines() if x.startswith("| `rules` | all documents |"))
    assert row.count("1.000 (1.000-1.000)") == 3 and "rejected" not in text
