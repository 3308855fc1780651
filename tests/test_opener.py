"""One release opener, one corpus opener (trisec.release.opener): every command that reads a
release or a corpus folder answers a missing folder, an empty folder and a damaged one with one
located line and exit code 1, no traceback, and writes nothing (issue #18 items 1-2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from trisec import paths
from trisec.cli import main
from trisec.errors import TrisecError
from trisec.paths import METADATA_DIR, RAW_CHECKSUMS, RAW_DIR, ROOT
from trisec.release.opener import open_corpus, open_release
from trisec.validation.mutations import MUTATIONS, OPENER, mutate

# {folder}: the bad folder; {out}: a path that must not be created
RELEASE_COMMANDS = {
    "validate": ["validate", "--release", "{folder}"],
    "build --check": ["build", "--check", "--out", "{folder}"],
    "evaluate": ["evaluate", "-p", "{out}.jsonl", "--release", "{folder}"],
    "predict": ["predict", "--release", "{folder}", "--out", "{out}.jsonl"],
    "train spacy": ["train", "spacy", "--release", "{folder}", "--models", "{out}",
                    "--predict-to", "{out}"],
    "render": ["render", "--release", "{folder}", "--out", "{out}"],
    "plot": ["plot", "--release", "{folder}", "--out", "{out}.png"],
    "annotations stats": ["annotations", "stats", "--release", "{folder}"],
    "standoff": ["standoff", "--release", "{folder}", "--out", "{out}"],
    "rehydrate": ["rehydrate", "{folder}", "--raw", str(RAW_DIR), "--out", "{out}"],
    "diff": ["diff", "{folder}", "{folder}"],
    "docs": ["docs", "--check", "--release", "{folder}", "--file", str(ROOT / "DATASHEET.md")],
    "publish": ["publish", "--repo-id", "someone/trisec", "--dry-run"],  # reads dataset/
    "release": ["release", "--dist", "{out}"],  # reads dataset/
}
CORPUS_COMMANDS = {
    "export spacy": ["export", "spacy", "--corpus", "{folder}", "--out", "{out}"],
    "export labelstudio": ["export", "labelstudio", "--corpus", "{folder}", "--out",
                           "{out}.json"],
    "preannotate": ["preannotate", "--all", "--corpus", "{folder}"],
    "import labelstudio": ["import", "labelstudio", "{export}", "--corpus", "{folder}"],
    "add": ["add", str(next(RAW_DIR.glob("*.txt"))), "--corpus", "{folder}"],
}
KINDS = ["missing", "empty", "damaged"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): (b"" if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def bad_release(tmp: Path, kind: str, release: Path, schema) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp / "bad"
    if kind == "empty":
        folder.mkdir()
    elif kind == "damaged":
        mutate(release, folder, next(m for m in MUTATIONS if m.name == "byte_flipped_parquet"),
               schema)
    return folder


def bad_corpus(tmp: Path, kind: str) -> Path:
    folder = tmp / "bad"
    if kind == "empty":
        folder.mkdir()
    elif kind == "damaged":  # raw.sha256 pins a raw file that is gone
        shutil.copytree(RAW_DIR, folder / "raw")
        shutil.copytree(METADATA_DIR, folder / "metadata")
        shutil.copy(RAW_CHECKSUMS, folder / "raw.sha256")
        sorted((folder / "raw").glob("*.txt"))[-1].unlink()
    return folder


def run_one(tmp_path: Path, args: list[str], folder: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "export.json"
    export.write_text("[]\n", encoding="utf-8")
    monkeypatch.setattr(paths, "DATASET_DIR", folder)  # publish and release read dataset/
    argv = [a.format(folder=folder, out=tmp_path / "out", export=export) for a in args]
    before = snapshot(tmp_path)
    res = CliRunner(env={"COLUMNS": "300"}).invoke(main, argv)
    lines = res.output.strip().splitlines()
    assert res.exit_code == 1, (argv, res.output)
    assert len(lines) == 1 and lines[0].startswith(f"error: {folder}"), (argv, res.output)
    assert "Traceback" not in res.output and "bug" not in res.output
    assert snapshot(tmp_path) == before, argv  # nothing written, nothing removed


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", sorted(RELEASE_COMMANDS))
def test_release_commands_on_bad_folders(command: str, kind: str, tmp_path: Path,
                                         release: Path, schema, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = bad_release(tmp_path, kind, release, schema)
    run_one(tmp_path, RELEASE_COMMANDS[command], folder, monkeypatch)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", sorted(CORPUS_COMMANDS))
def test_corpus_commands_on_bad_folders(command: str, kind: str, tmp_path: Path,
                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = bad_corpus(tmp_path, kind)
    run_one(tmp_path, CORPUS_COMMANDS[command], folder, monkeypatch)


def test_checksums_are_checked_before_anything_is_parsed(tmp_path: Path, release: Path,
                                                        schema) -> None:  # type: ignore[no-untyped-def]
    """A file replaced by a non-Parquet file is reported as a checksum mismatch: the opener
    never hands a damaged file to a parser."""
    not_parquet = next(m for m in MUTATIONS if m.name == "not_parquet")
    target = mutate(release, tmp_path / "r", not_parquet, schema)
    with pytest.raises(TrisecError) as err:
        open_release(tmp_path / "r")
    assert target.suite == OPENER
    assert [p.message for p in err.value.problems] == [
        "content differs from manifest.json (sha256 "
        f"{_listed_sha(release, target.names[0])[:12]}…): damaged or edited"]


def _listed_sha(release: Path, rel: str) -> str:
    return next(f["sha256"] for f in open_release(release).manifest["files"]
                if f["path"] == rel)


def test_the_real_release_and_corpus_open(release: Path) -> None:
    opened = open_release(release)
    assert {Path(f["path"]).parts[1] for f in opened.manifest["files"]
            if f["path"].startswith("data/")} == {p.name for p in (release / "data").iterdir()}
    assert open_corpus(paths.CORPUS_DIR).raw_dir == RAW_DIR
