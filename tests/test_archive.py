"""Release archives: byte-for-byte reproducible, complete, with a checkable SHA256SUMS."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest

from trisec.errors import TrisecError
from trisec.release.archive import DOC_FILES, SUMS, write_release_archive
from trisec.schema import Schema


@pytest.fixture()
def root(tmp_path: Path, release: Path) -> Path:
    """A checkout-like folder: dataset/ (a copy of the session release) + two top docs."""
    shutil.copytree(release, tmp_path / "dataset")
    (tmp_path / "DATASHEET.md").write_text("# Datasheet\n", encoding="utf-8")
    (tmp_path / "LICENSE.md").write_text("# Licence\n", encoding="utf-8")
    return tmp_path


def test_two_runs_give_identical_bytes(root: Path, schema: Schema) -> None:
    first = write_release_archive(root / "dataset", root, root / "dist1", schema.version)
    # a later run on a fresh checkout: other mtimes, other permissions, other folder
    for path in (root / "dataset").rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
        if path.is_file():
            path.chmod(0o600)
    second = write_release_archive(root / "dataset", root, root / "dist2", schema.version)
    assert first.name == second.name == f"trisec-{schema.version}.tar.gz"
    assert first.read_bytes() == second.read_bytes()
    assert (root / "dist1" / SUMS).read_bytes() == (root / "dist2" / SUMS).read_bytes()


def test_archive_holds_the_release_and_top_docs(root: Path, schema: Schema) -> None:
    path = write_release_archive(root / "dataset", root, root / "dist", schema.version)
    prefix = f"trisec-{schema.version}"
    release_files = sorted(p.relative_to(root / "dataset").as_posix()
                           for p in (root / "dataset").rglob("*") if p.is_file())
    present_docs = [d for d in DOC_FILES if (root / d).is_file()]
    assert present_docs == ["DATASHEET.md", "LICENSE.md"]
    with tarfile.open(path) as tar:
        members = tar.getmembers()
        names = [m.name for m in members]
        assert names == sorted(names)  # stable order
        files = {m.name[len(prefix) + 1:]: m for m in members if m.isfile()}
        assert sorted(files) == sorted(release_files + present_docs)
        for rel, m in files.items():
            src = root / rel if rel in present_docs else root / "dataset" / rel
            assert tar.extractfile(m).read() == src.read_bytes()  # type: ignore[union-attr]
            assert (m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode) == (0, 0, 0, "", "", 0o644)
        assert all(m.name == prefix or m.name.startswith(prefix + "/") for m in members)
    # gzip header: MTIME field (bytes 4..8) zero, no FNAME flag (bit 3 of FLG)
    header = path.read_bytes()[:10]
    assert header[4:8] == b"\0\0\0\0" and not header[3] & 0x08
    with gzip.open(path) as gz:  # and the stream is a valid gzip of the tar
        assert gz.read(1)


def test_sha256sums_checks_every_archive(root: Path, schema: Schema) -> None:
    dist = root / "dist"
    full = write_release_archive(root / "dataset", root, dist, schema.version)
    other = write_release_archive(root / "dataset", root, dist, schema.version, kind="standoff")
    lines = (dist / SUMS).read_text(encoding="utf-8").splitlines()
    expected = sorted([full, other], key=lambda p: p.name)
    assert lines == [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in expected]


def test_refuses_a_release_of_another_version(root: Path, schema: Schema) -> None:
    manifest_path = root / "dataset" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["version"] = "0.0.1"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(TrisecError, match="release is version 0.0.1"):
        write_release_archive(root / "dataset", root, root / "dist", schema.version)
    assert not (root / "dist").exists()
    with pytest.raises(TrisecError, match="not a release"):
        write_release_archive(root, root, root / "dist", schema.version)
