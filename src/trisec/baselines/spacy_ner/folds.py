"""Which documents each model is trained on and which it predicts. Pure.

`test`: one model trained on the train split, predicting the test split (the leaderboard's
test-split row). `loo`: leave one document out, one model per annotated document, trained on
every other annotated document and predicting only the one left out (the held-out folds row).
Documents without gold annotations are never trained on (they would teach "no entities here").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trisec.errors import Problem, TrisecError

KINDS = ("test", "loo")
# where each kind's pooled predictions go, in a --predict-to folder (leaderboard scopes)
OUTPUT = {"test": "{system}.jsonl", "loo": "{system}.folds.jsonl"}


@dataclass(frozen=True)
class Fold:
    name: str                  # "test" or "loo-<doc_id>"; also the model folder's name
    train: tuple[str, ...]     # doc ids the model is trained on
    predict: tuple[str, ...]   # doc ids it predicts (never one of `train`)


def annotated_ids(rows: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """The documents (doc_id -> documents row) that carry gold: any mention, event or
    attribution. A newly added article has none until it is annotated."""
    return {d for d, r in rows.items()
            if len(r.get("mentions") or []) or len(r.get("events") or [])
            or len(r.get("attributions") or [])}


def split_fold(split_of: Mapping[str, str], annotated: set[str], train_split: str = "train",
              test_split: str = "test") -> Fold:
    train = tuple(sorted(d for d, s in split_of.items() if s == train_split and d in annotated))
    predict = tuple(sorted(d for d, s in split_of.items() if s == test_split))
    return Fold("test", train, predict)


def loo_folds(annotated: set[str]) -> list[Fold]:
    ids = sorted(annotated)
    return [Fold(f"loo-{d}", tuple(x for x in ids if x != d), (d,)) for d in ids]


def plan(kind: str, split_of: Mapping[str, str], annotated: set[str]) -> list[Fold]:
    """The folds of `kind`; raises when a fold has nothing to train on or to predict."""
    if kind not in KINDS:
        raise TrisecError(Problem("--folds", f"unknown fold kind {kind!r}",
                                  f"use one of: {', '.join(KINDS)}"))
    folds = [split_fold(split_of, annotated)] if kind == "test" else loo_folds(annotated)
    problems = [Problem(f"fold {f.name}", "no annotated document to train on" if not f.train
                        else "no document to predict", "build a release with gold annotations "
                        "in more documents (trisec build)")
                for f in folds if not f.train or not f.predict]
    if not folds:
        problems.append(Problem("--folds loo", "no annotated document in the release",
                                "build a release with gold annotations"))
    if problems:
        raise TrisecError(problems)
    for f in folds:  # the invariant every score relies on
        assert not set(f.train) & set(f.predict), f.name
    return folds
