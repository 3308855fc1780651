"""Case folding that keeps offsets: where an ASCII lower-case word occurs in `fold(text)`,
`re.compile(re.escape(word), re.IGNORECASE)` matches the original text, and nowhere else.

Used by the cleaning rules (a case-insensitive search runs only where its words occur) and
by the rule baseline's one-pass matchers (trisec.baselines.phrases).
"""

from __future__ import annotations

# Under re.IGNORECASE these non-ASCII characters match an ASCII letter (sre's case
# equivalences; tests/test_phrases.py derives the table from `re` itself). Mapping them, then
# lower-casing, keeps every offset (str.lower() lengthens only U+0130, mapped first).
_SPECIAL = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_FOLD = str.maketrans(_SPECIAL)


def fold(text: str) -> str:
    """A same-length text on which an ASCII lower-case word occurs exactly where
    `re.compile(re.escape(word), re.IGNORECASE)` matches the original."""
    if not text.isascii() and any(c in text for c in _SPECIAL):
        text = text.translate(_FOLD)
    return text.lower()
