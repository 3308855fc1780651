"""Tokens and sentences with document offsets: spaCy's blank English tokenizer, and spaCy's
sentencizer rule applied to the tokenizer's arrays.

Paragraphs are processed separately so a paragraph break always ends a sentence; spaCy's
infix rule splits run-together sentences ("cooperation.Defense") into separate tokens, so
the sentence rule still sees the period.

The tokenizer's output is read as arrays (`Doc.to_array`: offset, length, is-space,
is-punct, orth), and the sentencizer's rule (`spacy.pipeline.Sentencizer.predict`) is
computed on them with numpy, so no Python object is made per token: this module runs over
every page of a crawl (`trisec silver`). tests/test_sentences.py checks the result equals
spaCy's own sentencizer, span for span, on the corpus, the fixtures and a synthetic crawl.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    token_starts: tuple[int, ...]
    token_ends: tuple[int, ...]


@dataclass(frozen=True)
class Tokens:
    """A text's tokens and sentences as arrays: token k is text[starts[k]:ends[k]] (spaces
    excluded), sentence j holds tokens bounds[j]..bounds[j+1]-1."""

    starts: np.ndarray  # int64, one per token
    ends: np.ndarray
    bounds: np.ndarray  # int64, len(sentences) + 1 token indices

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def sentence_spans(self) -> list[tuple[int, int]]:
        """(start, end) character offsets of every sentence."""
        lo, hi = self.bounds[:-1], self.bounds[1:]
        return list(zip(self.starts[lo].tolist(), self.ends[hi - 1].tolist(), strict=True))

    def sentences(self) -> list[Sentence]:
        starts, ends = self.starts.tolist(), self.ends.tolist()
        b = self.bounds.tolist()
        return [Sentence(j, starts[b[j]], ends[b[j + 1] - 1], tuple(starts[b[j]:b[j + 1]]),
                         tuple(ends[b[j]:b[j + 1]])) for j in range(len(b) - 1)]


@cache
def nlp() -> Any:
    import spacy

    model = spacy.blank("en")
    model.add_pipe("sentencizer")
    return model


@cache
def _sentence_rule() -> tuple[Any, np.ndarray]:
    """The tokenizer and the orth ids of the sentencizer's punctuation characters."""
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, ORTH

    model = nlp()
    punct = model.get_pipe("sentencizer").punct_chars
    orths = np.array(sorted(model.vocab.strings.add(c) for c in punct), dtype=np.uint64)
    return (model.tokenizer, [IDX, LENGTH, IS_SPACE, IS_PUNCT, ORTH]), orths


def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    for m in re.finditer(r"[^\n]+", text):
        yield m.start(), m.group(0)


OPENING_QUOTES = frozenset({'"', "\u201c", "\u2018", "'", "\u00ab"})
_EMPTY, _ONE = np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)
_EMPTY.flags.writeable = _ONE.flags.writeable = False


@lru_cache(maxsize=256)  # pure: the silver stages after `sentences` ask again for free
def tokenize(text: str) -> Tokens:
    """Tokens and sentences of a text, as arrays (read-only: the result is cached). Pure over
    the text: sentences tile every non-space character, in order."""
    (tokenizer, attrs), punct_orths = _sentence_rule()
    paras = list(paragraphs(text))
    if not paras:
        return Tokens(_EMPTY, _EMPTY, _ONE)
    arrays, firsts, n = [], [], 0
    for (offset, _), doc in zip(paras, tokenizer.pipe(p for _, p in paras), strict=True):
        a = doc.to_array(attrs)
        if len(a):
            a[:, 0] += offset
            arrays.append(a)
            firsts.append(n)
            n += len(a)
    if not arrays:
        return Tokens(_EMPTY, _EMPTY, _ONE)
    a = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
    idx = a[:, 0].astype(np.int64)
    end = idx + a[:, 1].astype(np.int64)
    space = a[:, 2].astype(bool)
    # np.isin, as a sorted search (isin's set-up costs more than the lookup on one text)
    orth = a[:, 4]
    at = np.minimum(np.searchsorted(punct_orths, orth), len(punct_orths) - 1)
    in_punct = punct_orths[at] == orth
    # Sentencizer.predict, per paragraph: a token starts a sentence if it is the paragraph's
    # first, or if it is neither punctuation nor a punctuation character and a punctuation
    # character came after the previous such token (in the same paragraph)
    first = np.zeros(n, dtype=bool)
    first[firsts] = True
    para_start = np.repeat(np.array(firsts, dtype=np.int64),
                           np.diff(np.array([*firsts, n], dtype=np.int64)))
    word = ~(a[:, 3].astype(bool) | in_punct)
    word_idx = np.flatnonzero(word)
    prev_word = np.concatenate(([-1], word_idx[:-1]))
    prev_word = np.maximum(prev_word, para_start[word_idx] - 1)
    seen = np.concatenate(([0], np.cumsum(in_punct)))  # punctuation characters before k
    starts_sentence = first.copy()
    starts_sentence[word_idx[seen[word_idx] - seen[prev_word + 1] > 0]] = True
    # spaces leave the tokens; a sentence of spaces only leaves the sentences
    keep = ~space
    sent_of = np.cumsum(starts_sentence)[keep]
    idx, end = idx[keep], end[keep]
    new = np.flatnonzero(np.diff(sent_of, prepend=-1) != 0)
    bounds = np.append(new, len(idx))
    _move_opening_quotes(text, idx, end, bounds, para_start[keep])
    for x in (idx, end, bounds):
        x.flags.writeable = False
    return Tokens(idx, end, bounds)


def _move_opening_quotes(text: str, starts: np.ndarray, ends: np.ndarray,
                         bounds: np.ndarray, para: np.ndarray) -> None:
    """spaCy's sentencizer leaves a quote that opens the next sentence on the previous one
    (`meeting. "So I look ...`): a quote token after a space and glued to the next
    sentence's first token moves to that sentence (bounds changed in place)."""
    last = bounds[1:-1] - 1  # last token of each sentence but the final one
    cand = np.flatnonzero((ends[last] - starts[last] == 1) & (ends[last] == starts[last + 1])
                          & (para[last] == para[last + 1]))
    for j in cand.tolist():  # in order: a move shortens the sentence the next test reads
        k = int(bounds[j + 1]) - 1
        s = int(starts[k])
        if bounds[j + 1] - bounds[j] > 1 and text[s] in OPENING_QUOTES \
                and text[s - 1:s].isspace():
            bounds[j + 1] = k


def split_sentences(text: str) -> list[Sentence]:
    """Pure over the text: sentences tile every non-space character, in order."""
    return tokenize(text).sentences()


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
