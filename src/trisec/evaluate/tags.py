"""The token-classification view: BIO tag sequences (the `sentences` config) -> spans.

Tags become spans with `trisec.documents.bio.spans_from_bio` (conlleval reading: an I- tag that does
not continue an entity of its type starts one) and are scored with the same `spans.match`
as everything else. On well-formed IOB2 this equals seqeval's strict IOB2 mode
(tests/test_evaluate_tags.py checks it on random sequences). `entities_from_tags` turns a
token classifier's output into the prediction format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trisec.documents.bio import spans_from_bio
from trisec.evaluate.spans import SCHEMES, Counts, Span, match


def tag_spans(tags: Sequence[str]) -> list[Span]:
    """Token-index spans (end exclusive) of one tag sequence."""
    n = len(tags)
    return [Span(s, e, lab) for s, e, lab in spans_from_bio(tags, range(n), range(1, n + 1))]


def tag_counts(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]],
               schemes: Sequence[str] = SCHEMES) -> dict[str, Counts]:
    """Counts over sentences (each sentence is matched on its own), overall and per label."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold sequences but {len(pred)} predicted")
    out: dict[str, Counts] = {}
    for g_tags, p_tags in zip(gold, pred, strict=True):
        if len(g_tags) != len(p_tags):
            raise ValueError("a gold and a predicted sequence differ in length")
        g, p = tag_spans(g_tags), tag_spans(p_tags)
        labels = {s.label for s in g} | {s.label for s in p}
        for scheme in schemes:
            items = [(f"tags/{scheme}", g, p)] + [
                (f"tags/{scheme}/{lab}", [s for s in g if s.label == lab],
                 [s for s in p if s.label == lab]) for lab in labels]
            for key, gs, ps in items:
                out[key] = out.get(key, Counts()) + match(gs, ps, scheme)
    return out


def entities_from_tags(sentences: Sequence[Mapping[str, Any]],
                       tags: Sequence[Sequence[str]]) -> dict[str, list[dict[str, Any]]]:
    """Predicted tags per `sentences` row -> {doc_id: [{start, end, label}]} in document
    character offsets, ready for a prediction line."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row, seq in zip(sentences, tags, strict=True):
        spans = spans_from_bio(seq, row["token_starts"], row["token_ends"])
        out.setdefault(row["doc_id"], []).extend(
            {"start": s, "end": e, "label": lab} for s, e, lab in spans)
    return out
