"""Killed and concurrent writers (issue #18 items 3 and 4), with real `trisec` processes on a
small checkout in a temp folder (3 articles, then 5):

- a build killed with SIGKILL at each stage boundary leaves the previous release byte for
  byte, leaves no process behind (the gate worker exits with its build), and the next build
  removes the dead build's staging folder, says so, and deletes nothing else;
- three builds of one target at once all succeed one after the other (each waits for the
  lock, saying so) and publish the same release as one build;
- two `trisec add` of different pages at once both end up pinned, and raw.sha256 always
  parses while they write it.

The kill points are the build's own progress lines on stderr (and, for the first, its staging
folder appearing), so each kill lands inside a known stage whatever the machine's speed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXED_SOURCES, copy_corpus

from trisec.documents.pins import read_checksums
from trisec.paths import METADATA_DIR, RAW_DIR, SCHEMA_DIR, VALIDATION_DIR
from trisec.pipeline.corpus import Corpus
from trisec.release.build import write_release
from trisec.release.replace import lock_path, output_lock
from trisec.release.writer import compare_folders
from trisec.schema import load_schema

TRISEC = str(Path(sys.executable).with_name("trisec"))  # the installed console script
FIRST, LATER = list(FIXED_SOURCES[:3]), list(FIXED_SOURCES[3:])
SENTINELS = {"notes.txt": b"a curator's notes\n", ".dataset.tmp-keep": b"a file, not staging\n"}
STALE = re.compile(r"^note: removed (\S+) \(staging folder of a build that did not finish\)$",
                   re.M)
# (name, when to kill): a line of the build's stderr, or its staging folder appearing
KILL_POINTS: list[tuple[str, Callable[[str], bool] | None]] = [
    ("staging folder created", None),
    ("documents stage started", lambda ln: ln == "documents: read, clean, annotate, write"),
    ("documents all written", lambda ln: ln.startswith("documents:") and ln.endswith("done")),
    ("manifest", lambda ln: ln.startswith("release files") and "manifest.json" in ln),
    ("validation gate", lambda ln: ln.startswith("validate:")),
    ("publish (the swap)", lambda ln: ln.startswith("publish:")),
]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "TRISEC_ROOT": str(root)}


def _add_articles(root: Path, names: list[str]) -> None:
    """Put more of this checkout's articles (raw, metadata, gold) into the temp corpus."""
    full = copy_corpus(root / "full", FIRST + names, gold=True)
    corpus = root / "corpus"
    for sub in ("raw", "metadata", "annotations/gold"):
        for f in (full.raw_dir.parent / sub).iterdir():
            shutil.copyfile(f, corpus / sub / f.name)
    shutil.copyfile(full.pins_path, corpus / "raw.sha256")
    shutil.rmtree(root / "full")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout of 3 articles with a release of them in dataset/ and files beside it."""
    root = tmp_path_factory.mktemp("kill") / "repo"
    root.mkdir()
    shutil.copytree(SCHEMA_DIR, root / "schema")
    shutil.copyfile(SCHEMA_DIR.parent / "CHANGELOG.md", root / "CHANGELOG.md")
    shutil.copytree(VALIDATION_DIR, root / "validation",
                    ignore=shutil.ignore_patterns("uncommitted"))
    copy_corpus(root / "corpus", FIRST, gold=True)
    (root / "dataset").mkdir()
    write_release(root / "dataset", Corpus.at(root), load_schema(root / "schema"))
    for name, data in SENTINELS.items():
        (root / name).write_bytes(data)
    return root


def _alive(session: int) -> list[str]:
    """Processes of a session still running (zombies are dead, awaiting their reaper)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            out.append(stat.parent.name)
    return out


def _stderr_lines(proc: subprocess.Popen[str]) -> queue.Queue[str | None]:
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _staging(root: Path) -> list[Path]:
    return sorted(p for p in root.glob(".dataset.tmp-*") if p.is_dir())


def _build_killed_at(root: Path, when: Callable[[str], bool] | None,
                     dead: list[Path]) -> tuple[list[str], int]:
    """Start `trisec build` (validated, the default) and SIGKILL it at `when`: its stderr
    lines up to then and its exit status."""
    proc = subprocess.Popen([TRISEC, "build"], cwd=root, env=_env(root), text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    lines, seen = _stderr_lines(proc), []
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if when is None and [p for p in _staging(root) if p not in dead]:
                break
            try:
                line = lines.get(timeout=0.005 if when is None else 1)
            except queue.Empty:
                continue
            assert line is not None, f"the build ended before the kill point: {seen}"
            seen.append(line)
            if when is not None and when(line):
                break
        else:
            pytest.fail(f"kill point not reached in 300 s: {seen}")
    finally:
        proc.kill()
        proc.wait()
    # what it printed before the kill arrived (the pump thread drains the pipe); a child
    # that outlived the build would hold the pipe open
    try:
        while (line := lines.get(timeout=15)) is not None:
            seen.append(line)
    except queue.Empty:
        pytest.fail(f"stderr still open 15 s after SIGKILL: a child of the build outlived "
                    f"it ({_alive(proc.pid)})")
    left = time.monotonic() + 15
    while _alive(proc.pid) and time.monotonic() < left:
        time.sleep(0.1)
    assert not _alive(proc.pid), f"processes outlived the killed build: {_alive(proc.pid)}"
    return seen, proc.returncode


def test_a_build_killed_at_each_stage_leaves_the_release_and_the_next_build_cleans_up(
        checkout: Path) -> None:
    root, target = checkout, checkout / "dataset"
    old = tree(target)
    _add_articles(root, LATER)  # a finished build would now publish 5 documents, not 3
    single = root.parent / "single"  # what an uninterrupted build of them publishes
    single.mkdir()
    write_release(single, Corpus.at(root), load_schema(root / "schema"))
    new = tree(single)
    assert new != old
    outcomes: list[tuple[str, str]] = []
    dead: list[Path] = []  # staging folders of killed builds not yet removed
    for name, when in KILL_POINTS:
        seen, status = _build_killed_at(root, when, dead)
        assert not any("Traceback" in ln or ln.startswith("error:") for ln in seen), seen
        # the build killed now was the "next build" of the one killed before: it removed that
        # one's staging folder first, and said so
        assert sorted(STALE.findall("\n".join(seen))) == sorted(map(str, dead)), (name, seen)
        now = tree(target)
        dead = _staging(root)
        if name.startswith("publish"):
            # the kill races the swap (one atomic exchange) and the removal of the old folder
            # that follows: whichever won, one complete release, the old or the new
            assert status in (-signal.SIGKILL, 0), (name, seen)
            assert now in (old, new), f"killed at {name}: {target} is neither release"
            outcome = ("previous release" if now == old else "new release (swap done)") + \
                ("" if status else "; the build had finished")
            assert len(dead) <= 1, dead
        else:
            assert status == -signal.SIGKILL, (name, seen)
            assert now == old, f"killed at {name}: {target} changed"
            outcome = "previous release"
            assert len(dead) == 1, (name, dead)  # its own staging folder, nothing else
        for sentinel, data in SENTINELS.items():
            assert (root / sentinel).read_bytes() == data
        outcomes.append((name, outcome + f", {len(dead)} staging folder left"))
    print("\nkill point -> dataset/ after SIGKILL:")
    for name, outcome in outcomes:
        print(f"  {name:<26} {outcome}")

    # the next build finishes: says it removed the last dead build's staging folder, and
    # leaves beside dataset/ exactly what was there before the kills
    res = subprocess.run([TRISEC, "build", "-q"], cwd=root, env=_env(root),
                         capture_output=True, text=True, timeout=600, check=False)
    assert res.returncode == 0, res.stderr
    assert STALE.findall(res.stderr) == [str(d) for d in dead]
    assert not any(d.exists() for d in dead)
    assert sorted(p.name for p in root.iterdir()) == sorted(
        ["CHANGELOG.md", "corpus", "dataset", "schema", "validation", *SENTINELS])
    assert not lock_path(target).exists()
    for sentinel, data in SENTINELS.items():
        assert (root / sentinel).read_bytes() == data
    # ... and publishes the same bytes as an uninterrupted build of the same corpus
    assert compare_folders(single, target) == []


def test_three_builds_at_once_wait_for_each_other_and_publish_one_release(
        checkout: Path) -> None:
    """The test holds the lock while three builds start, so each must wait (and say so);
    released, they run one after the other. Before the lock, 2 of 17 such rounds crashed
    in swap_in with FileNotFoundError."""
    root, target = checkout, checkout / "dataset"
    expected = tree(target)  # the previous test's completed single build
    procs = []
    with output_lock(target):
        for _ in range(3):
            procs.append(subprocess.Popen(
                [TRISEC, "build", "-q", "--no-validate"], cwd=root, env=_env(root),
                text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        waiting = f"note: waiting for another trisec process (pid {os.getpid()}) writing " \
                  f"{target}"
        streams = [_stderr_lines(p) for p in procs]
        heard: list[list[str]] = [[] for _ in procs]
        deadline = time.monotonic() + 120
        while not all(waiting in h for h in heard) and time.monotonic() < deadline:
            for lines, h in zip(streams, heard, strict=True):
                with_line = None
                with contextlib.suppress(queue.Empty):
                    with_line = lines.get(timeout=0.1)
                if with_line is not None:
                    h.append(with_line)
        assert all(waiting in h for h in heard), heard
    for p, lines, h in zip(procs, streams, heard, strict=True):
        p.wait(timeout=600)
        while (line := lines.get(timeout=10)) is not None:
            h.append(line)
    for p, h in zip(procs, heard, strict=True):
        assert p.returncode == 0, h
        assert not any("Traceback" in ln or ln.startswith("error:") for ln in h), h
    assert tree(target) == expected
    assert not lock_path(target).exists() and not _staging(root)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_adds_at_once_both_pin_their_page_and_never_corrupt_raw_sha256(
        tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus", FIRST)
    pins = corpus.pins_path
    new = []
    for name in LATER:  # two real articles the temp corpus does not have yet
        shutil.copyfile(RAW_DIR / name, tmp_path / name)
        new.append(tmp_path / name)
    assert METADATA_DIR.is_dir()
    stop, reads, bad = threading.Event(), [0], []

    def reader() -> None:  # raw.sha256 must parse, complete, at every instant
        while not stop.is_set():
            try:
                sums = read_checksums(pins)
                if not set(FIRST) <= sums.keys():
                    bad.append(f"pins lost: {sorted(sums)}")
            except Exception as exc:  # noqa: BLE001 (any failure to read is the finding)
                bad.append(repr(exc))
            reads[0] += 1

    watcher = threading.Thread(target=reader, daemon=True)
    watcher.start()
    try:
        procs = [subprocess.Popen([TRISEC, "add", "--corpus", str(corpus.raw_dir.parent),
                                   str(f)], text=True, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for f in new]
        results = [p.communicate(timeout=300) for p in procs]
    finally:
        stop.set()
        watcher.join()
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err and "error:" not in err, err
    assert sum("waiting for another trisec process" in err for _, err in results) <= 1
    assert not bad, bad[:3]
    assert reads[0] > 0
    sums = read_checksums(pins)
    assert sorted(sums) == sorted(FIRST + LATER)
    for name, sha in sums.items():
        assert _sha(corpus.raw_dir / name) == sha
    assert sorted(p.name for p in corpus.raw_dir.iterdir()) == sorted(FIRST + LATER)
    assert not lock_path(pins).exists()


def test_a_second_add_waits_for_the_first_and_sees_its_page(tmp_path: Path) -> None:
    """Deterministic: while one writer holds the corpus lock, two adds of the same page
    wait (saying so); then one adds it and the other refuses it as already in the corpus."""
    corpus = copy_corpus(tmp_path / "corpus", FIRST)
    root = corpus.raw_dir.parent
    page = tmp_path / LATER[0]
    shutil.copyfile(RAW_DIR / LATER[0], page)
    twin = tmp_path / "again" / LATER[0]
    twin.parent.mkdir()
    shutil.copyfile(page, twin)
    with output_lock(corpus.pins_path):
        procs = [subprocess.Popen([TRISEC, "add", "--corpus", str(root), str(f)], text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for f in (page, twin)]
        streams = [_stderr_lines(p) for p in procs]
        first = [lines.get(timeout=120) for lines in streams]
        assert all(f"note: waiting for another trisec process (pid {os.getpid()}) writing "
                   f"{corpus.pins_path}" == line for line in first), first
        assert read_checksums(corpus.pins_path).keys() == set(FIRST)
    codes = sorted(p.wait(timeout=300) for p in procs)
    assert codes == [0, 1]
    rest = ["\n".join(iter(lines.get, None)) for lines in streams]
    refused = [r for r in rest if "refused:" in r]
    assert len(refused) == 1 and "already in the corpus: same bytes as raw/" in refused[0]
    assert not any("Traceback" in r for r in rest)
    assert sorted(read_checksums(corpus.pins_path)) == sorted([*FIRST, LATER[0]])
