"""`trisec release [--dist DIR] [--standoff]`: reproducible archives + SHA256SUMS."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("release")
@click.option("--dist", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: dist/).")
@click.option("--standoff", is_flag=True,
              help="Also write trisec-<version>-standoff.tar.gz (no article text).")
def command(dist: Path | None, standoff: bool) -> None:
    """Write dist/trisec-<version>.tar.gz (byte-for-byte reproducible) and dist/SHA256SUMS.

    Refuses a stale or invalid dataset/."""
    import tempfile

    from trisec.errors import Problem, TrisecError
    from trisec.paths import DATASET_DIR, ROOT
    from trisec.release import build as b
    from trisec.release.archive import SUMS, write_release_archive
    from trisec.schema import load_schema

    schema = load_schema()
    dist = dist or ROOT / "dist"
    stale = b.check(DATASET_DIR)
    if stale:
        raise TrisecError([Problem(str(DATASET_DIR), f"stale: {d}",
                                   "run `trisec build` and commit dataset/") for d in stale])
    validator = b.default_validator()  # an archive is a publication: the same gate as the Hub
    validator(DATASET_DIR)
    written = [write_release_archive(DATASET_DIR, ROOT, dist, schema.version)]
    if standoff:
        from trisec.release.standoff import make_standoff

        with tempfile.TemporaryDirectory(prefix="trisec-standoff-") as tmp:
            folder = Path(tmp) / "standoff"
            make_standoff(DATASET_DIR, b.default_corpus(), folder, schema)
            written.append(write_release_archive(folder, ROOT, dist, schema.version,
                                                 kind="standoff"))
    for path in written:
        click.echo(f"wrote {path} ({path.stat().st_size} bytes)")
    click.echo(f"wrote {dist / SUMS}")
