"""The input edge: read raw files into RawArticle and decode them, with located errors."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from trisec.document import RawArticle
from trisec.errors import Problem, TrisecError

# A crawled news page is a few kilobytes; the largest real one is far below this. Cleaning and
# tokenising cost several hundred bytes of memory per input byte, so a page much larger than
# this is not an article and would exhaust the machine before failing.
MAX_RAW_BYTES = 1_048_576
# spaCy refuses a text longer than its `max_length` (1,000,000 characters by default), and
# each line (paragraph) is one spaCy text; tests check this equals nlp().max_length.
MAX_LINE_CHARS = 1_000_000
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _control_chars(name: str) -> list[str]:
    """Control characters (Unicode Cc: C0, DEL, C1) in a file name, as escapes."""
    return [repr(ch) for ch in name if unicodedata.category(ch) == "Cc"]


def read_raw(path: Path) -> RawArticle:
    """Read one raw file; names with control characters and oversized files are refused
    before any byte is read."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError as exc:  # LC_ALL=C (no UTF-8 mode): the name holds surrogates
        shown = os.fsencode(path).decode("utf-8", "replace")
        raise TrisecError(Problem(shown, "file name cannot be read in this locale "
                                  f"({os.environ.get('LC_ALL') or os.environ.get('LANG')}): "
                                  "it is not ASCII and the locale is not UTF-8",
                                  "run with a UTF-8 locale, e.g. LC_ALL=C.UTF-8")) from exc
    bad = _control_chars(path.name)
    if bad:
        raise TrisecError(Problem(repr(str(path)), f"file name has control character(s) "
                                  f"{', '.join(bad)} (a line break would corrupt raw.sha256)",
                                  "rename the file: letters, digits, '_', '-', '.' only"))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TrisecError(Problem(str(path), f"cannot read file: {exc.strerror}",
                                  "check the path and permissions")) from exc
    if size > MAX_RAW_BYTES:
        raise TrisecError(Problem(str(path), f"{size:,} bytes, over the {MAX_RAW_BYTES:,}-byte "
                                  "limit for one raw page",
                                  "not a single article page: split or trim it to the article"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TrisecError(Problem(str(path), f"cannot read file: {exc.strerror}",
                                  "check the path and permissions")) from exc
    return RawArticle(source_file=path.name, data=data)


def decode(raw: RawArticle, where: str | None = None) -> str:
    """Strict UTF-8 decoding; empty, binary and non-UTF-8 input is refused with the offset."""
    where = where or raw.source_file
    if not raw.data.strip():
        raise TrisecError(Problem(where, "empty file (no bytes or only whitespace)",
                                  "re-fetch the page or remove the file"))
    nul = raw.data.find(b"\x00")
    if nul >= 0:
        raise TrisecError(Problem(f"{where}@byte {nul}", "binary data (NUL byte), not text",
                                  "not a crawled text page: remove it or re-export as UTF-8"))
    try:
        text = raw.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TrisecError(Problem(
            f"{where}@byte {exc.start}",
            f"not valid UTF-8 (byte 0x{raw.data[exc.start]:02x}: {exc.reason})",
            "re-encode the file as UTF-8 (e.g. iconv -f cp1252 -t utf-8)")) from exc
    check_lines(text, where)
    return text.removeprefix("\ufeff")


def check_lines(text: str, where: str) -> None:
    """Every line (a paragraph once cleaned) must fit in one spaCy text."""
    start = 0
    for n, m in enumerate(_LINE_BREAK.finditer(f"{text}\n"), 1):
        length = m.start() - start
        if length > MAX_LINE_CHARS:
            raise TrisecError(Problem(
                f"{where}:{n}", f"line of {length:,} characters, over spaCy's max_length "
                f"({MAX_LINE_CHARS:,}) for one paragraph",
                "not an article page as crawled: split the text into paragraphs or drop it"))
        start = m.end()
