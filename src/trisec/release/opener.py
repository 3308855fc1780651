"""The one way in to a release folder or a corpus folder.

Every command that reads a release (evaluate, predict, render, plot, annotations stats, standoff,
release, diff, publish, docs, validate, build --check) calls `open_release`, and every command
that reads a corpus folder calls `open_corpus`. Both check the folder before anything parses it
and raise the project's located error, so a missing folder, an empty one or a damaged one gets
one line saying what is wrong, where, and the fix.

`open_release` checks, in this order (nothing is parsed before the checksums hold):
1. the folder exists and holds `manifest.json`, which is JSON with a valid `files` list;
2. every listed file exists with the manifest's byte count and sha256, and no file on disk is
   missing from the manifest;
3. only then: every Parquet file's footer and the card's YAML front matter parse.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.release.writer import MANIFEST, data_path, sha256_file

FIX_RELEASE = "build one with `trisec build`, or pass the folder of a release"
FIX_DAMAGED = ("the release is damaged: rebuild it with `trisec build` (or `git checkout "
               "dataset/`, or download it again); never edit a release folder by hand")
CARD = "README.md"
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ReleaseFolder:
    """A release folder whose files all match its manifest."""

    path: Path
    manifest: dict[str, Any]

    @property
    def version(self) -> str | None:
        v = self.manifest.get("version")
        return None if v is None else str(v)

    @property
    def distribution(self) -> str:
        return str(self.manifest.get("distribution") or "release")

    def files(self, config: str) -> list[Path]:
        """The Parquet files of a config, in manifest (split) order."""
        prefix = f"data/{config}/"
        return [self.path / f["path"] for f in self.manifest["files"]
                if f["path"].startswith(prefix) and f["path"].endswith(".parquet")]

    def split_file(self, config: str, split: str) -> Path | None:
        path = self.path / data_path(config, split)
        return path if path.is_file() else None

    def read_table(self, path: Path, columns: list[str] | None = None) -> Any:
        """pyarrow Table of one data file; a file that does not decode is a located error."""
        import pyarrow.parquet as pq

        try:
            return pq.read_table(path, columns=columns)
        except (OSError, ValueError, KeyError) as exc:  # ArrowInvalid is a ValueError
            raise TrisecError(Problem(str(path), f"cannot be read as Parquet "
                                      f"({type(exc).__name__}: {exc})", FIX_DAMAGED)) from exc

    def read_rows(self, config: str, columns: list[str] | None = None,
                  split: str | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for path in self.files(config):
            if split is None or path.name.startswith(f"{split}-"):
                out.extend(self.read_table(path, columns).to_pylist())
        return out


def _manifest_problem(folder: Path, message: str, fix: str = FIX_DAMAGED) -> TrisecError:
    return TrisecError(Problem(f"{folder}/{MANIFEST}", message, fix))


def _folder(folder: Path, what: str, fix: str) -> None:
    if not folder.exists():
        raise TrisecError(Problem(str(folder), f"no such folder (expected a {what})", fix))
    if not folder.is_dir():
        raise TrisecError(Problem(str(folder), f"is a file, not a {what} folder", fix))


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        if not any(folder.iterdir()):
            raise TrisecError(Problem(str(folder), "empty folder: not a release", FIX_RELEASE))
        if not (folder / "data").is_dir():
            raise TrisecError(Problem(str(folder), f"not a release (no {MANIFEST}, no data/)",
                                      FIX_RELEASE))
        raise _manifest_problem(folder, "missing: the release's files cannot be checked")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise _manifest_problem(folder, f"not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise TrisecError(Problem(f"{path}:{exc.lineno}:{exc.colno}",
                                  f"not JSON ({exc.msg})", FIX_DAMAGED)) from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise _manifest_problem(folder, "not a TRISEC manifest (no `files` list)")
    problems = []
    for i, f in enumerate(manifest["files"]):
        ok = (isinstance(f, dict) and isinstance(f.get("path"), str)
              and isinstance(f.get("bytes"), int) and not isinstance(f.get("bytes"), bool)
              and isinstance(f.get("sha256"), str) and _SHA.fullmatch(f["sha256"]))
        rel = f.get("path") if isinstance(f, dict) else None
        if ok and (rel.startswith("/") or ".." in rel.split("/") or rel == MANIFEST):
            ok = False
        if not ok:
            problems.append(Problem(f"{path}: files[{i}]", "not a valid file entry (needs a "
                                    "relative path, bytes and a 64-hex sha256)", FIX_DAMAGED))
    if problems:
        raise TrisecError(problems)
    return manifest


def _check_files(folder: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists is there, byte for byte; nothing else is there."""
    problems = []
    listed = {f["path"]: f for f in manifest["files"]}
    for rel, f in listed.items():
        path = folder / rel
        if not path.is_file():
            problems.append(Problem(str(path), f"missing (listed in {MANIFEST})", FIX_DAMAGED))
            continue
        size = path.stat().st_size
        if size != f["bytes"]:
            what = "empty" if size == 0 else ("truncated" if size < f["bytes"] else "longer")
            problems.append(Problem(str(path), f"{what}: {size} bytes, {MANIFEST} says "
                                    f"{f['bytes']}", FIX_DAMAGED))
        elif sha256_file(path) != f["sha256"]:
            problems.append(Problem(str(path), f"content differs from {MANIFEST} (sha256 "
                                    f"{f['sha256'][:12]}…): damaged or edited", FIX_DAMAGED))
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if not path.is_dir() and rel != MANIFEST and rel not in listed:
            problems.append(Problem(str(path), f"not part of the release (not in {MANIFEST})",
                                    "remove it, or rebuild the release with `trisec build`"))
    if problems:
        raise TrisecError(problems)


def _check_parse(folder: Path, manifest: dict[str, Any]) -> None:
    """With the checksums holding: the data files and the card must still parse (a build bug
    can sign a broken file)."""
    import pyarrow.parquet as pq
    import yaml

    problems = []
    for f in manifest["files"]:
        if f["path"].endswith(".parquet"):
            try:
                pq.read_metadata(folder / f["path"])
            except (OSError, ValueError) as exc:
                problems.append(Problem(str(folder / f["path"]), "not a readable Parquet file "
                                        f"({exc})", FIX_DAMAGED))
    card = folder / CARD
    if not card.is_file():
        problems.append(Problem(str(card), "missing: a release has a dataset card",
                                FIX_DAMAGED))
    else:
        text = card.read_text(encoding="utf-8", errors="replace")
        parts = text.split("---", 2) if text.startswith("---") else []
        if len(parts) < 3:
            problems.append(Problem(f"{card}:1", "no YAML front matter (--- ... ---)",
                                    FIX_DAMAGED))
        else:
            try:
                meta = yaml.safe_load(parts[1])
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = f":{mark.line + 1}" if mark is not None else ""
                why = getattr(exc, "problem", None) or type(exc).__name__
                problems.append(Problem(f"{card}{line}", f"YAML front matter does not parse "
                                        f"({why})", FIX_DAMAGED))
            else:
                if not isinstance(meta, dict):
                    problems.append(Problem(f"{card}:2", "YAML front matter is not a mapping",
                                            FIX_DAMAGED))
    if problems:
        raise TrisecError(problems)


def open_release(folder: Path, distribution: str = "release") -> ReleaseFolder:
    """Check a release folder (see the module docstring) and return it; TrisecError with
    located problems otherwise. `distribution`: "release" or "standoff"."""
    folder = Path(folder)
    _folder(folder, distribution, FIX_RELEASE)
    manifest = _read_manifest(folder)
    found = str(manifest.get("distribution") or "release")
    if found != distribution:
        raise _manifest_problem(folder, f"this is a {found} folder, not a {distribution}",
                                f"pass the folder of a {distribution}")
    _check_files(folder, manifest)
    _check_parse(folder, manifest)
    return ReleaseFolder(folder, manifest)


def open_corpus(root: Path, *, allow_empty: bool = False) -> Any:
    """Check a corpus folder (raw/; raw.sha256, where present, in sha256sum format listing
    exactly the raw files) and return its `Corpus`."""
    from trisec.pipeline.add import corpus_at, read_checksums

    root = Path(root)
    fix = "pass the corpus folder (the one holding raw/, raw.sha256, metadata/, annotations/)"
    _folder(root, "corpus", fix)
    corpus = corpus_at(root)
    if not corpus.raw_dir.is_dir():
        what = "empty folder: not a corpus" if not any(root.iterdir()) \
            else "not a corpus folder (no raw/)"
        raise TrisecError(Problem(str(root), what, fix))
    names = {p.name for p in corpus.raw_paths()}
    sums_path = root / "raw.sha256"
    if sums_path.is_file():  # the pins themselves are checked by `trisec add` and the build
        sums = read_checksums(sums_path)
        problems = [Problem(str(sums_path), f"raw/{n} is not listed",
                            f"add its line: cd {corpus.raw_dir} && sha256sum {n}")
                    for n in sorted(names - sums.keys())]
        problems += [Problem(str(sums_path), f"lists raw/{n}, which does not exist",
                             "restore the file or remove its line")
                     for n in sorted(sums.keys() - names)]
        if problems:
            raise TrisecError(problems)
    if not names and not allow_empty:
        raise TrisecError(Problem(str(corpus.raw_dir), "no raw articles (*.txt)",
                                  "add some with `trisec add FILE`"))
    return corpus
