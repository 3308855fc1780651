"""Whole-release configs (`whole_release: true` in schema/dataset.yaml): built after the
per-document configs, from what the writer just wrote into the release folder.

The `prompts` config needs the train split's gold for its worked examples, so it cannot be
streamed one document at a time like the others.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from trisec.errors import Problem, TrisecError
from trisec.release.writer import SplitCounts, data_path, write_table
from trisec.schema import Schema

DOC_COLUMNS = ["doc_id", "split", "text", "mentions", "entities", "events", "attributions"]


def _read(out: Path, schema: Schema, config: str, columns: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for split in schema.split_names:
        path = out / data_path(config, split)
        if path.is_file():
            rows.extend(pq.read_table(path, columns=columns).to_pylist())
    return rows


def prompts_rows(out: Path, schema: Schema) -> list[dict[str, Any]]:
    from trisec.generative.prompts import prompt_rows

    docs = _read(out, schema, "documents", DOC_COLUMNS)
    sentences: dict[str, list[tuple[int, int]]] = {}
    for s in _read(out, schema, "sentences", ["doc_id", "start", "end"]):
        sentences.setdefault(s["doc_id"], []).append((s["start"], s["end"]))
    return list(prompt_rows(docs, sentences, schema))


BUILDERS: dict[str, Callable[[Path, Schema], list[dict[str, Any]]]] = {
    "prompts": prompts_rows,
}


def write_whole_release(out: Path, schema: Schema, counts: SplitCounts) -> None:
    for name, config in schema.configs.items():
        if not config.whole_release:
            continue
        if name not in BUILDERS:
            raise TrisecError(Problem("schema/dataset.yaml", f"config {name!r} is whole_release "
                                      "but nothing builds it",
                                      "add a builder to trisec.release.derived.BUILDERS"))
        rows = BUILDERS[name](out, schema)
        for row in rows:
            schema.check_row(name, row)  # the same key check as the streamed configs
        for split in schema.split_names:
            write_table(out, schema, name, split, [r for r in rows if r["split"] == split],
                        counts)
