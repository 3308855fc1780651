"""A silver run: plan shards, ingest, deduplicate in file-name order, annotate, report.

    plan (plan.py) -> executor.ingest (sharded) -> dedup (here, one pass in file-name order)
                   -> executor.annotate (sharded) -> reports/ + silver.json

The reports depend only on the crawl and the settings, never on the executor: quarantine.csv
(file, reason) lists every file that could not be read, decoded or cleaned; duplicates.csv every
file dropped as an exact or near copy of an earlier one; silver.json the counts and versions.
"""

from __future__ import annotations

import csv
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc

from ..pipeline import Stats
from .dedup import (
    BANDS,
    NUM_PERM,
    ROWS,
    SHINGLE_WORDS,
    THRESHOLD,
    Decision,
    body_keys,
    decide,
    signatures,
)
from .executors import BATCH_DOCS, TracedStats, executor, iter_shard_ingest, merge_stats
from .plan import (
    SHARD_SIZE,
    Layout,
    Shard,
    check_out_dir,
    crawl_files,
    crawl_fingerprint,
    pin_plan,
    plan_shards,
)
from .plan import restart as restart_run
from .stages import make_context
from .tables import STATUS_OK

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


def deduplicate(shards: list[Shard], layout: Layout, stats: Stats
                ) -> tuple[dict[int, frozenset[str]], list[Decision], list[Quarantined], int]:
    """One pass over every shard's fingerprints in file-name order: what to drop per shard,
    the duplicate decisions, the quarantined files and the crawl's word count."""
    names: list[str] = []
    key_parts: list[np.ndarray] = []
    sig_parts: list[np.ndarray] = []
    shard_of: list[int] = []
    quarantined: list[Quarantined] = []
    words = 0
    columns = ["source_file", "status", "reason", "words", "body_sha256", "minhash"]
    for shard, table in iter_shard_ingest(shards, layout, columns):
        with stats.step("dedup"):
            ok = table.filter(pc.equal(table.column("status"), STATUS_OK)) \
                if table.num_rows else table
            bad = table.filter(pc.not_equal(table.column("status"), STATUS_OK)) \
                if table.num_rows else table
            quarantined += [Quarantined(n, r) for n, r in zip(
                bad.column("source_file").to_pylist(), bad.column("reason").to_pylist(),
                strict=True)] if bad.num_rows else []
            if not ok.num_rows:
                continue
            names += ok.column("source_file").to_pylist()
            key_parts.append(body_keys(ok.column("body_sha256").to_pylist()))
            sig_parts.append(signatures(ok.column("minhash").to_pylist()))
            shard_of += [shard.index] * ok.num_rows
            words += pc.sum(ok.column("words")).as_py() or 0
    dropped: dict[int, list[str]] = {s.index: [] for s in shards}
    duplicates = []
    with stats.step("dedup"):
        sigs = np.concatenate(sig_parts) if sig_parts else np.zeros((0, NUM_PERM), "<u4")
        keys = np.concatenate(key_parts) if key_parts else np.zeros((0, 2), "<u8")
        del sig_parts, key_parts
        for d, index in zip(decide(names, keys, sigs), shard_of, strict=True):
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
