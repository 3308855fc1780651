"""`trisec build [--check] [--out DIR] [--quiet] [--json]`."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click


@click.command("build")
@click.option("--check", is_flag=True,
              help="Rebuild in a temp folder; exit 1 if the committed release differs.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Release folder (default: dataset/).")
@click.option("--quiet", "-q", is_flag=True, help="No progress display or stats table.")
@click.option("--no-validate", is_flag=True,
              help="Skip the validation gate on purpose (never for releases); says so.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the stats (per step, duplicates, target) as JSON on stdout.")
def command(check: bool, out: Path | None, quiet: bool, no_validate: bool,
            as_json: bool) -> None:
    """Build the release from corpus/ (validated, atomic, reproducible).

    Progress goes to stderr: the stage (documents, release files, each validation suite,
    publish) with done/total."""
    with ExitStack() as stack:
        gate, gate_note = None, ""
        if not check and not no_validate:
            # the gate's worker process starts first, before this one imports anything
            # heavy: its import of Great Expectations is the longest part of a seed build
            # (validation.gate.GateProcess). If the worker cannot start, the gate runs in
            # this process instead (said below); a gate that cannot load stops the build
            # either way, before anything is published.
            try:
                from trisec.validation.gate import GateProcess

                gate = stack.enter_context(GateProcess())
            except (ImportError, OSError) as exc:
                gate_note = f"{type(exc).__name__}: {exc}"
        from rich.table import Table

        from trisec.paths import DATASET_DIR
        from trisec.release import build as b
        from trisec.views.console import make_console, print_table

        target = out or DATASET_DIR
        console = make_console(stderr=True, quiet=quiet)
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
        # the gate module is imported before any work; Great Expectations itself loads in the
        # worker (or on the first call), and a failure there stops the build before publishing
        validator = None if no_validate else b.default_validator()
        if gate_note and validator is not None:
            console.print(f"[yellow]note: the gate's worker process did not start ({gate_note}); "
                          "validating in this process[/]")
        if no_validate:
            console.print("[yellow]--no-validate: this build skips the validation gate[/]")
        if validator is not None and gate is not None:
            validator = gate  # the same gate, run in the worker process
        result = _build(b, target, validator, console, quiet)
    from trisec.cli import FAST_EXIT

    FAST_EXIT["on_success"] = True  # built and published: the process may end at once
    if as_json:
        click.echo(json.dumps({
            "target": str(target), "validated": validator is not None,
            "steps": [{"step": step, "counters": dict(sorted(result.stats.counters[step]
                                                             .items())),
                       "seconds": round(secs, 3)} for step, _, secs in result.stats.rows()],
            "duplicates": [d.__dict__ for d in result.duplicates]}, indent=2))
    if quiet:
        return
    table = Table(title="build stats (per step; seconds exclude the steps it pulls from)")
    for col in ("step", "counters", "seconds"):
        table.add_column(col)
    for step, summary, secs in result.stats.rows():
        table.add_row(step, summary, f"{secs:.2f}")
    print_table(console, table)
    for d in result.duplicates:
        console.print(f"duplicate: {d.source_file} is a copy of {d.duplicate_of} (not published)")
    gate = "validated" if validator else "[yellow]NOT validated (--no-validate)[/]"
    console.print(f"published {target} ({gate})")

def _build(b: Any, target: Path, validator: Any, console: Any, quiet: bool) -> Any:
    """Build with the stages on stderr: documents done/total, each release file, the gate
    (each suite when it runs in this process), publish."""
    from trisec.views.console import stage_progress, with_progress

    total = len(b.default_corpus().raw_paths())
    with stage_progress(console, disable=quiet) as stage:
        def track(items):  # type: ignore[no-untyped-def]
            stage("documents: read, clean, annotate, write", 0, total)
            for done, item in enumerate(items, 1):
                yield item
                stage("documents: read, clean, annotate, write", done, total)

        return b.build(target, validator=with_progress(validator, stage), progress=track,
                       say=lambda m: click.echo(f"note: {m}", err=True),  # even with -q
                       stage=stage)
