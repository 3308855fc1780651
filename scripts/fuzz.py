"""Longer fuzzing run of the input edge (issue #18 item 7); CI runs the same properties with
fewer examples (tests/test_fuzz.py). Prints, per target, the examples run and what became of
them (documents / loaded files, and each kind of located refusal), then the time.

    .venv/bin/python scripts/fuzz.py --examples 5000            # every target
    .venv/bin/python scripts/fuzz.py --examples 20000 --only ingest --seed 7

Exit 1 (with hypothesis's falsifying example) when a property breaks: an uncaught
exception, a refusal not located in its file, or a document whose offset map or removals do
not account for its raw text (tests/fuzz_cases.py).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import fuzz_cases as fc  # noqa: E402  (tests/ is put on the path just above)
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from trisec.schema import load_schema  # noqa: E402


def targets() -> dict[str, tuple[Any, Callable[..., str]]]:
    schema = load_schema()
    return {
        "ingest": (fc.RAW_INPUTS, fc.check_ingest),
        "gold": (fc.mutated_gold(), lambda case: fc.check_gold(*case, schema)),
        "metadata": (fc.mutated_metadata(), lambda case: fc.check_metadata(*case)),
        "pins": (fc.PIN_INPUTS, fc.check_pins),
    }


def run(name: str, strategy: Any, check: Callable[..., str], examples: int,
        rng_seed: int | None) -> tuple[Counter[str], float, bool]:
    outcomes: Counter[str] = Counter()

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def prop(case: Any) -> None:
        outcomes[check(case)] += 1

    if rng_seed is not None:
        prop = seed(rng_seed)(prop)
    start = time.perf_counter()
    try:
        prop()
        ok = True
    except Exception:  # noqa: BLE001 (the falsifying example is the report)
        traceback.print_exc()
        ok = False
    return outcomes, time.perf_counter() - start, ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=5000, help="examples per target")
    ap.add_argument("--only", action="append", choices=["ingest", "gold", "metadata", "pins"],
                    help="run only these targets (repeatable)")
    ap.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random)")
    ap.add_argument("--top", type=int, default=6, help="refusal kinds listed per target")
    args = ap.parse_args()
    failed = []
    print(f"{'target':<9} {'examples':>8} {'accepted':>8} {'refused':>8} {'seconds':>8}")
    for name, (strategy, check) in targets().items():
        if args.only and name not in args.only:
            continue
        outcomes, secs, ok = run(name, strategy, check, args.examples, args.seed)
        total = sum(outcomes.values())
        refused = sum(n for k, n in outcomes.items() if k.startswith("refused"))
        print(f"{name:<9} {total:>8} {total - refused:>8} {refused:>8} {secs:>8.1f}"
              f"{'' if ok else '  PROPERTY BROKEN (traceback above)'}")
        for kind, n in sorted(((k, n) for k, n in outcomes.items() if k.startswith("refused")),
                              key=lambda x: -x[1])[:args.top]:
            print(f"    {n:>7}  {kind}")
        if not ok:
            failed.append(name)
    if failed:
        print(f"property broken in: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
