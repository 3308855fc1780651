"""Two executors for one set of stage functions (stages.py): `local` and `ray`.

Both run the same two sharded phases; the driver (run.py) deduplicates in between, because
"first copy wins" needs the whole crawl in file-name order.

- ingest:   read -> clean_batch -> fingerprint_batch -> _work/ingest/shard=N/*.parquet
- annotate: _work/ingest -> keep_batch -> sentences_batch -> predict_batch -> assemble_batch
            -> split_assembled -> data/<config>/<split>-0000N-of-0000M.parquet + marker

`local` runs whole shards in worker processes (multiprocessing, spawn; in the calling process
when workers <= 1), each shard in bounded batches, so memory depends on the batch and shard
size, not on the crawl. `ray` builds Ray Data pipelines (read_binary_files / read_parquet ->
map_batches -> write_parquet) over every pending shard at once; Ray's output files are then
committed shard by shard under the same names as the local executor's.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from trisec.errors import Problem, TrisecError
from trisec.pipeline.stats import Stats
from trisec.release.writer import PARQUET_OPTIONS
from trisec.silver.plan import Layout, Shard
from trisec.silver.stages import (
    Context,
    assemble_batch,
    clean_batch,
    fingerprint_batch,
    keep_batch,
    predict_batch,
    read_files,
    sentences_batch,
)
from trisec.silver.tables import STATUS_OK, split_assembled

BATCH_DOCS = 64  # documents per batch: bounds memory in every stage
ROW_GROUP_DOCS = 256  # documents per Parquet row group (as the release writer)
# bulk output, rewritten at will: a faster zstd level than the release's reproducible files
SILVER_PARQUET = {**PARQUET_OPTIONS, "compression_level": 3}
WORK_PARQUET = {"compression": "lz4"}  # intermediate files, read once


_open_steps: list[str] = []  # steps open in this process, innermost last


class TracedStats(Stats):
    """pipeline.Stats that also says which step is running, so a sampler thread (the
    benchmark's RSS probe) can charge memory to a step."""

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        _open_steps.append(name)
        try:
            with super().step(name):
                yield
        finally:
            _open_steps.pop()


def current_step() -> str | None:
    return _open_steps[-1] if _open_steps else None


def merge_stats(into: Stats, other: Stats) -> Stats:
    for step, counter in other.counters.items():
        into.counters[step].update(counter)
    for step, seconds in other.seconds.items():
        into.seconds[step] += seconds
    return into


# --- one shard (local executor; commit also used by ray) ------------------------------------

def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def ingest_shard(shard: Shard, layout: Layout, ctx: Context, batch_docs: int = BATCH_DOCS
                 ) -> Stats:
    """read -> clean -> fingerprint for one shard, written as one ingest file."""
    stats = TracedStats()
    folder = layout.ingest_dir(shard)
    folder.mkdir(parents=True, exist_ok=True)
    writer = pq.ParquetWriter(folder / "part-local.parquet", ctx.ingested, **WORK_PARQUET)
    try:
        for paths in _batches(list(shard.paths), batch_docs):
            with stats.step("read"):
                raw = read_files(paths)
            stats.add("read", "files", raw.num_rows)
            with stats.step("clean"):
                table = clean_batch(raw, ctx)
            n_ok = pc.sum(pc.equal(table.column("status"), STATUS_OK).cast(pa.int64())).as_py()
            stats.add("clean", "documents", n_ok or 0)
            stats.add("clean", "quarantined", table.num_rows - (n_ok or 0))
            stats.add("clean", "words", pc.sum(table.column("words")).as_py() or 0)
            with stats.step("fingerprint"):
                table = fingerprint_batch(table, ctx)
            with stats.step("spill"):
                writer.write_table(table)
    finally:
        writer.close()
    layout.mark_ingested(shard)
    return stats


class ShardWriter:
    """The output files of one shard: one writer per (config, split), renamed into place and
    the marker written only when all are closed. Batches are buffered into row groups of
    ROW_GROUP_DOCS documents (small row groups cost writers and readers per group)."""

    def __init__(self, shard: Shard, layout: Layout, ctx: Context) -> None:
        self.shard, self.layout, self.ctx = shard, layout, ctx
        self.writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.buffers: dict[tuple[str, str], list[pa.Table]] = {}
        self.pending_docs = 0
        self.rows: dict[str, int] = {}

    def add(self, tables: dict[str, pa.Table]) -> None:
        for config, table in tables.items():
            if not table.num_rows:
                continue
            for split in self.ctx.schema.split_names:
                part = table.filter(pc.equal(table.column("split"), split))
                if part.num_rows:
                    self.buffers.setdefault((config, split), []).append(part)
        self.pending_docs += tables["documents"].num_rows
        if self.pending_docs >= ROW_GROUP_DOCS:
            self.flush()

    def flush(self) -> None:
        for key, parts in self.buffers.items():
            if not parts:
                continue
            config, split = key
            if key not in self.writers:
                path = self.layout.data_file(config, split, self.shard)
                path.parent.mkdir(parents=True, exist_ok=True)
                self.writers[key] = pq.ParquetWriter(
                    path.with_name(path.name + ".tmp"), self.ctx.silver[config],
                    **SILVER_PARQUET)
            table = pa.concat_tables(parts)
            self.writers[key].write_table(table, row_group_size=max(table.num_rows, 1))
            name = f"{config}/{split}"
            self.rows[name] = self.rows.get(name, 0) + table.num_rows
            parts.clear()
        self.pending_docs = 0

    def commit(self, summary: dict[str, Any]) -> None:
        self.flush()
        for (config, split), writer in self.writers.items():
            writer.close()
            path = self.layout.data_file(config, split, self.shard)
            path.with_name(path.name + ".tmp").replace(path)
        self.layout.write_marker(self.shard, {
            "shard": self.shard.index, "of": self.shard.count, "rows": self.rows, **summary})

    def abort(self) -> None:
        for writer in self.writers.values():
            with contextlib.suppress(Exception):
                writer.close()
        self.layout.reset_shard(self.shard)


def read_ingested(folder: Path, columns: list[str] | None = None) -> pa.Table:
    """All ingest files of a shard, in file-name order (Ray writes them in any order)."""
    files = sorted(folder.glob("*.parquet"))
    if not files:
        return pa.table({})
    table = pa.concat_tables([pq.read_table(f, columns=columns) for f in files])
    return table.take(pc.sort_indices(table, [("source_file", "ascending")]))


def annotate_tables(table: pa.Table, ctx: Context, stats: Stats) -> dict[str, pa.Table]:
    """keep_batch output -> one table per config (the timed middle of `annotate_shard`)."""
    with stats.step("sentences"):
        table = sentences_batch(table, ctx)
    stats.add("sentences", "documents", table.num_rows)
    with stats.step("predict"):
        table = predict_batch(table, ctx)
    with stats.step("assemble"):
        table = assemble_batch(table, ctx)
        tables = split_assembled(table, ctx.silver)
    return tables


def annotate_shard(shard: Shard, layout: Layout, ctx: Context, drop: frozenset[str],
                   batch_docs: int = BATCH_DOCS) -> Stats:
    """keep -> sentences -> predict -> assemble -> write, for one shard, in batches."""
    stats = TracedStats()
    layout.reset_shard(shard)
    with stats.step("spill"):
        ingested = read_ingested(layout.ingest_dir(shard))
    writer = ShardWriter(shard, layout, ctx)
    try:
        kept = keep_batch(ingested, drop) if ingested.num_rows else ingested
        for start in range(0, kept.num_rows, batch_docs):
            tables = annotate_tables(kept.slice(start, batch_docs), ctx, stats)
            with stats.step("write"):
                writer.add(tables)
        with stats.step("write"):
            writer.commit({"documents": kept.num_rows})
    except BaseException:
        writer.abort()
        raise
    stats.add("write", "documents", kept.num_rows)
    return stats


# --- executors ------------------------------------------------------------------------------

def _ingest_task(args: tuple[Shard, Layout, Context, int]) -> Stats:
    return ingest_shard(*args)


def _annotate_task(args: tuple[Shard, Layout, Context, frozenset[str], int]) -> Stats:
    return annotate_shard(*args)


class LocalExecutor:
    """Whole shards in worker processes; in this process when workers <= 1."""

    name = "local"

    def __init__(self, workers: int = 1, batch_docs: int = BATCH_DOCS) -> None:
        self.workers, self.batch_docs = max(1, workers), batch_docs

    def _map(self, fn: Callable[[Any], Stats], tasks: list[Any]) -> Stats:
        stats = TracedStats()
        if self.workers <= 1 or len(tasks) <= 1:
            for task in tasks:
                merge_stats(stats, fn(task))
            return stats
        # spawn: workers never inherit the driver's threads (pyarrow pools) or open writers
        mp = multiprocessing.get_context("spawn")
        with mp.Pool(min(self.workers, len(tasks))) as pool:
            for result in pool.imap_unordered(fn, tasks):
                merge_stats(stats, result)
        return stats

    def ingest(self, shards: list[Shard], layout: Layout, ctx: Context) -> Stats:
        return self._map(_ingest_task, [(s, layout, ctx, self.batch_docs) for s in shards])

    def annotate(self, shards: list[Shard], layout: Layout, ctx: Context,
                 drops: dict[int, frozenset[str]]) -> Stats:
        return self._map(_annotate_task, [(s, layout, ctx, drops.get(s.index, frozenset()),
                                           self.batch_docs) for s in shards])


# Ray Data map_batches functions: module-level so workers import them by name
def _ray_ingest(batch: pa.Table, ctx: Context, shard_of: dict[str, str]) -> pa.Table:
    table = fingerprint_batch(clean_batch(batch, ctx), ctx)
    shards = [shard_of[name] for name in table.column("source_file").to_pylist()]
    return table.append_column("shard", pa.array(shards, pa.string()))


def _ray_annotate(batch: pa.Table, ctx: Context, drop: frozenset[str]) -> pa.Table:
    table = keep_batch(batch, drop)
    return assemble_batch(predict_batch(sentences_batch(table, ctx), ctx), ctx)


class RayExecutor:
    """Ray Data pipelines over all pending shards; Ray must be installed (`pip install
    .[ray]`). Uses a running Ray if there is one, else starts a local one with `workers` CPUs."""

    name = "ray"

    def __init__(self, workers: int = 1, batch_docs: int = BATCH_DOCS) -> None:
        try:
            import ray  # noqa: F401
            import ray.data  # noqa: F401
        except ImportError as exc:
            raise TrisecError(Problem("--executor ray", "Ray is not installed",
                                      "pip install '.[ray]' (or use --executor local)")) from exc
        self.workers, self.batch_docs = max(1, workers), batch_docs

    def _ray(self) -> Any:
        import ray
        import ray.data

        if not ray.is_initialized():
            ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False,
                     configure_logging=False)
        data_ctx = ray.data.DataContext.get_current()
        data_ctx.enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)  # no per-dataset INFO lines
        return ray

    def ingest(self, shards: list[Shard], layout: Layout, ctx: Context) -> Stats:
        stats = TracedStats()
        if not shards:
            return stats
        ray = self._ray()
        for s in shards:
            _clear(layout.ingest_dir(s))
        shard_of = {p.name: s.tag for s in shards for p in s.paths}
        with stats.step("ray-ingest"):
            ds = ray.data.read_binary_files([str(p) for s in shards for p in s.paths],
                                            include_paths=True)
            ds = ds.map_batches(_ray_ingest, batch_format="pyarrow", batch_size=self.batch_docs,
                                fn_kwargs={"ctx": ctx, "shard_of": shard_of})
            ds.write_parquet(str(layout.ingest_dir()), partition_cols=["shard"],
                             **WORK_PARQUET)
        for s in shards:
            layout.mark_ingested(s)
        return stats

    def annotate(self, shards: list[Shard], layout: Layout, ctx: Context,
                 drops: dict[int, frozenset[str]]) -> Stats:
        stats = TracedStats()
        if not shards:
            return stats
        ray = self._ray()
        for s in shards:
            layout.reset_shard(s)
        pending = {s.tag for s in shards if any(layout.ingest_dir(s).glob("*.parquet"))}
        if pending:
            drop = frozenset().union(*drops.values()) if drops else frozenset()
            with stats.step("ray-annotate"):
                # one root path and a partition filter, not one path per shard: Ray resolves
                # each given path in its own thread, and with aiohttp absent those threads
                # race on importing fsspec's http module (an uncaught ImportError)
                ds = ray.data.read_parquet(
                    str(layout.ingest_dir()), partitioning=_hive(layout.ingest_dir()),
                    partition_filter=_only(layout.ingest_dir(), pending))
                ds = ds.map_batches(_ray_annotate, batch_format="pyarrow",
                                    batch_size=self.batch_docs,
                                    fn_kwargs={"ctx": ctx, "drop": drop})
                ds.write_parquet(str(layout.annotated_dir()), partition_cols=["shard"],
                                 **WORK_PARQUET)
        with stats.step("commit"):
            for s in shards:
                commit_annotated(s, layout, ctx)
        return stats


def _hive(base: Path) -> Any:
    from ray.data.datasource.partitioning import Partitioning

    return Partitioning("hive", base_dir=str(base), field_types={"shard": str})


def _only(base: Path, shards: set[str]) -> Any:
    from ray.data.datasource.partitioning import PathPartitionFilter

    return PathPartitionFilter.of(lambda part: part.get("shard") in shards, style="hive",
                                  base_dir=str(base))


def _clear(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def commit_annotated(shard: Shard, layout: Layout, ctx: Context) -> None:
    """Ray's annotated files of one shard -> the shard's output files, in file-name order."""
    folder = layout.annotated_dir(shard)
    writer = ShardWriter(shard, layout, ctx)
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    documents = 0
    try:
        if files:
            table = pa.concat_tables([pq.read_table(f, schema=ctx.assembled) for f in files])
            table = table.take(pc.sort_indices(table, [("source_file", "ascending")]))
            documents = table.num_rows
            writer.add(split_assembled(table, ctx.silver))
        writer.commit({"documents": documents})
    except BaseException:
        writer.abort()
        raise
    _clear(folder)


EXECUTORS: dict[str, type[LocalExecutor] | type[RayExecutor]] = {
    "local": LocalExecutor, "ray": RayExecutor}


def executor(name: str, workers: int, batch_docs: int = BATCH_DOCS
             ) -> LocalExecutor | RayExecutor:
    if name not in EXECUTORS:
        raise TrisecError(Problem("--executor", f"unknown executor {name!r}",
                                  "use local or ray"))
    return EXECUTORS[name](workers, batch_docs)


def iter_shard_ingest(shards: Iterable[Shard], layout: Layout, columns: list[str]
                      ) -> Iterator[tuple[Shard, pa.Table]]:
    for s in shards:
        yield s, read_ingested(layout.ingest_dir(s), columns)
