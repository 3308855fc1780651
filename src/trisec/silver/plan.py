"""Where a silver run reads and writes: crawl shards, output files, completion markers.

A crawl is cut into shards of `shard_size` files in file-name order; shard N of M becomes
`data/<config>/<split>-0000N-of-0000M.parquet` for every config and split it has rows for (a
shard with no row for a split writes no file: `datasets` cannot read an empty Parquet file).
A shard is complete when its marker `_shards/0000N.json` exists; the marker is written after
its files are renamed into place, so a rerun skips complete shards and redoes the others.
`_plan.json` pins the crawl (file names and sizes) and the settings, so a rerun never mixes
two crawls or two baselines in one folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.paths import DATASET_DIR

SHARD_SIZE = 1000
PLAN = "_plan.json"


@dataclass(frozen=True)
class Shard:
    index: int
    count: int
    paths: tuple[Path, ...]

    @property
    def tag(self) -> str:
        return f"{self.index:05d}"


def crawl_files(crawl_dir: Path) -> list[Path]:
    if not crawl_dir.is_dir():
        raise TrisecError(Problem(str(crawl_dir), "crawl folder not found",
                                  "pass a folder of raw .txt pages"))
    files = sorted((p for p in crawl_dir.glob("*.txt") if p.is_file()), key=lambda p: p.name)
    if not files:
        raise TrisecError(Problem(str(crawl_dir), "no .txt files in the crawl folder",
                                  "pass a folder of raw .txt pages"))
    return files


def plan_shards(files: list[Path], shard_size: int = SHARD_SIZE) -> list[Shard]:
    count = max(1, -(-len(files) // shard_size))
    return [Shard(i, count, tuple(files[i * shard_size:(i + 1) * shard_size]))
            for i in range(count)]


def crawl_fingerprint(files: list[Path]) -> str:
    h = hashlib.sha256()
    for p in files:
        h.update(f"{p.name}\t{p.stat().st_size}\n".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Layout:
    out: Path

    def data_file(self, config: str, split: str, shard: Shard) -> Path:
        name = f"{split}-{shard.index:05d}-of-{shard.count:05d}.parquet"
        return self.out / "data" / config / name

    def marker(self, shard: Shard) -> Path:
        return self.out / "_shards" / f"{shard.tag}.json"

    @property
    def work(self) -> Path:
        return self.out / "_work"

    def ingest_dir(self, shard: Shard | None = None) -> Path:
        base = self.work / "ingest"
        return base if shard is None else base / f"shard={shard.tag}"

    def ingest_done(self, shard: Shard) -> Path:
        return self.work / "ingest-done" / shard.tag

    def annotated_dir(self, shard: Shard | None = None) -> Path:
        base = self.work / "annotated"
        return base if shard is None else base / f"shard={shard.tag}"

    @property
    def reports(self) -> Path:
        return self.out / "reports"

    # -- state ------------------------------------------------------------------------------
    def is_complete(self, shard: Shard) -> bool:
        return self.marker(shard).is_file()

    def is_ingested(self, shard: Shard) -> bool:
        return self.ingest_done(shard).is_file()

    def write_marker(self, shard: Shard, summary: dict[str, Any]) -> None:
        path = self.marker(shard)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)

    def read_marker(self, shard: Shard) -> dict[str, Any]:
        return json.loads(self.marker(shard).read_text(encoding="utf-8"))

    def mark_ingested(self, shard: Shard) -> None:
        path = self.ingest_done(shard)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def reset_shard(self, shard: Shard) -> None:
        """Remove what an interrupted attempt at an incomplete shard left behind."""
        for path in (self.out / "data").glob(f"*/*-{shard.index:05d}-of-{shard.count:05d}"
                                             ".parquet*"):
            path.unlink()
        shutil.rmtree(self.annotated_dir(shard), ignore_errors=True)


def check_out_dir(out: Path) -> None:
    """Silver output never enters the gold release folder."""
    target, dataset = out.resolve(), DATASET_DIR.resolve()
    if target == dataset or dataset in target.parents:
        raise TrisecError(Problem(str(out), "silver output cannot go into the gold release "
                                  "folder dataset/", "pass --out somewhere else, e.g. silver/"))


def pin_plan(layout: Layout, plan: dict[str, Any]) -> None:
    """Write _plan.json, or check an existing one matches (resuming the same run)."""
    path = layout.out / PLAN
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        changed = sorted(k for k in plan.keys() | old.keys() if plan.get(k) != old.get(k))
        if changed:
            raise TrisecError(Problem(
                str(path), "this folder holds a silver run with other inputs "
                f"({', '.join(changed)} changed)",
                "pass a new --out folder, or --restart to discard the old run"))
        return
    layout.out.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def restart(layout: Layout) -> None:
    for name in ("data", "_shards", "_work", "reports"):
        shutil.rmtree(layout.out / name, ignore_errors=True)
    for name in (PLAN, "silver.json"):
        (layout.out / name).unlink(missing_ok=True)
