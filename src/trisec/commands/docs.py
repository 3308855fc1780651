"""`trisec docs [--check] [--release DIR] [--file DATASHEET.md]`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("docs")
@click.option("--check", is_flag=True,
              help="Exit 1 if a generated block differs from a fresh rendering (no write).")
@click.option("--release", type=click.Path(path_type=Path), default=None,
              help="Release folder the tables come from (default: dataset/).")
@click.option("--file", "path", type=click.Path(path_type=Path), default=None,
              help="Document with generated blocks (default: DATASHEET.md).")
def command(check: bool, release: Path | None, path: Path | None) -> None:
    """Regenerate the generated blocks of DATASHEET.md from the committed release."""
    from trisec.errors import Problem, TrisecError
    from trisec.paths import DATASET_DIR, ROOT
    from trisec.release.build import default_corpus
    from trisec.release.datasheet import block_names, refresh, render_blocks, stale_blocks
    from trisec.schema import load_schema

    path = path or ROOT / "DATASHEET.md"
    if not path.is_file():
        raise TrisecError(Problem(str(path), "file missing", "restore it from git"))
    text = path.read_text(encoding="utf-8")
    blocks = render_blocks(release or DATASET_DIR, load_schema(), default_corpus().passes_dir)
    if check:
        stale = stale_blocks(text, blocks)
        if stale:
            click.echo(f"{path} is stale: generated block(s) {', '.join(stale)} differ from "
                       "the release. Run `trisec docs` and commit it.", err=True)
            raise SystemExit(1)
        click.echo(f"{path} is up to date ({len(block_names(text))} generated blocks).")
        return
    new = refresh(text, blocks, where=str(path))
    if new != text:
        path.write_text(new, encoding="utf-8")
        click.echo(f"updated {path}")
    else:
        click.echo(f"{path} already up to date")
