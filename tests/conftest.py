"""Shared fixtures: the real corpus, small raw fixture files, a release built once per session.

Reuse `release` (a tmp release built from corpus/ with trisec.release.build.write_release)
instead of building again: a build costs about a second. Never write into it; copy it first.

The corpus grows, so no test may count the live corpus's documents, tasks or rows: a test
either derives its expectation from corpus/ (see tests/corpus_checks.py) or builds from
`fixed_corpus`, a small corpus of named articles in a temp folder whose numbers never change.
"""

from __future__ import annotations

import os
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

# tests never touch the network (datasets/huggingface_hub read these at import time)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from trisec.document import Document
from trisec.documents.clean import INVISIBLE, clean
from trisec.documents.ingest import decode, read_raw
from trisec.documents.pins import read_checksums, write_checksums
from trisec.paths import ANNOTATIONS_DIR, METADATA_DIR, RAW_CHECKSUMS, RAW_DIR, SCHEMA_DIR
from trisec.pipeline.corpus import Corpus
from trisec.release.build import BuildResult, default_corpus, write_release
from trisec.schema import Schema, load_schema

GOLD_DIR = ANNOTATIONS_DIR / "gold"
FIXTURES_RAW = Path(__file__).parent / "fixtures" / "raw"
# The five articles of the first release: tests that need exact numbers (documents per split,
# gold items, tasks) build from copies of these. Raw files never change once pinned, so the
# numbers hold however many articles are added to corpus/ later.
FIXED_SOURCES = ("000_983addbeba9461a4.txt", "001_5490b7e65b2fff38.txt",
                 "002_c37bc291a6e8c48a.txt", "003_e71573b21affb5a2.txt",
                 "004_fd7d536830c83d2c.txt")


# The invented page of the maintainer's path (tests/fixtures/new_article/): tests add it to a
# copy of corpus/ and check it becomes a document. It is never published.
NEW_PAGE = Path(__file__).parent / "fixtures" / "new_article" / "005_new_article.txt"


def without_new_page(root: Path) -> Path:
    """Take NEW_PAGE out of a corpus copy at `root` if it is there (its raw file, pin,
    metadata and any annotation file), so a test can add it as new. A checkout where a
    maintainer tried the README's "Add an article" steps with this page holds it in corpus/
    (and its dataset/); the tests that add it must still find it new."""
    page = read_raw(NEW_PAGE)
    pins = root / "raw.sha256"
    sums = read_checksums(pins)
    for name, digest in list(sums.items()):
        if digest == page.sha256:
            (root / "raw" / name).unlink(missing_ok=True)
            del sums[name]
            write_checksums(pins, sums)
    for stray in [root / "metadata" / f"{page.doc_id}.yaml",
                  *(root / "annotations").rglob(f"{page.doc_id}.json")]:
        stray.unlink(missing_ok=True)
    return root


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema()


@pytest.fixture(scope="session")
def repo_corpus() -> Corpus:
    """The checkout's corpus/ with its passes and benchmark predictions (read only)."""
    return default_corpus()


def copy_fixed_corpus(root: Path) -> Corpus:
    """Copy the FIXED_SOURCES raw files and their metadata into `root` (empty gold folder)."""
    raw, meta, gold = root / "raw", root / "metadata", root / "annotations" / "gold"
    for d in (raw, meta, gold):
        d.mkdir(parents=True)
    for name in FIXED_SOURCES:
        path = RAW_DIR / name
        assert path.is_file(), f"{path} left the corpus: copy it into the test's own fixtures"
        shutil.copyfile(path, raw / name)
        doc_id = read_raw(path).doc_id
        shutil.copyfile(METADATA_DIR / f"{doc_id}.yaml", meta / f"{doc_id}.yaml")
    pin(raw)
    return Corpus(raw, meta, gold)


@pytest.fixture(scope="session")
def fixed_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """A small corpus of the FIXED_SOURCES articles in a temp folder (read only, no gold)."""
    return copy_fixed_corpus(tmp_path_factory.mktemp("fixed-corpus"))


@pytest.fixture(scope="session")
def release_build(tmp_path_factory: pytest.TempPathFactory, repo_corpus: Corpus,
                  schema: Schema) -> tuple[Path, BuildResult]:
    out = tmp_path_factory.mktemp("release") / "dataset"
    out.mkdir()
    return out, write_release(out, repo_corpus, schema)


@pytest.fixture(scope="session")
def release(release_build: tuple[Path, BuildResult]) -> Path:
    """A release folder built once from corpus/ (not validated). Read only: copy to modify."""
    return release_build[0]


@pytest.fixture()
def tmp_corpus(tmp_path: Path) -> Corpus:
    """A writable copy of corpus/raw, raw.sha256 and corpus/metadata with an empty gold
    folder."""
    raw, meta, gold = tmp_path / "raw", tmp_path / "metadata", tmp_path / "annotations" / "gold"
    shutil.copytree(RAW_DIR, raw)
    shutil.copyfile(RAW_CHECKSUMS, tmp_path / "raw.sha256")
    shutil.copytree(METADATA_DIR, meta)
    gold.mkdir(parents=True)
    return Corpus(raw, meta, gold)


def pin(raw_dir: Path) -> None:
    """Write raw.sha256 beside a test corpus's raw/ for the files it holds now (what a
    curator does after checking new files; `trisec add` does it for real additions)."""
    import hashlib

    write_checksums(raw_dir.parent / "raw.sha256",
                    {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                     for p in raw_dir.glob("*.txt")})


def copy_corpus(root: Path, names: list[str] | None = None, gold: bool = False) -> Corpus:
    """A pinned corpus under `root` with some (default: all) raw files of corpus/, their
    curated metadata and, with gold=True, their gold annotations."""
    from trisec.document import doc_id_for
    from trisec.documents.pins import read_checksums

    corpus = Corpus(root / "raw", root / "metadata", root / "annotations" / "gold",
                    root / "annotations" / "passes")
    for d in (corpus.raw_dir, corpus.metadata_dir, corpus.gold_dir):
        d.mkdir(parents=True)
    pins = read_checksums(RAW_CHECKSUMS)
    for name in names or sorted(pins):
        shutil.copyfile(RAW_DIR / name, corpus.raw_dir / name)
        doc_id = doc_id_for(pins[name])
        for src, dst in ((METADATA_DIR / f"{doc_id}.yaml", corpus.metadata_dir),
                         (GOLD_DIR / f"{doc_id}.json", corpus.gold_dir if gold else None)):
            if dst is not None and src.is_file():
                shutil.copyfile(src, dst / src.name)
    pin(corpus.raw_dir)
    return corpus


def fixture_path(name: str) -> Path:
    return FIXTURES_RAW / name


@pytest.fixture(scope="session")
def fixtures_raw() -> Path:
    """tests/fixtures/raw: one small raw page per crawl case and per kind of bad input."""
    return FIXTURES_RAW


@pytest.fixture()
def clean_fixture() -> Callable[..., tuple[Document, str]]:
    """Clean tests/fixtures/raw/<name> (no curated metadata): (document, decoded raw)."""

    def run(name: str, known_title: str | None = None) -> tuple[Document, str]:
        raw = read_raw(fixture_path(name))
        decoded = decode(raw)
        return clean(raw, decoded, known_title=known_title), decoded

    return run


def _composed(raw: str) -> str:
    return unicodedata.normalize("NFC", INVISIBLE.sub("", raw))


def assert_accounted(doc: Document, decoded: str) -> None:
    """The audit property: every published character maps back to the same raw character
    (up to NFC composition), removals quote the raw text they cover, nothing is both kept and
    removed, and every non-whitespace raw character is either kept or removed."""
    owner: list[str | None] = [None] * len(decoded)
    for r in doc.removed:
        assert 0 <= r.raw_start < r.raw_end <= len(decoded), r
        assert decoded[r.raw_start:r.raw_end] == r.text, r
        for i in range(r.raw_start, r.raw_end):
            assert owner[i] is None, f"raw char {i} removed twice ({owner[i]}, {r.reason})"
            owner[i] = r.reason
    in_run = [False] * len(doc.text)
    last_raw = -1
    for start, raw_start, length in doc.offset_map:
        assert raw_start > last_raw, "runs must follow raw order"
        seg = doc.text[start:start + length]
        raw_end = raw_start + length
        if seg != decoded[raw_start:raw_end]:
            # an NFC-composed cluster: its first raw character plus the characters composed
            # into it (combining marks, conjoining jamo of combining class 0), invisible
            # format characters inside it dropped; NFC never drops a character, so the
            # shortest raw stretch that composes to it is it
            raw_end = raw_start + 1
            while raw_end < len(decoded) and _composed(decoded[raw_start:raw_end]) != seg:
                raw_end += 1
            assert _composed(decoded[raw_start:raw_end]) == seg, \
                (seg, decoded[raw_start:raw_end])
        for i in range(raw_start, raw_end):
            assert owner[i] is None, f"raw char {i} both kept and removed ({owner[i]})"
            owner[i] = "text"
        for i in range(start, start + length):
            in_run[i] = True
        last_raw = raw_end - 1
    unmapped = [i for i, c in enumerate(doc.text) if not in_run[i] and c not in " \n"]
    assert not unmapped, f"published chars without a raw origin at {unmapped[:5]}"
    # invisible format characters are normalised away like whitespace (counted, not removed)
    lost = [i for i, c in enumerate(decoded)
            if owner[i] is None and not c.isspace() and not INVISIBLE.match(c)]
    assert not lost, f"raw chars silently lost: {''.join(decoded[i] for i in lost[:40])!r}"


@pytest.fixture()
def accounted() -> Callable[[Document, str], None]:
    return assert_accounted


GOLD_FIXTURES = Path(__file__).parent / "fixtures" / "gold"


def build_release(tmp: Path, corpus: Corpus, schema: Schema, gold: bool) -> Path:
    """A release of `corpus` (the fixed corpus in the fixtures below), with the small
    hand-made gold of tests/fixtures/gold (gold=True) or with no gold at all: tests of the
    release's shape use both."""
    gold_dir = tmp / "gold"
    gold_dir.mkdir(parents=True)
    if gold:
        for f in GOLD_FIXTURES.glob("*.json"):
            shutil.copy(f, gold_dir / f.name)
    out = tmp / "dataset"
    out.mkdir()
    write_release(out, Corpus(corpus.raw_dir, corpus.metadata_dir, gold_dir), schema)
    return out


@pytest.fixture(scope="session")
def gold_release(tmp_path_factory: pytest.TempPathFactory, fixed_corpus: Corpus,
                 schema: Schema) -> Path:
    return build_release(tmp_path_factory.mktemp("fixture-gold"), fixed_corpus, schema, True)


@pytest.fixture(scope="session")
def bare_release(tmp_path_factory: pytest.TempPathFactory, fixed_corpus: Corpus,
                 schema: Schema) -> Path:
    return build_release(tmp_path_factory.mktemp("no-gold"), fixed_corpus, schema, False)


def release_with_gold(out: Path, gold_dir: Path, schema: Schema) -> Path:
    """A release of this checkout's raw texts and metadata with the given gold folder
    (no passes or predictions), written without validation."""
    out.mkdir(parents=True, exist_ok=True)
    write_release(out, Corpus(RAW_DIR, METADATA_DIR, gold_dir), schema)
    return out


def scratch_schema(tmp: Path, edit: Callable[[dict], object]) -> Schema:
    """A copy of schema/ in tmp whose dataset.yaml went through edit(data), loaded."""
    folder = tmp / "schema"
    shutil.copytree(SCHEMA_DIR, folder)
    path = folder / "dataset.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_schema(folder)
