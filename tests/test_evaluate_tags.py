"""The BIO view (trisec.bio + evaluate.tags) agrees with seqeval on random tag sequences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.scheme import IOB2

from trisec.bio import bio_tags
from trisec.evaluate.spans import prf
from trisec.evaluate.tags import entities_from_tags, tag_counts, tag_spans

LABELS = ["PER", "GPE", "WEA"]


@st.composite
def iob2_sentence(draw: st.DrawFn, n: int) -> list[str]:
    """Well-formed IOB2 over n tokens, made the way the release makes them: flat token
    spans through trisec.bio.bio_tags."""
    spans, pos = [], 0
    while pos < n:
        pos += draw(st.integers(0, 3))
        length = draw(st.integers(1, 3))
        if pos + length > n:
            break
        spans.append((pos, pos + length, draw(st.sampled_from(LABELS))))
        pos += length
    tags, misaligned = bio_tags(list(range(n)), list(range(1, n + 1)), spans)
    assert misaligned == 0
    return tags


@st.composite
def sentence_pairs(draw: st.DrawFn) -> tuple[list[list[str]], list[list[str]]]:
    lengths = draw(st.lists(st.integers(1, 15), min_size=1, max_size=5))
    gold = [draw(iob2_sentence(n)) for n in lengths]
    pred = [draw(iob2_sentence(n)) for n in lengths]
    return gold, pred


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # seqeval averages empty label sets
@settings(max_examples=200, deadline=None)
@given(sentence_pairs())
def test_strict_iob2_agrees_with_seqeval(data: tuple[list[list[str]], list[list[str]]]) -> None:
    gold, pred = data
    ours = tag_counts(gold, pred, schemes=["strict"])
    m = prf(ours["tags/strict"])
    kw = {"mode": "strict", "scheme": IOB2, "zero_division": 0}
    assert m.precision == pytest.approx(precision_score(gold, pred, **kw))
    assert m.recall == pytest.approx(recall_score(gold, pred, **kw))
    assert m.f1 == pytest.approx(f1_score(gold, pred, **kw))
    report = classification_report(gold, pred, output_dict=True, **kw)
    for label in LABELS:
        if label not in report:
            continue
        c = ours[f"tags/strict/{label}"]
        assert c.possible == report[label]["support"]
        assert prf(c).f1 == pytest.approx(report[label]["f1-score"])


ANY_TAG = st.sampled_from(["O", "B-PER", "I-PER", "B-GPE", "I-GPE"])


@st.composite
def any_tag_pairs(draw: st.DrawFn) -> tuple[list[list[str]], list[list[str]]]:
    lengths = draw(st.lists(st.integers(1, 12), min_size=1, max_size=4))
    return ([draw(st.lists(ANY_TAG, min_size=n, max_size=n)) for n in lengths],
            [draw(st.lists(ANY_TAG, min_size=n, max_size=n)) for n in lengths])


@settings(max_examples=200, deadline=None)
@given(any_tag_pairs())
def test_ill_formed_tags_read_like_conlleval(data: tuple[list[list[str]], list[list[str]]]
                                             ) -> None:
    """Model output may be ill-formed (I- after O); spans_from_bio reads it the way
    seqeval's default (conlleval) mode does."""
    gold, pred = data
    ours = prf(tag_counts(gold, pred, schemes=["strict"])["tags/strict"])
    assert ours.f1 == pytest.approx(f1_score(gold, pred, zero_division=0))


def test_tag_spans_and_document_offsets() -> None:
    tags = ["B-PER", "I-PER", "O", "B-GPE"]
    assert [(s.start, s.end, s.label) for s in tag_spans(tags)] == [(0, 2, "PER"), (3, 4, "GPE")]
    row = {"doc_id": "d", "token_starts": [10, 16, 22, 26], "token_ends": [15, 21, 25, 31]}
    assert entities_from_tags([row], [tags]) == {
        "d": [{"start": 10, "end": 21, "label": "PER"}, {"start": 26, "end": 31, "label": "GPE"}]}
