"""`trisec ingest FILE... [--json]`: parse raw files into clean documents."""

from __future__ import annotations

import json
from pathlib import Path

import click

from trisec.errors import TrisecError


@click.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--metadata-dir", type=click.Path(path_type=Path), default=None,
              help="Curated metadata folder (default: corpus/metadata).")
def command(files: tuple[Path, ...], as_json: bool, metadata_dir: Path | None) -> None:
    """Clean raw article FILES; bad files are reported and the others still processed."""
    from trisec.documents.clean import clean
    from trisec.documents.ingest import decode, read_raw
    from trisec.documents.metadata import load_curated, merge_metadata
    from trisec.paths import METADATA_DIR

    mdir = metadata_dir or METADATA_DIR
    failed = 0
    seen: dict[str, str] = {}
    for path in files:
        try:
            raw = read_raw(path)
            curated = load_curated(mdir, raw.doc_id, raw)
            known = ((curated or {}).get("title") or {}).get("value")
            doc = merge_metadata(clean(raw, decode(raw, str(path)), known), curated)
        except TrisecError as exc:
            failed += 1
            for p in exc.problems:
                click.echo(f"error: {p}", err=True)
            continue
        dup_of = seen.get(doc.body_sha256)
        seen.setdefault(doc.body_sha256, doc.source_file)
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
    if failed:
        raise SystemExit(1)
