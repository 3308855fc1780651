"""A silver run: plan shards, ingest, deduplicate in file-name order, annotate, report.

    plan (plan.py) -> executor.ingest (sharded) -> dedup (here, one pass in file-name order)
                   -> executor.annotate (sharded) -> reports/ + silver.json

The reports depend only on the crawl and the settings, never on the executor: quarantine.csv
(file, reason) lists every file that could not be read, decoded or cleaned; duplicates.csv every
file dropped as an exact or near copy of an earlier one; silver.json the counts and versions.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from trisec.pipeline.stats import Stats
from trisec.silver.dedup import (
    BANDS,
    NUM_PERM,
    ROWS,
    SHINGLE_WORDS,
    THRESHOLD,
    Decision,
    body_keys,
    decide,
)
from trisec.silver.executors import (
    BATCH_DOCS,
    TracedStats,
    executor,
    iter_shard_ingest,
    merge_stats,
)
from trisec.silver.plan import (
    SHARD_SIZE,
    Layout,
    Shard,
    check_out_dir,
    crawl_files,
    crawl_fingerprint,
    pin_plan,
    plan_shards,
)
from trisec.silver.plan import restart as restart_run
from trisec.silver.stages import make_context
from trisec.silver.tables import STATUS_OK

SUMMARY = "silver.json"


@dataclass
class Quarantined:
    source_file: str
    reason: str


@dataclass
class SilverResult:
    out: Path
    shards: int
    shards_run: int
    files: int = 0
    words: int = 0
    quarantined: list[Quarantined] = field(default_factory=list)
    duplicates: list[Decision] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # "config/split" -> rows
    stats: Stats = field(default_factory=TracedStats)
    seconds: float = 0.0

    @property
    def documents(self) -> int:
        return sum(n for k, n in self.rows.items() if k.startswith("documents/"))


def _fixed_width(column: pa.ChunkedArray, width: int) -> np.ndarray:
    """A binary column whose values are all `width` bytes, as a (n, width/4) uint32 array,
    without one Python bytes object per value."""
    arr = column.combine_chunks()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + len(arr)
                                                                 + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    return data.view("<u4").reshape(len(arr), width // 4)


def release_memory() -> None:
    """Hand freed heap pages back to the OS (glibc): the dedup pass frees tens of MB in many
    small pieces that would otherwise stay in this process's RSS for the rest of the run."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def deduplicate(shards: list[Shard], layout: Layout, stats: Stats
                ) -> tuple[dict[int, frozenset[str]], list[Decision], list[Quarantined], int]:
    """One pass over every shard's fingerprints in file-name order: what to drop per shard,
    the duplicate decisions, the quarantined files and the crawl's word count. Memory: the
    signatures (512 bytes per document) and names, in arrays sized once."""
    ok_rows = {s.index: int(pc.sum(pc.equal(t.column("status"), STATUS_OK)).as_py() or 0)
               if t.num_rows else 0
               for s, t in iter_shard_ingest(shards, layout, ["source_file", "status"])}
    total = sum(ok_rows.values())
    sigs = np.empty((total, NUM_PERM), dtype="<u4")
    keys = np.empty((total, 2), dtype="<u8")
    shard_of = np.empty(total, dtype=np.int32)
    names: list[str] = []
    quarantined: list[Quarantined] = []
    words, at = 0, 0
    columns = ["source_file", "status", "reason", "words", "body_sha256", "minhash"]
    for shard, table in iter_shard_ingest(shards, layout, columns):
        if not table.num_rows:
            continue
        with stats.step("dedup"):
            is_ok = pc.equal(table.column("status"), STATUS_OK)
            bad = table.filter(pc.invert(is_ok))
            quarantined += [Quarantined(n, r) for n, r in zip(
                bad.column("source_file").to_pylist(), bad.column("reason").to_pylist(),
                strict=True)]
            ok = table.filter(is_ok)
            n = ok.num_rows
            names += ok.column("source_file").to_pylist()
            keys[at:at + n] = body_keys(ok.column("body_sha256").to_pylist())
            sigs[at:at + n] = _fixed_width(ok.column("minhash"), NUM_PERM * 4)
            shard_of[at:at + n] = shard.index
            words += pc.sum(ok.column("words")).as_py() or 0
            at += n
    dropped: dict[int, list[str]] = {s.index: [] for s in shards}
    duplicates = []
    with stats.step("dedup"):
        for d, index in zip(decide(names, keys, sigs), shard_of.tolist(), strict=True):
            stats.add("dedup", d.kind)
            if d.kind != "unique":
                duplicates.append(d)
                dropped[index].append(d.source_file)
    return ({i: frozenset(v) for i, v in dropped.items()}, duplicates, quarantined, words)


def write_reports(layout: Layout, result: SilverResult) -> None:
    layout.reports.mkdir(parents=True, exist_ok=True)
    with (layout.reports / "quarantine.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "reason"])
        w.writerows([q.source_file, q.reason] for q in result.quarantined)
    with (layout.reports / "duplicates.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "kind", "duplicate_of", "similarity"])
        w.writerows([d.source_file, d.kind, d.duplicate_of, f"{d.similarity:.3f}"]
                     for d in result.duplicates)


def read_reports(layout: Layout) -> tuple[list[Quarantined], list[Decision]]:
    with (layout.reports / "quarantine.csv").open(encoding="utf-8") as fh:
        quarantined = [Quarantined(r["file"], r["reason"]) for r in csv.DictReader(fh)]
    with (layout.reports / "duplicates.csv").open(encoding="utf-8") as fh:
        duplicates = [Decision(r["file"], r["kind"], r["duplicate_of"], float(r["similarity"]))
                      for r in csv.DictReader(fh)]
    return quarantined, duplicates


def run_silver(crawl_dir: Path, out: Path, *, executor_name: str = "local", workers: int = 1,
               shard_size: int = SHARD_SIZE, baseline: str = "rules", restart: bool = False,
               batch_docs: int = BATCH_DOCS, keep_work: bool = False) -> SilverResult:
    """Build (or resume) a silver corpus from a crawl folder into `out`."""
    t0 = time.perf_counter()
    check_out_dir(out)
    files = crawl_files(crawl_dir)
    ctx = make_context(baseline)
    layout = Layout(out)
    if restart:
        restart_run(layout)
    plan: dict[str, Any] = {
        "crawl_sha256": crawl_fingerprint(files), "files": len(files), "shard_size": shard_size,
        "annotator": ctx.annotator, "schema_sha256": ctx.schema.fingerprint(),
        "dedup": {"num_perm": NUM_PERM, "shingle_words": SHINGLE_WORDS, "threshold": THRESHOLD,
                  "bands": BANDS, "rows": ROWS}}
    pin_plan(layout, plan)
    shards = plan_shards(files, shard_size)
    pending = [s for s in shards if not layout.is_complete(s)]
    result = SilverResult(out, len(shards), len(pending), files=len(files))
    if pending:
        run = executor(executor_name, workers, batch_docs)
        # dedup needs every shard's fingerprints, also those of shards already complete
        merge_stats(result.stats, run.ingest([s for s in shards if not layout.is_ingested(s)],
                                             layout, ctx))
        drops, result.duplicates, result.quarantined, result.words = deduplicate(
            shards, layout, result.stats)
        release_memory()
        merge_stats(result.stats, run.annotate(pending, layout, ctx, drops))
        write_reports(layout, result)
    else:
        result.quarantined, result.duplicates = read_reports(layout)
        result.words = json.loads((out / SUMMARY).read_text(encoding="utf-8"))["words"]
    for s in shards:
        for key, n in layout.read_marker(s)["rows"].items():
            result.rows[key] = result.rows.get(key, 0) + n
    (out / SUMMARY).write_text(json.dumps({
        **plan, "shards": len(shards), "words": result.words,
        "quarantined": len(result.quarantined),
        "exact_duplicates": sum(d.kind == "exact" for d in result.duplicates),
        "near_duplicates": sum(d.kind == "near" for d in result.duplicates),
        "documents": result.documents, "rows": dict(sorted(result.rows.items())),
        "silver": True}, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if not keep_work:
        shutil.rmtree(layout.work, ignore_errors=True)
    result.seconds = time.perf_counter() - t0
    return result
