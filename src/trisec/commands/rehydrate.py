"""`trisec rehydrate STANDOFF_DIR --raw DIR --out OUT`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("rehydrate")
@click.argument("standoff_dir", type=click.Path(path_type=Path))
@click.option("--raw", "raw_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              required=True, help="Folder with your own copies of the raw pages.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Release folder to write (replaced as a whole).")
def command(standoff_dir: Path, raw_dir: Path, out: Path) -> None:
    """Rebuild the full release from a standoff folder and your copies of the raw articles.

    Every raw file is checked against its sha256 first; mismatches are listed (file, expected,
    found) and nothing is written. The result is checked byte for byte against the release."""
    from trisec.release.standoff import rehydrate
    from trisec.schema import load_schema

    sources = rehydrate(standoff_dir, raw_dir, out, load_schema())
    click.echo(f"wrote {out} from {len(sources)} verified raw files; identical to the "
               "published release (every file's sha256 checked)")
