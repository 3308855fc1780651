"""Tokens and sentences with document offsets: spaCy's blank English tokenizer + sentencizer.

Paragraphs are processed separately so a paragraph break always ends a sentence; spaCy's
infix rule splits run-together sentences ("cooperation.Defense") into separate tokens, so
the sentencizer still sees the period.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
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


def split_sentences(text: str) -> list[Sentence]:
    """Pure over the text: sentences tile every non-space character, in order."""
    out: list[Sentence] = []
    paras = list(paragraphs(text))
    for (offset, _), doc in zip(paras, nlp().pipe(p for _, p in paras), strict=True):
        for sent in doc.sents:
            toks = [t for t in sent if not t.is_space]
            if not toks:
                continue
            starts = tuple(offset + t.idx for t in toks)
            ends = tuple(offset + t.idx + len(t.text) for t in toks)
            out.append(Sentence(len(out), starts[0], ends[-1], starts, ends))
    return out


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
