"""The CLI's last line of defence (issue #18 items 5-7): a bug is one line naming the command
and asking for a report (traceback only under --debug); the machine's own failures (full
disk, a non-UTF-8 locale) are one line each and lose nothing; a build that cannot load its
gate fails instead of publishing unvalidated."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from trisec.cli import main
from trisec.paths import RAW_CHECKSUMS, RAW_DIR
from trisec.release import build as build_module


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_bug_is_one_line_naming_the_command_and_debug_shows_the_traceback(
        release: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import trisec.release.stats

    def boom(*_: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(trisec.release.stats, "layer_counts", boom)
    monkeypatch.setattr(sys, "argv", ["trisec", "annotations", "stats", "--release", "x"])
    args = ["annotations", "stats", "--release", str(release)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1
    assert res.output.splitlines() == [
        "error: trisec annotations stats failed unexpectedly (RuntimeError: boom second line). "
        "This is a bug in trisec: please report it with the command line and the output of the "
        "same command run as `trisec --debug ...`"]
    debug = CliRunner().invoke(main, ["--debug", *args])
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.output
    assert 'raise RuntimeError("boom' in debug.output


def test_a_full_disk_is_one_line_and_the_previous_release_stays(
        tmp_path: Path, release: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """(A real full disk, a 600 kB tmpfs, gives the same line: see the issue's closing note.)"""
    target = tmp_path / "dataset"
    shutil.copytree(release, target)
    before = tree(target)
    real = build_module.write_rows

    def fill_the_disk(out: Path, *a, **kw):  # type: ignore[no-untyped-def]
        real(out, *a, **kw)  # half a release is on disk when the space runs out
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build_module, "write_rows", fill_the_disk)
    res = CliRunner().invoke(main, ["build", "--out", str(target), "--no-validate", "-q"])
    assert res.exit_code == 1
    lines = res.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {target} (while writing .dataset.tmp-")
    assert lines[0].endswith(f"): no space left on device (fix: free disk space and run again; "
                             f"{target} was left as it was)")
    assert tree(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]


def test_a_build_that_cannot_load_its_gate_fails(tmp_path: Path) -> None:
    """Before: the build published quietly without validating. After: it stops with the
    reason; only --no-validate skips the gate, and says so."""
    target = tmp_path / "dataset"
    code = ("import sys; sys.modules['trisec.validation.gate'] = None  # the import fails\n"
            "from trisec.cli import main; main()")
    res = subprocess.run([sys.executable, "-c", code, "build", "--out", str(target), "-q"],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        "error: trisec.validation.gate: the validation gate cannot be loaded (ModuleNotFoundError: "
        "import of trisec.validation.gate halted; None in sys.modules); nothing was built "
        "(fix: repair the install (`make install`); to build an unvalidated folder on purpose, "
        "pass --no-validate)"]
    assert not target.exists()
    res = subprocess.run([sys.executable, "-c", code, "build", "--out", str(target),
                          "--no-validate"], capture_output=True, text=True, check=False,
                         env={**os.environ, "COLUMNS": "300"})
    assert res.returncode == 0, res.stderr
    assert "--no-validate: this build skips the validation gate" in res.stderr
    assert "NOT validated (--no-validate)" in res.stderr


def test_an_ascii_locale_and_a_non_ascii_file_name(tmp_path: Path) -> None:
    """Before (LC_ALL=C without Python's UTF-8 mode): `trisec add` copied the file, then died
    writing raw.sha256 (UnicodeEncodeError), leaving an unpinned raw file. After: refused
    with one line, nothing copied."""
    corpus = tmp_path / "corpus"
    shutil.copytree(RAW_DIR, corpus / "raw")
    shutil.copy(RAW_CHECKSUMS, corpus / "raw.sha256")
    (corpus / "metadata").mkdir()
    new = tmp_path / "Zürich-é.txt"
    new.write_text("Talks in Zürich\n\nMinisters of the three countries met in Zürich on "
                   "Monday to discuss security cooperation, officials said.\n", encoding="utf-8")
    before = tree(corpus)
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0"}
    env.pop("PYTHONIOENCODING", None)
    res = subprocess.run([sys.executable, "-m", "trisec", "add", "--corpus", str(corpus),
                          str(new)], capture_output=True, env=env, check=False)
    out = (res.stdout + res.stderr).decode("utf-8", "replace")
    assert res.returncode == 1, out
    assert "Traceback" not in out
    assert "file name cannot be read in this locale (C)" in out
    assert "LC_ALL=C.UTF-8" in out
    assert tree(corpus) == before
