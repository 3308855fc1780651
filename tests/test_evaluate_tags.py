"""The BIO view (documents.bio + evaluate.tags) agrees with seqeval on random tag sequences."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.scheme import IOB2
from test_evaluate_scorer import gold_release

from trisec.documents.bio import bio_tags
from trisec.evaluate.spans import prf
from trisec.evaluate.tags import entities_from_tags, tag_counts, tag_spans

__all__ = ["gold_release"]  # the fixture (a release with hand-made gold), shared

LABELS = ["PER", "GPE", "WEA"]


@st.composite
def iob2_sentence(draw: st.DrawFn, n: int) -> list[str]:
    """Well-formed IOB2 over n tokens, made the way the release makes them: flat token
    spans through trisec.documents.bio.bio_tags."""
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


def test_release_sentences_view_agrees_with_seqeval(gold_release: Path) -> None:
    """On the real `sentences` rows of a release with (hand-made) gold: gold tags from the
    release, predicted tags from the rule baseline's spans through trisec.documents.bio.bio_tags."""
    from trisec.baselines.rules import RuleBaseline

    sents = pq.read_table(gold_release / "data/sentences/test-00000-of-00001.parquet"
                          ).to_pylist()
    names = tag_names(gold_release)
    docs = {r["doc_id"]: r["text"] for r in pq.read_table(
        gold_release / "data/documents/test-00000-of-00001.parquet",
        columns=["doc_id", "text"]).to_pylist()}
    model = RuleBaseline()
    spans = {d: [(e["start"], e["end"], e["label"]) for e in model.predict(d, t)["entities"]]
             for d, t in docs.items()}
    gold = [[names[i] for i in r["ner_tags"]] for r in sents]
    pred = [bio_tags(r["token_starts"], r["token_ends"], spans[r["doc_id"]])[0] for r in sents]
    assert any(t != "O" for s in gold for t in s) and any(t != "O" for s in pred for t in s)
    m = prf(tag_counts(gold, pred, schemes=["strict"])["tags/strict"])
    kw = {"mode": "strict", "scheme": IOB2, "zero_division": 0}
    assert m.f1 == pytest.approx(f1_score(gold, pred, **kw))
    assert m.precision == pytest.approx(precision_score(gold, pred, **kw))


def tag_names(release: Path) -> list[str]:
    """The ner_tags names from the Parquet's Hugging Face features metadata."""
    meta = pq.read_schema(release / "data/sentences/test-00000-of-00001.parquet").metadata
    features = json.loads(meta[b"huggingface"])["info"]["features"]
    return features["ner_tags"]["feature"]["names"]
