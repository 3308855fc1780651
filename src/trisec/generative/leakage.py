"""Leakage between prompts: does text of a document outside the train split appear in a
prompt other than its own? Pure; the gate's `prompts` suite runs it on every release.

A passage counts as appearing when a run of `n` consecutive words (schema/dataset.yaml
`prompts.leakage_ngram`; words are `\\w+` runs, case folded) of that document occurs in the
prompt, not counting runs that also occur in the prompt's own document (two articles may
share a stock phrase; a document's own text is what its prompt is about).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_WORD = re.compile(r"\w+")


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


class LeakIndex:
    """n-grams of the documents that must not leak (every split but train)."""

    def __init__(self, texts: Mapping[str, str], n: int) -> None:
        self.n = n
        self.owner: dict[tuple[str, ...], set[str]] = {}
        for doc_id, text in texts.items():
            for g in ngrams(text, n):
                self.owner.setdefault(g, set()).add(doc_id)

    def leaks(self, doc_id: str, own_text: str, contents: Iterable[str]) -> list[str]:
        """'<doc_id>: <first leaked words>' for each protected document other than `doc_id`
        whose text appears in `contents` (a prompt's messages)."""
        own = ngrams(own_text, self.n)
        found: dict[str, tuple[str, ...]] = {}
        for content in contents:
            for g in sorted(ngrams(content, self.n) - own):
                for other in self.owner.get(g, ()):
                    if other != doc_id:
                        found.setdefault(other, g)
        return [f"{d}: {' '.join(g)}" for d, g in sorted(found.items())]
