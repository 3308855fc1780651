"""The silver assembly as it was before trisec.silver.columns: every flat config's rows
built per document by trisec.release.assemble.rows_for (a dict per row, checked against the
schema), tagged `silver`/`annotator`, then converted to Arrow. Kept to check the columnar
assembly gives the same table (tests/test_silver_columns.py)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from trisec.release.assemble import rows_for
from trisec.silver.stages import LAYERS, Context, annotated_from_row, assembled_table
from trisec.silver.tables import FLAT_CONFIGS

FLAT_INPUTS = ["doc_id", "source_file", "sha256", "split", "text", "_sentences", *LAYERS]


def assemble_batch(table: pa.Table, ctx: Context) -> pa.Table:
    tag = {"silver": True, "annotator": ctx.annotator}
    nested: dict[str, list[list[dict[str, Any]]]] = {c: [] for c in FLAT_CONFIGS}
    for r in table.select(FLAT_INPUTS).to_pylist():
        a = annotated_from_row(r, full=False)
        for config in FLAT_CONFIGS:
            nested[config].append([{**x, **tag} for x in rows_for(config, a, ctx.schema)])
    return assembled_table(table, ctx, nested)  # the shared tagging, as in stages
