"""Rich consoles for command output that stays readable when piped, and progress display.

Rich falls back to 80 columns when stdout is not a terminal, which cuts or squeezes tables
(`trisec diff ... | less`, CI logs). `print_table` prints a table as wide as its content
needs when piped (up to MAX_PIPED_WIDTH, past which cells wrap instead of being cut), and at
the terminal's width otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

MAX_PIPED_WIDTH = 160  # wider tables wrap their cells (rich never drops a column's text)


def make_console(stderr: bool = False, **kwargs: Any) -> Console:
    return Console(stderr=stderr, **kwargs)


def table_width(console: Console, table: Table) -> int:
    """The width that holds every cell of `table` on one line (rich's own measure)."""
    options = console.options.update(max_width=10_000)
    return Measurement.get(console, options, table).maximum


def print_table(console: Console, table: Table) -> None:
    if console.is_terminal:
        console.print(table)
        return
    wanted = max(console.width, min(table_width(console, table), MAX_PIPED_WIDTH))
    before = console.width
    console.width = wanted  # print() never goes past the console's width: widen it for this
    try:
        console.print(table)
    finally:
        console.width = before


# -- progress ---------------------------------------------------------------------------------
# Library code reports progress through a plain callback, stage(name, done, total), and never
# imports rich; the commands turn it into a bar (terminal) or one line per stage (piped).
Stage = Callable[[str, int, int], None]


@contextmanager
def stage_progress(console: Console, disable: bool = False) -> Iterator[Stage]:
    """A `stage(name, done, total)` callback: at a terminal a transient bar showing the
    stage's name and done/total; piped (logs, CI) one line per stage as it starts."""
    if disable:
        yield lambda name, done, total: None
        return
    if not console.is_terminal:
        last: list[Any] = [None, False]  # stage name, its completion already printed

        def line(name: str, done: int, total: int) -> None:
            if name != last[0]:
                last[:] = [name, False]
                console.print(name, highlight=False, soft_wrap=True)
            if total > 1 and done == total and not last[1]:
                last[1] = True
                console.print(f"{name}: {done}/{total} done", highlight=False, soft_wrap=True)

        yield line
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("starting", total=None)

        def bar(name: str, done: int, total: int) -> None:
            progress.update(task, description=name, completed=done, total=total or None)

        yield bar


def with_progress(fn: Any, stage: Stage) -> Any:
    """`fn` told to report its progress to `stage` when it takes a `progress` argument (the
    validation gate does; a stand-in validator in a test may not): else `fn` as it is."""
    import functools
    import inspect

    if fn is None or "progress" not in inspect.signature(fn).parameters:
        return fn
    return functools.partial(fn, progress=stage)
