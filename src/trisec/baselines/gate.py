"""Regular-expression rules searched only where they can start.

Python's `re` tries a pattern at every position of the text unless the pattern opens with
a literal or a character class; a rule opening with `\\b` or a lookbehind is tried at every
character. `gated` computes, from the parsed pattern, the characters a match can start with,
and builds `[those](?<=(?=(rule))[\\s\\S])`: `re` then skips straight to those characters
(its character-class prefix search) and the rule is tried there only, its match captured by
group 1. `spans` keeps the matches `re.finditer` of the rule would give (left to right, each
starting at or after the previous one's end). A rule whose first characters cannot be
bounded (it may match empty, or start with `.` or a negated class) is searched as it is.
"""

from __future__ import annotations

import re
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

_CATEGORIES = {c.CATEGORY_DIGIT: r"\d", c.CATEGORY_WORD: r"\w", c.CATEGORY_SPACE: r"\s"}
_ZERO_WIDTH = {c.AT, c.ASSERT, c.ASSERT_NOT}
_REPEATS = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}


class _Unbounded(Exception):
    """The first character of a match cannot be narrowed down."""


def _char(code: int) -> str:
    return re.escape(chr(code))


def _first(seq: Any) -> tuple[set[str], bool]:
    """(class items a match of `seq` can start with, whether `seq` can match empty)."""
    items: set[str] = set()
    for op, av in seq:
        if op in _ZERO_WIDTH:
            continue
        if op is c.LITERAL:
            return items | {_char(av)}, False
        if op is c.IN:
            for iop, iav in av:
                if iop is c.LITERAL:
                    items.add(_char(iav))
                elif iop is c.RANGE:
                    items.add(f"{_char(iav[0])}-{_char(iav[1])}")
                elif iop is c.CATEGORY and iav in _CATEGORIES:
                    items.add(_CATEGORIES[iav])
                else:  # negated sets and other categories: give up
                    raise _Unbounded
            return items, False
        if op is c.BRANCH:
            nullable = False
            for alt in av[1]:
                f, n = _first(alt)
                items |= f
                nullable = nullable or n
        elif op is c.SUBPATTERN:
            _, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise _Unbounded
            f, nullable = _first(sub)
            items |= f
        elif op is getattr(c, "ATOMIC_GROUP", None):
            f, nullable = _first(av)
            items |= f
        elif op in _REPEATS:
            low, _, sub = av
            f, n = _first(sub)
            items |= f
            nullable = low == 0 or n
        else:  # ANY, NOT_LITERAL, group references, ...
            raise _Unbounded
        if not nullable:
            return items, False
    return items, True


def gated(rule: re.Pattern[str]) -> re.Pattern[str] | None:
    """The rule searched only at its possible first characters; None when not possible."""
    if rule.flags & ~re.UNICODE:
        return None
    try:
        items, nullable = _first(_parser.parse(rule.pattern))
    except _Unbounded:
        return None
    if nullable or not items:
        return None
    return re.compile(f"[{''.join(sorted(items))}](?<=(?=({rule.pattern}))[\\s\\S])")


def spans(rule: re.Pattern[str], gate: re.Pattern[str] | None,
          text: str) -> list[tuple[int, int]]:
    """What `[m.span() for m in rule.finditer(text)]` gives."""
    if gate is None:
        return [m.span() for m in rule.finditer(text)]
    out: list[tuple[int, int]] = []
    last = 0
    for m in gate.finditer(text):
        s, e = m.span(1)
        if s >= last:
            out.append((s, e))
            last = e
    return out


# -- literal openings: where a rule can start, found with the gazetteers' automaton ----------
MAX_OPENINGS = 256


def _openings(seq: Any, i: int = 0) -> tuple[set[str], bool]:
    """(strings one of which every match of `seq[i:]` starts with, whether they are the whole
    matches, so that what follows may be appended). Zero-width items are skipped: the
    strings are a necessary condition, the rule itself is still matched at each."""
    outs: set[str] = {""}
    items = list(seq)
    while i < len(items):
        op, av = items[i]
        i += 1
        if op in _ZERO_WIDTH:
            continue
        if op is c.LITERAL:
            nxt, whole = {chr(av)}, True
        elif op is c.IN:
            chars: set[str] = set()
            for iop, iav in av:
                if iop is c.LITERAL:
                    chars.add(chr(iav))
                elif iop is c.RANGE and iav[1] - iav[0] < 32:
                    chars.update(chr(x) for x in range(iav[0], iav[1] + 1))
                else:
                    return outs, False
            nxt, whole = chars, True
        elif op is c.SUBPATTERN and not (av[1] or av[2]):
            nxt, whole = _openings(av[3])
        elif op is c.BRANCH:
            nxt, whole = set(), True
            for alt in av[1]:
                strings, complete = _openings(alt)
                nxt |= strings
                whole = whole and complete
        elif op in _REPEATS and av[0] == 0 and av[1] == 1:  # optional
            strings, complete = _openings(av[2])
            if complete:
                nxt, whole = strings | {""}, True
            else:  # taken: its openings end the strings; skipped: the rest goes on
                rest, _ = _openings(items, i)
                nxt, whole = strings | rest, False
        elif op in _REPEATS and av[0] >= 1:
            strings, complete = _openings(av[2])
            nxt, whole = strings, complete and av[0] == av[1] == 1
        else:
            return outs, False
        crossed = {h + t for h in outs for t in nxt}
        if len(crossed) > MAX_OPENINGS:
            return outs, False
        outs = crossed
        if not whole:
            return outs, False
    return outs, True


def openings(rule: re.Pattern[str], shortest: int = 2) -> tuple[str, ...] | None:
    """Literal strings one of which every match of the rule starts with, each at least
    `shortest` characters long; None when the rule has none (it is then searched with its
    gate). The rule matched at every occurrence of these strings, left to right, finds what
    `finditer` finds (`spans_at`)."""
    if rule.flags & ~re.UNICODE:
        return None
    strings, _ = _openings(_parser.parse(rule.pattern))
    if not strings or min(map(len, strings)) < shortest:
        return None
    return tuple(sorted(strings))


def spans_at(rule: re.Pattern[str], starts: list[int], text: str) -> list[tuple[int, int]]:
    """What `[m.span() for m in rule.finditer(text)]` gives, when every match starts at one
    of `starts` (ascending): the rule is tried there only."""
    out: list[tuple[int, int]] = []
    last = 0
    match = rule.match
    for s in starts:
        if s >= last and (m := match(text, s)):
            out.append(m.span())
            last = m.end()
    return out
