"""The input edge: read raw files into RawArticle and decode them, with located errors."""

from __future__ import annotations

import os
from pathlib import Path

from trisec.document import RawArticle
from trisec.errors import Problem, TrisecError


def read_raw(path: Path) -> RawArticle:
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError as exc:  # LC_ALL=C (no UTF-8 mode): the name holds surrogates
        shown = os.fsencode(path).decode("utf-8", "replace")
        raise TrisecError(Problem(shown, "file name cannot be read in this locale "
                                  f"({os.environ.get('LC_ALL') or os.environ.get('LANG')}): "
                                  "it is not ASCII and the locale is not UTF-8",
                                  "run with a UTF-8 locale, e.g. LC_ALL=C.UTF-8")) from exc
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
    return text.removeprefix("\ufeff")
