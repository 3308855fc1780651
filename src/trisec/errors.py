"""One project error type: problems are values with a location and a fix."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input, where it is, and how to fix it."""

    location: str  # "file:line", "file@byte N" or "doc_id/span_id"
    message: str
    fix: str = ""

    def __str__(self) -> str:
        tail = f" (fix: {self.fix})" if self.fix else ""
        return f"{self.location}: {self.message}{tail}"


class TrisecError(Exception):
    """Raised with one or more problems; the CLI prints them without a traceback."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# errno -> (what happened, fix): failures of the machine, not of trisec
_MACHINE = {
    errno.ENOSPC: ("no space left on device", "free disk space and run again"),
    errno.EDQUOT: ("disk quota exceeded", "free space within your quota and run again"),
    errno.EROFS: ("read-only file system", "write to a writable folder"),
    errno.EACCES: ("permission denied", "make it writable/readable for you, or choose "
                   "another folder"),
    errno.EPERM: ("operation not permitted", "check the file's owner and attributes"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n) and run again"),
    errno.EIO: ("input/output error", "check the disk"),
}
NOTHING_LOST = "; anything being replaced was left as it was"


def machine_problem(exc: BaseException, where: str | None = None,
                    kept: str = NOTHING_LOST) -> Problem | None:
    """A located Problem for a failure of the machine (full disk, permissions, a locale that
    cannot encode a file name); None if `exc` is something else (a bug). `where` stands in
    for the file when the error does not name one."""
    if isinstance(exc, OSError) and exc.errno in _MACHINE:
        what, fix = _MACHINE[exc.errno]
        name = exc.filename
        shown = os.fsdecode(name) if isinstance(name, bytes) else name
        return Problem(str(shown or where or "(file system)"), what, fix + kept)
    if isinstance(exc, UnicodeError) and "surrogates not allowed" in str(exc):
        locale = os.environ.get("LC_ALL") or os.environ.get("LANG") or "unset"
        return Problem(where or "(locale)", "a file name cannot be encoded: the locale is not "
                       f"UTF-8 ({locale})", "run with a UTF-8 locale, e.g. LC_ALL=C.UTF-8" + kept)
    return None


def read_utf8(path: Path) -> str:
    """A text input file as str; bytes that are not UTF-8 are a located problem (the byte
    offset and the fix), not a UnicodeDecodeError. OSError (a missing file) propagates."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TrisecError(Problem(
            f"{os.fspath(path)}@byte {exc.start}",
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}: {exc.reason})",
            "re-save the file as UTF-8 (or restore it from git)")) from exc
