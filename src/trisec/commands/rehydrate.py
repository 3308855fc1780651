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
@click.option("--checkout", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=None, help="A trisec checkout at the release's tag: the card's agreement "
              "and benchmark sections come from its corpus/annotations/passes and "
              "benchmark/predictions, which a standoff does not carry (default: this one).")
def command(standoff_dir: Path, raw_dir: Path, out: Path, checkout: Path | None) -> None:
    """Rebuild the full release from a standoff folder and your copies of the raw articles.

    Every raw file is checked against its sha256 first; mismatches are listed (file, expected,
    found) and nothing is written. The result is checked byte for byte against the release."""
    from trisec.pipeline.corpus import Corpus
    from trisec.release.build import default_corpus
    from trisec.release.standoff import rehydrate
    from trisec.schema import load_schema

    reference = Corpus.at(checkout) if checkout else default_corpus()
    sources = rehydrate(standoff_dir, raw_dir, out, load_schema(), reference)
    click.echo(f"wrote {out} from {len(sources)} verified raw files; identical to the "
               "published release (every file's sha256 checked)")
