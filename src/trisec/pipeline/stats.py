"""Per-step counters and wall time (datatrove-style stats), printed at the end of a run."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stats:
    """Per-step counters and wall time, printed at the end of a run."""

    counters: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # open timing frames [step, seconds spent in nested steps]: stages are nested generators
    # (annotate pulls from dedup pulls from clean), so each step is charged exclusive time
    _frames: list[list[Any]] = field(default_factory=list, repr=False)

    def add(self, step: str, key: str, n: int = 1) -> None:
        self.counters[step][key] += n

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Charge the time of a block to `name`, minus the time of steps nested inside it."""
        frame: list[Any] = [name, 0.0]
        self._frames.append(frame)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - t0
            self._frames.pop()
            self.seconds[name] += elapsed - frame[1]
            if self._frames:
                self._frames[-1][1] += elapsed

    def timed(self, step: str, it: Iterable[object]) -> Iterator[object]:
        """Wrap a generator so the time spent producing each item is charged to `step`
        (exclusive of nested steps; the consumer's time between items is not counted)."""
        iterator = iter(it)
        while True:
            with self.step(step):
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item

    def rows(self) -> list[tuple[str, str, float]]:
        out = []
        for step in self.counters.keys() | self.seconds.keys():
            summary = ", ".join(f"{k}={v}" for k, v in sorted(self.counters[step].items()))
            out.append((step, summary, self.seconds.get(step, 0.0)))
        return sorted(out, key=lambda r: STEP_ORDER.index(r[0]) if r[0] in STEP_ORDER else 99)


STEP_ORDER = ["read", "clean", "dedup", "annotate", "write"]
