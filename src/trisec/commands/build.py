"""`trisec build [--check] [--out DIR] [--quiet]`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("build")
@click.option("--check", is_flag=True,
              help="Rebuild in a temp folder; exit 1 if the committed release differs.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Release folder (default: dataset/).")
@click.option("--quiet", "-q", is_flag=True, help="No progress display or stats table.")
@click.option("--no-validate", is_flag=True,
              help="Skip the validation gate on purpose (never for releases); says so.")
def command(check: bool, out: Path | None, quiet: bool, no_validate: bool) -> None:
    """Build the release from corpus/ (validated, atomic, reproducible)."""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from trisec.paths import DATASET_DIR
    from trisec.release import build as b

    target = out or DATASET_DIR
    console = Console(stderr=True, quiet=quiet)
    if check:
        diffs = b.check(target)
        if diffs:
            console.quiet = False
            console.print(f"[red]{target} is stale[/]: {len(diffs)} file(s) differ from a "
                          "fresh build. Run `make build` and commit dataset/.")
            for line in diffs[:50]:
                console.print(f"  {line}")
            raise SystemExit(1)
        console.print(f"{target} is up to date.")
        return
    # the gate is loaded before any work: a gate that cannot load stops the build here
    validator = None if no_validate else b.default_validator()
    if no_validate:
        console.print("[yellow]--no-validate: this build skips the validation gate[/]")
    with Progress(console=console, disable=quiet, transient=True) as progress:
        task = progress.add_task("building", total=len(b.default_corpus().raw_paths()))

        def track(items):  # type: ignore[no-untyped-def]
            for item in items:
                yield item
                progress.advance(task)

        result = b.build(target, validator=validator, progress=track,
                         say=lambda m: click.echo(f"note: {m}", err=True))  # even with -q
    if quiet:
        return
    table = Table(title="build stats (per step; seconds exclude the steps it pulls from)")
    for col in ("step", "counters", "seconds"):
        table.add_column(col)
    for step, summary, secs in result.stats.rows():
        table.add_row(step, summary, f"{secs:.2f}")
    console.print(table)
    for d in result.duplicates:
        console.print(f"duplicate: {d.source_file} is a copy of {d.duplicate_of} (not published)")
    gate = "validated" if validator else "[yellow]NOT validated (--no-validate)[/]"
    console.print(f"published {target} ({gate})")
