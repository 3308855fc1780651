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
from typing import Any

from trisec.errors import Problem, TrisecError
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


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: exit as soon as the build that started this worker is gone. A
    build killed by SIGKILL cannot stop its pool, and the worker (and the multiprocessing
    resource tracker it keeps alive) would otherwise wait forever on a queue it holds both
    ends of, or validate a staging folder the next build removes."""
    import os
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _load_gate() -> None:
    """Worker: import Great Expectations and the custom expectations (the slow part)."""
    import great_expectations  # noqa: F401

    from trisec.validation import expectations, run  # noqa: F401


# the worker's end of GateProcess's progress queue (set when the worker starts)
_progress_queue: Any = None


def _init_worker(parent: int, queue: Any) -> None:
    """Worker initializer: exit with the parent build, keep the progress queue's end."""
    global _progress_queue
    _exit_with_parent(parent)
    _progress_queue = queue


def _gate_problems(release_dir: str, project_dir: str,
                   report: bool = False) -> list[Problem]:
    """Worker: the problems validate_release would raise (plain data crosses processes);
    with `report`, each phase and suite is put on the progress queue as it starts."""
    queue = _progress_queue if report else None

    def progress(stage: str, done: int, total: int) -> None:
        queue.put((stage, done, total))

    try:
        result = run_validation(Path(release_dir), Path(project_dir),
                                progress=progress if queue is not None else None)
    except TrisecError as exc:
        return exc.problems
    return [] if result.success else result.problems()


class GateProcess:
    """`validate_release` in a worker process that starts importing Great Expectations at
    once, so that import (the largest part of a seed build) runs on the second core while
    the build writes the release; calling it validates a folder there and raises the same
    TrisecError, and passes the worker's progress (each phase and suite) to `progress`.
    Use as a context manager (the worker stops on exit)."""

    def __init__(self, project_dir: Path = VALIDATION_DIR) -> None:
        import multiprocessing
        import os
        from concurrent.futures import ProcessPoolExecutor

        self.project_dir = Path(project_dir)
        context = multiprocessing.get_context("spawn")
        self.queue = context.Queue()
        self.pool = ProcessPoolExecutor(max_workers=1, mp_context=context,
                                        initializer=_init_worker,
                                        initargs=(os.getpid(), self.queue))
        self.loaded = self.pool.submit(_load_gate)

    def __call__(self, release_dir: Path, progress: Progress | None = None) -> None:
        try:
            self.loaded.result()
        except Exception as exc:
            raise TrisecError(Problem(
                "trisec.validation.gate", "the validation gate cannot be loaded "
                f"({type(exc).__name__}: {exc}); nothing was built",
                "repair the install (`make install`); to build an unvalidated folder on "
                "purpose, pass --no-validate")) from exc
        future = self.pool.submit(_gate_problems, str(release_dir), str(self.project_dir),
                                  progress is not None)
        if progress is not None:
            self._relay(future, progress)
        problems = future.result()
        if problems:
            raise TrisecError(problems)

    def _relay(self, future: Any, progress: Progress) -> None:
        """Pass the worker's progress on until it is done (then what is left in the queue)."""
        import queue

        while True:
            try:
                progress(*self.queue.get(timeout=0.05))
            except queue.Empty:
                if future.done():
                    break
        while True:  # messages put just before the worker finished
            try:
                progress(*self.queue.get(timeout=0.05))
            except queue.Empty:
                break

    def __enter__(self) -> GateProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.queue.close()
        self.queue.join_thread()
