"""`trisec build`: corpus -> validated release folder, atomically; `--check` compares.

Stages that add files to a release (card sections, Croissant, leaderboard) live in
trisec/release/extras/; they run on the staged folder before the card is written and validation.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.paths import DATASET_DIR, ROOT
from trisec.pipeline.corpus import Corpus
from trisec.pipeline.local import annotated_documents
from trisec.pipeline.stats import Stats
from trisec.pipeline.steps import Duplicate
from trisec.release.card import BuildContext, render_card
from trisec.release.replace import Say
from trisec.release.writer import (
    SplitCounts,
    compare_folders,
    staging_dir,
    swap_in,
    write_manifest,
    write_rows,
)
from trisec.schema import Schema, load_schema

Validator = Callable[[Path], None]
Extra = Callable[[Path, BuildContext], None]
Stage = Callable[[str, int, int], None]  # progress: stage name, done, total


def _quiet(name: str, done: int, total: int) -> None:
    """The default progress callback: says nothing."""


def release_extras() -> list[Extra]:
    """`extend` functions of the modules in trisec/release/extras/, by their ORDER."""
    import importlib
    import pkgutil

    from trisec.release import extras

    mods = [importlib.import_module(f"{extras.__name__}.{m.name}")
            for m in pkgutil.iter_modules(extras.__path__)]
    mods = [m for m in mods if hasattr(m, "extend")]
    return [m.extend for m in sorted(mods, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))]


def default_corpus() -> Corpus:
    """This checkout's corpus (paths.ROOT): the only place a build's inputs default to."""
    return Corpus.at(ROOT)


@dataclass
class BuildResult:
    counts: SplitCounts
    stats: Stats
    duplicates: list[Duplicate] = field(default_factory=list)


def default_validator() -> Validator:
    """The Great Expectations gate, imported only when a build runs it. A gate that cannot be
    loaded stops the build with the reason: skipping validation is only ever `--no-validate`."""
    try:
        from trisec.validation.gate import validate_release
    except Exception as exc:  # any failure to load (ImportError, a syntax error...) must stop
        raise TrisecError(Problem(
            "trisec.validation.gate", "the validation gate cannot be loaded "
            f"({type(exc).__name__}: {exc}); nothing was built",
            "repair the install (`make install`); to build an unvalidated folder on purpose, "
            "pass --no-validate")) from exc
    return validate_release


def write_release(out: Path, corpus: Corpus, schema: Schema, *,
                  progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
                  stage: Stage = _quiet) -> BuildResult:
    """Write every file of a release into `out` (an empty folder). Raises on any problem.
    `progress` wraps the raw files as the pipeline pulls them; `stage(name, done, total)`
    hears each later stage (extras, card, manifest) as it starts."""
    stats, errors, dups = Stats(), [], []
    docs = annotated_documents(corpus, schema, stats, errors, dups, progress)
    with stats.step("write"):  # the writer's own time: pipeline steps it pulls are nested
        counts = write_rows(out, schema, docs)
    if errors:
        raise TrisecError(errors)
    if not any(counts.rows.get(("documents", sp)) for sp in schema.split_names):
        raise TrisecError(Problem(str(corpus.raw_dir), "no documents to publish",
                                  "add raw articles with `trisec add FILE`"))
    ctx = BuildContext(schema, counts, corpus)
    extras = release_extras()
    steps = len(extras) + 2
    for i, extra in enumerate(extras):
        stage(f"release files {i + 1} of {steps}: {extra.__module__.rsplit('.', 1)[-1]}",
              i, steps)
        extra(out, ctx)
    stage(f"release files {steps - 1} of {steps}: card (README.md)", steps - 2, steps)
    (out / "README.md").write_text(render_card(ctx), encoding="utf-8")
    stage(f"release files {steps} of {steps}: manifest.json", steps - 1, steps)
    write_manifest(out, schema, {"duplicates": [d.__dict__ for d in dups]})
    return BuildResult(counts, stats, dups)


def build(target: Path = DATASET_DIR, corpus: Corpus | None = None,
          schema: Schema | None = None, validator: Validator | None = None,
          progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
          say: Say | None = None, stage: Stage = _quiet) -> BuildResult:
    """Build into a staging folder, validate it (`validator`; None only for an explicitly
    unvalidated build), then swap it in. Nothing is published on failure: the staging folder is
    removed and `target` is left as it was. `target` is replaced only if it is absent, empty or
    an earlier release (trisec.release.replace)."""
    schema = schema or load_schema()
    corpus = corpus or default_corpus()
    with staging_dir(target, "release", **({"say": say} if say else {})) as tmp:
        result = write_release(tmp, corpus, schema, progress=progress, stage=stage)
        if validator:
            stage("validate: the gate on the staged release", 0, 1)
            validator(tmp)
        stage("publish: swapping the validated release in", 0, 1)
        swap_in(tmp, target)
    return result


def check(target: Path = DATASET_DIR, corpus: Corpus | None = None,
          schema: Schema | None = None) -> list[str]:
    """Rebuild in a temporary folder and list how the committed release differs."""
    schema = schema or load_schema()
    corpus = corpus or default_corpus()
    from trisec.release.opener import open_release

    open_release(target)  # a damaged release is named as such, not listed as "stale"
    # a private temporary folder: a check never touches the target's folder or its lock
    with tempfile.TemporaryDirectory(prefix="trisec-check-") as tmp:
        write_release(Path(tmp), corpus, schema)
        return compare_folders(Path(tmp), target)
