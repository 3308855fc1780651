"""`trisec train spacy [--folds test|loo ...] [--predict-to DIR]`: the trained baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

MIB = 1024 * 1024


@click.group("train")
def command() -> None:
    """Train a baseline on the release (models are written outside the repository's
    committed files: models/ is git-ignored)."""


def _parse_set(values: tuple[str, ...]) -> dict[str, Any]:
    from trisec.errors import Problem, TrisecError

    out: dict[str, Any] = {}
    for v in values:
        key, sep, raw = v.partition("=")
        if not sep or not key:
            raise TrisecError(Problem(f"--set {v}", "expected KEY=VALUE",
                                      "e.g. --set training.max_steps=50"))
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


@command.command("spacy")
@click.option("--folds", "kinds", type=click.Choice(["test", "loo"]), multiple=True,
              default=("test",), show_default=True,
              help="test: one model on the train split, predicting the test split; loo: one "
                   "model per document, trained on all the others (repeat for both).")
@click.option("--release", type=click.Path(path_type=Path), default=None,
              help="Release folder to train from (default: dataset/).")
@click.option("--config", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="spaCy config (default: the committed "
                                 "src/trisec/baselines/spacy_ner/ner.cfg).")
@click.option("--seed", default=0, show_default=True, help="Training seed ([system] seed).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="Override a config value, e.g. training.max_steps=50 (recorded in the "
                   "model and on every prediction line).")
@click.option("--models", type=click.Path(path_type=Path), default=None,
              help="Folder for the trained pipelines, one per fold (default: models/spacy/).")
@click.option("--predict-to", type=click.Path(path_type=Path), default=None,
              help="Write the held-out predictions here: <name>.jsonl (test) and "
                   "<name>.folds.jsonl (loo), e.g. benchmark/predictions/.")
@click.option("--name", default="spacy", show_default=True,
              help="System name of the prediction files.")
@click.option("--in-process", is_flag=True,
              help="Train in this process instead of a fresh process per model (quicker to "
                   "start; time and memory figures are then not per model).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the run's figures (train-log.json: every fold's documents, steps, "
                   "times, memory, loss) as JSON on stdout instead of the summary table.")
def spacy_cmd(kinds: tuple[str, ...], release: Path | None, config: Path | None, seed: int,
              sets: tuple[str, ...], models: Path | None, predict_to: Path | None, name: str,
              in_process: bool, as_json: bool) -> None:
    """Train spaCy NER pipelines from scratch (CPU, no pretrained vectors) on the release's
    entity mentions, one per fold, and predict each fold's held-out documents."""
    from rich.console import Console

    from trisec.baselines.spacy_ner.folds import OUTPUT, annotated_ids, plan
    from trisec.baselines.spacy_ner.train import CONFIG, pooled_lines, write_lines
    from trisec.evaluate.gold import read_rows
    from trisec.paths import DATASET_DIR, ROOT
    from trisec.release.opener import open_release

    console = Console(stderr=True)
    release = open_release(release or DATASET_DIR).path
    config = config or CONFIG
    overrides = _parse_set(sets)
    models = models or ROOT / "models" / "spacy"
    rows = {r["doc_id"]: r for r in read_rows(release)}
    split_of = {d: r["split"] for d, r in rows.items()}
    annotated = annotated_ids(rows)
    if len(annotated) < len(rows):
        console.print(f"[yellow]note:[/] {len(rows) - len(annotated)} document(s) without "
                      "gold annotations are not trained on")
    jobs = [{"fold": f, "rows": {d: rows[d] for d in (*f.train, *f.predict)},
             "config": config, "seed": seed, "overrides": overrides,
             "model_dir": str(models / f.name), "kind": kind}
            for kind in dict.fromkeys(kinds) for f in plan(kind, split_of, annotated)]
    results = _train_all(console, jobs, config, overrides, in_process)
    log = _write_log(models / "train-log.json", results, jobs, config, seed, overrides,
                     in_process)
    if as_json:
        click.echo(json.dumps(log, indent=1))
    else:
        _summary(console, results, jobs)
    if predict_to:
        for kind in dict.fromkeys(kinds):
            mine = [r for r, j in zip(results, jobs, strict=True) if j["kind"] == kind]
            path = predict_to / OUTPUT[kind].format(system=name)
            write_lines(path, pooled_lines(mine))
            how = "--folds" if kind == "loo" else "--split test"
            console.print(f"wrote {path}: {sum(len(r.lines) for r in mine)} document(s) "
                          f"(score: trisec evaluate -p {path} {how})")


def _train_all(console: Any, jobs: list[dict[str, Any]], config: Path,
               overrides: dict[str, Any], in_process: bool) -> list[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from spacy.util import load_config

    from trisec.baselines.spacy_ner.train import run_fold, run_fold_isolated

    cfg = load_config(config, overrides={k: v for k, v in overrides.items()
                                         if k.startswith("training.")}, interpolate=False)
    total = int(cfg["training"]["max_steps"]) or None
    results = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("steps  loss {task.fields[loss]}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        tasks = [progress.add_task(f"{j['fold'].name} ({len(j['fold'].train)} docs)",
                                   total=total, loss="-") for j in jobs]
        for job, task in zip(jobs, tasks, strict=True):
            progress.start_task(task)

            def on_step(step: int, loss: float | None, task: Any = task) -> None:
                progress.update(task, completed=step,
                                **({"loss": f"{loss:.1f}"} if loss is not None else {}))

            if in_process:
                res = run_fold(job, lambda s, info, cb=on_step: cb(
                    s, None if info is None else float(info["losses"].get("ner", 0.0))))
            else:
                res = run_fold_isolated(job, on_step)
            progress.update(task, completed=res.steps, total=res.steps)
            results.append(res)
    return results


def _summary(console: Any, results: list[Any], jobs: list[dict[str, Any]]) -> None:
    from rich.table import Table

    t = Table(title="Trained models (one process each: wall and CPU time, peak RSS)")
    for col in ("fold", "trained on", "sentences", "steps", "wall s", "CPU s", "peak RSS MiB",
                "load 1-min", "predicted", "last loss"):
        t.add_column(col, justify="left" if col == "fold" else "right", no_wrap=col == "fold")
    for r in results:
        t.add_row(r.fold.name, f"{len(r.fold.train)} docs", str(r.train_sentences),
                  str(r.steps), f"{r.wall_seconds:.1f}", f"{r.cpu_seconds:.1f}",
                  f"{r.peak_rss_bytes / MIB:.0f}",
                  f"{r.load_before[0]:.1f}->{r.load_after[0]:.1f}",
                  f"{len(r.lines)} docs", f"{r.final_loss:.2f}")
    from trisec.views.console import print_table

    print_table(console, t)  # as wide as its columns when piped


def _write_log(path: Path, results: list[Any], jobs: list[dict[str, Any]], config: Path,
               seed: int, overrides: dict[str, Any], in_process: bool) -> dict[str, Any]:
    """Figures of the run beside the models (not committed): what the closing notes quote;
    returned too (`--json`)."""
    import os
    import platform

    from trisec.baselines.spacy_ner.train import config_sha256, shown_path

    log = {"config": shown_path(config), "config_sha256": config_sha256(config), "seed": seed,
           "overrides": overrides, "isolated": not in_process, "cores": os.cpu_count(),
           "python": platform.python_version(),
           "folds": [{"fold": r.fold.name, "trained_on": list(r.fold.train),
                      "predicted": list(r.fold.predict), "sentences": r.train_sentences,
                      "steps": r.steps, "wall_seconds": round(r.wall_seconds, 2),
                      "cpu_seconds": round(r.cpu_seconds, 2),
                      "peak_rss_mib": round(r.peak_rss_bytes / MIB, 1),
                      "load_before": r.load_before, "load_after": r.load_after,
                      "final_loss": r.final_loss, "model_dir": r.model_dir}
                     for r in results]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(log, indent=1) + "\n", encoding="utf-8")
    return log
