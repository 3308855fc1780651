"""Scoring scopes: `--split all` (every document) and `--folds` (pooled held-out predictions,
each line naming the model that predicted it; no document scored by a model trained on it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trisec.cli import main
from trisec.errors import TrisecError
from trisec.evaluate.benchmark import evaluate_file
from trisec.evaluate.gold import read_gold
from trisec.evaluate.views import view_to_prediction

FAST = {"resamples": 100}


def gold_lines(release: Path) -> list[dict[str, Any]]:
    return [view_to_prediction(v) for v in read_gold(release, "all").views]


def loo(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each line tagged with a leave-one-out fold trained on every other document."""
    ids = [x["doc_id"] for x in lines]
    return [{**x, "model": {"fold": f"loo-{x['doc_id']}",
                            "trained_on": [d for d in ids if d != x["doc_id"]]}}
            for x in lines]


def write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def test_split_all_scores_every_document(release: Path, tmp_path: Path) -> None:
    lines = gold_lines(release)
    every = {x["doc_id"] for x in lines}
    r = evaluate_file(write(tmp_path / "p.jsonl", lines), release, "all", **FAST)
    assert r["documents"] == len(every) and r["scope"] == "all"
    assert set(r["per_document"]) == every
    assert r["entities"]["strict"]["f1"] == 1.0
    # only the test documents predicted: the others count as empty predictions, not skipped
    test_ids = set(read_gold(release, "test").texts)
    only_test = [x for x in lines if x["doc_id"] in test_ids]
    r = evaluate_file(write(tmp_path / "t.jsonl", only_test), release, "all", **FAST)
    assert r["documents_without_predictions"] == len(every - test_ids) > 0
    assert r["entities"]["strict"]["recall"] < 1.0


def test_folds_pool_every_document_with_per_document_figures(release: Path,
                                                             tmp_path: Path) -> None:
    lines = loo(gold_lines(release))
    r = evaluate_file(write(tmp_path / "f.jsonl", lines), release, folds=True, **FAST)
    assert r["scope"] == "folds" and r["documents"] == len(lines)
    assert sorted(r["models"]) == sorted(x["model"]["fold"] for x in lines)
    for x in lines:
        fold = r["models"][x["model"]["fold"]]
        assert fold["predicted"] == [x["doc_id"]]
        assert x["doc_id"] not in fold["trained_on"]
        if x["entities"]:  # an article added without gold yet has nothing to score
            assert r["per_document"][x["doc_id"]]["entities/strict"]["f1"] == 1.0
    assert any(x["entities"] for x in lines)


def test_a_document_predicted_by_a_model_trained_on_it_is_refused(release: Path,
                                                                  tmp_path: Path) -> None:
    lines = loo(gold_lines(release))
    lines[1]["model"]["trained_on"].append(lines[1]["doc_id"])
    path = write(tmp_path / "leak.jsonl", lines)
    for kwargs in ({"folds": True}, {"split": "all"}):
        with pytest.raises(TrisecError) as exc:
            evaluate_file(path, release, **kwargs, **FAST)
        (p,) = exc.value.problems
        assert p.location == f"{path}:2" and "predicted by a model trained on it" in p.message
        assert lines[1]["doc_id"] in p.message and "--folds loo" in p.fix


def test_folds_need_every_document_and_the_model_key(release: Path, tmp_path: Path) -> None:
    lines = loo(gold_lines(release))
    path = write(tmp_path / "short.jsonl", lines[1:])
    with pytest.raises(TrisecError, match="no prediction line") as exc:
        evaluate_file(path, release, folds=True, **FAST)
    assert exc.value.problems[0].location == f"{path}: {lines[0]['doc_id']}"
    untagged = [lines[0], {k: v for k, v in lines[1].items() if k != "model"}, *lines[2:]]
    with pytest.raises(TrisecError, match="no `model` key"):
        evaluate_file(write(tmp_path / "untagged.jsonl", untagged), release, folds=True,
                      **FAST)
    stale = [{**lines[0], "model": {"trained_on": ["tsn-0000000000000000"]}}, *lines[1:]]
    with pytest.raises(TrisecError, match="not in this release: tsn-0000000000000000"):
        evaluate_file(write(tmp_path / "stale.jsonl", stale), release, folds=True, **FAST)
    bad = [{**lines[0], "model": ["x"]}, *lines[1:]]
    with pytest.raises(TrisecError, match="model: must be an object"):
        evaluate_file(write(tmp_path / "bad.jsonl", bad), release, "all", **FAST)


def test_cli_folds(release: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "f.jsonl", loo(gold_lines(release)))
    args = ["evaluate", "-p", str(path), "--release", str(release), "--resamples", "50"]
    res = CliRunner().invoke(main, [*args, "--folds"])
    assert res.exit_code == 0, res.output
    assert "Per document" in res.output and "pooled held-out folds" in res.output
    first = gold_lines(release)[0]["doc_id"]
    assert first in res.output and f"loo-{first}" in res.output
    res = CliRunner().invoke(main, [*args, "--folds", "--split", "test"])
    assert res.exit_code == 1 and "error: --folds: folds are scored on every document" \
        in res.output
    res = CliRunner().invoke(main, [*args, "--split", "all", "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["split"] == "all"


def test_documents_without_gold_are_not_scored(gold_release: Path, tmp_path: Path) -> None:
    """An article added but not annotated yet has empty layers, which are not a gold
    "nothing here": predictions on it are neither false positives nor needed in a folds
    file, and the report names it (what a grown corpus gives the leaderboard)."""
    every = read_gold(gold_release, "all")
    annotated = {v.doc_id for v in every.views}
    assert every.unannotated and annotated  # the fixture gold covers some documents only
    assert not annotated & set(every.unannotated)
    assert annotated | set(every.unannotated) == set(every.texts)
    lines = [view_to_prediction(v) for v in every.views]
    # a prediction on an unannotated document, which would be a false positive if scored
    extra = {"doc_id": every.unannotated[0], "entities": [
        {"start": 0, "end": 1, "label": "PER"}], "events": [], "attributions": []}
    r = evaluate_file(write(tmp_path / "all.jsonl", [*lines, extra]), gold_release, "all",
                      **FAST)
    assert r["entities"]["strict"]["f1"] == 1.0 and r["documents"] == len(annotated)
    assert set(r["per_document"]) == annotated and r["unannotated"] == every.unannotated
    assert any(every.unannotated[0] in n and "not scored" in n for n in r["notes"])
    # held-out folds: a line for every annotated document is enough
    r = evaluate_file(write(tmp_path / "f.jsonl", loo(lines)), gold_release, folds=True,
                      **FAST)
    assert r["documents"] == len(annotated) and r["entities"]["strict"]["f1"] == 1.0
