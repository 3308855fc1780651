"""Counts per label / type / role / kind in a release (pure over Parquet, with pyarrow: every
build renders these counts, and pyarrow is loaded already where DuckDB would be one more
import)."""

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
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    out: dict[str, dict[str, int]] = {}
    for title, (table, column) in queries(schema).items():
        files = sorted((release / "data" / table).glob("*.parquet"))
        if not files:
            out[title] = {}
            continue
        values = pa.concat_tables([pq.read_table(f, columns=[column]) for f in files])[column]
        counts = pc.value_counts(values.drop_null()).to_pylist()
        rows = sorted(((c["values"], c["counts"]) for c in counts), key=lambda r: (-r[1], r[0]))
        out[title] = {str(v): int(n) for v, n in rows}
    return out
