"""Counts per label / type / role / kind in a release (pure over Parquet via DuckDB)."""

from __future__ import annotations

from pathlib import Path

QUERIES = {
    "mention labels": ("mentions", "label"),
    "mention types": ("mentions", "mention_type"),
    "GPE roles": ("mentions", "gpe_role"),
    "event types": ("events", "type"),
    "realis": ("events", "realis"),
    "argument roles": ("arguments", "role"),
    "attribution kinds": ("attributions", "kind"),
}


def layer_counts(release: Path) -> dict[str, dict[str, int]]:
    """{layer title: {value: count}}, ordered by count then value; empty tables give {}."""
    import duckdb

    out: dict[str, dict[str, int]] = {}
    con = duckdb.connect()
    for title, (table, column) in QUERIES.items():
        files = sorted((release / "data" / table).glob("*.parquet"))
        if not files:
            out[title] = {}
            continue
        rel = con.read_parquet([str(f) for f in files])
        rows = rel.filter(f"{column} IS NOT NULL").aggregate(
            f"{column} AS v, count(*) AS n", column).order("n DESC, v").fetchall()
        out[title] = {str(v): int(n) for v, n in rows}
    return out
