"""Command output stays readable when piped: tables are as wide as their content (not cut at
rich's 80-column default), progress is one line per stage."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from trisec.views.console import MAX_PIPED_WIDTH, print_table, stage_progress, table_width


def _piped() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=False, width=80), buf


def test_a_piped_table_keeps_every_column_whole() -> None:
    console, buf = _piped()
    cols = ["layer", "old", "new", "added", "removed", "relabelled", "changed", "moved",
            "a rather long column heading"]
    table = Table(title="span layers")
    for c in cols:
        table.add_column(c)
    table.add_row("attributions", *(str(10_000 + i) for i in range(len(cols) - 1)))
    assert 80 < table_width(console, table) <= MAX_PIPED_WIDTH
    print_table(console, table)
    out = buf.getvalue()
    for c in cols:
        assert c in out, c  # no heading cut or wrapped
    assert "attributions" in out and "10007" in out
    assert max(len(line) for line in out.splitlines()) == table_width(console, table)
    assert console.width == 80  # the console is left as it was


def test_a_very_wide_table_wraps_its_cells_instead_of_losing_them() -> None:
    console, buf = _piped()
    table = Table()
    table.add_column("step")
    table.add_column("counters")
    words = [f"removed:reason_{i}={i}" for i in range(40)]
    table.add_row("clean", ", ".join(words))
    print_table(console, table)
    out = buf.getvalue()
    assert max(len(line) for line in out.splitlines()) <= MAX_PIPED_WIDTH
    flat = " ".join(out.replace("│", " ").split())
    assert all(w in flat for w in words)


def test_piped_progress_is_one_line_per_stage_and_its_end() -> None:
    console, buf = _piped()
    with stage_progress(console) as stage:
        for i in range(4):
            stage("documents", i, 3)
        stage("validate: suite 1 of 2 (documents)", 2, 4)
        stage("validate: suite 2 of 2 (release)", 3, 4)
    assert buf.getvalue().splitlines() == [
        "documents", "documents: 3/3 done", "validate: suite 1 of 2 (documents)",
        "validate: suite 2 of 2 (release)"]
