"""`trisec silver CRAWL_DIR --out DIR [--executor local|ray] [--workers N]`."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command("silver")
@click.argument("crawl_dir", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Output folder (never dataset/); rerunning resumes it.")
@click.option("--executor", "executor_name", type=click.Choice(["local", "ray"]),
              default="local", show_default=True,
              help="local: worker processes; ray: Ray Data (pip install '.[ray]').")
@click.option("--workers", type=int, default=None,
              help="Worker processes / Ray CPUs (default: all cores).")
@click.option("--shard-size", type=int, default=None,
              help="Crawl files per output shard (default 1000).")
@click.option("--baseline", default="rules", show_default=True,
              help="Baseline predictor for the spans (trisec.baselines).")
@click.option("--restart", is_flag=True, help="Discard what is in --out and start over.")
@click.option("--quiet", "-q", is_flag=True, help="No stats table.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the run's stats and outcome as JSON on stdout.")
def command(crawl_dir: Path, out: Path, executor_name: str, workers: int | None,
            shard_size: int | None, baseline: str, restart: bool, quiet: bool,
            as_json: bool) -> None:
    """Clean, deduplicate and pre-annotate a crawl into a sharded silver corpus: the gold
    release's configs plus `silver` and `annotator` columns. Bad files go to
    reports/quarantine.csv, dropped copies to reports/duplicates.csv; complete shards are
    skipped on a rerun."""
    from rich.table import Table

    from trisec.silver.plan import SHARD_SIZE
    from trisec.silver.run import run_silver
    from trisec.views.console import make_console, print_table

    console = make_console(stderr=True, quiet=quiet)
    result = run_silver(crawl_dir, out, executor_name=executor_name,
                        workers=workers or os.cpu_count() or 1,
                        shard_size=shard_size or SHARD_SIZE, baseline=baseline, restart=restart)
    if as_json:
        import json

        click.echo(json.dumps({
            "files": result.files, "words": result.words, "documents": result.documents,
            "duplicates": len(result.duplicates), "quarantined": len(result.quarantined),
            "shards": result.shards, "shards_run": result.shards_run,
            "seconds": round(result.seconds, 3), "executor": executor_name,
            "steps": [{"step": step, "counters": dict(sorted(result.stats.counters[step]
                                                             .items())),
                       "seconds": round(secs, 3)} for step, _, secs in result.stats.rows()],
            "reports": str(out / "reports")}, indent=2))
    if quiet:
        return
    if result.stats.seconds:
        table = Table(title=f"silver stats ({executor_name} executor; seconds summed over "
                            "workers, exclusive per step)")
        for col in ("step", "counters", "seconds"):
            table.add_column(col)
        for step, summary, secs in result.stats.rows():
            table.add_row(step, summary, f"{secs:.2f}")
        print_table(console, table)
    skipped = result.shards - result.shards_run
    console.print(f"{result.files} files, {result.words:,} words: {result.documents} documents "
                  f"written, {len(result.duplicates)} duplicates dropped, "
                  f"{len(result.quarantined)} quarantined; {result.shards} shard(s)"
                  + (f", {skipped} already complete" if skipped else "")
                  + f" in {result.seconds:.1f} s")
    for q in result.quarantined[:20]:
        console.print(f"quarantined: {q.source_file}: {q.reason}")
    if len(result.quarantined) > 20:
        console.print(f"... {len(result.quarantined) - 20} more")
    console.print(f"reports: {out / 'reports'}")
