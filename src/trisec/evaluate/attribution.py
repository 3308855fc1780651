"""Attribution (quote) metrics. Pure.

- content_strict: content spans with exact boundaries.
- content_overlap: content spans aligned one-to-one by overlap (the `type` scheme of
  `spans`, closest boundaries first).
- cue: cue spans with exact boundaries (attributions without a cue contribute nothing).
- source: an attribution is correct when its content overlaps an aligned gold content and
  its source span equals the gold source span (both null counts as equal: unattributed on
  both sides). This is the headline attribution F1.
"""

from __future__ import annotations

from collections.abc import Sequence

from trisec.evaluate.spans import Counts, Span, align, match
from trisec.evaluate.views import Attribution


def _content(items: Sequence[Attribution]) -> list[Span]:
    return [Span(q.content.start, q.content.end, "content") for q in items]


def _key(s: Span | None) -> tuple[int, int] | None:
    return None if s is None else (s.start, s.end)


def attribution_counts(gold: Sequence[Attribution], pred: Sequence[Attribution],
                       prefix: str = "attribution") -> dict[str, Counts]:
    g_content, p_content = _content(gold), _content(pred)
    pairs = align(g_content, p_content, "type")
    same_source = sum(1 for p in pairs if p.outcome == "correct" and p.gold is not None
                      and p.pred is not None
                      and _key(gold[p.gold].source) == _key(pred[p.pred].source))
    return {
        f"{prefix}/content_strict": match(g_content, p_content, "strict"),
        f"{prefix}/content_overlap": match(g_content, p_content, "type"),
        f"{prefix}/cue": Counts.from_sets({_key(q.cue) for q in gold if q.cue},
                                          {_key(q.cue) for q in pred if q.cue}),
        f"{prefix}/source": Counts(correct=same_source, missed=len(gold) - same_source,
                                   spurious=len(pred) - same_source),
    }
