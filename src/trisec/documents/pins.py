"""raw.sha256: the `sha256sum` lines pinning every raw file of a corpus.

Raw files are immutable evidence: a file that no longer has its pinned bytes would silently
get another doc_id (and so another split, and lose its gold), so every build and every
`trisec add` checks the pins first.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from trisec.errors import Problem, TrisecError, read_utf8

_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")


def read_checksums(path: Path) -> dict[str, str]:
    """sha256sum lines (`<hex>  <name>`) -> {name: hex}; malformed lines are errors."""
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for n, line in enumerate(read_utf8(path).splitlines(), 1):
        if not line.strip():
            continue
        m = _LINE.fullmatch(line)
        if not m:
            raise TrisecError(Problem(f"{path}:{n}", f"not a sha256sum line: {line!r}",
                                      "regenerate it with `sha256sum *.txt` inside raw/"))
        if m[2] in out:
            raise TrisecError(Problem(f"{path}:{n}", f"raw/{m[2]} is listed twice",
                                      "keep one line per file"))
        out[m[2]] = m[1]
    return out


def write_checksums(path: Path, sums: dict[str, str]) -> None:
    """Sorted by file name, in the format `sha256sum -c` checks. Atomic: written to a
    temporary file beside it and renamed over it, so a reader (or a crash) never sees a
    truncated list. Writers hold the corpus lock (`pipeline.add.pins_lock`)."""
    write_atomic(path, "".join(f"{sums[name]}  {name}\n" for name in sorted(sums))
                 .encode("utf-8"))


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one rename (same folder), flushed to disk first; the
    file keeps the permissions a plain write would give it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load_pins(path: Path) -> dict[str, str]:
    """The pins a build checks against; a corpus without raw.sha256 cannot be built."""
    if not path.is_file():
        raise TrisecError(Problem(str(path), "missing: every raw file must be pinned by its "
                                  "sha256", "restore it from git, or (for a new corpus, after "
                                  "checking the files are the crawl's) write it with: "
                                  f"cd {path.parent / 'raw'} && sha256sum *.txt > ../{path.name}"))
    return read_checksums(path)


def pin_problem(pins: dict[str, str], pins_path: Path, raw_path: Path,
                sha256: str) -> Problem | None:
    """Why a raw file does not match its pin, or None when it does."""
    name = raw_path.name
    if name not in pins:
        return Problem(str(raw_path), f"not pinned in {pins_path.name}",
                       "add raw files with `trisec add FILE` (it pins them), or append the "
                       f"line: cd {raw_path.parent} && sha256sum {name} >> ../{pins_path.name}")
    if pins[name] != sha256:
        return Problem(str(raw_path), f"changed since it was pinned in {pins_path.name} "
                       f"(sha256 now {sha256[:16]}..., pinned {pins[name][:16]}...): its "
                       "doc_id, split and gold would silently change",
                       "restore the raw file from git (raw files never change; a new crawl "
                       "of the page is a new file: `trisec add`)")
    return None
