"""`trisec predict --baseline NAME [--split test] [--release DIR] > preds.jsonl`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from trisec.baselines import BASELINES


@click.command("predict")
@click.option("--baseline", type=click.Choice(sorted(BASELINES)), default="rules",
              show_default=True, help="Which baseline system to run.")
@click.option("--split", default="test", show_default=True,
              help="Split to predict (all: every document).")
@click.option("--release", type=click.Path(path_type=Path), default=None,
              help="Release folder to read documents from (default: dataset/).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Write here instead of standard output.")
def command(baseline: str, split: str, release: Path | None, out: Path | None) -> None:
    """Run a baseline over a release split and write prediction JSONL."""
    from trisec.errors import Problem, TrisecError
    from trisec.evaluate.gold import read_rows
    from trisec.paths import DATASET_DIR
    from trisec.release.opener import open_release

    rows = read_rows(open_release(release or DATASET_DIR).path, None if split == "all" else split)
    if not rows:
        raise TrisecError(Problem(str(release or DATASET_DIR), f"no {split!r} documents",
                                  "pass --split with a split the release has"))
    predict = BASELINES[baseline]()
    lines = [json.dumps(predict(r["doc_id"], r["text"]), ensure_ascii=False)
             for r in sorted(rows, key=lambda r: r["doc_id"])]
    text = "".join(line + "\n" for line in lines)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
