"""Run every suite of the validation/ project on a release folder (reads suites, never
writes them; GX stores results and Data Docs under validation/uncommitted/)."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.release.opener import open_release
from trisec.schema import Schema
from trisec.validation.frames import gx_frame, read_release, suite_frames
from trisec.validation.suites import SuiteSpec, suite_specs, to_gx

FIX_DEFINE = "run `trisec validate --define` and commit validation/"
SHOW_ROWS = 3  # failing rows quoted in a problem message
_GOLD = "fix corpus/annotations/gold/<doc_id>.json (`trisec annotations check`), then rebuild"
FIXES = {
    "documents": "fix corpus/raw, corpus/metadata or the cleaning rules, then rebuild",
    "sentences": ("a build bug (trisec.documents.sentences, trisec.documents.bio, "
                  "trisec.release.assemble): fix, rebuild"),
    "mentions": _GOLD, "events": _GOLD, "arguments": _GOLD, "attributions": _GOLD,
    "consistency": "a build bug: nested and flat views must come from the same gold spans",
    "release": "rebuild with `trisec build`; never edit a release folder by hand",
}


@dataclass
class Failure:
    suite: str
    expectation: str  # Spec.label
    notes: str
    unexpected: int | None
    total: int | None
    rows: list[str] = field(default_factory=list)
    error: str | None = None

    def problem(self) -> Problem:
        if self.error:
            msg = f"could not be evaluated: {self.error}"
        elif self.unexpected is None:
            msg = f"failed: {self.notes}"
        else:
            msg = f"{self.unexpected} of {self.total} rows fail ({self.notes})"
            if self.rows:
                more = f" (+{self.unexpected - len(self.rows)} more)" \
                    if self.unexpected > len(self.rows) else ""
                msg += ": " + "; ".join(self.rows) + more
        return Problem(f"{self.suite}/{self.expectation}", msg, FIXES.get(self.suite, ""))


@dataclass
class Check:
    """One expectation's outcome, passing or not (for the report of every expectation)."""

    expectation: str  # Spec.label
    notes: str  # why the expectation exists
    success: bool
    unexpected: int | None = None
    total: int | None = None


@dataclass
class SuiteOutcome:
    name: str
    expectations: int
    rows: int
    failures: list[Failure]
    seconds: float
    checks: list[Check] = field(default_factory=list)  # every expectation, in suite order


@dataclass
class Report:
    release: Path
    suites: list[SuiteOutcome]
    seconds: float
    docs_index: Path | None = None
    phases: dict[str, float] = field(default_factory=dict)  # import, frames, suites, docs

    @property
    def success(self) -> bool:
        return not any(s.failures for s in self.suites)

    def problems(self) -> list[Problem]:
        return [f.problem() for s in self.suites for f in s.failures]


def _short(v: Any, n: int = 60) -> str:
    s = repr(v.tolist() if hasattr(v, "tolist") else v)
    return s if len(s) <= n else s[: n - 1] + "…"


def _row_text(spec_kwargs: dict[str, Any], etype: str, id_cols: tuple[str, ...],
              row: dict[str, Any]) -> str:
    """`doc_id/span_id: reason` for one failing row of GX's partial_unexpected_index_list."""
    from trisec.validation.expectations import EXPLAIN

    ids = "/".join(str(row.get(c)) for c in id_cols if c in row)
    domain = spec_kwargs.get("column_list") or [spec_kwargs[k] for k in
                                                ("column", "column_A", "column_B")
                                                if k in spec_kwargs]
    if etype in EXPLAIN:
        reason = EXPLAIN[etype]([row.get(c) for c in domain], spec_kwargs)
    else:
        # the values that failed; an id column is already in `ids` unless it is all there is
        shown = [c for c in domain if c not in id_cols] or domain
        reason = ", ".join(f"{c}={_short(row.get(c))}" for c in shown)
    return f"{ids}: {reason}" if reason else ids


def _check_suite(loaded: Any, spec: SuiteSpec) -> list[str]:
    """The loaded suite must be exactly its spec: a custom expectation GX dropped on load,
    or a suite defined from an older schema, must stop the run, never pass it."""
    where = f"validation/expectations/{spec.name}.json"
    if len(loaded.expectations) != len(spec.expectations):
        kept = {e.expectation_type for e in loaded.expectations}
        lost = sorted({e.type for e in spec.expectations} - kept)
        raise TrisecError(Problem(where, f"GX loaded {len(loaded.expectations)} expectations, "
                                  f"the schema defines {len(spec.expectations)}"
                                  + (f" (missing: {', '.join(lost)})" if lost else ""),
                                  "import trisec.validation.expectations before loading "
                                  "suites; if the schema changed, " + FIX_DEFINE))
    want = [_config_key(to_gx(e)) for e in spec.expectations]
    have = [_config_key(e) for e in loaded.expectations]
    if sorted(want) != sorted(have):
        diff = sorted(set(want) ^ set(have))
        raise TrisecError(Problem(where, "suite differs from what schema/ defines "
                                  f"({len(diff)} expectation(s) changed, e.g. {diff[0][:160]})",
                                  FIX_DEFINE))
    return want  # the spec's keys, in its order (_outcome matches results by them)


def _config_key(expectation: Any) -> str:
    """type + kwargs + notes of an Expectation or an ExpectationConfiguration."""
    conf = getattr(expectation, "configuration", expectation)
    cfg = conf.to_json_dict()
    cfg["kwargs"] = {k: v for k, v in cfg["kwargs"].items() if k not in ("batch_id",)}
    return json.dumps({"type": cfg["type"], "kwargs": cfg["kwargs"],
                       "notes": cfg.get("notes")}, sort_keys=True, default=str)


@contextlib.contextmanager
def configurations_once() -> Iterator[None]:
    """GX rebuilds an Expectation's `configuration` (pydantic's dict() and a new
    ExpectationConfiguration) every time it is read, dozens of times per expectation in one
    validation, a third of a seed build's validation time; within one pass/fail run the
    expectations do not change, so here each is built once (tests compare the outcomes)."""
    from great_expectations.expectations.expectation import Expectation

    prop = Expectation.__dict__["configuration"]
    built: dict[int, tuple[Any, Any]] = {}

    def configuration(self: Any) -> Any:
        hit = built.get(id(self))
        if hit is None or hit[0] is not self:  # the object is kept, so its id is not reused
            hit = built[id(self)] = (self, prop.fget(self))
        return hit[1]

    Expectation.configuration = property(configuration)
    try:
        yield
    finally:
        Expectation.configuration = prop


def _outcome(spec: SuiteSpec, result: Any, rows: int, seconds: float,
             keys: list[str] | None = None) -> SuiteOutcome:
    keys = keys if keys is not None else [_config_key(to_gx(e)) for e in spec.expectations]
    by_key = dict(zip(keys, spec.expectations, strict=True))
    failures = []
    checks = []
    for r in result.results:
        cfg = r.expectation_config
        e = by_key.get(_config_key(cfg))
        res = r.result or {}
        checks.append(Check(e.label if e else cfg.type, e.notes if e else "", bool(r.success),
                            res.get("unexpected_count"), res.get("element_count")))
        if r.success:
            continue
        kwargs = e.kwargs if e else dict(cfg.kwargs)
        label = e.label if e else cfg.type
        info = r.exception_info or {}
        raised = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
        if info.get("raised_exception"):
            raised.append(info)
        res = r.result or {}
        fail = Failure(spec.name, label, e.notes if e else "", res.get("unexpected_count"),
                       res.get("element_count"))
        if raised:
            fail.error = str(raised[0].get("exception_message"))[:300]
        for row in (res.get("partial_unexpected_index_list") or [])[:SHOW_ROWS]:
            fail.rows.append(_row_text(kwargs, cfg.type, spec.id_columns, row))
        failures.append(fail)
    order = {e.label: i for i, e in enumerate(spec.expectations)}
    checks.sort(key=lambda c: order.get(c.expectation, len(order)))
    return SuiteOutcome(spec.name, len(spec.expectations), rows, failures, seconds, checks)


def run_suites(release_dir: Path, project_dir: Path, schema: Schema, *,
               docs: bool = False, suites: list[str] | None = None,
               progress: Callable[[str, int, int], None] | None = None) -> Report:
    """Validate one release folder with every suite (or the named ones); returns outcomes
    (raises only when the project itself is broken or stale). `progress(stage, done, total)`
    hears each phase and each suite as it starts."""
    specs = [s for s in suite_specs(schema) if suites is None or s.name in suites]
    steps = 2 + len(specs) + (1 if docs else 0)  # import, frames, suites, docs
    report = progress or (lambda name, done, total: None)
    t0 = time.perf_counter()
    # the files against their manifest before anything parses them: a damaged file is a
    # located error here, never a traceback inside pandas or GX
    open_release(release_dir)
    report("validate: loading Great Expectations", 0, steps)  # a bad folder said nothing yet
    import great_expectations as gx
    from great_expectations.validator.v1_validator import Validator

    # registers the custom expectations: must happen before any suite is loaded
    from trisec.validation import expectations  # noqa: F401

    if not (project_dir / "great_expectations.yml").is_file():
        raise TrisecError(Problem(str(project_dir), "no Great Expectations project here",
                                  FIX_DEFINE))
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    phases = {"import": time.perf_counter() - t0}
    report("validate: reading the release into tables", 1, steps)
    frames = suite_frames(read_release(release_dir, schema), schema)
    phases["frames"] = time.perf_counter() - t0 - sum(phases.values())
    ctx = gx.get_context(mode="file", context_root_dir=str(project_dir))
    outcomes = []
    for i, spec in enumerate(specs):
        report(f"validate: suite {i + 1} of {len(specs)} ({spec.name})", 2 + i, steps)
        t1 = time.perf_counter()
        try:
            suite = ctx.suites.get(spec.name)
            checkpoint = ctx.checkpoints.get(spec.name)
        except Exception as exc:  # GX raises its own not-found types
            raise TrisecError(Problem(f"{project_dir}/{spec.name}",
                                      f"suite or checkpoint missing: {exc}", FIX_DEFINE)) from exc
        keys = _check_suite(suite, spec)
        frame = frames[spec.name]
        missing = [c for c in spec.columns if c not in frame.columns]
        if missing:  # a column the release lacks: GX would say little; the release suite more
            frame = frame.assign(**{c: None for c in missing})
        frame = gx_frame(frame, spec.columns)
        batch = {"dataframe": frame}
        vr = None
        if not docs:
            # fast pass: pass/fail only (collecting failing rows doubles GX's work), with
            # GX's validator itself: ValidationDefinition.run would also re-check the
            # project's freshness and store a result file per table, neither of which a
            # passing gate needs; a table with failures is run again through its checkpoint
            # (stored, named rows)
            (vd,) = checkpoint.validation_definitions
            with configurations_once():
                vr = Validator(batch_definition=vd.batch_definition, batch_parameters=batch,
                               result_format="BOOLEAN_ONLY").validate_expectation_suite(vd.suite)
        if vr is None or not vr.success:
            # one checkpoint (one validation definition) per table: a checkpoint holding
            # several DataFrame validations hands all of them the same DataFrame
            (vr,) = checkpoint.run(batch_parameters=batch).run_results.values()
        outcomes.append(_outcome(spec, vr, len(frame), time.perf_counter() - t1, keys))
    phases["suites"] = time.perf_counter() - t0 - sum(phases.values())
    index = None
    if docs:
        report("validate: building Data Docs", steps - 1, steps)
        ctx.build_data_docs()
        index = project_dir / "uncommitted" / "data_docs" / "local_site" / "index.html"
        phases["docs"] = time.perf_counter() - t0 - sum(phases.values())
    return Report(release_dir, outcomes, time.perf_counter() - t0, index, phases)
