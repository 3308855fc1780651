"""Row-level checks behind the custom expectations: pure functions over plain values.

Each returns None when the row is fine, else a short reason that names what is wrong; the
GX metrics only ask `is None`, the failure messages show the reason. Values come straight
from pandas rows read from Parquet, so list columns arrive as numpy arrays, missing values
as None or NaN, and nullable int columns as floats; every check accepts those.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from trisec.documents import dates
from trisec.documents.clean import leftover_boilerplate


def is_null(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    return type(x).__name__ in ("NAType", "NaTType")


def as_int(x: Any) -> int | None:
    """An integer offset, or None when missing or not a whole number."""
    if is_null(x) or isinstance(x, bool):
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() else None


def _clip(s: str, n: int = 40) -> str:
    return repr(s if len(s) <= n else s[: n - 1] + "…")


def span_problem(doc_text: Any, start: Any, end: Any, surface: Any,
                 may_be_null: bool = False) -> str | None:
    """`0 <= start < end <= len(text)` and `text[start:end] == surface`."""
    if may_be_null and is_null(start) and is_null(end) and is_null(surface):
        return None
    if is_null(doc_text):
        return "no document with this doc_id"
    s, e = as_int(start), as_int(end)
    if s is None or e is None or is_null(surface):
        return f"span incomplete: start={start!r} end={end!r} text={surface!r}"
    if not 0 <= s < e <= len(doc_text):
        return f"offsets {s}..{e} outside 0..{len(doc_text)}"
    found = doc_text[s:e]
    if found != surface:
        return f"text[{s}:{e}] is {_clip(found)}, row says {_clip(str(surface))}"
    return None


def _whole_numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(values as int64, where `as_int` gives a number) for a numeric column; None for other
    columns (strings, objects, booleans), which the per-row check handles."""
    dt = col.dtype
    if not (pd.api.types.is_integer_dtype(dt) or pd.api.types.is_float_dtype(dt)) \
            or pd.api.types.is_bool_dtype(dt):
        return None
    x = col.to_numpy(dtype="float64", na_value=np.nan)
    ok = np.isfinite(x) & (x == np.floor(x))
    return np.where(ok, x, 0).astype(np.int64), ok


def spans_match(text: pd.Series, start: pd.Series, end: pd.Series, surface: pd.Series,
                may_be_null: bool = False) -> np.ndarray:
    """`span_problem(...) is None` for whole columns: nulls and offsets checked with numpy,
    the slice compared in one pass over the rows left (the gate runs this on a million
    rows). Columns that are not numeric take the per-row check."""
    s, e = _whole_numbers(start), _whole_numbers(end)
    if s is None or e is None:
        return np.array([span_problem(*r, may_be_null=may_be_null) is None
                         for r in zip(text, start, end, surface, strict=True)], dtype=bool)
    (s_val, s_ok), (e_val, e_ok) = s, e
    surface_null = pd.isna(surface).to_numpy(dtype=bool)
    ok = np.zeros(len(text), dtype=bool)
    if may_be_null:
        ok |= pd.isna(start).to_numpy(dtype=bool) & pd.isna(end).to_numpy(dtype=bool) \
            & surface_null
    rows = np.flatnonzero(~ok & s_ok & e_ok & ~surface_null
                          & ~pd.isna(text).to_numpy(dtype=bool) & (s_val >= 0) & (s_val < e_val))
    texts = text.to_numpy(dtype=object)[rows]
    surfaces = surface.to_numpy(dtype=object)[rows]
    ok[rows] = [b <= len(t) and t[a:b] == x for t, a, b, x in
                zip(texts, s_val[rows].tolist(), e_val[rows].tolist(), surfaces, strict=True)]
    return ok


def lengths_problem(names: Sequence[str], *lists: Any) -> str | None:
    """All list columns of a row have the same length (tokens, offsets, tags)."""
    sizes = [None if is_null(x) else len(x) for x in lists]
    if len(set(sizes)) == 1 and sizes[0] is not None:
        return None
    return "lengths differ: " + ", ".join(f"{n}={s}" for n, s in zip(names, sizes, strict=True))


def tokens_problem(doc_text: Any, sent_start: Any, sent_end: Any, tokens: Any,
                   starts: Any, ends: Any) -> str | None:
    """Tokens lie inside their sentence, in order, and equal the text at their offsets."""
    if is_null(doc_text):
        return "no document with this doc_id"
    lo, hi = as_int(sent_start), as_int(sent_end)
    if lo is None or hi is None or any(is_null(x) for x in (tokens, starts, ends)):
        return "sentence offsets or token lists missing"
    if not len(tokens) == len(starts) == len(ends):
        return "token lists have different lengths"
    prev = lo
    for i, (t, a, b) in enumerate(zip(tokens, starts, ends, strict=True)):
        tok, a, b = str(t), int(a), int(b)  # numpy scalars would repr as np.str_(...)
        if not prev <= a < b <= hi:
            return f"token {i} {tok!r} at {a}..{b} outside the sentence {lo}..{hi} or overlaps"
        if doc_text[a:b] != tok:
            return f"token {i} is {tok!r} but text[{a}:{b}] is {doc_text[a:b]!r}"
        prev = b
    return None


def bio_problem(tag_ids: Any, tag_names: Sequence[str]) -> str | None:
    """Tag ids are in the label set and strict IOB2: I-X only after B-X or I-X."""
    if is_null(tag_ids):
        return "no tags"
    prev = "O"
    for i, t in enumerate(tag_ids):
        k = as_int(t)
        if k is None or not 0 <= k < len(tag_names):
            return f"token {i}: tag id {t!r} not in 0..{len(tag_names) - 1}"
        tag = str(tag_names[k])
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            return f"token {i}: {tag} after {prev}"
        prev = tag
    return None


def lists_equal_problem(names: Sequence[str], a: Any, b: Any) -> str | None:
    la = None if is_null(a) else [as_int(x) if not isinstance(x, str) else x for x in a]
    lb = None if is_null(b) else [as_int(x) if not isinstance(x, str) else x for x in b]
    if la == lb:
        return None
    if la is None or lb is None or len(la) != len(lb):
        return f"{names[0]} and {names[1]} differ in length"
    i = next(k for k, (x, y) in enumerate(zip(la, lb, strict=True)) if x != y)
    return f"token {i}: {names[0]}={la[i]!r}, {names[1]}={lb[i]!r}"


def tiling_problem(doc_text: Any, prev_end: Any, start: Any, end: Any,
                   next_start: Any) -> str | None:
    """Between a sentence and its neighbours (or the text's ends) there is only whitespace."""
    if is_null(doc_text):
        return "no document with this doc_id"
    p, s, e, n = (as_int(x) for x in (prev_end, start, end, next_start))
    if None in (p, s, e, n):
        return "offsets missing"
    assert p is not None and s is not None and e is not None and n is not None
    if not p <= s < e <= n:
        return f"sentence {s}..{e} overlaps its neighbours (previous ends {p}, next starts {n})"
    for a, b in ((p, s), (e, n)):
        if doc_text[a:b].strip():
            return f"text[{a}:{b}] = {_clip(doc_text[a:b])} is in no sentence"
    return None


def boilerplate_problem(text: Any) -> str | None:
    if is_null(text):
        return None
    found = leftover_boilerplate(str(text))
    return "; ".join(found) if found else None


def date_problem(value: Any, precision: Any) -> str | None:
    """documents.dates.date_problem over Parquet-through-pandas values (NaN, NA are null)."""
    return dates.date_problem(None if is_null(value) else value,
                              None if is_null(precision) else precision)


def evidence_problem(value: Any, provenance: Any, confidence: Any, evidence: Any) -> str | None:
    """A fact with a value says where it came from, how sure we are and why."""
    if is_null(value):
        return None
    missing = [n for n, x in (("provenance", provenance), ("confidence", confidence),
                              ("evidence", evidence)) if is_null(x) or not str(x).strip()]
    return f"value {_clip(str(value))} has no {', '.join(missing)}" if missing else None


def items_problem(items: Any, allowed: Sequence[str]) -> str | None:
    """Every item of a list cell is in the allowed set."""
    if is_null(items):
        return None
    bad = [x for x in items if x not in allowed]
    return f"not in the vocabulary: {bad}" if bad else None


def json_schema_problem(instance: Any, schema: Any) -> str | None:
    """`instance` (a JSON string; null passes) is valid under `schema` (a JSON Schema as a
    JSON string), and the schema itself is a valid JSON Schema."""
    import json

    import jsonschema

    if is_null(instance):
        return None
    try:
        sch = json.loads(schema)
        jsonschema.validators.validator_for(sch).check_schema(sch)
    except (TypeError, ValueError, jsonschema.SchemaError) as exc:
        return f"not a valid JSON Schema: {str(exc).splitlines()[0][:120]}"
    try:
        obj = json.loads(instance)
    except (TypeError, ValueError) as exc:
        return f"not JSON: {exc}"
    errors = sorted(jsonschema.validators.validator_for(sch)(sch).iter_errors(obj),
                    key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = "/".join(map(str, e.absolute_path)) or "(root)"
        return f"{len(errors)} schema error(s), first at {where}: {e.message[:120]}"
    return None


def empty_list_problem(items: Any) -> str | None:
    """The list cell is empty (null counts as empty)."""
    if is_null(items) or len(items) == 0:
        return None
    return f"{len(items)} item(s): " + "; ".join(str(x) for x in list(items)[:3])
