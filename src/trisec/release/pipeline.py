"""The build pipeline as a list of small generator steps over plain documents.

raw files -> RawArticle -> Document (clean + curated metadata) -> dedup -> AnnotatedDocument
(split, sentences, verified gold). Each step counts what it did (datatrove-style stats);
nothing holds the corpus in memory (dedup keeps only body hashes).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.annotation.gold import load_gold
from trisec.document import Document, RawArticle
from trisec.documents.clean import clean
from trisec.documents.ingest import decode, iter_raw
from trisec.documents.metadata import load_curated, merge_metadata
from trisec.documents.sentences import split_sentences
from trisec.errors import Problem, TrisecError
from trisec.release.assemble import AnnotatedDocument
from trisec.schema import Schema, split_of


@dataclass
class Stats:
    """Per-step counters and wall time, printed at the end of a run."""

    counters: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # open timing frames [step, seconds spent in nested steps]: stages are nested generators
    # (annotate pulls from dedup pulls from clean), so each step is charged exclusive time
    _frames: list[list[Any]] = field(default_factory=list, repr=False)

    def add(self, step: str, key: str, n: int = 1) -> None:
        self.counters[step][key] += n

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Charge the time of a block to `name`, minus the time of steps nested inside it."""
        frame: list[Any] = [name, 0.0]
        self._frames.append(frame)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - t0
            self._frames.pop()
            self.seconds[name] += elapsed - frame[1]
            if self._frames:
                self._frames[-1][1] += elapsed

    def timed(self, step: str, it: Iterable[object]) -> Iterator[object]:
        """Wrap a generator so the time spent producing each item is charged to `step`
        (exclusive of nested steps; the consumer's time between items is not counted)."""
        iterator = iter(it)
        while True:
            with self.step(step):
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item

    def rows(self) -> list[tuple[str, str, float]]:
        out = []
        for step in self.counters.keys() | self.seconds.keys():
            summary = ", ".join(f"{k}={v}" for k, v in sorted(self.counters[step].items()))
            out.append((step, summary, self.seconds.get(step, 0.0)))
        return sorted(out, key=lambda r: STEP_ORDER.index(r[0]) if r[0] in STEP_ORDER else 99)


STEP_ORDER = ["read", "clean", "dedup", "annotate", "write"]


@dataclass
class Duplicate:
    source_file: str
    doc_id: str
    duplicate_of: str  # source_file of the first copy


def read_step(paths: Iterable[Path], stats: Stats) -> Iterator[RawArticle]:
    for raw in iter_raw(paths):
        stats.add("read", "files")
        stats.add("read", "bytes", len(raw.data))
        yield raw


def clean_step(raws: Iterable[RawArticle], metadata_dir: Path, stats: Stats,
               errors: list[Problem]) -> Iterator[Document]:
    """Decode, clean and merge curated metadata; a bad file is recorded, the run goes on."""
    for raw in raws:
        try:
            curated = load_curated(metadata_dir, raw.doc_id)
            known = ((curated or {}).get("title") or {}).get("value")
            doc = merge_metadata(clean(raw, decode(raw), known_title=known), curated)
        except TrisecError as exc:
            errors.extend(exc.problems)
            stats.add("clean", "rejected")
            continue
        stats.add("clean", "documents")
        for r in doc.removed:
            stats.add("clean", f"removed:{r.reason}")
        yield doc


def dedup_step(docs: Iterable[Document], stats: Stats,
               duplicates: list[Duplicate]) -> Iterator[Document]:
    """Exact duplicates on the normalised body: the first copy (file-name order) wins."""
    first: dict[str, str] = {}
    for doc in docs:
        if doc.body_sha256 in first:
            duplicates.append(Duplicate(doc.source_file, doc.doc_id, first[doc.body_sha256]))
            stats.add("dedup", "duplicates")
            continue
        first[doc.body_sha256] = doc.source_file
        stats.add("dedup", "unique")
        yield doc


def annotate_step(docs: Iterable[Document], schema: Schema, gold_dir: Path, stats: Stats,
                  errors: list[Problem]) -> Iterator[AnnotatedDocument]:
    for doc in docs:
        try:
            gold = load_gold(gold_dir, doc.doc_id, doc.text, schema)
        except TrisecError as exc:
            errors.extend(exc.problems)
            stats.add("annotate", "invalid_annotations")
            continue
        sents = split_sentences(doc.text)
        stats.add("annotate", "sentences", len(sents))
        stats.add("annotate", "tokens", sum(len(s.token_starts) for s in sents))
        if gold:
            stats.add("annotate", "gold_documents")
            for layer in ("mentions", "events", "attributions"):
                stats.add("annotate", layer, len(gold.data[layer]))
        else:
            stats.add("annotate", "without_gold")
        yield AnnotatedDocument(doc, split_of(doc.doc_id, schema), sents, gold)


@dataclass
class Corpus:
    """Everything a build reads, and nothing else: the build is hermetic, so the same
    corpus under any folder gives the same bytes. `passes_dir` (independent annotation passes,
    for the agreement figures) and `predictions_dir` (benchmark prediction files scored on the
    card) are optional: without them the card says they are not in this corpus."""

    raw_dir: Path
    metadata_dir: Path
    gold_dir: Path
    passes_dir: Path | None = None
    predictions_dir: Path | None = None

    @classmethod
    def at(cls, root: Path) -> Corpus:
        """The corpus of a checkout laid out like this one (corpus/, benchmark/predictions/)."""
        corpus = Path(root) / "corpus"
        return cls(corpus / "raw", corpus / "metadata", corpus / "annotations" / "gold",
                   corpus / "annotations" / "passes", Path(root) / "benchmark" / "predictions")

    def raw_paths(self) -> list[Path]:
        return sorted(self.raw_dir.glob("*.txt"))


def annotated_documents(corpus: Corpus, schema: Schema, stats: Stats, errors: list[Problem],
                        duplicates: list[Duplicate],
                        progress: Callable[[Iterable[RawArticle]], Iterable[RawArticle]]
                        | None = None) -> Iterator[AnnotatedDocument]:
    """The whole pipeline up to rows, as one lazy generator."""
    raws: Iterable[RawArticle] = stats.timed(  # type: ignore[assignment]
        "read", read_step(corpus.raw_paths(), stats))
    if progress:
        raws = progress(raws)
    docs = stats.timed("clean", clean_step(raws, corpus.metadata_dir, stats, errors))
    unique = stats.timed("dedup", dedup_step(docs, stats, duplicates))  # type: ignore[arg-type]
    return stats.timed("annotate", annotate_step(unique, schema, corpus.gold_dir,  # type: ignore
                                                 stats, errors))


def published_documents(corpus: Corpus) -> Iterator[Document]:
    """Cleaned, de-duplicated documents as the release publishes them (no annotations)."""
    stats, errors, dups = Stats(), [], []
    raws = read_step(corpus.raw_paths(), stats)
    yield from dedup_step(clean_step(raws, corpus.metadata_dir, stats, errors), stats, dups)
    if errors:
        raise TrisecError(errors)
