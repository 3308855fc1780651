"""Replacing an output folder (trisec.release.replace): `build --out` and every other command
that replaces a folder never deletes what is not its own earlier output, publishes with
normal permissions, fails on a read-only target before swapping, and cleans up after dead
builds (issue #17 item 1, issue #18 items 3-5)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from trisec.cli import main
from trisec.errors import TrisecError
from trisec.release.replace import (
    MARKER,
    check_replaceable,
    lock_path,
    output_lock,
    staging_dir,
    swap_in,
    write_marker,
)
from trisec.release.writer import MANIFEST

TRISEC = [sys.executable, "-m", "trisec"]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def a_checkout(root: Path) -> Path:
    """What `--out "$PWD"` pointed at: a checkout with .git and corpus/."""
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "corpus" / "annotations" / "gold").mkdir(parents=True)
    (root / "corpus" / "annotations" / "gold" / "tsn-1.json").write_text('{"doc_id": 1}\n')
    return root


@pytest.mark.parametrize("where", ["checkout", "gold"])
def test_build_out_never_replaces_a_folder_that_is_not_a_release(tmp_path: Path,
                                                                 where: str) -> None:
    """Before: `build --out "$PWD"` replaced the checkout (.git and corpus/ gone) and
    `--out corpus/annotations` deleted the gold. After: refused with the reason."""
    root = a_checkout(tmp_path / "repo")
    target = root if where == "checkout" else root / "corpus" / "annotations"
    before, beside = tree(root), sorted(p.name for p in target.parent.iterdir())
    res = CliRunner().invoke(main, ["build", "--out", str(target), "--no-validate", "-q"])
    assert res.exit_code == 1, res.output
    assert f"error: {target}: refusing to replace this folder: it holds no manifest.json" \
        in res.output
    assert "Traceback" not in res.output
    assert tree(root) == before
    assert sorted(p.name for p in target.parent.iterdir()) == beside  # no staging, no lock


def test_build_replaces_absent_empty_and_earlier_release_with_normal_permissions(
        tmp_path: Path, release: Path) -> None:
    empty = tmp_path / "b" / "empty"
    empty.mkdir(parents=True)
    earlier = tmp_path / "c" / "earlier"
    shutil.copytree(release, earlier)
    for target in (tmp_path / "a" / "dataset", empty, earlier):
        res = CliRunner().invoke(main, ["build", "--out", str(target), "--no-validate", "-q"])
        assert res.exit_code == 0, res.output
        assert tree(target) == tree(release)
        umask = os.umask(0)
        os.umask(umask)
        assert stat.S_IMODE(target.stat().st_mode) == 0o777 & ~umask  # was 0700
        assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_a_release_holding_stray_files_is_not_replaced(tmp_path: Path, release: Path) -> None:
    target = tmp_path / "dataset"
    shutil.copytree(release, target)
    (target / "my-notes.md").write_text("mine\n")
    with pytest.raises(TrisecError, match="would be lost: my-notes.md"):
        check_replaceable(target, "release")
    with pytest.raises(TrisecError, match="holds a release output, not a standoff"):
        check_replaceable(target, "standoff")
    (target / MANIFEST).write_text("{not json")
    with pytest.raises(TrisecError, match="its manifest.json does not parse"):
        check_replaceable(target, "release")


def test_other_commands_replace_only_their_own_outputs(tmp_path: Path, release: Path,
                                                        gold_release: Path) -> None:
    """render --out, standoff --out, export spacy --out: the same guard."""
    mine = a_checkout(tmp_path / "mine")
    before = tree(mine)
    runner = CliRunner()
    for args in (["render", "--release", str(gold_release), "--out", str(mine)],
                 ["standoff", "--release", str(gold_release), "--out", str(mine)],
                 ["export", "spacy", "--out", str(mine)]):
        res = runner.invoke(main, args)
        assert res.exit_code == 1 and "refusing to replace this folder" in res.output, args
    assert tree(mine) == before
    # an earlier rendering is replaced, and nothing else
    site = tmp_path / "site"
    assert runner.invoke(main, ["render", "--release", str(release), "--out",
                                str(site)]).exit_code == 0
    assert json.loads((site / MARKER).read_text())["kind"] == "render"
    assert runner.invoke(main, ["render", "--release", str(release), "--out",
                                str(site)]).exit_code == 0
    (site / "keep.txt").write_text("mine\n")
    res = runner.invoke(main, ["render", "--release", str(release), "--out", str(site)])
    assert res.exit_code == 1 and "keep.txt" in res.output


def test_swap_is_an_exchange_and_the_old_folder_goes(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    write_marker(target, "thing")
    with staging_dir(target, "thing") as tmp:
        (tmp / "new.txt").write_text("new\n")
        write_marker(tmp, "thing")
        swap_in(tmp, target)
        assert (target / "new.txt").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_dead_builds_leftovers_are_removed_and_reported(tmp_path: Path) -> None:
    target = tmp_path / "dataset"
    target.mkdir()
    write_marker(target, "thing")
    dead = tmp_path / ".dataset.tmp-dead1234"
    (dead / "data").mkdir(parents=True)
    (dead / "data" / "half.parquet").write_bytes(b"PAR1")
    other = tmp_path / "unrelated"
    other.mkdir()
    said: list[str] = []
    with staging_dir(target, "thing", say=said.append):
        pass
    assert not dead.exists() and other.exists() and target.exists()
    assert said == [f"removed {dead} (staging folder of a build that did not finish)"]


def test_an_interrupted_two_rename_swap_is_put_back(tmp_path: Path) -> None:
    """Where the file system has no exchange: killed between the renames, the next run puts
    the previous folder back before anything else."""
    target = tmp_path / "dataset"
    old = tmp_path / ".dataset.old"
    old.mkdir()
    write_marker(old, "thing")
    said: list[str] = []
    with staging_dir(target, "thing", say=said.append):
        assert (target / MARKER).is_file()
    assert not old.exists() and said and "restored" in said[0]


def test_a_second_writer_waits_for_the_lock(tmp_path: Path) -> None:
    target = tmp_path / "dataset"
    said: list[str] = []
    with output_lock(target):
        code = ("import sys; from pathlib import Path; from trisec.release.replace import "
                "output_lock\nwith output_lock(Path(sys.argv[1]), timeout=0.5): pass")
        res = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True,
                             text=True, check=False)
        assert res.returncode == 1
        assert f"waiting for another trisec process (pid {os.getpid()}) writing {target}" \
            in res.stderr
        assert "still locked after 0 s" in res.stderr
    assert not lock_path(target).exists()  # the holder removes it on the way out
    with output_lock(target, say=said.append):
        pass
    assert said == []


def _read_only(dirs: list[Path]) -> list[list[str]]:
    """Make folders read-only for this process; the commands that undo it. Root ignores file
    modes, so as root the folders are made immutable (chattr +i) instead."""
    if os.geteuid() != 0:
        for d in dirs:
            d.chmod(0o555)
        return [["chmod", "755", str(d)] for d in dirs]
    if not shutil.which("chattr") or subprocess.run(
            ["chattr", "+i", *map(str, dirs)], capture_output=True, check=False).returncode:
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    return [["chattr", "-i", *map(str, dirs)]]


def test_a_read_only_target_fails_before_anything_is_swapped(tmp_path: Path,
                                                             release: Path) -> None:
    """Before: the swap happened, then PermissionError, and `.dataset.old` blocked every later
    build. After: one line before any work, the release as it was, nothing beside it."""
    target = tmp_path / "dataset"
    shutil.copytree(release, target)
    before = tree(target)
    undo = _read_only(sorted(p for p in target.rglob("*") if p.is_dir()))
    try:
        res = subprocess.run([*TRISEC, "build", "--out", str(target), "--no-validate", "-q"],
                             capture_output=True, text=True, check=False)
        assert res.returncode == 1, res.stderr
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {target}/"), lines
        assert lines[0].endswith(": is read-only: the folder could not be replaced (fix: make "
                                 "it writable (chmod -R u+w) or choose another folder; nothing "
                                 "was changed)")
        assert tree(target) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]
    finally:
        for cmd in undo:
            subprocess.run(cmd, check=False)
