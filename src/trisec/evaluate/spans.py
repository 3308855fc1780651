"""Span matching under the four SemEval-2013 task 9.1 schemes, as nervaluate defines them.

Inputs are plain spans (character offsets, end exclusive, a label); outputs are plain counts
(correct, incorrect, partial, missed, spurious) from which precision, recall and F1 are derived
in one place (`prf`). No I/O, no globals.

Schemes (nervaluate names in brackets):
- strict: exact boundaries and same label.
- exact: exact boundaries, label ignored.
- partial: any overlap, label ignored; an overlap with different boundaries is `partial`
  and earns half credit.
- type (`ent_type`): any overlap and same label; among several same-label overlaps the one
  with the closest boundaries wins.
A prediction that overlaps a gold span without qualifying is `incorrect` (strict, exact,
type); one that overlaps nothing is `spurious`; a gold span left unmatched is `missed`.

The matching is nervaluate's greedy one-to-one pass, run over spans sorted by (start, end,
label) so the result never depends on the order of a file. One deliberate difference:
nervaluate requires the overlap to cover at least 1% of the gold span; here any shared
character is an overlap (identical for spans of up to 100 characters).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

SCHEMES = ("strict", "exact", "partial", "type")
OUTCOMES = ("correct", "incorrect", "partial", "missed", "spurious")


@dataclass(frozen=True, order=True)
class Span:
    """A labelled character span. `qid` and `timex` ride along for agreement measures and
    never take part in matching."""

    start: int
    end: int
    label: str = ""
    qid: str | None = field(default=None, compare=False)
    timex: str | None = field(default=None, compare=False)


@dataclass
class Counts:
    """Outcome counts of one comparison; additive over documents."""

    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0

    @property
    def possible(self) -> int:  # gold items
        return self.correct + self.incorrect + self.partial + self.missed

    @property
    def actual(self) -> int:  # predicted items
        return self.correct + self.incorrect + self.partial + self.spurious

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, k) + getattr(other, k) for k in OUTCOMES))

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        return (self.correct, self.incorrect, self.partial, self.missed, self.spurious)

    @classmethod
    def from_sets(cls, gold: set[object], pred: set[object]) -> Counts:
        """Exact-match counts over two sets (TextEE-style tuple matching)."""
        hit = len(gold & pred)
        return cls(correct=hit, missed=len(gold) - hit, spurious=len(pred) - hit)


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float


def prf(c: Counts | Sequence[float]) -> PRF:
    """The one place P/R/F1 are derived. Partial matches earn half credit (nervaluate's
    partial/type formula); in every other scheme `partial` is 0, so the formula reduces to
    correct/actual and correct/possible. Undefined ratios are 0."""
    correct, incorrect, partial, missed, spurious = (
        c.as_tuple() if isinstance(c, Counts) else tuple(c))
    actual = correct + incorrect + partial + spurious
    possible = correct + incorrect + partial + missed
    credit = correct + 0.5 * partial
    p = credit / actual if actual else 0.0
    r = credit / possible if possible else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(p, r, f)


@dataclass(frozen=True)
class Pair:
    """One line of an alignment: indices into the caller's gold and predicted lists."""

    outcome: str  # one of OUTCOMES
    gold: int | None
    pred: int | None


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _order(spans: Sequence[Span]) -> list[int]:
    return sorted(range(len(spans)), key=lambda i: (spans[i].start, spans[i].end,
                                                    spans[i].label))


def align(gold: Sequence[Span], pred: Sequence[Span], scheme: str) -> list[Pair]:
    """Greedy one-to-one alignment of predictions to gold spans under `scheme`."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; use one of {SCHEMES}")
    g_order, taken = _order(gold), set()
    pairs: list[Pair] = []
    for pi in _order(pred):
        p = pred[pi]
        hit: int | None = None
        near: int | None = None  # first overlapping gold that does not qualify
        best = None  # (distance) for the `type` scheme
        for gi in g_order:
            if gi in taken:
                continue
            g = gold[gi]
            same_bounds = g.start == p.start and g.end == p.end
            if scheme == "type":
                if not _overlaps(g, p):
                    continue
                if g.label == p.label:
                    dist = abs(g.start - p.start) + abs(g.end - p.end)
                    if best is None or dist < best:
                        hit, best = gi, dist
                elif near is None:
                    near = gi
                continue
            qualifies = same_bounds and (scheme != "strict" or g.label == p.label)
            if qualifies:
                hit = gi
                break
            if near is None and _overlaps(g, p):
                near = gi
        if hit is not None:
            taken.add(hit)
            pairs.append(Pair("correct", hit, pi))
        elif near is not None:
            taken.add(near)
            pairs.append(Pair("partial" if scheme == "partial" else "incorrect", near, pi))
        else:
            pairs.append(Pair("spurious", None, pi))
    pairs.extend(Pair("missed", gi, None) for gi in g_order if gi not in taken)
    return pairs


def count(pairs: Iterable[Pair]) -> Counts:
    c = Counts()
    for p in pairs:
        setattr(c, p.outcome, getattr(c, p.outcome) + 1)
    return c


def match(gold: Sequence[Span], pred: Sequence[Span], scheme: str) -> Counts:
    """Counts of one comparison under one scheme."""
    return count(align(gold, pred, scheme))


def span_counts(gold: Sequence[Span], pred: Sequence[Span],
                prefix: str = "entities") -> dict[str, Counts]:
    """Counts under every scheme, overall (`prefix/scheme`) and per label
    (`prefix/scheme/LABEL`). Per-label counts compare only the spans of that label, as
    nervaluate does, so a label confusion shows as a miss in one label and a spurious
    prediction in the other."""
    out: dict[str, Counts] = {}
    labels = sorted({s.label for s in gold} | {s.label for s in pred})
    for scheme in SCHEMES:
        out[f"{prefix}/{scheme}"] = match(gold, pred, scheme)
        for label in labels:
            out[f"{prefix}/{scheme}/{label}"] = match(
                [s for s in gold if s.label == label], [s for s in pred if s.label == label],
                scheme)
    return out
