"""Write a release folder (Parquet + card + manifest), publish it atomically, compare two.

A release is written into a temporary sibling folder, validated, then swapped in; a failure
at any point leaves the previous dataset/ untouched. Output is byte-for-byte reproducible:
stable row order, fixed Parquet writer options, no timestamps.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from trisec.pipeline.steps import AnnotatedDocument
from trisec.release.assemble import rows_for
from trisec.release.replace import MANIFEST, staging_dir, swap_in  # noqa: F401 (re-exported)
from trisec.schema import Schema

BATCH_DOCS = 256  # documents buffered per write: bounded memory, deterministic row groups
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_size": 1 << 20,
}


def data_path(config: str, split: str) -> str:
    return f"data/{config}/{split}-00000-of-00001.parquet"


@dataclass
class SplitCounts:
    rows: dict[tuple[str, str], int] = field(default_factory=dict)
    nbytes: dict[tuple[str, str], int] = field(default_factory=dict)


class ReleaseWriter:
    """Streams AnnotatedDocuments into one Parquet file per (config, split)."""

    def __init__(self, out: Path, schema: Schema) -> None:
        self.out, self.schema = out, schema
        self.writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.buffers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.counts = SplitCounts()
        self.pending_docs = 0

    def _flush(self) -> None:
        for key, rows in self.buffers.items():
            if not rows:
                continue
            config, split = key
            arrow_schema = self.schema.arrow_schema(config)
            table = pa.Table.from_pylist(rows, schema=arrow_schema)
            if key not in self.writers:
                path = self.out / data_path(config, split)
                path.parent.mkdir(parents=True, exist_ok=True)
                self.writers[key] = pq.ParquetWriter(path, arrow_schema, **PARQUET_OPTIONS)
            self.writers[key].write_table(table)
            self.counts.rows[key] = self.counts.rows.get(key, 0) + table.num_rows
            self.counts.nbytes[key] = self.counts.nbytes.get(key, 0) + table.nbytes
            rows.clear()
        self.pending_docs = 0

    def add(self, a: AnnotatedDocument) -> None:
        for config in self.schema.per_document_configs:
            key = (config, a.split)
            self.buffers.setdefault(key, []).extend(rows_for(config, a, self.schema))
        self.pending_docs += 1
        if self.pending_docs >= BATCH_DOCS:
            self._flush()

    def close(self) -> SplitCounts:
        """Flush and close. A split no document fell into gets no file: datasets cannot read
        an empty Parquet file, and the card lists only the splits that exist."""
        self._flush()
        for w in self.writers.values():
            w.close()
        return self.counts

    @staticmethod
    def present(counts: SplitCounts, config: str, splits: list[str]) -> list[str]:
        return [sp for sp in splits if counts.rows.get((config, sp), 0) > 0]


def write_rows(out: Path, schema: Schema, docs: Iterable[AnnotatedDocument]) -> SplitCounts:
    """Every config: the per-document ones streamed, then the whole-release ones
    (trisec.release.derived) from what was just written."""
    from trisec.release.derived import write_whole_release

    writer = ReleaseWriter(out, schema)
    for a in docs:
        writer.add(a)
    counts = writer.close()
    write_whole_release(out, schema, counts)
    return counts


def write_table(out: Path, schema: Schema, config: str, split: str,
                rows: list[dict[str, Any]], counts: SplitCounts) -> None:
    """One (config, split) file in one go, with the release's writer options (no file for
    no rows, as for the streamed configs)."""
    if not rows:
        return
    arrow_schema = schema.arrow_schema(config)
    table = pa.Table.from_pylist(rows, schema=arrow_schema)
    path = out / data_path(config, split)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(path, arrow_schema, **PARQUET_OPTIONS) as w:
        w.write_table(table)
    counts.rows[(config, split)] = table.num_rows
    counts.nbytes[(config, split)] = table.nbytes


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(out: Path, schema: Schema, extra: dict[str, Any] | None = None) -> None:
    """Checksums of every file in the release (the manifest itself excluded)."""
    files = []
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST):
        rel = path.relative_to(out).as_posix()
        entry: dict[str, Any] = {"path": rel, "bytes": path.stat().st_size,
                                 "sha256": sha256_file(path)}
        if path.suffix == ".parquet":
            entry["rows"] = pq.ParquetFile(path).metadata.num_rows
        files.append(entry)
    manifest = {"name": schema.name, "version": schema.version,
                "schema_sha256": schema.fingerprint(), **(extra or {}), "files": files}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                encoding="utf-8")


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def compare_folders(expected: Path, actual: Path) -> list[str]:
    """Differences between two release folders, as human-readable lines (empty = equal)."""
    def listing(root: Path) -> dict[str, str]:
        if not root.is_dir():
            return {}
        return {p.relative_to(root).as_posix(): sha256_file(p)
                for p in sorted(root.rglob("*")) if p.is_file()}

    a, b = listing(expected), listing(actual)
    lines = [f"missing from {actual}: {k}" for k in sorted(a.keys() - b.keys())]
    lines += [f"not in a fresh build: {k}" for k in sorted(b.keys() - a.keys())]
    lines += [f"differs: {k}" for k in sorted(a.keys() & b.keys()) if a[k] != b[k]]
    return lines


Validator = Callable[[Path], None]
