"""The local executor: a list of steps chained as lazy generators in this process.

`run` is the whole orchestration of the gold build, of `trisec ingest` and of every command
that needs the published texts: they differ only in the list of steps they pass. Each step's
time is charged to its name, exclusive of the steps it pulls from (Stats.timed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from trisec.document import Document
from trisec.errors import Problem, TrisecError
from trisec.pipeline.corpus import Corpus
from trisec.pipeline.inputs import InputCheck
from trisec.pipeline.stats import Stats
from trisec.pipeline.steps import (
    Annotate,
    AnnotatedDocument,
    Clean,
    Dedup,
    Duplicate,
    Leftovers,
    NearDuplicates,
    Pins,
    Read,
    Step,
)
from trisec.schema import Schema

Progress = Callable[[Iterable[Any]], Iterable[Any]]


def run(steps: Sequence[Step], source: Iterable[Any], stats: Stats, errors: list[Problem],
        progress: Progress | None = None) -> Iterator[Any]:
    """Chain `steps` over `source`, lazily; `progress` wraps the first step's output."""
    stream: Iterable[Any] = source
    for k, step in enumerate(steps):
        stream = stats.timed(step.name, step(stream, stats, errors))
        if k == 0 and progress:
            stream = progress(stream)
    return iter(stream)


def _input_check(corpus: Corpus) -> InputCheck:
    return InputCheck(corpus.raw_dir, corpus.pins_path, corpus.metadata_dir, corpus.gold_dir,
                      corpus.passes_dir)


def published_steps(corpus: Corpus) -> list[Step]:
    """read (pinned) -> clean -> dedup (exact, then near) -> leftover inputs: the documents
    a release publishes, without annotations."""
    check, dedup = _input_check(corpus), Dedup()
    return [Read(refused=check.refused), Pins(check), Clean(corpus.metadata_dir), dedup,
            NearDuplicates(corpus.raw_dir, corpus.distinct_path), Leftovers(check, dedup)]


def gold_steps(corpus: Corpus, schema: Schema) -> list[Step]:
    """The gold build: published_steps with annotate (split, sentences, verified gold)
    before the leftover check."""
    *steps, leftovers = published_steps(corpus)
    return [*steps, Annotate(corpus.gold_dir, schema), leftovers]


def annotated_documents(corpus: Corpus, schema: Schema, stats: Stats, errors: list[Problem],
                        duplicates: list[Duplicate], progress: Progress | None = None
                        ) -> Iterator[AnnotatedDocument]:
    """The gold build up to rows, as one lazy generator (dropped copies go to `duplicates`)."""
    steps = gold_steps(corpus, schema)
    dedup = next(s for s in steps if isinstance(s, Dedup))
    dedup.duplicates = duplicates
    return run(steps, corpus.raw_paths(), stats, errors, progress)


def published_documents(corpus: Corpus) -> Iterator[Document]:
    """Cleaned, de-duplicated documents as the release publishes them (no annotations)."""
    errors: list[Problem] = []
    yield from run(published_steps(corpus), corpus.raw_paths(), Stats(), errors)
    if errors:
        raise TrisecError(errors)


def ingest(paths: Iterable[Path], metadata_dir: Path | None, stats: Stats,
           errors: list[Problem]) -> Iterator[tuple[Document, str | None]]:
    """`trisec ingest`: the build's read -> clean -> dedup over any files, in file-name order;
    copies are passed on with the file they duplicate instead of being dropped."""
    dedup = Dedup(keep_duplicates=True)
    seen = 0
    for doc in run([Read(), Clean(metadata_dir), dedup], paths, stats, errors):
        new = dedup.duplicates[seen:]
        seen = len(dedup.duplicates)
        yield doc, (new[0].duplicate_of if new else None)
