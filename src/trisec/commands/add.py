"""`trisec add FILE...`: copy new raw articles into the corpus, with metadata stubs."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--corpus", "root", type=click.Path(path_type=Path), default=None,
              help="Corpus folder holding raw/, raw.sha256 and metadata/ (default: corpus/).")
@click.option("--allow-near-duplicate", is_flag=True,
              help="Accept a file whose body is similar to (not identical with) an existing one.")
def command(files: tuple[Path, ...], root: Path | None, allow_near_duplicate: bool) -> None:
    """Add raw article FILES: byte-identical copy into raw/, its line in raw.sha256 and a
    metadata stub; prints what cleaning removed for review. Duplicates are refused."""
    from trisec.paths import CORPUS_DIR
    from trisec.pipeline.add import add_files, removal_lines

    report = add_files(files, root or CORPUS_DIR, allow_near_duplicate=allow_near_duplicate)
    for a in report.added:
        d = a.document
        click.echo(f"added {a.raw_path}  {d.doc_id}  {len(d.text)} chars")
        click.echo(f"  title: {d.title.value!r} ({d.title.provenance or 'none found'})")
        click.echo(f"  dateline: {d.dateline.value!r}")
        click.echo(f"  published: {d.published.value} ({d.published.precision}, "
                   f"{d.published.provenance}, {d.published.confidence}): "
                   f"{d.published.evidence}")
        if d.normalizations:
            norm = ", ".join(f"{k}={v}" for k, v in sorted(d.normalizations.items()))
            click.echo(f"  normalised: {norm}")
        click.echo(f"  removed by cleaning ({len(d.removed)}; check nothing of the article "
                   "is here):")
        for line in removal_lines(d):
            click.echo(f"    {line}")
        if a.stub_written:
            click.echo(f"  metadata stub: {a.metadata_path} (external facts null: look them up)")
        else:
            click.echo(f"  metadata: kept the existing {a.metadata_path}")
    for p in report.refused:
        click.echo(f"refused: {p}", err=True)
    if report.refused:
        raise SystemExit(1)
