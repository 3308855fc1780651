"""`trisec predict --baseline NAME | --spacy PIPELINE [--label-map M] [--split test]
[--release DIR] > preds.jsonl`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from trisec.baselines import BASELINES


@click.command("predict")
@click.option("--baseline", type=click.Choice(sorted(BASELINES)), default="rules",
              show_default=True, help="Which baseline system to run.")
@click.option("--spacy", "pipeline", default=None, metavar="PIPELINE",
              help="Run a spaCy pipeline instead: a trained folder (trisec train spacy "
                   "writes models/spacy/<fold>/) or an installed package name.")
@click.option("--label-map", default=None,
              help="With --spacy: the pipeline predicts another label set (ontonotes for "
                   "pretrained English pipelines, ace, or a YAML/JSON file); labels outside "
                   "the map are dropped. Score with the same --label-map.")
@click.option("--split", default="test", show_default=True,
              help="Split to predict (all: every document).")
@click.option("--release", type=click.Path(path_type=Path), default=None,
              help="Release folder to read documents from (default: dataset/).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Write here instead of standard output.")
def command(baseline: str, pipeline: str | None, label_map: str | None, split: str,
            release: Path | None, out: Path | None) -> None:
    """Run a baseline or a spaCy pipeline over a release split and write prediction JSONL."""
    from trisec.errors import Problem, TrisecError
    from trisec.evaluate.gold import read_rows
    from trisec.paths import DATASET_DIR
    from trisec.release.opener import open_release

    rows = read_rows(open_release(release or DATASET_DIR).path, None if split == "all" else split)
    if not rows:
        raise TrisecError(Problem(str(release or DATASET_DIR), f"no {split!r} documents",
                                  "pass --split with a split the release has"))
    if pipeline is not None:
        objs = _spacy(pipeline, label_map, rows)
    elif label_map is not None:
        raise TrisecError(Problem("--label-map", "only applies to --spacy",
                                  "drop it (the baselines predict schema labels)"))
    else:
        predict = BASELINES[baseline]()
        objs = [predict(r["doc_id"], r["text"]) for r in sorted(rows, key=lambda r: r["doc_id"])]
    lines = [json.dumps(x, ensure_ascii=False) for x in objs]
    text = "".join(line + "\n" for line in lines)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _spacy(pipeline: str, label_map: str | None, rows: list[dict]) -> list[dict]:
    from trisec.baselines.spacy_ner.predict import (
        check_labels,
        load_pipeline,
        model_info,
        predict_rows,
    )
    from trisec.evaluate.benchmark import maps_for
    from trisec.schema import load_schema

    nlp = load_pipeline(pipeline)
    ent_map, _ = maps_for(load_schema(), label_map)
    allowed = set(ent_map.pred)
    outside = check_labels(nlp, allowed, label_map)
    model = model_info(nlp)
    if model is None and label_map is not None:
        model = {"system": f"spacy:{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}"
                           f"-{nlp.meta.get('version', '')}", "label_map": label_map}
    lines, dropped = predict_rows(nlp, rows, allowed, model)
    if dropped or outside:
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(dropped.items())) or "none"
        click.echo(f"note: {sum(dropped.values())} entities with labels outside the "
                   f"{label_map} map dropped ({counts}); score with `trisec evaluate "
                   f"--label-map {label_map}`", err=True)
    return lines
