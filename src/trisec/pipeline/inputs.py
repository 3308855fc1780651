"""What a build may trust: raw files match their pins, and no curated file is orphaned.

`InputCheck` wraps the pipeline at both ends (the Pins and Leftovers steps of
trisec.pipeline.steps). `pinned` checks each raw file against
raw.sha256 as it is read (a changed file is held back, so it cannot reach the release under a
new doc_id); `finished` runs after the last document and names every gold, pass or metadata
file that belongs to no raw file (or to a duplicate that is not published), and every pin
whose file is gone (a pinned file refused when read, too large say, is not gone: that one
problem is reported, and its curated files are not orphans). Problems are collected, never
raised here: the build reports them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.document import RawArticle
from trisec.documents.pins import load_pins, pin_problem
from trisec.errors import Problem, TrisecError


@dataclass
class InputCheck:
    raw_dir: Path
    pins_path: Path
    metadata_dir: Path
    gold_dir: Path
    passes_dir: Path | None
    pins: dict[str, str] = field(default_factory=dict)
    raw_ids: set[str] = field(default_factory=set)  # doc_ids of every raw file read
    seen_files: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)  # raw files the Read step could not take

    def pinned(self, raws: Iterable[RawArticle], errors: list[Problem]) -> Iterator[RawArticle]:
        """Pass on the raw files that match their pins; record a problem for the others."""
        try:
            self.pins = load_pins(self.pins_path)
        except TrisecError as exc:  # no raw.sha256: one problem, nothing to check against
            errors.extend(exc.problems)
            for raw in raws:
                self.seen_files.add(raw.source_file)
                self.raw_ids.add(raw.doc_id)
                yield raw
            return
        for raw in raws:
            self.seen_files.add(raw.source_file)
            problem = pin_problem(self.pins, self.pins_path, self.raw_dir / raw.source_file,
                                  raw.sha256)
            if problem:
                errors.append(problem)
                if raw.source_file in self.pins:  # its curated files belong to the pinned id
                    self.raw_ids.add(_doc_id(self.pins[raw.source_file]))
                continue
            self.raw_ids.add(raw.doc_id)
            yield raw

    def finished(self, items: Iterable[Any], duplicates: Iterable[object],
                 errors: list[Problem]) -> Iterator[Any]:
        """Pass every item on, then check what is left over (once the whole corpus is read).
        `duplicates` is read at the end: the pipeline fills it while it runs."""
        yield from items
        dup_ids = {getattr(d, "doc_id", "") for d in duplicates}
        errors.extend(self._leftovers(dup_ids))

    def _leftovers(self, dup_ids: set[str]) -> list[Problem]:
        problems: list[Problem] = []
        for name in sorted(self.pins):
            if name in self.refused:  # there, but refused when read (that problem is
                # reported): not gone, and its curated files are not orphans
                self.raw_ids.add(_doc_id(self.pins[name]))
            elif name not in self.seen_files:
                problems.append(Problem(str(self.pins_path), f"lists raw/{name}, which does "
                                        "not exist", "restore the raw file from git, or "
                                        "remove its line"))
        problems += orphans(self.metadata_dir, ("*.yaml", "*.yml"), self.raw_ids, set(),
                            "metadata")
        problems += orphans(self.gold_dir, ("*.json",), self.raw_ids, dup_ids, "gold")
        if self.passes_dir is not None and self.passes_dir.is_dir():
            for pass_dir in sorted(p for p in self.passes_dir.iterdir() if p.is_dir()):
                problems += orphans(pass_dir, ("*.json",), self.raw_ids, dup_ids, "pass")
        return problems


def _doc_id(sha256: str) -> str:
    from trisec.document import doc_id_for

    return doc_id_for(sha256)


def orphans(folder: Path, patterns: tuple[str, ...], raw_ids: set[str], dup_ids: set[str],
            what: str) -> list[Problem]:
    """Files named <doc_id>.<ext> in `folder` whose doc_id is no raw file's (or a duplicate's,
    which is not published, so its annotations would silently vanish)."""
    if not folder.is_dir():
        return []
    problems = []
    for path in sorted({p for pat in patterns for p in folder.glob(pat)}):
        doc_id = path.stem
        if path.suffix == ".yml":
            problems.append(Problem(str(path), "curated metadata must be named <doc_id>.yaml "
                                    "(a .yml file is never read)", f"rename it to {doc_id}.yaml"))
        elif doc_id in dup_ids:
            problems.append(Problem(str(path), f"{what} file of {doc_id}, a duplicate that is "
                                    "not published: these annotations would be dropped",
                                    "move them to the published copy's doc_id (then `trisec "
                                    "annotations reanchor`) or delete the file"))
        elif doc_id not in raw_ids:
            problems.append(Problem(str(path), f"{what} file for {doc_id}, which matches no "
                                    "raw file in the corpus",
                                    "restore the raw file it belongs to (raw files never "
                                    "change), or delete this file if the article was removed"))
    return problems
