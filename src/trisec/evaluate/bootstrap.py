"""Percentile bootstrap over documents: seeded, reproducible, vectorised. Pure.

Each resample draws as many documents as there are, with replacement, sums their outcome
counts and recomputes F1 with `spans.prf`'s formula; the interval is the 2.5th..97.5th
percentile of those F1 values. Documents, not mentions, are resampled because mentions of
one article are not independent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from trisec.evaluate.spans import Counts

DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 0


def _f1(arr: np.ndarray) -> np.ndarray:
    """F1 of count arrays shaped (..., 5) in OUTCOMES order; mirrors spans.prf."""
    correct, incorrect, partial, missed, spurious = np.moveaxis(arr, -1, 0)
    credit = correct + 0.5 * partial
    actual = correct + incorrect + partial + spurious
    possible = correct + incorrect + partial + missed
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(actual > 0, credit / np.maximum(actual, 1), 0.0)
        r = np.where(possible > 0, credit / np.maximum(possible, 1), 0.0)
        f = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
    return np.asarray(f)


def bootstrap_f1(per_doc: Sequence[Mapping[str, Counts]], keys: Sequence[str] | None = None,
                 resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                 confidence: float = 0.95) -> dict[str, tuple[float, float]]:
    """95% (by default) percentile interval of the micro F1 of every key."""
    if keys is None:
        keys = sorted({k for d in per_doc for k in d})
    n = len(per_doc)
    if n == 0 or not keys:
        return {k: (0.0, 0.0) for k in keys}
    zero = Counts()
    mat = np.array([[d.get(k, zero).as_tuple() for k in keys] for d in per_doc],
                   dtype=np.float64)  # (docs, keys, 5)
    rng = np.random.default_rng(seed)
    # how often each document is drawn in each resample: (resamples, docs)
    weights = np.stack([np.bincount(rng.integers(0, n, size=n), minlength=n)
                        for _ in range(resamples)]).astype(np.float64)
    totals = np.einsum("rd,dko->rko", weights, mat)  # (resamples, keys, 5)
    f1 = _f1(totals)  # (resamples, keys)
    alpha = (1 - confidence) / 2
    lo = np.quantile(f1, alpha, axis=0)
    hi = np.quantile(f1, 1 - alpha, axis=0)
    return {k: (float(lo[i]), float(hi[i])) for i, k in enumerate(keys)}

