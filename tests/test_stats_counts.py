"""trisec.release.stats counts with pyarrow what a DuckDB GROUP BY over the same Parquet files
gives (the query it replaced), in the same order; the schema reads the same with either
YAML loader."""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from trisec.paths import SCHEMA_DIR
from trisec.release.stats import layer_counts, queries
from trisec.schema import SAFE_LOADER, Schema


def test_layer_counts_equal_a_duckdb_group_by(release: Path, schema: Schema) -> None:
    counts = layer_counts(release, schema)
    con = duckdb.connect()
    seen = 0
    for title, (table, column) in queries(schema).items():
        files = sorted((release / "data" / table).glob("*.parquet"))
        if not files:
            assert counts[title] == {}
            continue
        rows = con.read_parquet([str(f) for f in files]).filter(f"{column} IS NOT NULL") \
            .aggregate(f"{column} AS v, count(*) AS n", column).order("n DESC, v").fetchall()
        assert list(counts[title].items()) == [(str(v), int(n)) for v, n in rows], title
        seen += len(rows)
    assert seen > 0


def test_schema_files_read_the_same_with_the_pure_python_loader() -> None:
    for name in ("dataset.yaml", "labels.yaml"):
        text = (SCHEMA_DIR / name).read_text(encoding="utf-8")
        assert yaml.load(text, Loader=SAFE_LOADER) == yaml.safe_load(text)  # noqa: S506
