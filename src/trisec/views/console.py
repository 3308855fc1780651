"""Rich consoles for command output that stays readable when piped.

Rich falls back to 80 columns when stdout is not a terminal, which cuts or squeezes tables
(`trisec diff ... | less`, CI logs). `print_table` prints a table as wide as its content
needs when piped (up to MAX_PIPED_WIDTH, past which cells wrap instead of being cut), and at
the terminal's width otherwise.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

MAX_PIPED_WIDTH = 240  # wider tables wrap their cells (rich never drops a column's text)


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
