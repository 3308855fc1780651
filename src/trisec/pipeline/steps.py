"""The stages of every pipeline, as small named steps over plain documents.

raw files -> RawArticle -> Document (clean + curated metadata) -> dedup -> AnnotatedDocument
(split, sentences, verified gold). A step is configured when it is built (its folders, the
schema) and then maps a stream to a stream, counting what it did; a bad item is recorded as a
located problem and the stream goes on, so one run reports every problem at once. Nothing
holds the corpus in memory (dedup keeps only body hashes). Executors (local.py here, the
silver executors for crawls) decide how the steps run, never what they do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from trisec.annotation.gold import Verified, load_gold
from trisec.document import Document, RawArticle
from trisec.documents.clean import clean
from trisec.documents.ingest import decode, read_raw
from trisec.documents.metadata import load_curated, merge_metadata, published_after
from trisec.documents.near_duplicates import NearCheck
from trisec.documents.sentences import Sentence, split_sentences
from trisec.errors import Problem, TrisecError
from trisec.pipeline.inputs import InputCheck
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
              where: str | None = None, check_names: bool = True) -> Document:
    """Decode, clean and merge curated metadata (none for a crawl): the one cleaning path of
    the gold build, `trisec ingest` and the silver pipeline. `where` names the file in errors
    (default: its file name). The metadata file must name this raw file and its sha256,
    except for a byte-identical copy under another name (`check_names=False`): it shares the
    first copy's doc_id and metadata, and is dropped as a duplicate."""
    curated = (load_curated(metadata_dir, raw.doc_id, raw if check_names else None)
               if metadata_dir else None)
    known = ((curated or {}).get("title") or {}).get("value")
    return merge_metadata(clean(raw, decode(raw, where), known_title=known), curated)


@dataclass
class Read:
    """Paths -> RawArticle, in file-name order: the order decides which duplicate is first,
    whatever order the paths were given in."""

    name: str = "read"
    refused: set[str] = field(default_factory=set)  # names of the files refused (too large...)

    def __call__(self, paths: Iterable[Path], stats: Stats,
                 errors: list[Problem]) -> Iterator[RawArticle]:
        for path in sorted(paths, key=lambda p: Path(p).name):
            try:
                raw = read_raw(Path(path))
            except TrisecError as exc:
                errors.extend(exc.problems)
                stats.add(self.name, "unreadable")
                self.refused.add(Path(path).name)
                continue
            stats.add(self.name, "files")
            stats.add(self.name, "bytes", len(raw.data))
            yield raw


@dataclass
class Clean:
    """RawArticle -> Document (clean_one); a file that cannot be cleaned is recorded, and so
    is a publication date later than the build day (`today`, default the clock's: it only
    decides whether an impossible date is refused, so valid data builds the same bytes on
    any day)."""

    metadata_dir: Path | None
    name: str = "clean"
    today: dt.date | None = None

    def __call__(self, raws: Iterable[RawArticle], stats: Stats,
                 errors: list[Problem]) -> Iterator[Document]:
        first_name: dict[str, str] = {}
        for raw in raws:
            copy = first_name.setdefault(raw.doc_id, raw.source_file) != raw.source_file
            try:
                doc = clean_one(raw, self.metadata_dir, check_names=not copy)
                future = published_after(doc, self.metadata_dir, self.today or dt.date.today())
                if future:
                    raise TrisecError(future)
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
class Pins:
    """RawArticle -> RawArticle: only files with the bytes raw.sha256 pins pass (a changed
    file would silently get another doc_id, split and no gold); see pipeline.inputs."""

    check: InputCheck
    name: str = "read"  # part of reading the corpus

    def __call__(self, raws: Iterable[RawArticle], stats: Stats,
                 errors: list[Problem]) -> Iterator[RawArticle]:
        yield from self.check.pinned(raws, errors)


@dataclass
class Leftovers:
    """The last step of a corpus run: passes everything on, then names orphaned gold, pass
    and metadata files and pins without their file (pipeline.inputs)."""

    check: InputCheck
    dedup: Dedup
    name: str = "read"  # what was read of the corpus, checked once it is all read

    def __call__(self, items: Iterable[Any], stats: Stats,
                 errors: list[Problem]) -> Iterator[Any]:
        yield from self.check.finished(items, self.dedup.duplicates, errors)


@dataclass
class NearDuplicates:
    """Document -> Document: the near-duplicate check `trisec add` runs, over the whole
    corpus; a pair not recorded as distinct articles is a problem naming both files."""

    raw_dir: Path
    distinct_path: Path
    name: str = "dedup"

    def __call__(self, docs: Iterable[Document], stats: Stats,
                 errors: list[Problem]) -> Iterator[Document]:
        near = NearCheck(self.raw_dir, self.distinct_path, errors)
        for doc in docs:
            before = len(errors)
            near.check(doc.doc_id, doc.source_file, doc.text)
            stats.add(self.name, "near_duplicates", len(errors) - before)
            yield doc
        near.finish(set(near.names))


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
