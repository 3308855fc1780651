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
from typing import TYPE_CHECKING, Any

from trisec.errors import Problem, TrisecError
from trisec.paths import VALIDATION_DIR
from trisec.schema import Schema, load_schema

if TYPE_CHECKING:
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
    """Worker: exit as soon as the build that started this worker is gone. A
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


def _gate_problems(release_dir: str, project_dir: str,
                   progress: Progress | None = None) -> list[Problem]:
    """Worker: the problems validate_release would raise (plain data crosses processes);
    `progress` hears each phase and suite as it starts."""
    try:
        result = run_validation(Path(release_dir), Path(project_dir), progress=progress)
    except TrisecError as exc:
        return exc.problems
    return [] if result.success else result.problems()


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it can cross to the parent, else a RuntimeError naming it."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 (any pickling failure)
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _quit() -> None:
    """Worker: end now. multiprocessing's own exit steps run (finalizers, e.g. unlinking
    semaphores), the interpreter's teardown of Great Expectations does not: nothing in it
    is needed, and it takes a second or two."""
    import os
    import sys
    from multiprocessing import util

    util._exit_function()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0)


def _gate_worker(conn: Any, parent: int) -> None:
    """Worker process: load the gate at once and say how it went, then validate each folder
    sent (its progress sent as it goes, when asked) until the parent closes the pipe (or is
    gone: _exit_with_parent)."""
    _exit_with_parent(parent)
    try:
        try:
            _load_gate()
            conn.send(("loaded", None))
        except Exception as exc:  # noqa: BLE001 (reported to the parent, which raises)
            conn.send(("error", _portable(exc)))
            return
        while True:
            release_dir, project_dir, report = conn.recv()

            def progress(stage: str, done: int, total: int) -> None:
                conn.send(("progress", (stage, done, total)))

            try:
                answer = ("problems", _gate_problems(release_dir, project_dir,
                                                     progress if report else None))
            except Exception as exc:  # noqa: BLE001
                answer = ("error", _portable(exc))
            conn.send(answer)
    except (EOFError, OSError):  # the parent closed the pipe: it needs nothing more
        pass
    _quit()


class GateProcess:
    """`validate_release` in a worker process that starts importing Great Expectations at
    once, so that import (the largest part of a seed build) runs on the second core while
    the build writes the release; calling it validates a folder there and raises the same
    TrisecError, and passes the worker's progress (each phase and suite) to `progress`.
    Use as a context manager: on exit the worker quits without tearing down Great
    Expectations (a second or two of interpreter shutdown that nothing needs)."""

    def __init__(self, project_dir: Path = VALIDATION_DIR) -> None:
        import multiprocessing
        import os

        self.project_dir = Path(project_dir)
        mp = multiprocessing.get_context("spawn")
        self.conn, child = mp.Pipe()
        self.process = mp.Process(target=_gate_worker, args=(child, os.getpid()),
                                  daemon=True)
        self.process.start()
        child.close()
        self.loaded: BaseException | bool | None = None

    def _receive(self) -> tuple[str, Any]:
        try:
            return self.conn.recv()
        except EOFError:
            return "error", RuntimeError(
                f"the gate's worker process ended (exit code {self.process.exitcode})")

    def __call__(self, release_dir: Path, progress: Progress | None = None) -> None:
        if self.loaded is None:
            kind, value = self._receive()
            self.loaded = True if kind == "loaded" else value
        if self.loaded is not True:
            exc = self.loaded
            raise TrisecError(Problem(
                "trisec.validation.gate", "the validation gate cannot be loaded "
                f"({type(exc).__name__}: {exc}); nothing was built",
                "repair the install (`make install`); to build an unvalidated folder on "
                "purpose, pass --no-validate")) from exc
        self.conn.send((str(release_dir), str(self.project_dir), progress is not None))
        while True:
            kind, value = self._receive()
            if kind != "progress":
                break
            if progress is not None:
                progress(*value)
        if kind == "error":
            raise value
        if value:
            raise TrisecError(value)

    def __enter__(self) -> GateProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()  # a loaded worker waiting for work quits at once
        if self.loaded is None:  # still importing (the build stopped early): stop it
            self.process.terminate()
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
