"""`trisec run`'s library side: prompts rows -> responses, through the cache and a bounded
number of concurrent requests.

Cached answers are used without a request; the others are sent with at most `concurrency`
in flight, each stored in the cache as soon as it arrives (an interrupted run loses nothing
it already paid for). The responses file is written once, atomically, at the end, in a
stable order (doc_id, then task order), so two runs from the cache give identical bytes.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from trisec.errors import Problem, TrisecError
from trisec.generative.cache import ResponseCache, cache_key
from trisec.generative.client import ChatClient, RequestFailed, Settings
from trisec.generative.files import atomic_write_text
from trisec.generative.responses import Response

PROMPT_COLUMNS = ["doc_id", "split", "task", "messages", "response_schema"]


@dataclass
class RunStats:
    prompts: int = 0
    cached: int = 0
    answered: int = 0  # new answers from the server
    errors: int = 0  # prompts left without an answer
    requests: int = 0  # HTTP requests sent (retries included)
    retries: int = 0
    fallbacks: int = 0
    plain_prompts: bool = False  # the server refused response_format
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("prompts", "cached", "answered", "errors",
                                              "requests", "retries", "fallbacks",
                                              "plain_prompts", "seconds")} | {
            "requests_per_second": round(self.requests_per_second, 2),
            "failures": self.failures}


def read_prompts(release: Path, split: str = "test", tasks: Sequence[str] | None = None
                 ) -> list[dict[str, Any]]:
    """Rows of the release's prompts config for a split (or "all"), optionally some tasks,
    sorted by (doc_id, task order)."""
    folder = Path(release) / "data" / "prompts"
    if not folder.is_dir():
        raise TrisecError(Problem(str(release), "the release has no prompts config",
                                  "build a release of version 0.2.0 or later (`trisec build`)"))
    files = sorted(folder.glob("*.parquet" if split == "all" else f"{split}-*.parquet"))
    rows = [r for f in files for r in pq.read_table(f, columns=PROMPT_COLUMNS).to_pylist()]
    if not rows:
        present = sorted({f.name.split("-")[0] for f in folder.glob("*.parquet")})
        raise TrisecError(Problem(str(folder), f"no prompts for split {split!r} (splits: "
                                  f"{', '.join(present)})",
                                  "pass --split with one of those, or all"))
    order = {t: i for i, t in enumerate(dict.fromkeys(r["task"] for r in rows))}
    if tasks:
        unknown = sorted(set(tasks) - set(order))
        if unknown:
            raise TrisecError(Problem("--tasks", f"unknown task(s) {', '.join(unknown)}",
                                      f"use some of: {', '.join(order)}"))
        rows = [r for r in rows if r["task"] in tasks]
    return sorted(rows, key=lambda r: (r["doc_id"], order[r["task"]]))


Progress = Callable[[RunStats], None]


async def _run(rows: list[dict[str, Any]], client: ChatClient, cache: ResponseCache | None,
               concurrency: int, stats: RunStats, progress: Progress | None
               ) -> list[Response]:
    settings = client.settings
    sem = asyncio.Semaphore(max(1, concurrency))
    t0 = time.perf_counter()

    def sync() -> None:
        c = client.counters
        stats.requests, stats.retries, stats.fallbacks = c.requests, c.retries, c.fallbacks
        stats.plain_prompts = not client.structured
        stats.seconds = time.perf_counter() - t0

    def tick() -> None:
        sync()
        if progress:
            progress(stats)

    async def one(i: int, row: dict[str, Any]) -> Response:
        messages = [{"role": m["role"], "content": m["content"]} for m in row["messages"]]
        key = cache_key(settings.model, messages, settings.params)
        hit = cache.get(key) if cache else None
        if hit is not None:
            stats.cached += 1
            tick()
            return Response(i, row["doc_id"], row["task"], hit["response"],
                            model=settings.model)
        async with sem:
            try:
                done = await client.complete(messages, json.loads(row["response_schema"]))
            except RequestFailed as exc:
                stats.errors += 1
                stats.failures.append(f"{row['doc_id']} {row['task']}: {exc}")
                tick()
                return Response(i, row["doc_id"], row["task"], None, error=str(exc),
                                model=settings.model)
        if cache:  # off the event loop: file I/O must not hold up the other requests
            await asyncio.to_thread(cache.put, key, {"model": settings.model,
                                                     "response": done.text, "mode": done.mode})
        stats.answered += 1
        tick()
        return Response(i, row["doc_id"], row["task"], done.text, model=settings.model)

    try:
        return list(await asyncio.gather(*(one(i, r) for i, r in enumerate(rows))))
    finally:
        sync()
        await client.aclose()


def run_prompts(rows: list[dict[str, Any]], settings: Settings, cache: ResponseCache | None,
                *, concurrency: int = 4, progress: Progress | None = None,
                transport: Any = None) -> tuple[list[Response], RunStats]:
    """Answer every row (cache first). Failed requests give a response of None with the
    error; they are counted, never raised."""
    stats = RunStats(prompts=len(rows))
    client = ChatClient(settings, transport=transport, max_connections=max(1, concurrency))
    responses = asyncio.run(_run(rows, client, cache, concurrency, stats, progress))
    return responses, stats


def write_responses(path: Path, responses: Sequence[Response]) -> None:
    atomic_write_text(path, "".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n"
                                    for r in responses))
