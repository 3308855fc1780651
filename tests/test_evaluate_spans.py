"""Span matching: hand-counted cases, and agreement with nervaluate 1.2.1 on random inputs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator

from trisec.evaluate.spans import SCHEMES, Counts, Span, align, match, prf, span_counts

# gold:  PER 0-5, LOC 10-15, ORG 20-25, MISC 30-40
# pred:  PER 0-5 (right), LOC 10-14 (short by one), LOC 20-25 (right span, wrong label),
#        nothing on MISC, PER 50-55 (overlaps nothing)
GOLD = [Span(0, 5, "PER"), Span(10, 15, "LOC"), Span(20, 25, "ORG"), Span(30, 40, "MISC")]
PRED = [Span(0, 5, "PER"), Span(10, 14, "LOC"), Span(20, 25, "LOC"), Span(50, 55, "PER")]


def test_hand_counted_schemes() -> None:
    # strict: only PER 0-5 is right; both overlapping-but-wrong predictions are incorrect
    assert match(GOLD, PRED, "strict") == Counts(1, 2, 0, 1, 1)
    # exact: boundaries only, so the ORG/LOC confusion counts as correct
    assert match(GOLD, PRED, "exact") == Counts(2, 1, 0, 1, 1)
    # partial: the short LOC is a partial match, never incorrect
    assert match(GOLD, PRED, "partial") == Counts(2, 0, 1, 1, 1)
    # type: the short LOC overlaps a LOC (correct); the ORG/LOC confusion is incorrect
    assert match(GOLD, PRED, "type") == Counts(2, 1, 0, 1, 1)


def test_prf_half_credit_for_partial() -> None:
    m = prf(match(GOLD, PRED, "partial"))
    assert m.precision == pytest.approx(2.5 / 4) and m.recall == pytest.approx(2.5 / 4)
    s = prf(match(GOLD, PRED, "strict"))
    assert (s.precision, s.recall, s.f1) == (0.25, 0.25, 0.25)


def test_gold_against_itself_and_empty() -> None:
    for scheme in SCHEMES:
        assert prf(match(GOLD, GOLD, scheme)).f1 == 1.0
        empty = match(GOLD, [], scheme)
        assert empty == Counts(missed=4) and prf(empty).recall == 0.0
        assert match([], PRED, scheme) == Counts(spurious=4)
    assert prf(Counts()).f1 == 0.0


def test_order_of_input_does_not_matter() -> None:
    assert match(GOLD, PRED[::-1], "strict") == match(GOLD[::-1], PRED, "strict")


def test_per_label_counts_use_only_that_label() -> None:
    c = span_counts(GOLD, PRED)
    # the wrong-label prediction LOC 20-25 is spurious within LOC, ORG 20-25 missed within ORG
    assert c["entities/strict/LOC"] == Counts(0, 1, 0, 0, 1)
    assert c["entities/strict/ORG"] == Counts(missed=1)
    assert c["entities/strict/PER"] == Counts(correct=1, spurious=1)


def test_alignment_indices_point_into_the_callers_lists() -> None:
    pairs = align(GOLD, PRED[::-1], "strict")
    correct = [p for p in pairs if p.outcome == "correct"]
    assert len(correct) == 1 and PRED[::-1][correct[0].pred] == GOLD[correct[0].gold]


def test_type_scheme_prefers_closest_boundaries() -> None:
    gold = [Span(0, 10, "X"), Span(12, 14, "X")]
    pred = [Span(5, 14, "X")]
    pairs = align(gold, pred, "type")
    assert [p for p in pairs if p.outcome == "correct"][0].gold == 1  # distance 7 < 9


# -- agreement with nervaluate -------------------------------------------------------------
LABELS = ["PER", "ORG", "GPE"]


@st.composite
def span_lists(draw: st.DrawFn, flat: bool) -> list[Span]:
    """Spans of up to 12 characters in a 120-character document (so nervaluate's 1%
    minimum overlap equals 'any overlap')."""
    raw = draw(st.lists(st.tuples(st.integers(0, 110), st.integers(1, 12),
                                  st.sampled_from(LABELS)), max_size=8))
    spans = sorted({Span(s, s + n, lab) for s, n, lab in raw})
    if flat:
        kept: list[Span] = []
        for s in spans:
            if not kept or s.start >= kept[-1].end:
                kept.append(s)
        spans = kept
    return spans


def _nerv(docs: list[list[Span]]) -> list[list[dict[str, object]]]:
    # nervaluate's ends are inclusive
    return [[{"label": s.label, "start": s.start, "end": s.end - 1} for s in d] for d in docs]


NERV_SCHEME = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(span_lists(flat=True), span_lists(flat=False)), min_size=1,
                max_size=4))
def test_agrees_with_nervaluate(docs: list[tuple[list[Span], list[Span]]]) -> None:
    gold = [g for g, _ in docs]
    pred = [p for _, p in docs]
    res = Evaluator(_nerv(gold), _nerv(pred), tags=LABELS, loader="dict").evaluate()
    ours: dict[str, Counts] = {}
    for g, p in docs:
        for k, c in span_counts(g, p).items():
            ours[k] = ours.get(k, Counts()) + c
    for scheme, theirs in NERV_SCHEME.items():
        r = res["overall"][theirs]
        c = ours[f"entities/{scheme}"]
        assert c.as_tuple() == (r.correct, r.incorrect, r.partial, r.missed, r.spurious)
        m = prf(c)
        assert m.precision == pytest.approx(r.precision)
        assert m.recall == pytest.approx(r.recall)
        assert m.f1 == pytest.approx(r.f1)
        for label, per in res["entities"].items():
            r = per[theirs]
            c = ours[f"entities/{scheme}/{label}"]
            assert c.as_tuple() == (r.correct, r.incorrect, r.partial, r.missed, r.spurious)
