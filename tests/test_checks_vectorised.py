"""The vectorised span check the gate runs on large tables gives, row for row, what the
per-row check (checks.span_problem) says; gx_frame keeps values and only widens integers;
the gate in its worker process says what the gate in-process says."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trisec.validation.checks import span_problem, spans_match
from trisec.validation.frames import gx_frame

TEXTS = ["Seoul and Tokyo.", "", "Korea\u2019s \U0001f600 navy", None]
OFFSET = st.one_of(st.none(), st.integers(-2, 20))
ROW = st.tuples(st.sampled_from(TEXTS), OFFSET, OFFSET,
                st.one_of(st.none(), st.sampled_from(["Seoul", "Tokyo", "navy", "S", "",
                                                      "\U0001f600", "Korea\u2019s"])))


def _columns(rows: list[tuple], int_type: str, categorical: bool) -> list[pd.Series]:
    text, start, end, surface = (list(c) for c in zip(*rows, strict=True))
    text_col = pd.Series(pd.Categorical(text)) if categorical else pd.Series(text, dtype=object)
    return [text_col, pd.Series(start, dtype=int_type), pd.Series(end, dtype=int_type),
            pd.Series(surface, dtype="str")]


@settings(max_examples=200, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=30), st.sampled_from(["Int64", "float64"]),
       st.booleans(), st.booleans())
def test_spans_match_is_span_problem_row_by_row(rows, int_type, categorical, may_be_null):
    cols = _columns(rows, int_type, categorical)
    expected = [span_problem(*r, may_be_null=may_be_null) is None
                for r in zip(*cols, strict=True)]
    assert spans_match(*cols, may_be_null=may_be_null).tolist() == expected


def test_non_integer_and_string_offsets_fail_like_the_row_check():
    text = pd.Series(["Seoul and Tokyo."] * 4, dtype=object)
    surface = pd.Series(["Seoul"] * 4, dtype="str")
    start = pd.Series([0.0, 0.5, np.inf, np.nan])
    end = pd.Series([5.0, 5.0, 5.0, 5.0])
    assert spans_match(text, start, end, surface).tolist() == [True, False, False, False]
    as_strings = pd.Series(["0", "x", "0", "0"], dtype=object)  # the per-row path
    assert spans_match(text, as_strings, end, surface).tolist() == [
        span_problem(*r) is None for r in zip(text, as_strings, end, surface, strict=True)]


def test_gx_frame_widens_integers_without_changing_values():
    frame = pd.DataFrame({"a": pd.array([1, 2], dtype="int32"),
                          "b": pd.array([1, None], dtype="Int64"),
                          "c": pd.array([3, 4], dtype="Int64"), "d": ["x", "y"]})
    out = gx_frame(frame, ["a", "b", "c"])
    assert list(out.columns) == ["a", "b", "c"]
    assert str(out["a"].dtype) == "int64" and str(out["c"].dtype) == "int64"
    assert str(out["b"].dtype) == "Int64"  # a null keeps the nullable type
    assert out["a"].tolist() == [1, 2] and out["c"].tolist() == [3, 4]


def test_gate_process_passes_a_good_release_and_refuses_a_damaged_one(
        release: Path, tmp_path: Path) -> None:
    """The gate run in its worker process (what `trisec build` uses) accepts the built
    release and refuses a damaged copy with the same located problems as in-process."""
    from trisec.errors import TrisecError
    from trisec.paths import VALIDATION_DIR
    from trisec.validation.gate import GateProcess, validate_release
    from trisec.validation.suites import copy_project

    project = copy_project(VALIDATION_DIR, tmp_path / "validation")
    bad = tmp_path / "bad"
    shutil.copytree(release, bad)
    path = next((bad / "data" / "mentions").glob("*.parquet"))
    table = pq.read_table(path)
    labels = table.column("label").to_pylist()
    labels[0] = "WEAPONRY"
    pq.write_table(table.set_column(table.schema.get_field_index("label"), "label",
                                    pa.array(labels, table.schema.field("label").type)), path)
    with pytest.raises(TrisecError) as direct:
        validate_release(bad, project)
    heard: list[tuple[str, int, int]] = []
    with GateProcess(project) as gate:
        gate(release, progress=lambda *a: heard.append(a))  # passes: returns
        with pytest.raises(TrisecError) as err:
            gate(bad)
    assert [str(p) for p in err.value.problems] == [str(p) for p in direct.value.problems]
    # the worker's progress reaches the caller (what `trisec build` shows): every suite, in
    # order, with done/total
    from trisec.schema import load_schema
    from trisec.validation.suites import suite_specs

    names = [s.name for s in suite_specs(load_schema())]
    said = [stage for stage, _, _ in heard if stage.startswith("validate: suite ")]
    assert said == [f"validate: suite {i} of {len(names)} ({n})"
                    for i, n in enumerate(names, 1)]
    assert all(0 <= done <= total for _, done, total in heard)


def test_configurations_built_once_give_the_same_outcomes(
        release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pass/fail run with each expectation's configuration built once
    (run.configurations_once) reaches the outcome GX's own rebuilding gives, expectation by
    expectation, on the release and on a damaged copy."""
    import contextlib

    from trisec.paths import VALIDATION_DIR
    from trisec.validation import run
    from trisec.validation.gate import run_validation
    from trisec.validation.suites import copy_project

    project = copy_project(VALIDATION_DIR, tmp_path / "validation")
    from trisec.schema import load_schema
    from trisec.validation.mutations import MUTATIONS, mutate, refresh_manifest

    bad = tmp_path / "bad"
    schema = load_schema()
    mutate(release, bad, next(m for m in MUTATIONS if m.name == "shifted_offset"), schema)
    next(m for m in MUTATIONS if m.name == "unknown_label").apply(bad, schema)
    refresh_manifest(bad, schema)

    def outcomes(folder: Path) -> list[tuple]:
        report = run_validation(folder, project)
        return [(s.name, [(c.expectation, c.success, c.unexpected) for c in s.checks])
                for s in report.suites]

    fast = [outcomes(release), outcomes(bad)]
    monkeypatch.setattr(run, "configurations_once", contextlib.nullcontext)
    assert [outcomes(release), outcomes(bad)] == fast
    assert all(c[1] for _, checks in fast[0] for c in checks)
    assert not all(c[1] for _, checks in fast[1] for c in checks)


def test_json_schema_problem_with_the_schema_checked_once() -> None:
    """The schema's own check and validator are kept per schema text: the same answers,
    asked twice, for a valid instance, an invalid one, a bad schema and a non-text one."""
    import json

    from trisec.validation.checks import json_schema_problem

    schema = json.dumps({"type": "object", "properties": {"n": {"type": "integer"}},
                         "required": ["n"]})
    bad_schema = json.dumps({"type": "no-such-type"})
    for _ in range(2):
        assert json_schema_problem('{"n": 1}', schema) is None
        assert json_schema_problem('{"n": "x"}', schema).startswith("1 schema error(s)")
        assert json_schema_problem("{", schema).startswith("not JSON")
        assert json_schema_problem(None, schema) is None
        assert json_schema_problem('{"n": 1}', bad_schema).startswith("not a valid JSON Schema")
        assert json_schema_problem('{"n": 1}', 5).startswith("not a valid JSON Schema")
