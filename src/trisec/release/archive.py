"""Release archives for direct download: `dist/trisec-<version>.tar.gz` + `dist/SHA256SUMS`.

The archive is reproducible byte for byte: members are sorted, every header has the same
mtime/uid/gid/owner names/mode, and the gzip header carries mtime 0 and no file name. Two runs
over the same release give the same bytes (with the same zlib; the inner tar is identical
everywhere), so a published checksum can be re-derived by anyone from the git tag.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import tempfile
from pathlib import Path

from trisec.errors import Problem, TrisecError
from trisec.release.writer import MANIFEST, read_manifest, sha256_file

# Top-level documents shipped beside the release folder (Hub upload and archive alike) when the
# checkout has them; a file of the same name inside the release folder wins.
DOC_FILES = ("DATASHEET.md", "CHANGELOG.md", "LICENSE.md")
SUMS = "SHA256SUMS"
FILE_MODE, DIR_MODE = 0o644, 0o755
MTIME = 0  # 1970-01-01: a constant, so the archive does not depend on when it was made


def distribution_files(release_dir: Path, root: Path) -> list[tuple[str, Path]]:
    """(path in the distribution, local file), sorted: every file of the release folder plus
    the top-level documents the release links to (DATASHEET.md, CHANGELOG.md, LICENSE.md)."""
    from trisec.release.opener import open_release

    open_release(release_dir)
    files = {p.relative_to(release_dir).as_posix(): p
             for p in release_dir.rglob("*") if p.is_file()}
    for name in DOC_FILES:
        if name not in files and (root / name).is_file():
            files[name] = root / name
    return sorted(files.items())


def _tarinfo(name: str, size: int, is_dir: bool) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = 0 if is_dir else size
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.mode = DIR_MODE if is_dir else FILE_MODE
    info.mtime = MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_tar_gz(dest: Path, files: list[tuple[str, Path]], prefix: str) -> None:
    """Write `files` under `prefix/` into dest (atomically: a temp file renamed into place)."""
    dirs: set[str] = {prefix}
    for arcname, _ in files:
        parts = arcname.split("/")[:-1]
        dirs.update(f"{prefix}/{'/'.join(parts[:i])}" for i in range(1, len(parts) + 1))
    members = [(d, None) for d in dirs] + [(f"{prefix}/{a}", p) for a, p in files]
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                              compresslevel=9) as gz, \
                tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, path in sorted(members, key=lambda m: m[0]):
                if path is None:
                    tar.addfile(_tarinfo(name, 0, True))
                else:
                    data = path.read_bytes()
                    tar.addfile(_tarinfo(name, len(data), False), io.BytesIO(data))
        os.chmod(tmp_name, FILE_MODE)  # mkstemp makes 0600; a download is world-readable
        os.replace(tmp_name, dest)
    finally:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)


def archive_name(version: str, kind: str = "") -> str:
    return f"trisec-{version}{'-' + kind if kind else ''}"


def write_sums(dist: Path) -> Path:
    """dist/SHA256SUMS over every archive in dist/ (`sha256sum -c SHA256SUMS` checks it)."""
    lines = [f"{sha256_file(p)}  {p.name}\n" for p in sorted(dist.glob("*.tar.gz"))]
    path = dist / SUMS
    path.write_text("".join(lines), encoding="utf-8")
    return path


def write_release_archive(release_dir: Path, root: Path, dist: Path, version: str,
                          kind: str = "") -> Path:
    """dist/trisec-<version>[-kind].tar.gz from a release folder (+ top-level docs), then
    refresh SHA256SUMS. Refuses a folder whose manifest names another version."""
    files = distribution_files(release_dir, root)
    found = read_manifest(release_dir).get("version")
    if found != version:
        raise TrisecError(Problem(f"{release_dir}/{MANIFEST}",
                                  f"release is version {found}, schema says {version}",
                                  "rebuild with `trisec build`"))
    name = archive_name(version, kind)
    dest = dist / f"{name}.tar.gz"
    write_tar_gz(dest, files, name)
    write_sums(dist)
    return dest
