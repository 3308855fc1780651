"""`trisec render [--out DIR] [--release DIR]`: static HTML pages showing the gold spans."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("render")
@click.option("--out", type=click.Path(path_type=Path), default=Path("build/render"),
              show_default=True, help="Folder for index.html and one page per article.")
@click.option("--release", type=click.Path(path_type=Path), default=None,
              help="Release folder to render (default: dataset/).")
def command(out: Path, release: Path | None) -> None:
    """One HTML page per article (displaCy span view: mentions, triggers, attributions)
    plus an index with metadata (with provenance) and counts. Open out/index.html."""
    from trisec.paths import DATASET_DIR
    from trisec.schema import load_schema
    from trisec.views.render import render_release

    written = render_release(release or DATASET_DIR, out, load_schema())
    click.echo(f"wrote {len(written) - 1} article pages and {written[0]}")
