"""Counts per label / type / role / kind in a release (pure over Parquet via DuckDB)."""

from __future__ import annotations

from pathlib import Path

from trisec.schema import Schema


def queries(schema: Schema) -> dict[str, tuple[str, str]]:
    """{label set title: (table, column)}: the first span-table column of every label set
    (schema/dataset.yaml `labels:`), in column order."""
    return {schema.label_sets[key]["title"]: (config, col.name)
            for key, (config, col) in schema.label_set_columns().items()}


def layer_counts(release: Path, schema: Schema) -> dict[str, dict[str, int]]:
    """{layer title: {value: count}}, ordered by count then value; empty tables give {}."""
    import duckdb

    out: dict[str, dict[str, int]] = {}
    con = duckdb.connect()
    for title, (table, column) in queries(schema).items():
        files = sorted((release / "data" / table).glob("*.parquet"))
        if not files:
            out[title] = {}
            continue
        rel = con.read_parquet([str(f) for f in files])
        rows = rel.filter(f"{column} IS NOT NULL").aggregate(
            f"{column} AS v, count(*) AS n", column).order("n DESC, v").fetchall()
        out[title] = {str(v): int(n) for v, n in rows}
    return out
