"""`trisec plot --out FILE.png [--release DIR]`: label distribution of a release as a PNG."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("plot")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="PNG file to write.")
@click.option("--release", type=click.Path(path_type=Path), default=None,
              help="Release folder (default: dataset/).")
def command(out: Path, release: Path | None) -> None:
    """Bar charts of the counts `trisec annotations stats` prints (entity labels, event
    types, argument roles, ...), for the dataset card."""
    from trisec.paths import DATASET_DIR
    from trisec.release.opener import open_release
    from trisec.release.stats import layer_counts
    from trisec.schema import load_schema
    from trisec.views.plot import write_plot

    counts = layer_counts(open_release(release or DATASET_DIR).path, load_schema())
    write_plot(counts, out)
    total = sum(sum(v.values()) for v in counts.values())
    click.echo(f"wrote {out}: {len(counts)} panels, {total} counted values")
