"""The validation gate: Great Expectations suites over a release folder.

`validate_release` is what `trisec build` calls on the staged folder before swapping it in
(trisec.release.build.default_validator); `trisec validate` prints the same outcome as a table.
great_expectations is imported only inside these functions (~3 s), never by ingest or load.
Suites live in validation/ and are written only by `define_suites` (`trisec validate
--define`); see docs/VALIDATION.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from trisec.errors import TrisecError
from trisec.paths import VALIDATION_DIR
from trisec.schema import Schema, load_schema
from trisec.validation.run import Report

Progress = Callable[[str, int, int], None]  # stage, done, total


def run_validation(release_dir: Path, project_dir: Path = VALIDATION_DIR,
                   schema: Schema | None = None, *, docs: bool = False,
                   suites: list[str] | None = None, progress: Progress | None = None) -> Report:
    """Run every suite (or the named ones) on a release folder; the per-suite outcome.
    `progress(stage, done, total)` hears each phase and suite as it starts."""
    from trisec.validation.run import run_suites

    return run_suites(release_dir, Path(project_dir), schema or load_schema(), docs=docs,
                      suites=suites, progress=progress)


def validate_release(release_dir: Path, project_dir: Path = VALIDATION_DIR, *,
                     progress: Progress | None = None) -> None:
    """Raise TrisecError with one Problem per failing expectation; return if all pass."""
    report = run_validation(release_dir, project_dir, progress=progress)
    if not report.success:
        raise TrisecError(report.problems())


def define_suites(project_dir: Path = VALIDATION_DIR,
                  schema: Schema | None = None) -> list[tuple[str, int]]:
    """Regenerate the suites (and their assets, validation definitions, checkpoints) from
    schema/. The only writer of validation/ committed files."""
    from trisec.validation.suites import write_project

    return write_project(Path(project_dir), schema or load_schema())
