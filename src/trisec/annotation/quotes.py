"""Guidelines quote only what is published: the article quotes in the guidelines' prose and in
the examples of schema/labels.yaml, and the ones that occur in no published `text`.

Conventions (docs/ANNOTATION_GUIDELINES.md, "Examples"):
- in the prose (sections 0-6), every passage in straight double quotes is an article quote;
  in labels.yaml, every `positive`/`negative`/`examples` string is one (the part before `->`,
  without a trailing `(...)` note; `a / b` lists alternatives, each a quote);
- `[...]` and backticks mark spans and are not part of the quote; `...` or `…` elide text
  (the pieces must occur in this order in one article);
- a quote followed by `†` is an invented example and is not checked; a quote holding a
  placeholder (X, Y, P, NP, A, B) is a pattern, not a quote.
Matching ignores the typography of quotes and apostrophes (’ = ', “ ” = ") and the case of the
first letter (a quote may start mid-sentence). Pure functions; the test reads the release.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

INVENTED = "†"
_TYPO = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_PLACEHOLDER = re.compile(r"(?<![\w'’-])(X|Y|P|NP|A|B)(?![\w'’-])")
_ELLIPSIS = re.compile(r"\.\.\.|…")
_NOTE = re.compile(r"\s*\([^()]*\)\s*$")  # "(OTHER)", "(= South Korea)" after an example
GENERATED = "<!-- BEGIN GENERATED"


@dataclass(frozen=True)
class Quote:
    where: str  # "guidelines:LINE" or "labels.yaml:<path>"
    text: str  # as written, markers included


def _pieces(quote: str) -> list[str]:
    plain = quote.replace("[", "").replace("]", "").replace("`", "").translate(_TYPO)
    return [p.strip(" ,;:") for p in _ELLIPSIS.split(plain) if p.strip(" ,;:")]


def _find(text: str, piece: str, pos: int) -> int:
    at = text.find(piece, pos)
    if at < 0 and piece[:1].isalpha():
        at = text.find(piece[0].swapcase() + piece[1:], pos)
    return at


def occurs(quote: str, texts: Iterable[str]) -> bool:
    """The quote's pieces occur, in order, in one of the (published) texts."""
    pieces = _pieces(quote)
    for text in texts:
        pos, ok = 0, True
        for piece in pieces:
            at = _find(text.translate(_TYPO), piece, pos)
            if at < 0:
                ok = False
                break
            pos = at + len(piece)
        if ok:
            return True
    return False


def prose_quotes(guidelines: str) -> Iterator[Quote]:
    """Double-quoted passages of the hand-written part (before the generated label tables),
    invented (†) and pattern quotes left out. Quotes may wrap over lines."""
    body = guidelines.split(GENERATED, 1)[0]
    for m in re.finditer(r'"([^"]+)"(\s*†)?', body):
        if m.group(2) or _PLACEHOLDER.search(m.group(1)):
            continue
        line = body.count("\n", 0, m.start()) + 1
        yield Quote(f"docs/ANNOTATION_GUIDELINES.md:{line}", " ".join(m.group(1).split()))


def _example_quotes(example: str) -> list[str]:
    head = example.split(" -> ")[0]
    if INVENTED in head:
        return []
    head = _NOTE.sub("", head).strip()
    return [] if _PLACEHOLDER.search(head) else [a.strip() for a in head.split(" / ")]


def label_quotes(labels: Mapping[str, Any]) -> Iterator[Quote]:
    """Examples in labels.yaml: `positive`, `negative` and `examples` of every item."""
    for key, items in labels.items():
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, Mapping):
                continue
            for field in ("positive", "negative", "examples"):
                for example in item.get(field) or []:
                    for q in _example_quotes(str(example)):
                        yield Quote(f"schema/labels.yaml:{key}/{item.get('name')}/{field}", q)


def unpublished(quotes: Iterable[Quote], texts: Sequence[str]) -> list[Quote]:
    """The quotes that occur in none of the published texts."""
    return [q for q in quotes if _pieces(q.text) and not occurs(q.text, texts)]
