"""Entity spans -> BIO tags over tokens (the rule the `sentences` config documents).

A token belongs to a mention when their character ranges overlap; the first such token is
B-, the rest I-. The entity layer is flat, so a token overlaps at most one mention unless a
mention boundary falls inside a token (counted as `misaligned`, first mention wins).
"""

from __future__ import annotations

from collections.abc import Sequence


def bio_tags(token_starts: Sequence[int], token_ends: Sequence[int],
             spans: Sequence[tuple[int, int, str]]) -> tuple[list[str], int]:
    """Pure: tags for the tokens, and how many mentions had a boundary inside a token."""
    tags = ["O"] * len(token_starts)
    misaligned = 0
    for start, end, label in sorted(spans):
        inside = [i for i, (s, e) in enumerate(zip(token_starts, token_ends, strict=True))
                  if s < end and e > start]
        if not inside:
            continue
        if token_starts[inside[0]] != start or token_ends[inside[-1]] != end:
            misaligned += 1
        first = True
        for i in inside:
            if tags[i] != "O":
                continue
            tags[i] = ("B-" if first else "I-") + label
            first = False
    return tags, misaligned


def spans_from_bio(tags: Sequence[str], token_starts: Sequence[int],
                   token_ends: Sequence[int]) -> list[tuple[int, int, str]]:
    """Inverse view, as seqeval.get_entities reads tags (conlleval): BIO tags -> character
    spans; an I- tag that does not continue a span of its type starts one."""
    spans: list[tuple[int, int, str]] = []
    cur: list[int | str] | None = None
    for tag, s, e in zip(tags, token_starts, token_ends, strict=True):
        if tag.startswith("B-") or (tag.startswith("I-") and (cur is None or cur[2] != tag[2:])):
            if cur:
                spans.append((int(cur[0]), int(cur[1]), str(cur[2])))
            cur = [s, e, tag[2:]]
        elif tag.startswith("I-") and cur is not None:
            cur[1] = e
        else:
            if cur:
                spans.append((int(cur[0]), int(cur[1]), str(cur[2])))
            cur = None
    if cur:
        spans.append((int(cur[0]), int(cur[1]), str(cur[2])))
    return spans
