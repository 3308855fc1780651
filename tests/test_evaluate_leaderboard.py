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
    assert row["`nothing`"].count("0.000 (0.000-0.000)") == 3
    assert "`broken`" not in row
    assert any(ln.startswith("- `broken`: prediction file rejected") and "tsn-nope" in ln
               for ln in lines)
    iaa = next(ln for ln in lines if ln.startswith("| inter-annotator agreement")
               and "B vs pass A" in ln)
    # B found 4 of 8 mentions, all right: P=1, R=0.5, F1=2/3
    assert iaa.split("|")[2].strip().startswith("0.667 (")
    assert "2 document(s), 8 gold mentions" in text
    assert text == leaderboard_section(gold_release, schema, preds, passes)  # deterministic


def test_committed_rules_file_is_accepted_by_the_leaderboard(gold_release: Path,
                                                             schema: Schema,
                                                             tmp_path: Path) -> None:
    from trisec.paths import PREDICTIONS_DIR

    text = leaderboard_section(gold_release, schema, PREDICTIONS_DIR, tmp_path / "none")
    assert "| `rules` |" in text and "rejected" not in text
    report_lines = [json.loads(x) for x in
                    (PREDICTIONS_DIR / "rules.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(report_lines) == 2
