"""Custom Great Expectations for the row-level checks GX has no built-in for.

Import this module before any suite is loaded: GX 1.24 drops an expectation whose class is
not registered with only a log line, and the run then reports success without it (run.py
also compares every loaded suite with its spec, so a dropped one is an error, never a pass).
Each expectation is a map expectation over one row at a time, so GX reports the failing rows
by their id columns; the row logic lives in `checks` (pure, tested without GX).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    MulticolumnMapMetricProvider,
)
from great_expectations.expectations.metrics.map_metric_provider.column_condition_partial import (
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (  # noqa: E501
    multicolumn_condition_partial,
)

from trisec.validation import checks

_MULTI_DOMAIN = ("batch_id", "table", "column_list", "row_condition", "condition_parser",
                 "ignore_row_if")


def _rows(frame: pd.DataFrame) -> Any:
    return zip(*(frame[c] for c in frame.columns), strict=True)


def _series(frame: pd.DataFrame, ok: list[bool]) -> pd.Series:
    return pd.Series(ok, index=frame.index, dtype=bool)


# --- metrics (the pandas implementations) ----------------------------------------------------

def _row_metric(name: str, metric: str, problem: Callable[..., str | None],
                named: bool = False) -> type:
    """A multicolumn metric that passes a row when `problem(*row)` finds nothing (with
    `named`, `problem(column names, *row)`); GX registers it under `metric` when the class is
    created."""
    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls: Any, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        head = [list(column_list.columns)] if named else []
        return _series(column_list, [problem(*head, *r) is None for r in _rows(column_list)])

    return type(name, (MulticolumnMapMetricProvider,), {
        "__module__": __name__, "condition_metric_name": metric,
        "condition_domain_keys": _MULTI_DOMAIN, "_pandas": _pandas})


class SpanMatchesText(MulticolumnMapMetricProvider):
    condition_metric_name = "trisec.span_matches_text"
    condition_domain_keys = _MULTI_DOMAIN
    condition_value_keys = ("span_may_be_null",)

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, span_may_be_null: bool = False,
                **kwargs: Any) -> pd.Series:
        cols = [column_list[c] for c in column_list.columns]
        return pd.Series(checks.spans_match(*cols, may_be_null=span_may_be_null),
                         index=column_list.index, dtype=bool)


# the row checks without parameters: a row passes when its `checks.*_problem` is None
TokensMatchText = _row_metric("TokensMatchText", "trisec.tokens_match_text",
                              checks.tokens_problem)
SentencesTileText = _row_metric("SentencesTileText", "trisec.sentences_tile_text",
                                checks.tiling_problem)
DateFactValid = _row_metric("DateFactValid", "trisec.date_fact_valid", checks.date_problem)
FactHasEvidence = _row_metric("FactHasEvidence", "trisec.fact_has_evidence",
                              checks.evidence_problem)
JsonMatchesSchema = _row_metric("JsonMatchesSchema", "trisec.json_matches_schema",
                                checks.json_schema_problem)
ListLengthsEqual = _row_metric("ListLengthsEqual", "trisec.list_lengths_equal",
                               checks.lengths_problem, named=True)
ListsEqual = _row_metric("ListsEqual", "trisec.lists_equal", checks.lists_equal_problem,
                         named=True)


class NoBoilerplate(ColumnMapMetricProvider):
    condition_metric_name = "trisec.no_boilerplate"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        return column.map(lambda t: checks.boilerplate_problem(t) is None).astype(bool)


class WellFormedBio(ColumnMapMetricProvider):
    condition_metric_name = "trisec.well_formed_bio"
    condition_value_keys = ("tag_names",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, tag_names: list[str], **kwargs: Any) -> pd.Series:
        return column.map(lambda t: checks.bio_problem(t, tag_names) is None).astype(bool)


class ListItemsInSet(ColumnMapMetricProvider):
    condition_metric_name = "trisec.list_items_in_set"
    condition_value_keys = ("value_set",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, value_set: list[str], **kwargs: Any) -> pd.Series:
        allowed = set(value_set)
        return column.map(lambda t: checks.items_problem(t, allowed) is None).astype(bool)  # type: ignore[arg-type]


class EmptyList(ColumnMapMetricProvider):
    condition_metric_name = "trisec.empty_list"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        return column.map(lambda t: checks.empty_list_problem(t) is None).astype(bool)


# --- expectations ----------------------------------------------------------------------------

_Ignore = Literal["all_values_are_missing", "any_value_is_missing", "never"]


class ExpectSpanToMatchText(MulticolumnMapExpectation):
    """column_list = [document text, start, end, surface]: 0 <= start < end <= len(text) and
    text[start:end] == surface. With span_may_be_null, a row whose start, end and surface are
    all null passes (an optional span such as an attribution cue)."""

    map_metric = "trisec.span_matches_text"
    success_keys = ("mostly", "span_may_be_null")
    span_may_be_null: bool = False
    ignore_row_if: _Ignore = "never"


class ExpectTokensToMatchText(MulticolumnMapExpectation):
    """column_list = [document text, sentence start, sentence end, tokens, token starts, token
    ends]: every token lies inside its sentence, in order, and equals the text at its offsets."""

    map_metric = "trisec.tokens_match_text"
    ignore_row_if: _Ignore = "never"


class ExpectListColumnsToHaveEqualLengths(MulticolumnMapExpectation):
    """The list cells of a row have equal lengths (tokens, offsets and tags align)."""

    map_metric = "trisec.list_lengths_equal"
    ignore_row_if: _Ignore = "never"


class ExpectListColumnsToBeEqual(MulticolumnMapExpectation):
    """Two list columns hold the same items in the same order."""

    map_metric = "trisec.lists_equal"
    ignore_row_if: _Ignore = "never"


class ExpectSentencesToTileText(MulticolumnMapExpectation):
    """column_list = [document text, previous sentence end, start, end, next sentence start]:
    sentences do not overlap and only whitespace lies outside them."""

    map_metric = "trisec.sentences_tile_text"
    ignore_row_if: _Ignore = "never"


class ExpectDateFactToBeValid(MulticolumnMapExpectation):
    """column_list = [value, precision]: an ISO 8601 date whose form matches its precision
    (day YYYY-MM-DD, a real calendar date; month YYYY-MM; year YYYY), or both null."""

    map_metric = "trisec.date_fact_valid"
    ignore_row_if: _Ignore = "never"


class ExpectFactToHaveEvidence(MulticolumnMapExpectation):
    """column_list = [value, provenance, confidence, evidence]: a fact with a value says where
    it came from, how sure we are and why."""

    map_metric = "trisec.fact_has_evidence"
    ignore_row_if: _Ignore = "never"


class ExpectColumnValuesToHaveNoBoilerplate(ColumnMapExpectation):
    """No page-furniture marker of the cleaning vocabulary (documents.clean) is left in the text."""

    map_metric = "trisec.no_boilerplate"


class ExpectColumnValuesToBeWellFormedBio(ColumnMapExpectation):
    """Each cell is a list of tag ids into tag_names, strict IOB2 (I-X only after B-X or I-X)."""

    map_metric = "trisec.well_formed_bio"
    success_keys = ("mostly", "tag_names")
    tag_names: list[str]


class ExpectColumnListItemsToBeInSet(ColumnMapExpectation):
    """Every item of each list cell belongs to value_set."""

    map_metric = "trisec.list_items_in_set"
    success_keys = ("mostly", "value_set")
    value_set: list[str]


class ExpectJsonToMatchSchema(MulticolumnMapExpectation):
    """column_list = [JSON document, JSON Schema], both as strings: the schema is a valid JSON
    Schema and the document (when not null) is valid under it."""

    map_metric = "trisec.json_matches_schema"
    ignore_row_if: _Ignore = "never"


class ExpectColumnValuesToBeEmptyLists(ColumnMapExpectation):
    """Each list cell is empty: the column lists problems found while building the frame
    (a leaked passage, ...), one item per problem."""

    map_metric = "trisec.empty_list"


# reasons for the failure messages: expectation type -> check over the row's domain values
EXPLAIN = {
    "expect_span_to_match_text": lambda vals, kw: checks.span_problem(
        *vals, may_be_null=bool(kw.get("span_may_be_null"))),
    "expect_tokens_to_match_text": lambda vals, kw: checks.tokens_problem(*vals),
    "expect_list_columns_to_have_equal_lengths": lambda vals, kw: checks.lengths_problem(
        kw["column_list"], *vals),
    "expect_list_columns_to_be_equal": lambda vals, kw: checks.lists_equal_problem(
        kw["column_list"], *vals),
    "expect_sentences_to_tile_text": lambda vals, kw: checks.tiling_problem(*vals),
    "expect_date_fact_to_be_valid": lambda vals, kw: checks.date_problem(*vals),
    "expect_fact_to_have_evidence": lambda vals, kw: checks.evidence_problem(*vals),
    "expect_column_values_to_have_no_boilerplate": lambda vals, kw: checks.boilerplate_problem(
        *vals),
    "expect_column_values_to_be_well_formed_bio": lambda vals, kw: checks.bio_problem(
        *vals, kw["tag_names"]),
    "expect_column_list_items_to_be_in_set": lambda vals, kw: checks.items_problem(
        *vals, kw["value_set"]),
    "expect_json_to_match_schema": lambda vals, kw: checks.json_schema_problem(*vals),
    "expect_column_values_to_be_empty_lists": lambda vals, kw: checks.empty_list_problem(
        *vals),
}
