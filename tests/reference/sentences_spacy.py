"""Reference: sentences as trisec.documents.sentences made them before it read the tokenizer's
arrays, with spaCy's own sentencizer and one Token object per token.
tests/test_sentences.py checks the fast version gives the same sentences and tokens.

Original description: spaCy's blank English tokenizer + sentencizer.

Paragraphs are processed separately so a paragraph break always ends a sentence; spaCy's
infix rule splits run-together sentences ("cooperation.Defense") into separate tokens, so
the sentencizer still sees the period.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    token_starts: tuple[int, ...]
    token_ends: tuple[int, ...]


@cache
def nlp() -> Any:
    import spacy

    model = spacy.blank("en")
    model.add_pipe("sentencizer")
    return model


def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    for m in re.finditer(r"[^\n]+", text):
        yield m.start(), m.group(0)


OPENING_QUOTES = frozenset({'"', "\u201c", "\u2018", "'", "\u00ab"})


def _move_opening_quotes(sents: list[list[tuple[int, int]]], text: str) -> None:
    """spaCy's sentencizer leaves a quote that opens the next sentence on the previous one
    (`meeting. "So I look ...`): a quote token after a space and glued to the next
    sentence's first token moves to that sentence."""
    for prev, nxt in zip(sents, sents[1:], strict=False):
        if len(prev) > 1 and nxt:
            s, e = prev[-1]
            if text[s:e] in OPENING_QUOTES and e == nxt[0][0] and text[s - 1:s].isspace():
                nxt.insert(0, prev.pop())


def split_sentences(text: str) -> list[Sentence]:
    """Pure over the text: sentences tile every non-space character, in order."""
    return list(_split_sentences(text))


@lru_cache(maxsize=256)  # pure: a later stage asking again for a text (silver) costs nothing
def _split_sentences(text: str) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    paras = list(paragraphs(text))
    for (offset, _), doc in zip(paras, nlp().pipe(p for _, p in paras), strict=True):
        sents = [[(offset + t.idx, offset + t.idx + len(t.text)) for t in sent if not t.is_space]
                 for sent in doc.sents]
        sents = [toks for toks in sents if toks]
        _move_opening_quotes(sents, text)
        for toks in sents:
            starts = tuple(s for s, _ in toks)
            ends = tuple(e for _, e in toks)
            out.append(Sentence(len(out), starts[0], ends[-1], starts, ends))
    return tuple(out)


def sentence_at(sentences: list[Sentence], pos: int) -> int:
    """Index of the sentence containing character `pos` (binary search)."""
    lo, hi = 0, len(sentences) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sentences[mid].start <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo
