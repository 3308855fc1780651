"""`trisec align --responses FILE [--release PATH] [-o OUT] [--score --split test]`."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("align")
@click.option("--responses", "-r", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="Responses JSONL ({doc_id, task, response}; `trisec run` "
                                  "writes it).")
@click.option("--release", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Release folder whose text the offsets point into (default: dataset/).")
@click.option("--out", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Prediction JSONL to write (default: standard output).")
@click.option("--account", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Alignment account JSON (default with -o: OUT's stem + .alignment.json).")
@click.option("--score", is_flag=True, help="Also score the predictions (trisec evaluate), "
                                            "with the account in the report.")
@click.option("--split", default="test", show_default=True, help="Split to score (--score).")
def command(responses: Path, release: Path | None, out: Path | None, account: Path | None,
            score: bool, split: str) -> None:
    """Turn model responses (quoted spans) into offset predictions, with an account of every
    response: JSON valid or not, spans aligned / ambiguous / not found, labels outside the
    schema. Nothing is written unless the whole responses file is well formed."""
    from rich.console import Console

    from trisec.generative.account import table
    from trisec.generative.aligner import align_file, default_account_path, write_outputs
    from trisec.paths import DATASET_DIR
    from trisec.schema import load_schema
    from trisec.views.console import print_table

    rel = release or DATASET_DIR
    aligned = align_file(responses, rel, load_schema())
    write_outputs(aligned, out, account or (default_account_path(out) if out else None))
    if out is None:
        sys.stdout.write(aligned.jsonl())
    print_table(Console(stderr=True), table(aligned.summary))  # as wide as it needs piped
    if score:
        import tempfile

        from trisec.commands.evaluate import print_report
        from trisec.evaluate.benchmark import evaluate_file

        with tempfile.TemporaryDirectory() as tmp:
            preds = out or Path(tmp) / "predictions.jsonl"
            if out is None:
                preds.write_text(aligned.jsonl(), encoding="utf-8")
            print_report(evaluate_file(preds, rel, split, alignment=aligned.summary))
