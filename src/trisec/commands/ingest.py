"""`trisec ingest FILE... [--json]`: parse raw files into clean documents."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--metadata-dir", type=click.Path(path_type=Path), default=None,
              help="Curated metadata folder (default: corpus/metadata).")
def command(files: tuple[Path, ...], as_json: bool, metadata_dir: Path | None) -> None:
    """Clean raw article FILES with the build's own steps (read -> clean -> dedup), in
    file-name order like the build, so the same copy counts as the first; bad files are
    reported and the others still processed."""
    from trisec.errors import Problem
    from trisec.paths import METADATA_DIR
    from trisec.pipeline.local import ingest
    from trisec.pipeline.stats import Stats

    errors: list[Problem] = []
    for doc, dup_of in ingest(files, metadata_dir or METADATA_DIR, Stats(), errors):
        if as_json:
            out = doc.to_json()
            out.pop("date_clues")
            out["duplicate_of"] = dup_of
            click.echo(json.dumps(out, ensure_ascii=False))
        else:
            dup = f"  DUPLICATE of {dup_of}" if dup_of else ""
            click.echo(f"{doc.doc_id}  {doc.source_file}  {len(doc.text)} chars, "
                       f"{len(doc.removed)} removals, published={doc.published.value} "
                       f"({doc.published.provenance}){dup}")
    for p in errors:
        click.echo(f"error: {p}", err=True)
    if errors:
        raise SystemExit(1)
