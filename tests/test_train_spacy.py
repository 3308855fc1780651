"""The trained spaCy baseline: fold bookkeeping, a tiny training run whose predictions
`evaluate` accepts, `predict --spacy` (trained folders, label maps, missing pipelines), and the
committed prediction files being what the committed config and seed give on today's release."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trisec.baselines.spacy_ner.folds import annotated_ids, loo_folds, plan, split_fold
from trisec.baselines.spacy_ner.train import (
    CONFIG,
    F1_TOLERANCE,
    config_sha256,
    run_fold,
    run_fold_isolated,
)
from trisec.cli import main
from trisec.errors import TrisecError
from trisec.evaluate.benchmark import evaluate_file
from trisec.evaluate.gold import read_rows
from trisec.paths import PREDICTIONS_DIR

# a model that trains in about a second: enough to check the plumbing, not to learn much
TINY = {"training.max_steps": 8, "training.eval_frequency": 4,
        "components.tok2vec.model.encode.width": 32,
        "components.tok2vec.model.encode.depth": 1}
COMMITTED_TEST = PREDICTIONS_DIR / "spacy.jsonl"
COMMITTED_FOLDS = PREDICTIONS_DIR / "spacy.folds.jsonl"


def rows_of(release: Path) -> dict[str, dict[str, Any]]:
    return {r["doc_id"]: r for r in read_rows(release)}


def job(release: Path, kind: str, index: int = 0, **extra: Any) -> dict[str, Any]:
    rows = rows_of(release)
    # the folds `trisec train spacy` plans: documents without gold are never trained on
    fold = plan(kind, {d: r["split"] for d, r in rows.items()}, annotated_ids(rows))[index]
    return {"fold": fold, "rows": {d: rows[d] for d in (*fold.train, *fold.predict)},
            "config": CONFIG, "seed": 0, **extra}


def test_fold_bookkeeping() -> None:
    split_of = {"a": "train", "b": "train", "c": "test", "d": "test", "e": "train"}
    annotated = {"a", "b", "c", "d"}  # e has no gold: never trained on
    t = split_fold(split_of, annotated)
    assert (t.train, t.predict) == (("a", "b"), ("c", "d"))
    folds = loo_folds(annotated)
    assert [f.predict for f in folds] == [("a",), ("b",), ("c",), ("d",)]
    for f in folds:
        assert f.name == f"loo-{f.predict[0]}"
        assert set(f.train) == annotated - set(f.predict)  # every other document, never itself
    assert plan("loo", split_of, annotated) == folds
    # what counts as annotated: any gold item (a new article's row has empty layers)
    rows = {"a": {"mentions": [{"id": "M1"}], "events": [], "attributions": []},
            "b": {"mentions": [], "events": [], "attributions": [{"id": "Q1"}]},
            "e": {"mentions": [], "events": [], "attributions": []}}
    assert annotated_ids(rows) == {"a", "b"}
    with pytest.raises(TrisecError, match="no annotated document to train on"):
        plan("test", {"c": "test"}, {"c"})
    with pytest.raises(TrisecError, match="unknown fold kind"):
        plan("kfold", split_of, annotated)


def test_tiny_training_predicts_what_evaluate_accepts(release: Path, tmp_path: Path) -> None:
    j = job(release, "test", overrides=TINY, model_dir=str(tmp_path / "model"))
    res = run_fold(j)
    assert res.steps == TINY["training.max_steps"] and res.cpu_seconds > 0
    assert [x["doc_id"] for x in res.lines] == list(j["fold"].predict)
    for x in res.lines:
        assert x["model"]["trained_on"] == list(j["fold"].train)
        assert x["model"]["overrides"] == TINY and x["model"]["seed"] == 0
        text = j["rows"][x["doc_id"]]["text"]
        assert all(text[e["start"]:e["end"]] == e["text"] for e in x["entities"])
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in res.lines), encoding="utf-8")
    report = evaluate_file(path, release, "test", resamples=50)
    assert report["models"]["test"]["predicted"] == list(j["fold"].predict)
    # the same seed gives the same model; the saved folder predicts the same lines
    assert run_fold(j).lines == res.lines
    out = tmp_path / "again.jsonl"
    cli = CliRunner().invoke(main, ["predict", "--spacy", str(tmp_path / "model"), "--release",
                                    str(release), "-o", str(out)])
    assert cli.exit_code == 0, cli.output
    assert [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] == res.lines
    # ...and on every document it is refused: it trained on the train split
    cli = CliRunner().invoke(main, ["predict", "--spacy", str(tmp_path / "model"), "--release",
                                    str(release), "--split", "all", "-o", str(out)])
    with pytest.raises(TrisecError, match="predicted by a model trained on it"):
        evaluate_file(out, release, "all", resamples=50)


def test_cli_loo_writes_a_folds_file_evaluate_accepts(release: Path, tmp_path: Path) -> None:
    sets = [x for k, v in TINY.items() for x in ("--set", f"{k}={v}")]
    res = CliRunner().invoke(main, ["train", "spacy", "--folds", "loo", "--release",
                                    str(release), "--models", str(tmp_path / "models"),
                                    "--predict-to", str(tmp_path / "preds"), "--in-process",
                                    "--json", *sets])
    assert res.exit_code == 0, res.output
    path = tmp_path / "preds" / "spacy.folds.jsonl"
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    ids = sorted(annotated_ids(rows_of(release)))  # one fold per document with gold
    assert ids and [x["doc_id"] for x in lines] == ids
    for x in lines:
        assert x["model"]["fold"] == f"loo-{x['doc_id']}"
        assert sorted(x["model"]["trained_on"]) == [d for d in ids if d != x["doc_id"]]
        assert (tmp_path / "models" / x["model"]["fold"] / "config.cfg").is_file()
    report = evaluate_file(path, release, folds=True, resamples=50)
    assert set(report["per_document"]) == set(ids)
    log = json.loads((tmp_path / "models" / "train-log.json").read_text(encoding="utf-8"))
    assert [f["fold"] for f in log["folds"]] == [f"loo-{d}" for d in ids]
    # --json: the same figures on stdout instead of the summary table (stderr)
    assert json.loads(res.stdout) == log
    assert "Trained models" not in res.output


def test_isolated_training_reports_its_own_figures(release: Path, tmp_path: Path) -> None:
    steps: list[int] = []
    res = run_fold_isolated(job(release, "loo", 0, overrides=TINY),
                            lambda step, loss: steps.append(step))
    assert steps and steps[-1] == res.steps == TINY["training.max_steps"]
    assert res.peak_rss_bytes > 50 * 2**20 and res.wall_seconds >= res.cpu_seconds * 0.5
    assert res.lines == run_fold(job(release, "loo", 0, overrides=TINY)).lines


def test_predict_spacy_names_a_missing_pipeline(tmp_path: Path) -> None:
    for name in (str(tmp_path / "no-such-model"), "xx_no_such_package_sm"):
        res = CliRunner().invoke(main, ["predict", "--spacy", name])
        assert res.exit_code == 1
        assert f"error: {name}: spaCy pipeline not found" in res.output
        assert "trisec train spacy" in res.output and "Traceback" not in res.output
    (tmp_path / "models" / "loo-x").mkdir(parents=True)
    (tmp_path / "models" / "loo-x" / "config.cfg").write_text("", encoding="utf-8")
    res = CliRunner().invoke(main, ["predict", "--spacy", str(tmp_path / "models")])
    assert res.exit_code == 1 and "a folder of pipelines, not a pipeline" in res.output
    assert str(tmp_path / "models" / "loo-x") in res.output


def test_predict_spacy_with_another_label_set(release: Path, tmp_path: Path) -> None:
    """A pipeline predicting OntoNotes labels (here a rule-only one, no weights needed)."""
    import spacy

    rows = read_rows(release, "test")
    word = next(w for w in rows[0]["text"].split() if w.istitle() and w.isalpha())
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([
        {"label": "PERSON", "pattern": word}, {"label": "WORK_OF_ART", "pattern": "the"}])
    nlp.to_disk(tmp_path / "onto")
    args = ["predict", "--spacy", str(tmp_path / "onto"), "--release", str(release)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1
    assert "labels outside TRISEC's set: PERSON, WORK_OF_ART" in res.output
    assert "--label-map ontonotes" in res.output
    out = tmp_path / "onto.jsonl"
    res = CliRunner().invoke(main, [*args, "--label-map", "ontonotes", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "WORK_OF_ART: " in res.output  # dropped and counted
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    labels = {e["label"] for x in lines for e in x["entities"]}
    assert labels == {"PERSON"}
    report = evaluate_file(out, release, "test", "ontonotes", resamples=50)
    assert report["entities"]["type"]["actual"] == sum(len(x["entities"]) for x in lines)


def committed(path: Path) -> list[dict[str, Any]]:
    assert path.is_file(), f"{path} missing: run `make predictions`"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_committed_predictions_fit_the_release_and_the_config(release: Path) -> None:
    """Cheap staleness check: the committed files come from the committed config and seed,
    their folds are today's folds, and every span's text matches today's release."""
    rows = rows_of(release)
    split_of = {d: r["split"] for d, r in rows.items()}
    for path, kind in ((COMMITTED_TEST, "test"), (COMMITTED_FOLDS, "loo")):
        folds = {f.name: f for f in plan(kind, split_of, annotated_ids(rows))}
        lines = committed(path)
        assert sorted(x["doc_id"] for x in lines) == sorted(d for f in folds.values()
                                                            for d in f.predict)
        for x in lines:
            m = x["model"]
            assert m["config_sha256"] == config_sha256(CONFIG), (
                f"{path.name} was made with another config: run `make predictions`")
            assert m["seed"] == 0 and "overrides" not in m
            assert tuple(m["trained_on"]) == folds[m["fold"]].train
        evaluate_file(path, release, folds=kind == "loo", resamples=10)  # texts still match


def test_retraining_reproduces_the_committed_test_predictions(release: Path,
                                                              tmp_path: Path) -> None:
    """The test-split model retrained with the committed config and seed (about 20 s of CPU)
    scores like the committed file: exactly the same lines on the machine that made them,
    within F1_TOLERANCE elsewhere."""
    res = run_fold_isolated(job(release, "test"))
    lines = committed(COMMITTED_TEST)
    assert [x["model"] for x in res.lines] == [x["model"] for x in lines]
    tmp = tmp_path / "retrained.jsonl"
    tmp.write_text("".join(json.dumps(x) + "\n" for x in res.lines), encoding="utf-8")
    new = evaluate_file(tmp, release, "test", resamples=10)["entities"]
    old = evaluate_file(COMMITTED_TEST, release, "test", resamples=10)["entities"]
    for scheme in ("strict", "exact", "partial", "type"):
        assert abs(new[scheme]["f1"] - old[scheme]["f1"]) <= F1_TOLERANCE, scheme
    if res.lines != lines:
        pytest.xfail("retrained predictions differ from the committed ones (another CPU?) "
                     "though their scores are within the tolerance")
