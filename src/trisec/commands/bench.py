"""`trisec bench [--n 1000,10000] [--large] [--workers N] [--out PATH]`."""

from __future__ import annotations

from pathlib import Path

import click


def _sizes(value: str) -> list[int]:
    try:
        ns = [int(x.replace("_", "")) for x in value.split(",") if x.strip()]
    except ValueError as exc:
        raise click.BadParameter("a comma-separated list of document counts") from exc
    if not ns or min(ns) < 10:
        raise click.BadParameter("document counts of at least 10")
    return ns


@click.command("bench")
@click.option("--n", "sizes", default="1000,10000", show_default=True,
              help="Synthetic crawl sizes, comma-separated.")
@click.option("--large", is_flag=True, help="Add N=100,000 (about 30 min on 2 cores).")
@click.option("--workers", type=int, default=1, show_default=True,
              help="Local executor workers; figures per core divide by this.")
@click.option("--out", "json_path", type=click.Path(path_type=Path),
              default=Path("bench-results.json"), show_default=True,
              help="JSON file to write the full results to.")
@click.option("--workdir", type=click.Path(path_type=Path), default=None,
              help="Folder for the temporary crawls (default: the system temp folder).")
@click.option("--seed-builds", type=int, default=3, show_default=True,
              help="Seed builds (and import floors) to time; 0 skips them.")
def command(sizes: str, large: bool, workers: int, json_path: Path,
            workdir: Path | None, seed_builds: int) -> None:
    """Measure the silver pipeline per stage on deterministic synthetic crawls against the
    read + decode + tokenize floor, the validation gate on a million span rows, and a seed
    build against its import floor; print tables and write JSON."""
    from rich.console import Console

    from trisec.bench.measure import benchmark, render

    ns = _sizes(sizes) + ([100_000] if large else [])
    console = Console()
    report = benchmark(ns, workers=workers, json_path=json_path, workdir=workdir,
                       progress=lambda msg: console.print(f"[dim]{msg}[/]"),
                       seed_build_runs=seed_builds)
    console.print(render(report))
    console.print(f"results: {json_path}")
