"""Measure the generative path without a model: prompt sizes per task, and the runner's
requests/s against the oracle server on 127.0.0.1 at several concurrency levels.

    .venv/bin/python scripts/bench_generative.py [--release dataset] [--rounds 20]
        [--concurrency 1 8] [--delay 0 0.05]

One `run_prompts` call sends every prompt of the release `--rounds` times (all cache misses:
the cache is empty and every lookup happens before the first answer), so every prompt is a
real HTTP request and the answers are written to the cache as in a real run. The oracle runs in its
own process (`python -m trisec.generative.oracle`): in this one, its threads would share
the interpreter lock with the client's event loop. `--delay` makes the oracle wait that long
before answering, standing in for a model's latency. The figures measure trisec's client,
the loopback network and the oracle, not any model.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from trisec.generative.cache import ResponseCache
from trisec.generative.client import Settings
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
    """Requests/s of one `run_prompts` call sending every prompt `rounds` times (one client,
    as in a real run), into an empty cache, against an oracle in its own process."""
    rows = read_prompts(release, "all") * rounds
    server = subprocess.Popen([sys.executable, "-m", "trisec.generative.oracle", str(release),
                               "--delay", str(delay)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            _, stats = run_prompts(rows, Settings(base_url, "oracle", backoff=0),
                                   ResponseCache(Path(tmp)), concurrency=concurrency)
            seconds = time.perf_counter() - t0
        assert stats.errors == 0 and stats.requests == len(rows), stats.failures
    finally:
        server.terminate()
        server.wait(timeout=10)
    return stats.requests / seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--release", type=Path, default=DATASET_DIR)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--delay", type=float, nargs="+", default=[0.0, 0.05])
    args = ap.parse_args(argv)
    prompt_sizes(args.release)
    n = len(read_prompts(args.release, "all"))
    print(f"\nrunner against the oracle on 127.0.0.1: {args.rounds} x {n} prompts in one run, "
          "empty cache (wall clock, cache writes included)")
    print(f"{'oracle delay':>12}{'concurrency':>13}{'req/s':>9}")
    for delay in args.delay:
        for c in args.concurrency:
            print(f"{delay:>11.2f}s{c:>13}{throughput(args.release, args.rounds, c, delay):>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
