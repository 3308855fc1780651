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
