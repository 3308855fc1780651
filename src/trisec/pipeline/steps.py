"""The stages of every pipeline, as small named steps over plain documents.

raw files -> RawArticle -> Document (clean + curated metadata) -> dedup -> AnnotatedDocument
(split, sentences, verified gold). A step is configured when it is built (its folders, the
schema) and then maps a stream to a stream, counting what it did; a bad item is recorded as a
located problem and the stream goes on, so one run reports every problem at once. Nothing
holds the corpus in memory (dedup keeps only body hashes). Executors (local.py here, the
silver executors for crawls) decide how the steps run, never what they do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from trisec.annotation.gold import Verified, load_gold
from trisec.document import Document, RawArticle
from trisec.documents.clean import clean
from trisec.documents.ingest import decode, read_raw
from trisec.documents.metadata import load_curated, merge_metadata
from trisec.documents.sentences import Sentence, split_sentences
from trisec.errors import Problem, TrisecError
from trisec.pipeline.stats import Stats
from trisec.schema import Schema, split_of


@dataclass
class AnnotatedDocument:
    doc: Document
    split: str
    sentences: list[Sentence]
    gold: Verified | None


@dataclass
class Duplicate:
    source_file: str
    doc_id: str
    duplicate_of: str  # source_file of the first copy


class Step(Protocol):
    """A named stage: a stream in, a stream out; problems go to `errors`."""

    name: str

    def __call__(self, items: Iterable[Any], stats: Stats,
                 errors: list[Problem]) -> Iterator[Any]: ...


def clean_one(raw: RawArticle, metadata_dir: Path | None = None,
              where: str | None = None) -> Document:
    """Decode, clean and merge curated metadata (none for a crawl): the one cleaning path of
    the gold build, `trisec ingest` and the silver pipeline. `where` names the file in errors
    (default: its file name)."""
    curated = load_curated(metadata_dir, raw.doc_id) if metadata_dir else None
    known = ((curated or {}).get("title") or {}).get("value")
    return merge_metadata(clean(raw, decode(raw, where), known_title=known), curated)


@dataclass
class Read:
    """Paths -> RawArticle, in file-name order: the order decides which duplicate is first,
    whatever order the paths were given in."""

    name: str = "read"

    def __call__(self, paths: Iterable[Path], stats: Stats,
                 errors: list[Problem]) -> Iterator[RawArticle]:
        for path in sorted(paths, key=lambda p: Path(p).name):
            try:
                raw = read_raw(Path(path))
            except TrisecError as exc:
                errors.extend(exc.problems)
                stats.add(self.name, "unreadable")
                continue
            stats.add(self.name, "files")
            stats.add(self.name, "bytes", len(raw.data))
            yield raw


@dataclass
class Clean:
    """RawArticle -> Document (clean_one); a file that cannot be cleaned is recorded."""

    metadata_dir: Path | None
    name: str = "clean"

    def __call__(self, raws: Iterable[RawArticle], stats: Stats,
                 errors: list[Problem]) -> Iterator[Document]:
        for raw in raws:
            try:
                doc = clean_one(raw, self.metadata_dir)
            except TrisecError as exc:
                errors.extend(exc.problems)
                stats.add(self.name, "rejected")
                continue
            stats.add(self.name, "documents")
            for r in doc.removed:
                stats.add(self.name, f"removed:{r.reason}")
            yield doc


@dataclass
class Dedup:
    """Exact duplicates on the normalised body: the first copy (file-name order) wins; the
    dropped copies are kept in `duplicates` (the release manifest lists them)."""

    name: str = "dedup"
    duplicates: list[Duplicate] = field(default_factory=list)
    keep_duplicates: bool = False  # pass copies on (marked in `duplicates`) instead of dropping

    def __call__(self, docs: Iterable[Document], stats: Stats,
                 errors: list[Problem]) -> Iterator[Document]:
        first: dict[str, str] = {}
        for doc in docs:
            if doc.body_sha256 in first:
                self.duplicates.append(Duplicate(doc.source_file, doc.doc_id,
                                                 first[doc.body_sha256]))
                stats.add(self.name, "duplicates")
                if self.keep_duplicates:
                    yield doc
                continue
            first[doc.body_sha256] = doc.source_file
            stats.add(self.name, "unique")
            yield doc



@dataclass
class Annotate:
    """Document -> AnnotatedDocument: split rule, sentences and the verified gold file."""

    gold_dir: Path
    schema: Schema
    name: str = "annotate"

    def __call__(self, docs: Iterable[Document], stats: Stats,
                 errors: list[Problem]) -> Iterator[AnnotatedDocument]:
        for doc in docs:
            try:
                gold = load_gold(self.gold_dir, doc.doc_id, doc.text, self.schema)
            except TrisecError as exc:
                errors.extend(exc.problems)
                stats.add(self.name, "invalid_annotations")
                continue
            sents = split_sentences(doc.text)
            stats.add(self.name, "sentences", len(sents))
            stats.add(self.name, "tokens", sum(len(s.token_starts) for s in sents))
            if gold:
                stats.add(self.name, "gold_documents")
                for layer in ("mentions", "events", "attributions"):
                    stats.add(self.name, layer, len(gold.data[layer]))
            else:
                stats.add(self.name, "without_gold")
            yield AnnotatedDocument(doc, split_of(doc.doc_id, self.schema), sents, gold)
