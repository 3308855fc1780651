"""Relocate annotation spans after the published text changed (W3C Web Annotation model:
a TextPositionSelector `start/end` as a hint plus a TextQuoteSelector `text` with optional
`prefix`/`suffix` context). Pure; reports every move and never guesses silently: a quote
found nowhere, or at two equally good places, is left as is and reported."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

CONTEXT = 24  # characters of prefix/suffix compared when choosing between occurrences


@dataclass(frozen=True)
class Move:
    span_id: str
    old_start: int | None
    new_start: int | None
    status: str  # "kept" | "moved" | "not_found" | "ambiguous"
    quote: str

    def __str__(self) -> str:
        return f"{self.span_id}: {self.status} {self.quote!r} {self.old_start} -> {self.new_start}"


def _occurrences(text: str, quote: str) -> list[int]:
    out, i = [], text.find(quote)
    while i >= 0 and quote:
        out.append(i)
        i = text.find(quote, i + 1)
    return out


def _context_score(text: str, pos: int, quote: str, span: dict[str, Any]) -> int:
    """How many characters of the stored prefix/suffix agree around `pos`."""
    score = 0
    prefix, suffix = span.get("prefix") or "", span.get("suffix") or ""
    before = text[max(0, pos - len(prefix)):pos]
    after = text[pos + len(quote):pos + len(quote) + len(suffix)]
    for a, b in zip(reversed(before), reversed(prefix), strict=False):
        if a != b:
            break
        score += 1
    for a, b in zip(after, suffix, strict=False):
        if a != b:
            break
        score += 1
    return score


def locate(text: str, span: dict[str, Any]) -> tuple[int | None, str]:
    """Where the span's quote is in `text`: (start, status)."""
    quote = span.get("text") or ""
    hint = span.get("start")
    context = len(span.get("prefix") or "") + len(span.get("suffix") or "")
    if isinstance(hint, int) and text[hint:hint + len(quote)] == quote and quote and \
            _context_score(text, hint, quote, span) == context:
        return hint, "kept"  # same words at the old place, and the same context if known
    places = _occurrences(text, quote)
    if not places:
        return None, "not_found"
    if len(places) == 1:
        return places[0], "moved"
    # rank by context agreement first, then closeness to the old position
    ref = hint if isinstance(hint, int) else 0
    ranked = sorted(places, key=lambda p: (-_context_score(text, p, quote, span), abs(p - ref)))
    best, second = ranked[0], ranked[1]
    key = (_context_score(text, best, quote, span), abs(best - ref))
    if key == (_context_score(text, second, quote, span), abs(second - ref)):
        return None, "ambiguous"
    return best, "moved"


def _spans(ann: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = [(m["id"], m) for m in ann.get("mentions", [])]
    for e in ann.get("events", []):
        out.append((f"{e['id']}/trigger", e["trigger"]))
    for a in ann.get("attributions", []):
        out.append((f"{a['id']}/content", a["content"]))
        if a.get("cue"):
            out.append((f"{a['id']}/cue", a["cue"]))
    return out


def reanchor(ann: dict[str, Any], text: str, text_sha256: str) -> tuple[dict[str, Any],
                                                                          list[Move]]:
    """A copy of `ann` with spans moved onto `text`, and the report of every span."""
    new = copy.deepcopy(ann)
    moves: list[Move] = []
    for sid, span in _spans(new):
        old = span.get("start")
        start, status = locate(text, span)
        moves.append(Move(sid, old, start, status, span.get("text") or ""))
        if start is not None:
            span["start"], span["end"] = start, start + len(span["text"])
    if all(m.status in ("kept", "moved") for m in moves):
        new["text_sha256"] = text_sha256
    return new, moves


def with_context(ann: dict[str, Any], text: str) -> dict[str, Any]:
    """Store prefix/suffix quote context on every span so later reanchoring can choose."""
    new = copy.deepcopy(ann)
    for _, span in _spans(new):
        s, e = span["start"], span["end"]
        span["prefix"] = text[max(0, s - CONTEXT):s]
        span["suffix"] = text[e:e + CONTEXT]
    return new


def reanchor_from(ann: dict[str, Any], old_text: str, text: str,
                  text_sha256: str) -> tuple[dict[str, Any], list[Move]]:
    """Reanchor with the quote context taken from `old_text`, the text the offsets were
    written against (from the previous release): files store no prefix/suffix, and a short
    quote ("US") occurs many times, so the old position alone cannot tell a moved span from
    another occurrence near its old place. The context is used, then dropped again (the file
    format keeps only start/end/text)."""
    moved, moves = reanchor(with_context(ann, old_text), text, text_sha256)
    for _, span in _spans(moved):
        span.pop("prefix", None)
        span.pop("suffix", None)
    return moved, moves
