"""`trisec evaluate --predictions FILE [--split test|train|all | --folds] [--json]
[--label-map ...]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

EVENT_ROWS = {
    "trigger_identification": "Trig-I", "trigger_classification": "Trig-C",
    "argument_identification": "Arg-I", "argument_classification": "Arg-C",
    "attached_argument_identification": "Arg-I attached",
    "attached_argument_classification": "Arg-C attached",
    "trigger_overlap": "Trig-C overlap",
}
ATTRIBUTION_ROWS = {"source": "content+source", "content_overlap": "content overlap",
                    "content_strict": "content strict", "cue": "cue"}


def _f(x: float) -> str:
    return f"{x:.3f}"


def _ci(m: dict[str, Any]) -> str:
    lo, hi = m.get("ci95", (0.0, 0.0))
    return f"{lo:.3f}-{hi:.3f}"


def print_report(r: dict[str, Any], per_document: bool = False) -> None:
    from rich.table import Table

    from trisec.views.console import make_console, print_table

    console = make_console()
    boot = r["bootstrap"]
    scope = {"folds": "pooled held-out folds over all", "all": "all"}.get(r.get("scope", ""))
    what = (f"{scope} {r['documents']} document(s)" if scope
            else f"{r['documents']} document(s) of split {r['split']!r}")
    head = (f"{what}; 95% CI: percentile bootstrap over documents ({boot['resamples']} "
            f"resamples, seed {boot['seed']})")
    ent = r.get("entities", {})
    t = Table(title="Entities (SemEval-2013 9.1 schemes, micro)", caption=head)
    for col in ("scheme", "cor", "inc", "par", "mis", "spu", "P", "R", "F1", "95% CI",
                "macro F1"):
        t.add_column(col, justify="left" if col == "scheme" else "right")
    for scheme in ("strict", "exact", "partial", "type"):
        m = ent.get(scheme)
        if m is None:
            continue
        t.add_row(scheme, *(str(m[k]) for k in ("correct", "incorrect", "partial", "missed",
                                                "spurious")),
                  _f(m["precision"]), _f(m["recall"]), _f(m["f1"]), _ci(m),
                  _f(ent["macro"][scheme]["f1"]))
    print_table(console, t)
    if ent.get("per_label"):
        t = Table(title="Entities per label (strict)")
        for col in ("label", "gold", "predicted", "correct", "P", "R", "F1", "95% CI"):
            t.add_column(col, justify="left" if col == "label" else "right")
        for label, schemes in ent["per_label"].items():
            m = schemes["strict"]
            t.add_row(label, str(m["possible"]), str(m["actual"]), str(m["correct"]),
                      _f(m["precision"]), _f(m["recall"]), _f(m["f1"]), _ci(m))
        print_table(console, t)
    for layer, title, keys in [
        ("events", "Events (TextEE definitions, micro)", EVENT_ROWS),
        ("attribution", "Attribution", ATTRIBUTION_ROWS),
    ]:
        t = Table(title=title)
        for col in ("metric", "gold", "predicted", "matched", "P", "R", "F1", "95% CI"):
            t.add_column(col, justify="left" if col == "metric" else "right")
        for k, name in keys.items():
            m = r.get(layer, {}).get(k)
            if m is None:
                continue
            t.add_row(name, str(m["possible"]), str(m["actual"]), str(m["correct"]),
                      _f(m["precision"]), _f(m["recall"]), _f(m["f1"]), _ci(m))
        print_table(console, t)
    if r.get("alignment"):
        from trisec.generative.account import table

        print_table(console, table(r["alignment"]))
    if per_document:
        print_per_document(console, r)
    for note in r.get("notes", []):
        console.print(f"[yellow]note:[/] {note}")


def print_per_document(console: Any, r: dict[str, Any]) -> None:
    from rich.table import Table

    from trisec.views.console import print_table

    fold_of = {d: name for name, f in r.get("models", {}).items() for d in f["predicted"]}
    t = Table(title="Per document (F1; P/R for entities)")
    cols = ["document", *(["fold"] if fold_of else []), "gold ents", "ent P", "ent R",
            "ent strict F1", "Trig-C F1", "Arg-C F1", "attribution F1"]
    for col in cols:
        t.add_column(col, justify="left" if col in ("document", "fold") else "right",
                     no_wrap=col in ("document", "fold"))
    for doc_id, m in r.get("per_document", {}).items():
        ent = m["entities/strict"]
        t.add_row(doc_id, *([fold_of.get(doc_id, "-")] if fold_of else []),
                  str(ent["possible"]), _f(ent["precision"]), _f(ent["recall"]), _f(ent["f1"]),
                  _f(m["events/trigger_classification"]["f1"]),
                  _f(m["events/argument_classification"]["f1"]),
                  _f(m["attribution/source"]["f1"]))
    print_table(console, t)


@click.command("evaluate")
@click.option("--predictions", "-p", type=click.Path(path_type=Path), required=True,
              help="JSONL prediction file (format: docs/BENCHMARK.md).")
@click.option("--split", default=None,
              help="Split to score (default: test); `all` scores every document, for systems "
                   "never trained on TRISEC (zero-shot models, the rule baseline).")
@click.option("--folds", is_flag=True,
              help="Score pooled cross-validation predictions (trisec train spacy --folds "
                   "loo): every document, each predicted by a model that did not see it; "
                   "prints per-document figures.")
@click.option("--release", type=click.Path(path_type=Path), default=None,
              help="Release folder with the gold (default: dataset/).")
@click.option("--label-map", default=None,
              help="Score predicted labels through a mapping: ontonotes, ace, or a YAML/JSON "
                   "file {external: schema label}.")
@click.option("--alignment", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Alignment account written by `trisec align` (PREDICTIONS.alignment.json): "
                   "carried into the report.")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.option("--seed", default=0, show_default=True, help="Bootstrap seed.")
@click.option("--resamples", default=1000, show_default=True, help="Bootstrap resamples.")
@click.option("--per-document", is_flag=True, help="Also print figures per document.")
def command(predictions: Path, split: str | None, folds: bool, release: Path | None,
            label_map: str | None, alignment: Path | None, as_json: bool, seed: int,
            resamples: int, per_document: bool) -> None:
    """Score a prediction file against the gold of a release split."""
    from trisec.errors import Problem, TrisecError
    from trisec.evaluate.benchmark import evaluate_file
    from trisec.evaluate.gold import ALL
    from trisec.generative.aligner import read_account
    from trisec.paths import DATASET_DIR

    if folds and split not in (None, ALL):
        raise TrisecError(Problem("--folds", f"folds are scored on every document, not on "
                                  f"split {split!r}", "drop --split"))
    report = evaluate_file(predictions, release or DATASET_DIR, split or "test", label_map,
                           resamples=resamples, seed=seed, folds=folds,
                           alignment=None if alignment is None else read_account(alignment))
    if as_json:
        click.echo(json.dumps(report, indent=2, sort_keys=True))
    else:
        print_report(report, per_document=per_document or folds)
