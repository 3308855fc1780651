"""Replacing an output folder safely: lock, guard, stage, swap.

Every command that replaces a whole folder (build, rehydrate, standoff, render, export spacy)
goes through `staging_dir` and `swap_in`:

- one writer at a time: an exclusive `flock` on `.<name>.lock` beside the folder (the kernel
  drops it when the process dies, even by SIGKILL, so a dead build never blocks the next one);
  a second writer waits for it and says so;
- only a folder that is absent, empty, or an earlier output of the same kind (a release with its
  manifest, a standoff folder, a rendered site...) is ever replaced; anything else is refused
  with the reason, before any work;
- a target that cannot be replaced (read-only folder or file system) fails before anything is
  swapped;
- staging folders left by dead writers (`.<name>.tmp-*`, only possible while no one holds the
  lock) are removed, and the removal is reported;
- the swap is one atomic `renameat2(RENAME_EXCHANGE)`: at every instant `<name>/` is either the
  complete old folder or the complete new one (a two-rename fallback, recovered on the next
  run, where the system has no exchange);
- the published folder gets normal permissions (mkdtemp creates 0700).

A command that writes single files (`export labelstudio`) overwrites only an earlier file of
its own kind (`check_overwritable`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from trisec.errors import Problem, TrisecError, machine_problem

MANIFEST = "manifest.json"
MARKER = ".trisec-output"  # {"kind": ...}: written into folders that have no manifest
LOCK_WAIT_SECONDS = 1800.0  # a build of a large corpus takes minutes, not hours
Say = Callable[[str], None]


def _stderr(message: str) -> None:
    print(f"note: {message}", file=sys.stderr, flush=True)


# --- what a folder holds --------------------------------------------------------------------

def folder_kind(folder: Path) -> tuple[str | None, str]:
    """(kind, why): "release" or "standoff" (manifest.json's distribution) or a marker's kind;
    None with the reason when the folder is none of ours."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return None, f"its {MANIFEST} does not parse ({exc})"
        if not isinstance(data, dict) or not isinstance(data.get("files"), list):
            return None, f"its {MANIFEST} is not a TRISEC manifest (no files list)"
        return str(data.get("distribution") or "release"), ""
    marker = folder / MARKER
    if marker.is_file():
        try:
            return str(json.loads(marker.read_text(encoding="utf-8"))["kind"]), ""
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            return None, f"its {MARKER} does not parse ({exc})"
    return None, f"it holds no {MANIFEST} (not an output of trisec)"


def _listed(folder: Path) -> set[str] | None:
    """Files a manifest or marker says the folder holds (None: no list to compare)."""
    for name in (MANIFEST, MARKER):
        path = folder / name
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError):
                return None
            files = data.get("files") if isinstance(data, dict) else None
            if isinstance(files, list):
                return {f["path"] if isinstance(f, dict) else str(f) for f in files} | {name}
    return None


def check_replaceable(target: Path, kind: str) -> None:
    """Refuse (TrisecError) to replace anything but an absent or empty folder or an earlier
    `kind` output whose files are all listed in its manifest: nothing else is ever deleted."""
    fix = f"choose an empty or new folder, or a folder holding an earlier {kind}"
    if target.is_symlink():
        raise TrisecError(Problem(str(target), "is a symbolic link; it would not be replaced "
                                  "where it points", "pass the real folder"))
    if not target.exists():
        return
    if not target.is_dir():
        raise TrisecError(Problem(str(target), "exists and is not a folder", fix))
    if not any(target.iterdir()):
        return
    found, why = folder_kind(target)
    if found != kind:
        what = why or f"it holds a {found} output, not a {kind}"
        raise TrisecError(Problem(str(target), f"refusing to replace this folder: {what}", fix))
    listed = _listed(target)
    if listed is not None:
        extra = sorted(p.relative_to(target).as_posix() for p in target.rglob("*")
                       if not p.is_dir() and p.relative_to(target).as_posix() not in listed)
        if extra:
            more = f" (+{len(extra) - 3} more)" if len(extra) > 3 else ""
            raise TrisecError(Problem(
                str(target), f"refusing to replace this {kind}: it holds files that are not "
                f"part of it and would be lost: {', '.join(extra[:3])}{more}",
                "move them elsewhere (or delete them), then run again"))


def check_writable(target: Path) -> None:
    """Fail before any work if `target` could not be swapped out and deleted: its parent and
    every folder inside it must be writable (a read-only checkout or file system)."""
    dirs = [target.parent]
    if target.is_dir():
        dirs += [target, *(p for p in target.rglob("*") if p.is_dir() and not p.is_symlink())]
    for d in dirs:
        if not os.access(d, os.W_OK | os.X_OK):
            raise TrisecError(Problem(str(d), "is read-only: the folder could not be replaced",
                                      "make it writable (chmod -R u+w) or choose another "
                                      "folder; nothing was changed"))


def check_overwritable(path: Path, kind: str, ours: Callable[[str], bool]) -> None:
    """Refuse (TrisecError) to overwrite an existing file that is not an earlier `kind` (as
    `ours` judges its text): a command's output file never replaces someone's data."""
    if not path.exists() and not path.is_symlink():
        return
    fix = ("choose a new file name (or delete the file first if it is not needed); nothing "
           "was written")
    if not path.is_file():
        raise TrisecError(Problem(str(path), "exists and is not a file", fix))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None
    if text is None or not ours(text):
        raise TrisecError(Problem(str(path), f"refusing to overwrite this file: it is not an "
                                  f"earlier {kind} and would be lost", fix))


# --- one writer at a time --------------------------------------------------------------------

def lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


def _open_lock(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise TrisecError(Problem(str(path), f"cannot create the lock file: {exc.strerror}",
                                  "the folder must be writable; nothing was changed")) from exc


def _is_current(fd: int, path: Path) -> bool:
    """The locked file is still the one at `path` (its holder unlinks it when done)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_ino, st.st_dev) == (mine.st_ino, mine.st_dev)


def acquire_lock(path: Path, what: str, say: Say = _stderr,
                 timeout: float = LOCK_WAIT_SECONDS) -> int:
    """An exclusive flock on `path` (waiting for another holder, saying so); returns its fd.
    The kernel drops it when the holder dies, even by SIGKILL."""
    said = False
    deadline = time.monotonic() + timeout
    while True:
        fd = _open_lock(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not said:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
                say(f"waiting for another trisec process (pid {holder}) writing {what}")
                said = True
            os.close(fd)
            if time.monotonic() > deadline:
                raise TrisecError(Problem(
                    what, f"still locked after {timeout:.0f} s",
                    f"wait for the other trisec process to finish (or stop it); {path} is "
                    "released when it exits")) from None
            time.sleep(0.2)
            continue
        if _is_current(fd, path):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        os.close(fd)  # we locked a file its last holder had already removed: take the new one


def release_lock(fd: int, path: Path) -> None:
    """Remove the lock file while still holding it (a waiter then sees it is stale), then
    drop the lock: no lock file is left behind."""
    with contextlib.suppress(OSError):
        os.unlink(path)
    os.close(fd)


@contextmanager
def output_lock(target: Path, say: Say = _stderr,
                timeout: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the exclusive lock on `target` (wait for another writer, saying so)."""
    path = lock_path(target)
    fd = acquire_lock(path, str(target), say, timeout)
    try:
        yield
    finally:
        release_lock(fd, path)


# --- staging and swapping --------------------------------------------------------------------

def _staging_prefix(target: Path) -> str:
    return f".{target.name}.tmp-"


def _old_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def recover(target: Path, say: Say = _stderr) -> None:
    """Run with the lock held: finish what dead writers left. A two-rename swap killed between
    its renames leaves only `.<name>.old`: it goes back. Every staging folder is a dead
    writer's (live ones hold the lock) and is removed, saying so."""
    old = _old_path(target)
    if old.is_dir() and not old.is_symlink():
        if not target.exists():
            os.rename(old, target)
            say(f"restored {target} from {old.name} (a swap was interrupted)")
        else:
            shutil.rmtree(old)
            say(f"removed {old} (the previous release of an interrupted swap)")
    for stale in sorted(target.parent.glob(_staging_prefix(target) + "*")):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale)
            say(f"removed {stale} (staging folder of a build that did not finish)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _normal_permissions(folder: Path) -> None:
    """mkdtemp makes 0700 folders; a published folder gets what mkdir would have given."""
    os.chmod(folder, 0o777 & ~_umask())


@contextmanager
def staging_dir(target: Path, kind: str = "release", say: Say = _stderr) -> Iterator[Path]:
    """Lock `target`, check it may be replaced, clear dead writers' leftovers, and yield a
    fresh staging folder beside it (same file system: the swap is a rename). The staging folder
    (or, after `swap_in`, the old folder) is removed on the way out."""
    with output_lock(target, say):
        check_replaceable(target, kind)
        recover(target, say)
        check_writable(target)
        tmp = Path(tempfile.mkdtemp(prefix=_staging_prefix(target), dir=target.parent))
        try:
            _normal_permissions(tmp)
            yield tmp
        except (OSError, UnicodeError) as exc:  # a full disk while staging: say where
            problem = machine_problem(exc, f"{target} (while writing {tmp.name})",
                                      f"; {target} was left as it was")
            if problem is None:
                raise
            raise TrisecError(problem) from exc
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
                if tmp.exists():
                    say(f"could not remove {tmp}; the next run removes it")


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(a, b, RENAME_EXCHANGE); False where the system or file system lacks it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(staged: Path, target: Path) -> None:
    """Put `staged` in place of `target` atomically. After an exchange `staged` holds the old
    folder, which `staging_dir` removes; a crash at any point leaves one complete folder named
    `target` (or, in the fallback, `.<name>.old` that the next run puts back)."""
    if target.exists() and _exchange(staged, target):
        return
    old = _old_path(target)
    if target.exists():
        os.replace(target, old)
    os.replace(staged, target)
    if old.exists():
        with contextlib.suppress(OSError):
            shutil.rmtree(old)


def write_marker(folder: Path, kind: str) -> None:
    """Mark a folder without a manifest as a `kind` output listing its files, so the next run
    may replace it (and nothing someone added to it)."""
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if not p.is_dir() and p.name != MARKER)
    (folder / MARKER).write_text(json.dumps({"kind": kind, "files": files}, indent=1) + "\n",
                                 encoding="utf-8")
