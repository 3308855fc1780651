"""Adding raw articles to a corpus: checks first, then byte-identical copies and stubs.
Every file is cleaned with the build's own clean step (steps.clean_one).

A corpus folder holds raw/ (immutable crawl files), raw.sha256 (their sha256sum lines),
metadata/ (curated facts per doc_id) and annotations/. `add_files` refuses what the build
would reject or silently drop: unreadable or non-UTF-8 files (the same located errors as
ingest), pages with no body after cleaning, byte-identical copies, file-name clashes, and
pages whose cleaned body duplicates (or nearly duplicates) one already in the corpus.
Nothing is written for a refused file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trisec.document import Document, RawArticle
from trisec.documents.ingest import read_raw
from trisec.documents.metadata import published_after
from trisec.documents.near_duplicates import (
    DISTINCT_FILE,
    NEAR_DUPLICATE,
    SHINGLE,
    jaccard,
    record_distinct,
    shingles,
)
from trisec.documents.pins import read_checksums, write_atomic, write_checksums
from trisec.errors import Problem, TrisecError
from trisec.pipeline.corpus import Corpus
from trisec.pipeline.steps import clean_one

__all__ = ["add_files", "corpus_at", "read_checksums", "removal_lines", "write_checksums"]

NOT_LOOKED_UP = "not looked up yet"

STUB_HEADER = (
    "# Curated metadata stub written by `trisec add`: nothing has been looked up yet.\n"
    "# Fill a fact only from a lookup you can cite: value, provenance: external, confidence\n"
    "# (high | medium | low) and evidence. Facts found in the page itself need no entry here.\n"
)


def corpus_at(root: Path) -> Corpus:
    """The corpus layout under a folder (corpus/ by default; tests use tmp copies)."""
    return Corpus(root / "raw", root / "metadata", root / "annotations" / "gold")


def checksums_path(root: Path) -> Path:
    return root / "raw.sha256"


@dataclass
class Existing:
    """What is already in the corpus: names, byte hashes and cleaned bodies."""

    by_name: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    by_sha: dict[str, str] = field(default_factory=dict)  # sha256 -> file name
    by_body: dict[str, str] = field(default_factory=dict)  # body hash -> file name
    shingles: dict[str, frozenset[str]] = field(default_factory=dict)  # file name -> 5-grams
    doc_ids: dict[str, str] = field(default_factory=dict)  # file name -> doc_id

    def remember(self, doc: Document) -> None:
        self.by_name[doc.source_file] = doc.sha256
        self.by_sha.setdefault(doc.sha256, doc.source_file)
        self.by_body.setdefault(doc.body_sha256, doc.source_file)
        self.shingles[doc.source_file] = shingles(doc.text)
        self.doc_ids[doc.source_file] = doc.doc_id


@dataclass
class Added:
    path: Path  # the file given
    document: Document  # as the build will publish it (with the stub's metadata)
    raw_path: Path
    metadata_path: Path
    stub_written: bool  # False: curated metadata already existed and was kept


@dataclass
class AddReport:
    added: list[Added] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)


def near_matches(doc: Document, seen: Existing) -> list[tuple[str, float]]:
    """Corpus files whose body the document nearly duplicates, most similar first."""
    mine = shingles(doc.text)
    sims = sorted(((jaccard(mine, s), name) for name, s in seen.shingles.items()),
                  key=lambda x: (-x[0], x[1]))
    return [(name, sim) for sim, name in sims if sim >= NEAR_DUPLICATE]


def scan_corpus(corpus: Corpus) -> Existing:
    """Every readable raw file already in the corpus (bad ones are the build's business)."""
    seen = Existing()
    for path in corpus.raw_paths():
        raw = read_raw(path)
        try:
            seen.remember(clean_one(raw, corpus.metadata_dir))
        except TrisecError:
            seen.by_name[raw.source_file] = raw.sha256
            seen.by_sha.setdefault(raw.sha256, raw.source_file)
    return seen


def check_new(path: Path, seen: Existing, corpus: Corpus,
              allow_near_duplicate: bool = False) -> tuple[RawArticle, Document]:
    """The raw file as read and the document it would become; raises TrisecError when it
    must be refused."""
    where = str(path)
    if path.suffix != ".txt":
        raise TrisecError(Problem(where, "raw files must end in .txt (the build reads "
                                  "corpus/raw/*.txt only)", "rename the file to *.txt"))
    raw = read_raw(path)
    if raw.sha256 in seen.by_sha:
        orig = seen.by_sha[raw.sha256]
        raise TrisecError(Problem(where, f"already in the corpus: same bytes as raw/{orig} "
                                  f"({raw.doc_id})", "nothing to add"))
    if raw.source_file in seen.by_name:
        raise TrisecError(Problem(where, f"a different file named {raw.source_file} is "
                                  "already in raw/", "rename the new file"))
    doc = clean_one(raw, corpus.metadata_dir, where)  # decode errors carry the byte offset
    future = published_after(doc, corpus.metadata_dir, dt.date.today())
    if future:
        raise TrisecError(Problem(where, future.message, future.fix))
    orig = seen.by_body.get(doc.body_sha256)
    if orig:
        raise TrisecError(Problem(
            where, f"duplicate of raw/{orig} ({seen.doc_ids.get(orig, '?')}): after cleaning, "
            "the article bodies are identical (only boilerplate, line endings or the crawl "
            "date line differ)",
            f"nothing to add; record any better metadata in metadata/"
            f"{seen.doc_ids.get(orig, '<doc_id>')}.yaml"))
    near = near_matches(doc, seen)
    if near and not allow_near_duplicate:
        name, sim = near[0]
        raise TrisecError(Problem(
            where, f"near-duplicate of raw/{name} ({seen.doc_ids[name]}): "
            f"{sim:.0%} of word {SHINGLE}-grams shared",
            "if it really is a different article (not a re-crawl or an edited copy), "
            f"add it with --allow-near-duplicate (the pair is recorded in {DISTINCT_FILE})"))
    return raw, doc


def metadata_stub(doc: Document) -> dict[str, Any]:
    """Curated metadata for a new file: every external fact null, nothing invented."""
    def fact() -> dict[str, Any]:
        return {"value": None, "provenance": None, "confidence": None,
                "evidence": NOT_LOOKED_UP}

    published = {"value": None, "precision": None, "provenance": None, "confidence": None,
                 "evidence": NOT_LOOKED_UP}
    return {"doc_id": doc.doc_id, "source_file": doc.source_file, "sha256": doc.sha256,
            "title": fact(), "outlet": fact(), "url": fact(), "published": published}


def write_stub(metadata_dir: Path, doc: Document) -> Path:
    """The stub, unless a curator already wrote this document's metadata (kept as it is)."""
    out = metadata_dir / f"{doc.doc_id}.yaml"
    if out.exists():
        return out
    metadata_dir.mkdir(parents=True, exist_ok=True)
    out.write_text(STUB_HEADER + yaml.safe_dump(metadata_stub(doc), sort_keys=False,
                                                allow_unicode=True, width=100),
                   encoding="utf-8")
    return out


def check_pins(corpus: Corpus, sums: dict[str, str], seen: Existing, where: Path) -> None:
    """raw.sha256 must pin exactly the raw files as they are, before anything is added to
    it (raw files are immutable; a stale list would only get staler)."""
    problems = []
    for name, sha in sorted(seen.by_name.items()):
        if name not in sums:
            problems.append(Problem(str(where), f"raw/{name} is not listed",
                                    f"add its line: cd {corpus.raw_dir} && sha256sum {name}"))
        elif sums[name] != sha:
            problems.append(Problem(str(where), f"raw/{name} changed since it was pinned",
                                    "restore the raw file from git: raw files never change"))
    problems += [Problem(str(where), f"lists raw/{name}, which does not exist",
                         "restore the file or remove its line") for name in sorted(sums)
                 if name not in seen.by_name]
    if problems:
        raise TrisecError(problems)


@contextmanager
def pins_lock(path: Path) -> Iterator[None]:
    """One writer of a corpus at a time: an exclusive lock on `.raw.sha256.lock` beside
    raw.sha256 (release.replace's flock, the one folder writers use), held while `add` reads,
    checks and rewrites the pins; a second add waits for it and says so, and the kernel
    drops it if the holder is killed."""
    from trisec.release.replace import output_lock

    with output_lock(path):
        yield


def add_files(paths: Iterable[Path], root: Path, *,
              allow_near_duplicate: bool = False) -> AddReport:
    """Add each acceptable file (in the order given); refused files leave no trace."""
    from trisec.release.opener import open_corpus

    root = Path(root)
    if not root.is_dir():
        open_corpus(root, allow_empty=True)  # the located error; the lock would create it
    sums_path = checksums_path(root)
    # one writer at a time: a second add waits, then sees what the first one added (its
    # pins, its files as duplicates); without the lock the later write dropped a pin, and
    # a check of the corpus between another add's copy and its pin failed
    with pins_lock(sums_path):
        corpus = open_corpus(root, allow_empty=True)
        return _add_locked(paths, corpus, sums_path, allow_near_duplicate)


def _add_locked(paths: Iterable[Path], corpus: Corpus, sums_path: Path,
                allow_near_duplicate: bool) -> AddReport:
    seen = scan_corpus(corpus)
    sums = read_checksums(sums_path)
    check_pins(corpus, sums, seen, sums_path)
    report = AddReport()
    for path in paths:
        try:
            raw, doc = check_new(Path(path), seen, corpus, allow_near_duplicate)
        except TrisecError as exc:
            report.refused.extend(exc.problems)
            continue
        target = corpus.raw_dir / doc.source_file
        # bytes only (the raw file is immutable evidence), renamed into place: a crash never
        # leaves a partial raw file; the bytes checked above, not a second read of the file
        write_atomic(target, raw.data)
        had_metadata = (corpus.metadata_dir / f"{doc.doc_id}.yaml").exists()
        meta = write_stub(corpus.metadata_dir, doc)
        sums[doc.source_file] = doc.sha256
        write_checksums(sums_path, sums)  # after each copy, so a crash leaves them in step
        # a curator's word that they are different articles: the build checks the same pairs
        for name, sim in near_matches(doc, seen):
            record_distinct(corpus.raw_dir.parent / DISTINCT_FILE, seen.doc_ids[name],
                            doc.doc_id, f"accepted as a different article with `trisec add "
                            f"--allow-near-duplicate` ({sim:.0%} of word {SHINGLE}-grams "
                            f"shared with raw/{name})")
        # what the build will publish, now that the stub exists
        published = clean_one(read_raw(target), corpus.metadata_dir)
        seen.remember(published)
        report.added.append(Added(Path(path), published, target, meta, not had_metadata))
    return report


def removal_lines(doc: Document, width: int = 70) -> list[str]:
    """What cleaning removed, one line each, for a reviewer (`trisec add` prints these)."""
    out = []
    for r in doc.removed:
        text = r.text.strip().replace("\n", " ")
        clipped = text if len(text) <= width else text[:width - 1] + "…"
        out.append(f"{r.reason:<16} raw {r.raw_start}..{r.raw_end}  {clipped!r}")
    return out
