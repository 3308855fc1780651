"""A deterministic synthetic crawl: real paragraphs and boilerplate, recombined.

The benchmark and the silver tests need crawls of 1,000 to 100,000 pages that look like the real
input (shared/crawl-format.md) without shipping more text. Every synthetic page is assembled from
pieces of corpus/raw: the cleaned body paragraphs of the real articles, their titles, and the
boilerplate lines cleaning removed from them (captions, related-news lists, share buttons, ...),
wrapped in the crawl's variations: crawl date lines (full, month-only, with a stray token),
breadcrumbs and section labels, repeated titles, datelines, run-together sentences, CRLF line
ends, (END) terminators and date stamps. A set share of pages repeat an earlier page's body with
different boilerplate (exact duplicates after cleaning) or with one paragraph left out (near
duplicates), and a few planted bad files (empty, not UTF-8, binary, boilerplate only) must end up
in a quarantine report, never stop a run.

Page `i` depends only on (seed, i), never on n: the first 1,000 pages of a 10,000-page crawl are
the 1,000-page crawl, so figures at different sizes measure the same kind of text.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from trisec.document import Removal
from trisec.documents.clean import _is_body_paragraph, clean
from trisec.documents.ingest import decode, read_raw
from trisec.errors import Problem, TrisecError

BAD_KINDS = ("empty", "not_utf8", "binary", "boilerplate_only")
# what the pipeline must say about each planted bad file (a phrase of the quarantine reason)
BAD_REASONS = {"empty": "empty file", "not_utf8": "not valid UTF-8", "binary": "binary data",
               "boilerplate_only": "no article body left"}
PLACES = ("SEOUL", "TOKYO", "WASHINGTON", "PYONGYANG", "ANKARA", "BEIJING", "CAMP DAVID")
AGENCIES = ("Yonhap", "Kyodo", "AFP", "KUNA", "Reuters", "AP")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
BREADCRUMBS = ("News / Koreas", "Home / World / Asia", "World / Asia-Pacific", "News / Politics")
SECTIONS = ("WORLD", "ASIA", "NORTH KOREA", "DEFENSE", "POLITICS", "NATIONAL")


@dataclass
class Pools:
    """Pieces harvested from real raw articles."""

    paragraphs: list[str]
    titles: list[str]
    boilerplate: dict[str, list[list[str]]]  # removal reason -> blocks of consecutive lines

    def blocks(self, reason: str) -> list[list[str]]:
        return self.boilerplate.get(reason, [])


@dataclass
class CrawlReport:
    """What was generated, so tests can check the pipeline found all of it."""

    files: list[str] = field(default_factory=list)
    bad: dict[str, str] = field(default_factory=dict)  # file name -> kind (BAD_KINDS)
    exact_duplicates: dict[str, str] = field(default_factory=dict)  # file -> file it copies
    near_duplicates: dict[str, str] = field(default_factory=dict)
    words: int = 0  # whitespace-separated words over all good files (decoded)
    nbytes: int = 0


def _blocks(removed: list[Removal]) -> dict[str, list[list[str]]]:
    """Group removals by reason; consecutive removals of one reason form one block."""
    out: dict[str, list[list[str]]] = defaultdict(list)
    last_reason, last_end = None, -10
    for r in removed:
        text = r.text.strip()
        if not text:
            continue
        if r.reason == last_reason and r.raw_start - last_end <= 4:
            out[r.reason][-1].append(text)
        else:
            out[r.reason].append([text])
        last_reason, last_end = r.reason, r.raw_end
    return out


def harvest(raw_dir: Path) -> Pools:
    """Body paragraphs, titles and boilerplate blocks of every readable raw file in raw_dir."""
    paragraphs: list[str] = []
    titles: list[str] = []
    boilerplate: dict[str, list[list[str]]] = defaultdict(list)
    for path in sorted(raw_dir.glob("*.txt")):
        raw = read_raw(path)
        try:
            doc = clean(raw, decode(raw))
        except TrisecError:
            continue
        # only lines cleaning reads as body paragraphs: a short first line would be taken for
        # a title on a page without one, and two copies of a story would then differ
        paragraphs += [p for p in doc.text.split("\n\n") if _is_body_paragraph(p)]
        if doc.title.value:
            titles.append(doc.title.value)
        for reason, blocks in _blocks(doc.removed).items():
            if reason not in {"crawl_date_line", "title", "title_duplicate", "dateline"}:
                boilerplate[reason] += blocks
    if len(paragraphs) < 4:
        raise TrisecError(Problem(str(raw_dir), f"only {len(paragraphs)} body paragraphs found",
                                  "point the generator at a folder of real raw articles"))
    return Pools(paragraphs, titles, dict(boilerplate))


# --- one page ------------------------------------------------------------------------------

def _run_together(paragraph: str, rng: random.Random) -> str:
    """Drop the space after one sentence-ending period: `cooperation.Defense`."""
    cuts = [i for i in range(1, len(paragraph) - 2)
            if paragraph[i] == "." and paragraph[i + 1] == " " and paragraph[i + 2].isupper()
            and paragraph[i - 1].islower()]
    if not cuts:
        return paragraph
    i = rng.choice(cuts)
    return paragraph[:i + 1] + paragraph[i + 2:]


def _body(pools: Pools, body_seed: str, run_together_rate: float) -> list[str]:
    """The article body of a page: a deterministic function of body_seed."""
    rng = random.Random(body_seed)
    k = rng.randint(4, min(12, len(pools.paragraphs)))
    paras = rng.sample(pools.paragraphs, k)
    return [_run_together(p, rng) if rng.random() < run_together_rate else p for p in paras]


def _title(pools: Pools, body: list[str], rng: random.Random) -> str:
    if pools.titles and rng.random() < 0.5:
        return rng.choice(pools.titles)
    words = body[0].split()[: rng.randint(6, 12)]
    return " ".join(words).rstrip(".,;:\"'”’")


def _date_line(rng: random.Random) -> str:
    y, m, d = rng.randint(2022, 2025), rng.randint(1, 12), rng.randint(1, 28)
    kind = rng.choice(("day", "day", "day", "month", "junk"))
    if kind == "month":
        return f" date {y}-{m:02d}"
    if kind == "junk":
        return f" date {y}-{m:02d}-{d:02d} {rng.choice(('403', '404', '200', '301'))}"
    return f" date {y}-{m:02d}-{d:02d}"


def _pick(pools: Pools, reason: str, rng: random.Random) -> list[str]:
    blocks = pools.blocks(reason)
    return list(rng.choice(blocks)) if blocks else []


def _page(pools: Pools, body: list[str], rng: random.Random) -> list[str]:
    """Wrap a body in the crawl's furniture; returns lines (blank lines included)."""
    head: list[str] = []
    if rng.random() < 0.15:
        head.append("ADVERTISEMENT")
    if rng.random() < 0.2:
        head.append(rng.choice(BREADCRUMBS))
    elif rng.random() < 0.2:
        head.append(rng.choice(SECTIONS))
    if rng.random() < 0.8:
        title = _title(pools, body, rng)
        head.append(title)
        if rng.random() < 0.2:
            head.append(title.lower())
    first = body[0]
    r = rng.random()
    if r < 0.15:
        head.append(rng.choice(PLACES))
    elif r < 0.35:
        first = (f"{rng.choice(PLACES)}, {rng.choice(MONTHS)} {rng.randint(1, 28)} "
                 f"({rng.choice(AGENCIES)}) -- {first}")
    paras = [first, *body[1:]]
    if rng.random() < 0.3 and (cap := _pick(pools, "caption", rng)):
        paras.insert(rng.randint(0, len(paras)), cap[0])
    if rng.random() < 0.15:
        paras.insert(rng.randint(1, len(paras)), f"Read also: {_title(pools, body, rng)}")
    tail: list[str] = []
    r = rng.random()
    if r < 0.2:
        paras[-1] += " (END)"
        tail.append(f"{rng.randint(2022, 2025)}/{rng.randint(1, 12):02d}/"
                    f"{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} "
                    "KST")
        tail += [_title(pools, [rng.choice(pools.paragraphs)], rng) for _ in range(3)]
    elif r < 0.3:
        tail.append(f"{rng.randint(2022, 2025)}/{rng.randint(1, 12):02d}/"
                    f"{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}")
    for reason, p in (("mirror_address", 0.15), ("share", 0.3), ("promo", 0.1),
                      ("cookie_notice", 0.15), ("related_news", 0.35)):
        if rng.random() < p:
            tail += _pick(pools, reason, rng)
    lines = head + paras + tail
    if rng.random() < 0.6:  # crawl date line, alone or running into the first line
        date = _date_line(rng)
        if rng.random() < 0.5 and lines:
            lines[0] = f"{date} {lines[0]}"
        else:
            lines.insert(0, date + " ")
    return lines


def _join(lines: list[str], rng: random.Random, crlf: bool) -> bytes:
    """Blank-line layout varies (1 to 3 line breaks); CRLF for some pages."""
    out: list[str] = []
    for k, line in enumerate(lines):
        if k:
            out.append("\n" * rng.choice((1, 2, 2, 2, 3)))
        out.append(line)
    text = "".join(out) + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8")


def _bad(kind: str, pools: Pools, rng: random.Random) -> bytes:
    if kind == "empty":
        return b""
    if kind == "not_utf8":  # a Windows-1252 save: curly quotes become 0x93/0x94
        text = "\u201cWe will respond,\u201d " + rng.choice(pools.paragraphs)
        return text.encode("cp1252", errors="replace")
    if kind == "binary":  # an image saved under a .txt name
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(64))
    lines = [*_pick(pools, "share", rng), *_pick(pools, "cookie_notice", rng), "ADVERTISEMENT"]
    return ("\n\n".join(lines) + "\n").encode("utf-8")


def _bad_positions(n: int, seed: int, every: int) -> dict[int, str]:
    """Where the planted bad files go: each kind once per block of `every` pages (and at least
    once when n >= len(BAD_KINDS)), at positions that depend only on the seed and the block."""
    out: dict[int, str] = {}
    for block_start in range(0, max(n, 1), every):
        size = min(every, n - block_start)
        if size < len(BAD_KINDS):
            break
        rng = random.Random(f"{seed}:bad:{block_start}")
        for kind, pos in zip(BAD_KINDS, rng.sample(range(size), len(BAD_KINDS)), strict=True):
            out[block_start + pos] = kind
    return out


NEAR_DUP_TAIL = " The ministry later updated its statement with further details."


def _body_key(i: int, seed: int, dup_rate: float, near_dup_rate: float
              ) -> tuple[str, int, str | None, int | None]:
    """Where page i's body comes from: (body seed, near-edits, duplicate kind, copied page).
    A duplicate copies the body of an earlier page as that page has it (chains resolve)."""
    rng = random.Random(f"{seed}:dup:{i}")
    r = rng.random()
    if i == 0 or r >= dup_rate + near_dup_rate:
        return f"{seed}:body:{i}", 0, None, None
    j = rng.randrange(i)
    body_seed, edits, _, _ = _body_key(j, seed, dup_rate, near_dup_rate)
    kind = "exact" if r < dup_rate else "near"
    return body_seed, edits + (kind == "near"), kind, j


def page_bytes(i: int, pools: Pools, seed: int = 0, *, dup_rate: float = 0.05,
               near_dup_rate: float = 0.02, crlf_rate: float = 0.1,
               run_together_rate: float = 0.1) -> tuple[bytes, str | None, int | None]:
    """Page i: (bytes, duplicate kind or None, index of the page whose body it copies)."""
    body_seed, edits, dup_kind, source = _body_key(i, seed, dup_rate, near_dup_rate)
    body = _body(pools, body_seed, run_together_rate)
    if edits:  # the same story, updated: a sentence added at the end (per edit)
        body[-1] += NEAR_DUP_TAIL * edits
    rng = random.Random(f"{seed}:page:{i}")
    lines = _page(pools, body, rng)
    return _join(lines, rng, rng.random() < crlf_rate), dup_kind, source


def file_name(i: int, data: bytes) -> str:
    """`<index>_<sha256[:16]>.txt`, like the real crawl's names."""
    return f"{i:07d}_{hashlib.sha256(data).hexdigest()[:16]}.txt"


def generate(out_dir: Path, n: int, pools: Pools, seed: int = 0, *, bad_every: int = 500,
             dup_rate: float = 0.05, near_dup_rate: float = 0.02, crlf_rate: float = 0.1,
             run_together_rate: float = 0.1) -> CrawlReport:
    """Write n pages into out_dir (created); deterministic for (pools, seed, rates)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = CrawlReport()
    bad_at = _bad_positions(n, seed, bad_every)
    names: dict[int, str] = {}  # page index -> file name (duplicate sources are earlier pages)
    for i in range(n):
        if i in bad_at:
            data = _bad(bad_at[i], pools, random.Random(f"{seed}:badpage:{i}"))
            name = file_name(i, data)
            report.bad[name] = bad_at[i]
        else:
            data, dup_kind, source = page_bytes(
                i, pools, seed, dup_rate=dup_rate, near_dup_rate=near_dup_rate,
                crlf_rate=crlf_rate, run_together_rate=run_together_rate)
            name = file_name(i, data)
            if dup_kind and source is not None and source not in bad_at:
                target = report.exact_duplicates if dup_kind == "exact" else \
                    report.near_duplicates
                target[name] = names[source]
            report.words += len(data.split())
        names[i] = name
        (out_dir / name).write_bytes(data)
        report.files.append(name)
        report.nbytes += len(data)
    return report
