"""Word lists matched in one pass over a text, and sorted sets of disjoint spans.

A regular expression per word list (or per word) scans the whole text once per pattern; an
Aho-Corasick automaton (pyahocorasick) finds every occurrence of every entry in one scan.
`leftmost_longest` then gives exactly what `re.finditer` over the list's alternation (longest
entry first) would: scanning left to right, the longest match at each start, on from its end.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Iterator

import ahocorasick

from trisec.documents.casefold import _SPECIAL, fold  # noqa: F401 (re-exported)


class Phrases:
    """Every occurrence of every entry, overlapping ones included, in one scan. An entry may
    carry several values (the same word in two lists)."""

    def __init__(self, entries: Iterable[tuple[str, Hashable]], fold: bool = False) -> None:
        values: dict[str, list[Hashable]] = {}
        for word, value in entries:
            if fold and (not word.isascii() or word != word.lower()):
                raise ValueError(f"a case-folded entry must be ASCII lower case: {word!r}")
            if word and value not in values.setdefault(word, []):
                values[word].append(value)
        self.fold = fold
        self.automaton = ahocorasick.Automaton()
        for word, vals in values.items():
            self.automaton.add_word(word, (len(word), tuple(vals)))
        self.empty = not values
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, text: str) -> Iterator[tuple[int, int, tuple[Hashable, ...]]]:
        """(start, end, values) of every occurrence, in order of end."""
        if self.empty:
            return iter(())
        return ((last + 1 - length, last + 1, vals) for last, (length, vals)
                in self.automaton.iter(fold(text) if self.fold else text))


def leftmost_longest(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping spans as a left-to-right regex scan picks them: at each start the
    longest, then the next start at or after its end."""
    out: list[tuple[int, int]] = []
    last = -1
    for s, e in sorted(spans, key=lambda x: (x[0], -x[1])):
        if s >= last:
            out.append((s, e))
            last = e
    return out


class Taken:
    """Disjoint spans kept sorted, so "does [s, e) overlap any?" is a binary search rather
    than a scan of every span taken so far."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in sorted(spans):
            self.starts.append(s)
            self.ends.append(e)

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect_right(self.starts, s)
        return (i > 0 and self.ends[i - 1] > s) or (i < len(self.starts) and self.starts[i] < e)

    def add_if_free(self, s: int, e: int) -> bool:
        """Take [s, e) unless it overlaps a span already taken; say whether it was taken."""
        if self.overlaps(s, e):
            return False
        i = bisect_left(self.starts, s)
        self.starts.insert(i, s)
        self.ends.insert(i, e)
        return True
