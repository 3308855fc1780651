"""Cleaning: decoded raw page -> article body, conservative and auditable.

Every removed piece of text is recorded with its raw character offsets and a reason from
schema/dataset.yaml (`removal_reasons`), so a reviewer can see what was dropped and restore it.
Rules work on whole lines (or a line's prefix/suffix for date lines, datelines and (END)
markers); they never edit words inside a sentence. See shared crawl-format notes in
docs/CLEANING.md for the cases each rule exists for.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from trisec.document import Document, Fact, RawArticle, Removal
from trisec.documents.casefold import fold
from trisec.errors import Problem, TrisecError

# --- vocabulary (also used by validation to check no marker survives) -------------------
# removal reasons of schema/dataset.yaml no rule produces any more, kept in the vocabulary so
# older releases still read: `title` (until 1.0.0 the headline was removed from the text; it
# is now its first paragraph, docs/CLEANING.md rule 4)
RETIRED_REASONS = frozenset({"title"})
SECTION_LABELS = frozenset({
    "WORLD", "WORLD NEWS", "ASIA", "ASIA-PACIFIC", "ASIA PACIFIC", "POLITICS", "DEFENSE",
    "DEFENCE", "NATIONAL", "NATION", "NORTH KOREA", "KOREA", "KOREAS", "BUSINESS", "OPINION",
    "EUROPE", "AMERICAS", "MIDDLE EAST", "AFRICA", "INTERNATIONAL", "DIPLOMACY", "MILITARY",
    "SECURITY", "NEWS", "LATEST", "BREAKING", "TOP STORIES", "ANALYSIS", "EAST ASIA",
})
RELATED_HEADERS = re.compile(
    r"^(other news|news related|related news|related articles?|related stories|"
    r"top content trending|top list in the world|trending now|more stories|"
    r"you may also like|recommended( for you)?|most read|popular now)\s*:?$", re.I)
READ_ALSO = re.compile(r"^(read also|see also|also read)\b", re.I)
READ_MORE = re.compile(r"(^read more\s*»?$|\bread more\s*»\s*$|^read more$)", re.I)
CAPTION = re.compile(
    r"(\((photo|photos|image|picture|video)\b[^)]*\)\s*$|^(photo|photograph|image)\s*:|"
    r"\((photo|image) by [^)]*\)\s*$)", re.I)
COOKIE = re.compile(r"\b(we use cookies|cookie policy|accept (all )?cookies|cookie settings)\b",
                    re.I)
SHARE = re.compile(r"^(share this article|share this|share|tweet|share on (facebook|twitter|x)|"
                   r"email this|print this|copy link|"
                   # share buttons saved one per line: a network name alone on a line
                   r"facebook|twitter|x|whatsapp|telegram|linkedin|reddit|kakaotalk|email|print)"
                   r"\s*:?$", re.I)
PROMO = re.compile(r"(\broku\b|\bapp store\b|\bgoogle play\b|download (our|the) app|"
                   r"subscribe to our newsletter|sign up for our newsletter)", re.I)
# a word every match of PROMO / CAPTION contains (lower case; tests check the claim)
PROMO_WORDS = ("roku", "app", "google play", "newsletter")
CAPTION_WORDS = ("photo", "image", "picture", "video")
ADVERTISEMENT = re.compile(r"^(advertisement|advertising|sponsored( content)?)$", re.I)
MIRROR_INTRO = re.compile(r"can also be accessed at the following (alternate )?addresses", re.I)
DOMAIN = re.compile(r"^(https?://)?(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+/?$", re.I)
TERMINATOR_LINE = re.compile(r"^\((end|END)\)$")
TERMINATOR_SUFFIX = re.compile(r"\s*\((END|end)\)\s*$")
DATE_STAMP = re.compile(r"^(\d{4})/(\d{2})/(\d{2})(\s+\d{1,2}:\d{2}(\s*[A-Z]{2,4})?)?$")
BREADCRUMB = re.compile(r"^[\w.'&-]+( [\w.'&-]+)*(\s+/\s+[\w.'&-]+( [\w.'&-]+)*)+$")
CRAWL_DATE = re.compile(
    r"^[ \t]*date[ \t]+(?P<y>\d{4})(?:-(?P<m>\d{2}))?(?:-(?P<d>\d{2}))?"
    r"(?P<junk>[ \t]+\d{3})?(?=[ \t]|$)[ \t]*")
MONTHS = ("january february march april may june july august september october november "
          "december").split()
_MON = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
INLINE_DATELINE = re.compile(
    rf"^(?P<dl>[A-Z][A-Z .'-]{{1,40}},\s+(?P<mon>{_MON})\s+(?P<day>\d{{1,2}})\s+\([^)]{{1,30}}\))"
    r"\s*(--|—|–|-)?\s*")
AGENCY_TAG = re.compile(r"^(?P<dl>\([A-Z][A-Za-z .&-]{1,30}\))\s+(?=[A-Z])")
# Copyright footers: a copyright sign or word (©, Ⓒ, ⓒ, (c), Copyright, Copr.) or "All rights
# reserved"; what is left once those, years and punctuation are taken out must be a name
# (capitalised words: the outlet), never a sentence.
COPYRIGHT_MARK = re.compile(r"(©|Ⓒ|ⓒ|\(c\)|\bcopyright\b|\bcopr\.)", re.I)
RIGHTS_RESERVED = re.compile(r"\ball rights reserved\b", re.I)
_FOOTER_NOISE = re.compile(r"(©|Ⓒ|ⓒ|\(c\)|\bcopyright\b|\bcopr\.|\ball rights reserved\b|"
                           r"\b(19|20)\d\d\b|[.,:;|()\[\]/–—-])", re.I)
_NAME_JOINERS = frozenset("of the and for de la el & on in at".split())
CAPS_LINE = re.compile(r"^[A-Z][A-Z .,'&-]{1,40}$")
WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
# Invisible format characters (Unicode category Cf, as of Unicode 15): bidirectional
# overrides and isolates can make a published string read differently from its characters,
# zero-width characters split or join words invisibly (`To\u200bkyo` is not the token
# `Tokyo`), soft hyphens and a stray BOM hide inside words. None belongs in English news
# text: they are removed from the published text (counted in `normalizations`) and never
# reach tokens. tests/test_text_that_lies.py checks this set against unicodedata.
_CF = ("\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
       "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
       "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
       "\U000e0020-\U000e007f")
INVISIBLE = re.compile(f"[{_CF}]")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
_SENTENCE_END = re.compile(r"[.!?\"”’)]$")
_ENGLISH = frozenset("the of and to in a is that for on with as by was were it its from at "
                     "said has have be are will an this which".split())


@dataclass
class Line:
    start: int  # raw character offset of the line's first character
    text: str  # without the line break
    keep_from: int = 0  # prefix removed up to here (date line, dateline)
    keep_to: int = -1  # suffix removed from here ((END) marker); -1 = end of line
    reason: str | None = None  # set when the whole line is removed

    def __post_init__(self) -> None:
        if self.keep_to < 0:
            self.keep_to = len(self.text)

    @property
    def kept(self) -> str:
        return "" if self.reason else self.text[self.keep_from:self.keep_to]

    @property
    def stripped(self) -> str:
        """What the rules look at: the kept text without invisible format characters (a
        zero-width space must not hide `ADVERTISEMENT` from its rule). Every rule asks for
        every live line, so the value is kept until the kept part of the line changes."""
        key = (self.reason is None, self.keep_from, self.keep_to, self.text)
        cached = self.__dict__.get("_stripped")
        if cached is not None and cached[0] == key:
            return cached[1]
        value = INVISIBLE.sub("", self.kept).strip()
        self.__dict__["_stripped"] = (key, value)
        return value


@dataclass
class CleanState:
    lines: list[Line]
    removed: list[Removal] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)
    title: Fact = field(default_factory=Fact)
    dateline: Fact = field(default_factory=Fact)
    date_clues: list[dict[str, object]] = field(default_factory=list)
    headline: int | None = None  # raw line index of the published headline

    def drop(self, i: int, reason: str) -> None:
        line = self.lines[i]
        if line.reason is None:
            if line.text.strip():
                self.removed.append(Removal(line.start + line.keep_from, line.start + line.keep_to,
                                            reason, line.text[line.keep_from:line.keep_to]))
                self.stats[reason] += 1
            line.reason = reason

    def drop_prefix(self, i: int, upto: int, reason: str) -> None:
        line = self.lines[i]
        self.removed.append(Removal(line.start + line.keep_from, line.start + upto, reason,
                                    line.text[line.keep_from:upto]))
        self.stats[reason] += 1
        line.keep_from = upto

    def drop_suffix(self, i: int, frm: int, reason: str) -> None:
        line = self.lines[i]
        self.removed.append(Removal(line.start + frm, line.start + line.keep_to, reason,
                                    line.text[frm:line.keep_to]))
        self.stats[reason] += 1
        line.keep_to = frm

    def live(self) -> list[int]:
        return [i for i, ln in enumerate(self.lines) if ln.reason is None and ln.stripped]

    def drop_rest(self, after: int, reason: str) -> None:
        for j in range(after + 1, len(self.lines)):
            self.drop(j, reason)


def split_lines(text: str) -> list[Line]:
    """Lines with raw offsets; CRLF, CR and LF all end a line."""
    lines, pos = [], 0
    for m in re.finditer(r"\r\n|\r|\n", text):
        lines.append(Line(pos, text[pos:m.start()]))
        pos = m.end()
    lines.append(Line(pos, text[pos:]))
    return lines


def _is_body_paragraph(s: str) -> bool:
    """A real paragraph: long enough and ending like a sentence (titles do not)."""
    return len(s.split()) >= 12 and bool(_SENTENCE_END.search(s))


def _is_caps_label(s: str) -> bool:
    return bool(CAPS_LINE.match(s)) and len(s.split()) <= 4


def _same_title(line: str, title: str) -> bool:
    """An exact (case-insensitive) or truncated copy of the title."""
    a, b = line.casefold().rstrip(" .…"), title.casefold().rstrip(" .…")
    return a == b or (len(a) >= 20 and (b.startswith(a) or a.startswith(b)))


# --- rules: each is (state) -> None, in order ---------------------------------------------

def rule_crawl_date_line(st: CleanState) -> None:
    """` date YYYY[-MM[-DD]] [junk]` opens some files: the crawler's, not the outlet's."""
    first = next((i for i, ln in enumerate(st.lines) if ln.text.strip()), None)
    if first is None:
        return
    m = CRAWL_DATE.match(st.lines[first].text)
    if not m:
        return
    y, mo, d = m["y"], m["m"], m["d"]
    value = "-".join(p for p in (y, mo, d) if p)
    precision = "day" if d else "month" if mo else "year"
    junk = f", stray token {m['junk'].strip()!r} dropped" if m["junk"] else ""
    st.date_clues.append({"value": value, "precision": precision, "provenance": "crawl_line",
                          "evidence": f"crawl date line {m.group(0).strip()!r}{junk}"})
    st.drop_prefix(first, m.end(), "crawl_date_line")
    if not st.lines[first].stripped:
        st.lines[first].reason = "crawl_date_line"


def _take_stamp(st: CleanState, i: int, m: re.Match[str], where: str) -> None:
    st.date_clues.append({"value": f"{m[1]}-{m[2]}-{m[3]}", "precision": "day",
                          "provenance": "body",
                          "evidence": f"outlet date stamp {m.group(0)!r} {where}"})
    st.drop(i, "date_stamp")


def _stamp_after(st: CleanState, i: int) -> None:
    """A date stamp on the line right after `(END)` is the article's (Yonhap pages), not part
    of the headlines that follow: keep it as a date clue before they are dropped."""
    nxt = next((j for j in st.live() if j > i), None)
    if nxt is not None and (m := DATE_STAMP.match(st.lines[nxt].stripped)):
        _take_stamp(st, nxt, m, "right after the (END) terminator")


def rule_related_news(st: CleanState) -> None:
    """Related-news lists, terminators and what follows them are not the article; nor are
    single link lines (`Read also: ...`) inside it."""
    for i in st.live():
        s = st.lines[i].stripped
        if RELATED_HEADERS.match(s):
            st.drop(i, "related_news")
            st.drop_rest(i, "related_news")
            break
        if TERMINATOR_LINE.match(s):
            st.drop(i, "terminator")
            _stamp_after(st, i)
            st.drop_rest(i, "related_news")
            break
        kept = st.lines[i].kept
        m = TERMINATOR_SUFFIX.search(kept) if "(END)" in kept or "(end)" in kept else None
        if m and st.lines[i].stripped != m.group(0).strip():
            st.drop_suffix(i, st.lines[i].keep_from + m.start(), "terminator")
            _stamp_after(st, i)
            st.drop_rest(i, "related_news")
            break
    live = st.live()  # link lines above the block (previously skipped when a block was found)
    for k, i in enumerate(live):
        s = st.lines[i].stripped
        if READ_ALSO.match(s) or ("read more" in fold(s) and READ_MORE.search(s)):
            st.drop(i, "related_news")
        elif s in {"-", "–", "•"}:
            st.drop(i, "related_news")
            if k + 1 < len(live):  # the headline the bullet introduces
                st.drop(live[k + 1], "related_news")


def rule_page_furniture(st: CleanState) -> None:
    """Whole-line page furniture anywhere: ads, cookies, share buttons, promos, mirrors."""
    live = st.live()
    for k, i in enumerate(live):
        if st.lines[i].reason:
            continue
        s = st.lines[i].stripped.lstrip("•·*-–— ").strip()
        low = fold(s)  # the searches below only run where their words occur (case-folded)
        if ADVERTISEMENT.match(s):
            st.drop(i, "advertisement")
        elif "cookie" in low and COOKIE.search(s):
            st.drop(i, "cookie_notice")
        elif SHARE.match(s):
            st.drop(i, "share")
        elif "accessed at the following" in low and MIRROR_INTRO.search(s):
            st.drop(i, "mirror_address")
            for j in live[k + 1:]:
                if not DOMAIN.match(st.lines[j].stripped):
                    break
                st.drop(j, "mirror_address")
        elif any(w in low for w in PROMO_WORDS) and PROMO.search(s) and len(s.split()) <= 12:
            st.drop(i, "promo")
        elif any(w in low for w in CAPTION_WORDS) and CAPTION.search(s):
            st.drop(i, "caption")
        elif m := DATE_STAMP.match(s):
            _take_stamp(st, i, m, "on a line of its own")


def is_copyright_footer(s: str) -> bool:
    """`© 2024 Yonhap News Agency. All rights reserved.`, `Copyright (C) The Korea Herald`,
    `All Rights Reserved`: a copyright mark or "all rights reserved", and besides marks,
    years and punctuation only a name of at most 8 words (`Copyright infringement cases
    rose in 2023` is a sentence, not a footer)."""
    if not (COPYRIGHT_MARK.search(s) or RIGHTS_RESERVED.search(s)) or len(s.split()) > 25:
        return False
    rest = _FOOTER_NOISE.sub(" ", s).split()
    return len(rest) <= 8 and all(w[0].isupper() or w[0].isdigit() or w.lower() in _NAME_JOINERS
                                  for w in rest)


def rule_copyright_footer(st: CleanState) -> None:
    """Copyright / rights-reserved lines at the very end of what is left of the page (after
    related-news blocks, share buttons and the like are gone); never a line inside the body:
    the first line from the end that is not a footer stops the rule."""
    live = st.live()
    for i in reversed(live[1:]):  # the first live line is never a footer of the page
        if not is_copyright_footer(st.lines[i].stripped):
            break
        st.drop(i, "copyright_footer")


def _truncated(s: str) -> bool:
    """A headline copy the page cut short (`... transfer of…`)."""
    return s.rstrip().endswith(("…", "..."))


def _headline_rank(s: str) -> tuple[bool, bool, int]:
    """Lower is better: a complete copy before a truncated one, a cased copy before a
    lower-cased one, the longer before the shorter."""
    return (_truncated(s), s == s.lower() and s != s.upper(), -len(s))


def rule_leading_zone(st: CleanState, known_title: str | None = None) -> None:
    """Before the first body paragraph: breadcrumbs, section labels, the headline, its copies,
    and a stand-alone dateline. `known_title` (curated metadata) helps find truncated copies.

    The headline is article text: it stays in the text as its first paragraph, and only its
    other copies are removed (`title_duplicate`). It is looked for only until the first line
    that is kept as text, so nothing the page shows above it can precede it in `text`."""
    live = st.live()
    body_at = next((i for i in live if _is_body_paragraph(st.lines[i].stripped)), None)
    zone = [i for i in live if body_at is None or i < body_at]
    title: str | None = None
    copies: list[int] = []  # raw line indexes of the headline and its copies, page order
    text_seen = False  # a line before any headline candidate stays text: no headline then
    for i in zone:
        s = st.lines[i].stripped
        if title is None and "/" in s and BREADCRUMB.match(s) and len(s.split()) <= 8:
            st.drop(i, "breadcrumb")
        elif _is_caps_label(s) and (title is None or s.rstrip(".") in SECTION_LABELS):
            st.drop(i, "section_label")
        elif title is not None and _same_title(s, title):
            copies.append(i)
        elif title is None and not text_seen and (
                (known_title and _same_title(s, known_title))
                or (not _SENTENCE_END.search(s) and len(s.split()) <= 25)):
            title = s
            copies.append(i)
        elif title is None:
            text_seen = True
    for i in zone:  # stand-alone dateline: an all-caps place line after the title
        s = st.lines[i].stripped
        if st.lines[i].reason is None and i not in copies and _is_caps_label(s):
            st.dateline = Fact(s, "body", "high", f"stand-alone dateline on raw line {i + 1}")
            st.drop(i, "dateline")
    if not copies:
        return
    # The published copy: the best one that only removed lines separate from the first copy
    # (so it still opens the text); the others are duplicates.
    reachable = [copies[0]]
    for i in copies[1:]:
        if any(st.lines[j].reason is None and st.lines[j].stripped and j not in copies
               for j in range(reachable[-1] + 1, i)):
            break
        reachable.append(i)
    keep = min(reachable, key=lambda i: (_headline_rank(st.lines[i].stripped), i))
    for i in copies:
        if i != keep:
            st.drop(i, "title_duplicate")
    st.headline = keep
    s = st.lines[keep].stripped
    where = f"headline on raw line {keep + 1}, published as the first paragraph of text"
    st.title = Fact(s, "body", "high", where)


def rule_inline_dateline(st: CleanState) -> None:
    """`SEOUL, April 6 (Yonhap) --` or `(MENAFN)` opening the first body paragraph (the one
    after the headline): metadata."""
    live = [i for i in st.live() if i != st.headline]
    if not live:
        return
    i = live[0]
    line = st.lines[i]
    lead = len(line.kept) - len(line.kept.lstrip())
    s = line.kept[lead:]
    m = INLINE_DATELINE.match(s) or AGENCY_TAG.match(s)
    if not m:
        return
    dl = " ".join(m["dl"].split())  # NBSP or doubled spaces in a saved page
    if st.dateline.value is None:
        st.dateline = Fact(dl, "body", "high", f"dateline opening raw line {i + 1}")
    if "mon" in m.groupdict() and m["mon"]:
        month = next(k for k, name in enumerate(MONTHS, 1) if name.startswith(m["mon"][:3].lower()))
        st.date_clues.append({"month": month, "day": int(m["day"]), "provenance": "body",
                              "evidence": f"dateline {dl!r}"})
    st.drop_prefix(i, line.keep_from + lead + m.end(), "dateline")


# --- text assembly with an offset map ---------------------------------------------------

def assemble_text(lines: list[Line]) -> tuple[str, list[tuple[int, int, int]], Counter[str]]:
    """Kept lines become paragraphs joined by a blank line; whitespace runs fold to one space
    and text is NFC-normalised. Returns text, offset runs and normalisation counters."""
    parts: list[str] = []
    runs: list[tuple[int, int, int]] = []
    norm: Counter[str] = Counter()
    pos = 0
    for line in lines:
        kept = line.kept
        if not kept.strip():
            continue
        hidden = INVISIBLE.findall(kept)
        if hidden:
            _count_invisible(hidden, norm)
            if not INVISIBLE.sub("", kept).strip():
                continue  # a line of invisible characters only: nothing to publish
        if parts:
            parts.append("\n\n")
            pos += 2
        base = line.start + line.keep_from
        body = kept.strip()
        if not hidden and " ".join(body.split()) == body and \
                unicodedata.is_normalized("NFC", body):
            # fast path, same result as the word loop below: single spaces and NFC text
            # make the whole line one run (most lines of a crawl)
            runs.append((pos, base + len(kept) - len(kept.lstrip()), len(body)))
            parts.append(body)
            pos += len(body)
            continue
        first, skipped = True, False
        for m in re.finditer(r"\S+", kept):
            # the word without its invisible characters, NFC-composed as a whole (a mark
            # after a zero-width space still composes), in pieces that map to their own raw
            # offsets
            pieces = word_pieces(m.group(0))
            if not pieces:  # a "word" of invisible characters: no word, one gap
                skipped = True
                continue
            if not first:
                gap = kept[m.start() - 1]
                if skipped or m.start() - 1 > 0 and kept[m.start() - 2].isspace() or gap != " ":
                    norm["whitespace_folded"] += 1
                parts.append(" ")
                pos += 1
            first, skipped = False, False
            visible = INVISIBLE.sub("", m.group(0))
            if not unicodedata.is_normalized("NFC", visible):
                norm["nfc"] += 1
            for k, (piece, off, exact) in enumerate(pieces):
                raw_start = base + m.start() + off
                if k == 0 and exact and runs and runs[-1][0] + runs[-1][2] == pos - 1 and \
                        runs[-1][1] + runs[-1][2] == raw_start - 1 and \
                        kept[raw_start - base - 1] == " ":
                    s0, r0, n0 = runs[-1]  # extend over the single original space
                    runs[-1] = (s0, r0, n0 + 1 + len(piece))
                else:
                    runs.append((pos, raw_start, len(piece)))
                parts.append(piece)
                pos += len(piece)
    return "".join(parts), runs, norm


def _count_invisible(chars: list[str], norm: Counter[str]) -> None:
    """Bidi controls and the other invisible format characters (zero-width characters,
    word joiner, soft hyphen, a BOM inside the text), counted apart."""
    bidi = sum(ch in BIDI_CONTROLS for ch in chars)
    if bidi:
        norm["bidi_control"] += bidi
    if len(chars) - bidi:
        norm["zero_width"] += len(chars) - bidi


def word_pieces(word: str) -> list[tuple[str, int, bool]]:
    """A word as published, in (text, raw offset in the word, exact) pieces: invisible format
    characters left out, the rest NFC-composed as a whole. An exact piece is the raw text at
    that offset; a cluster NFC changes (`e` + U+0301 -> `é`, conjoining jamo -> a syllable,
    or one with an invisible character inside) is a piece of its own at the raw offset of its
    first character, so every later character stays exact."""
    if not INVISIBLE.search(word) and unicodedata.is_normalized("NFC", word):
        return [(word, 0, True)]  # most words
    vis = [(i, ch) for i, ch in enumerate(word) if not INVISIBLE.match(ch)]
    text = "".join(ch for _, ch in vis)
    if not text:
        return []
    starts = _cluster_starts(text)
    pieces: list[tuple[str, int, bool]] = []
    for a, b in zip(starts, [*starts[1:], len(text)], strict=True):
        raw, off = text[a:b], vis[a][0]
        nfc = unicodedata.normalize("NFC", raw)
        exact = nfc == raw and vis[b - 1][0] - off == b - a - 1  # same text, no gap
        if exact and pieces and pieces[-1][2] and pieces[-1][1] + len(pieces[-1][0]) == off:
            pieces[-1] = (pieces[-1][0] + nfc, pieces[-1][1], True)
        else:
            pieces.append((nfc, off, exact))
    if "".join(p for p, _, _ in pieces) != unicodedata.normalize("NFC", text):
        # never seen (clusters are cut only where NFC cannot reach across); kept as a guard
        return [(unicodedata.normalize("NFC", text), vis[0][0], False)]
    return pieces


def _cluster_starts(word: str) -> list[int]:
    """Where the word's NFC clusters start: at a character that composes with nothing before
    it. Not only combining marks continue a cluster: conjoining Hangul jamo (U+1100 + U+1161
    + U+11A8 -> U+AC01) and a few vowel signs (Tamil U+0BC6 + U+0BBE) have combining class 0
    but compose with the character before them, so a character starts a cluster only if the
    cluster so far is unchanged by it."""
    starts = [0]
    for i in range(1, len(word)):
        ch = word[i]
        if unicodedata.combining(ch):
            continue
        cluster = word[starts[-1]:i]
        if unicodedata.normalize("NFC", cluster + ch) == \
                unicodedata.normalize("NFC", cluster) + ch:
            starts.append(i)
    return starts


def body_hash(text: str) -> str:
    """Hash of the body for duplicate detection: case and whitespace do not count."""
    return hashlib.sha256(" ".join(text.casefold().split()).encode()).hexdigest()


def guess_language(text: str) -> str:
    words = re.findall(r"[a-z]+", text.lower())
    if not words:
        return "und"
    share = sum(w in _ENGLISH for w in words) / len(words)
    return "en" if share >= 0.15 else "und"


def clean(raw: RawArticle, decoded: str, known_title: str | None = None) -> Document:
    """Pure: decoded raw text -> Document (text, removals, offset map, raw-derived facts)."""
    st = CleanState(split_lines(decoded))
    had_crlf = "\r" in decoded
    rule_crawl_date_line(st)
    rule_related_news(st)
    rule_page_furniture(st)
    rule_copyright_footer(st)
    rule_leading_zone(st, known_title)
    rule_inline_dateline(st)
    text, runs, norm = assemble_text(st.lines)
    if had_crlf:
        norm["crlf"] += decoded.count("\r")
    if not text.strip():
        raise TrisecError(Problem(raw.source_file, "no article body left after cleaning "
                                  f"(removed: {dict(st.stats) or 'nothing'})",
                                  "check the file is an article page; if a rule removed the body, "
                                  "fix that rule in src/trisec/documents/clean.py"))
    # the body without the headline: a copy of the page saved without its headline (or with
    # another one) is still the same article
    body = text.split("\n\n", 1)[1] if st.headline is not None and "\n\n" in text else text
    for m in WEEKDAY.finditer(text):
        st.date_clues.append({"weekday": m.group(1), "provenance": "body",
                              "evidence": f"body mentions {m.group(1)!r} at offset {m.start()}"})
    st.removed.sort(key=lambda r: (r.raw_start, r.raw_end))
    return Document(
        doc_id=raw.doc_id, source_file=raw.source_file, sha256=raw.sha256, text=text,
        title=st.title, dateline=st.dateline, language=guess_language(text),
        removed=st.removed, offset_map=runs, normalizations=dict(norm),
        body_sha256=body_hash(body), date_clues=st.date_clues,
    )


def leftover_boilerplate(text: str) -> list[str]:
    """Markers of page furniture still present in a cleaned text, each as
    "<reason>: '<line>' (paragraph N)"; empty when clean. The validation gate uses it with the
    same vocabulary the rules remove, so a marker put back into a release is caught."""
    found: list[str] = []
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    for n, s in enumerate(paras, 1):
        t = s.lstrip("•·*-–— ").strip()
        checks = (
            ("crawl_date_line", n == 1 and CRAWL_DATE.match(s)),
            # paragraph 1 is the headline when the page has one: the body starts at 2
            ("dateline", n <= 2 and (INLINE_DATELINE.match(s) or AGENCY_TAG.match(s))),
            ("advertisement", ADVERTISEMENT.match(t)),
            ("cookie_notice", COOKIE.search(t)),
            ("share", SHARE.match(t)),
            ("mirror_address", MIRROR_INTRO.search(t) or DOMAIN.match(s)),
            ("promo", PROMO.search(t) and len(t.split()) <= 12),
            ("caption", CAPTION.search(t)),
            ("date_stamp", DATE_STAMP.match(t)),
            ("related_news", RELATED_HEADERS.match(s) or READ_ALSO.match(s)
             or READ_MORE.search(s) or s in {"-", "–", "•"}),
            ("terminator", TERMINATOR_LINE.match(s) or TERMINATOR_SUFFIX.search(s)),
            ("section_label", _is_caps_label(s) and s.rstrip(".") in SECTION_LABELS),
            ("invisible_character", INVISIBLE.search(s)),
            ("copyright_footer", n == len(paras) and n > 1 and is_copyright_footer(s)),
        )
        found += [f"{reason}: {s[:80]!r} (paragraph {n})" for reason, hit in checks if hit]
    return found
