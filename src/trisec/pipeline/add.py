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

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trisec.document import Document
from trisec.documents.ingest import read_raw
from trisec.errors import Problem, TrisecError
from trisec.pipeline.corpus import Corpus
from trisec.pipeline.steps import clean_one

NOT_LOOKED_UP = "not looked up yet"
# Word 5-gram Jaccard similarity at or above which two bodies count as the same article
# (a re-crawl with a changed caption or an extra sentence); exact duplicates are 1.0.
NEAR_DUPLICATE = 0.8
SHINGLE = 5

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


def shingles(text: str, n: int = SHINGLE) -> frozenset[str]:
    """Word n-grams of the casefolded body (punctuation kept out), for near-duplicates."""
    words = re.findall(r"\w+", text.casefold())
    if len(words) < n:
        return frozenset([" ".join(words)])
    return frozenset(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


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
              allow_near_duplicate: bool = False) -> Document:
    """The document a new raw file would become; raises TrisecError when it must be refused."""
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
    orig = seen.by_body.get(doc.body_sha256)
    if orig:
        raise TrisecError(Problem(
            where, f"duplicate of raw/{orig} ({seen.doc_ids.get(orig, '?')}): after cleaning, "
            "the article bodies are identical (only boilerplate, line endings or the crawl "
            "date line differ)",
            f"nothing to add; record any better metadata in metadata/"
            f"{seen.doc_ids.get(orig, '<doc_id>')}.yaml"))
    if not allow_near_duplicate:
        mine = shingles(doc.text)
        best = max(((jaccard(mine, s), name) for name, s in seen.shingles.items()),
                   default=(0.0, ""))
        if best[0] >= NEAR_DUPLICATE:
            raise TrisecError(Problem(
                where, f"near-duplicate of raw/{best[1]} ({seen.doc_ids[best[1]]}): "
                f"{best[0]:.0%} of word {SHINGLE}-grams shared",
                "if it really is a different article (not a re-crawl or an edited copy), "
                "add it with --allow-near-duplicate"))
    return doc


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


def read_checksums(path: Path) -> dict[str, str]:
    """sha256sum lines (`<hex>  <name>`) -> {name: hex}; malformed lines are errors."""
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        m = re.fullmatch(r"([0-9a-f]{64}) [ *](.+)", line)
        if not m:
            raise TrisecError(Problem(f"{path}:{n}", f"not a sha256sum line: {line!r}",
                                      "regenerate it with `sha256sum *.txt` inside raw/"))
        out[m[2]] = m[1]
    return out


def write_checksums(path: Path, sums: dict[str, str]) -> None:
    """Sorted by file name, in the format `sha256sum -c` checks."""
    path.write_text("".join(f"{sums[name]}  {name}\n" for name in sorted(sums)),
                    encoding="utf-8")


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


def add_files(paths: Iterable[Path], root: Path, *,
              allow_near_duplicate: bool = False) -> AddReport:
    """Add each acceptable file (in the order given); refused files leave no trace."""
    from trisec.release.opener import open_corpus

    corpus = open_corpus(root, allow_empty=True)
    sums_path = checksums_path(root)
    seen = scan_corpus(corpus)
    sums = read_checksums(sums_path)
    check_pins(corpus, sums, seen, sums_path)
    report = AddReport()
    for path in paths:
        try:
            doc = check_new(Path(path), seen, corpus, allow_near_duplicate)
        except TrisecError as exc:
            report.refused.extend(exc.problems)
            continue
        target = corpus.raw_dir / doc.source_file
        shutil.copyfile(path, target)  # bytes only: the raw file is immutable evidence
        had_metadata = (corpus.metadata_dir / f"{doc.doc_id}.yaml").exists()
        meta = write_stub(corpus.metadata_dir, doc)
        sums[doc.source_file] = doc.sha256
        write_checksums(sums_path, sums)  # after each copy, so a crash leaves them in step
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
