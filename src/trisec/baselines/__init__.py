"""Baseline systems for the benchmark (`trisec predict --baseline NAME`).

A baseline maps (doc_id, text) to one prediction line (docs/BENCHMARK.md). Patterns and
lexicons live as data files in `patterns/`, each with its source (patterns/README.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Predictor = Callable[[str, str], dict[str, Any]]


def rules() -> Predictor:
    from trisec.baselines.rules import RuleBaseline

    return RuleBaseline().predict


BASELINES: dict[str, Callable[[], Predictor]] = {"rules": rules}
