"""Measure the generative path without a model: prompt sizes per task, and the runner's
requests/s against the oracle server on 127.0.0.1 at several concurrency levels.

    .venv/bin/python scripts/bench_generative.py [--release dataset] [--rounds 20]
        [--concurrency 1 8] [--delay 0 0.05]

Each round sends every prompt of the release once with a different `seed` (a distinct cache
key), into an empty cache, so every prompt is a real HTTP request. `--delay` makes the
oracle wait that long before answering, standing in for a model's latency. The figures
measure trisec's client, the loopback network and the oracle, not any model.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from trisec.generative.cache import ResponseCache
from trisec.generative.client import Settings
from trisec.generative.oracle import OracleServer
from trisec.generative.runner import read_prompts, run_prompts
from trisec.paths import DATASET_DIR


def prompt_sizes(release: Path) -> None:
    rows = [r for p in sorted((release / "data" / "prompts").glob("*.parquet"))
            for r in pq.read_table(p).to_pylist()]
    print("prompt sizes (characters of all messages; system = instructions + schema)")
    print(f"{'task':<14}{'prompts':>8}{'system':>8}{'example':>9}{'min':>8}{'median':>8}"
          f"{'max':>8}")
    for task in dict.fromkeys(r["task"] for r in rows):
        mine = [r for r in rows if r["task"] == task]
        totals = [sum(len(m["content"]) for m in r["messages"]) for r in mine]
        system = len(mine[0]["messages"][0]["content"])
        example = sum(len(m["content"]) for m in mine[0]["messages"][1:-1])
        print(f"{task:<14}{len(mine):>8}{system:>8}{example:>9}{min(totals):>8}"
              f"{int(statistics.median(totals)):>8}{max(totals):>8}")


def throughput(release: Path, rounds: int, concurrency: int, delay: float) -> float:
    base = read_prompts(release, "all")
    with OracleServer(_all_rows(release), delay=delay) as server, \
            tempfile.TemporaryDirectory() as tmp:
        cache = ResponseCache(Path(tmp))
        requests, seconds = 0, 0.0
        for seed in range(rounds):
            settings = Settings(server.base_url, "oracle", params={"seed": seed}, backoff=0)
            t0 = time.perf_counter()
            _, stats = run_prompts(base, settings, cache, concurrency=concurrency)
            seconds += time.perf_counter() - t0
            requests += stats.requests
            assert stats.errors == 0 and stats.cached == 0
    return requests / seconds


def _all_rows(release: Path) -> list[dict]:
    return [r for p in sorted((release / "data" / "prompts").glob("*.parquet"))
            for r in pq.read_table(p).to_pylist()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--release", type=Path, default=DATASET_DIR)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--delay", type=float, nargs="+", default=[0.0, 0.05])
    args = ap.parse_args(argv)
    prompt_sizes(args.release)
    n = len(read_prompts(args.release, "all"))
    print(f"\nrunner against the oracle on 127.0.0.1: {args.rounds} rounds x {n} prompts, "
          "fresh cache (wall clock, including cache writes)")
    print(f"{'oracle delay':>12}{'concurrency':>13}{'req/s':>9}")
    for delay in args.delay:
        for c in args.concurrency:
            print(f"{delay:>11.2f}s{c:>13}{throughput(args.release, args.rounds, c, delay):>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
