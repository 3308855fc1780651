"""The normalised view of a text used when a quote does not occur verbatim. Pure.

Per character: Unicode NFKC, curly and angle quotes to straight ones, every dash and minus
to "-", case folded; runs of whitespace become one space. Each character of the normalised
text remembers the original character it came from, so a match in the normalised text maps
back to exact offsets in the original.
"""

from __future__ import annotations

import unicodedata
from functools import cache

_QUOTES = {**{ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u2039\u203a`\u00b4"},
           **{ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"}}
_DASHES = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"}


@cache
def normalise_char(c: str) -> str:
    return unicodedata.normalize("NFKC", c).translate(_QUOTES).translate(_DASHES).casefold()


def normalised(text: str) -> tuple[str, list[int]]:
    """(normalised text, origin) where origin[k] is the index in `text` of the character
    that produced normalised character k."""
    out: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        for ch in normalise_char(c):
            if ch.isspace():
                if out and out[-1] == " ":
                    continue
                ch = " "
            out.append(ch)
            origin.append(i)
    return "".join(out), origin


def normalise(quote: str) -> str:
    """A quote's normalised form, without surrounding whitespace."""
    return normalised(quote)[0].strip()
