"""`trisec standoff --out DIR [--release DIR] [--no-verify]`: the text-free distribution."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("standoff")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Standoff folder to write (replaced as a whole).")
@click.option("--release", "release_dir", type=click.Path(path_type=Path), default=None,
              help="Release folder to derive it from (default: dataset/).")
@click.option("--no-verify", is_flag=True,
              help="Skip the round trip (rehydrate from corpus/raw and compare byte for byte).")
def command(out: Path, release_dir: Path | None, no_verify: bool) -> None:
    """Write every release column except article text, plus raw files' sha256 and URLs."""
    import tempfile

    from trisec.errors import Problem, TrisecError
    from trisec.paths import DATASET_DIR
    from trisec.release.build import default_corpus
    from trisec.release.standoff import dropped_fields, make_standoff, rehydrate
    from trisec.schema import load_schema

    schema = load_schema()
    corpus = default_corpus()
    sources = make_standoff(release_dir or DATASET_DIR, corpus, out, schema)
    docs = sum(1 for s in sources if s.duplicate_of is None)
    click.echo(f"wrote {out}: {docs} documents, {len(sources)} raw files pinned by sha256, "
               f"{len(dropped_fields(schema))} text fields left out")
    if no_verify:
        return
    with tempfile.TemporaryDirectory(prefix="trisec-roundtrip-") as tmp:
        try:
            rehydrate(out, corpus.raw_dir, Path(tmp) / "release", schema, corpus)
        except TrisecError as exc:
            raise TrisecError([Problem(str(out), "does not rehydrate to the release",
                                       "is the release stale? `trisec build --check`"),
                               *exc.problems]) from exc
    click.echo("round trip verified: rehydrating from corpus/raw gives the release byte for "
               "byte")
