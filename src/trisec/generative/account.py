"""The alignment account: per-response outcomes summed per task, as JSON and as a table.

It travels with the predictions into the evaluation report (`alignment` key and notes), so
a model's formatting failures are visible next to its scores, never silently dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from trisec.generative.align import JSON_OUTCOMES, SPAN_OUTCOMES, ResponseAccount


def _zero() -> dict[str, Any]:
    return {"responses": 0, "json": dict.fromkeys(JSON_OUTCOMES, 0),
            "spans": dict.fromkeys(SPAN_OUTCOMES, 0), "outside_schema": {},
            "items_answered": 0, "items_kept": 0, "malformed_items": 0}


def _add(into: dict[str, Any], a: ResponseAccount) -> None:
    into["responses"] += 1
    into["json"][a.json] += 1
    for k in SPAN_OUTCOMES:
        into["spans"][k] += a.spans[k]
    into["outside_schema"] = dict(sorted((Counter(into["outside_schema"])
                                          + a.outside_schema).items()))
    for k in ("items_answered", "items_kept", "malformed_items"):
        into[k] += getattr(a, k)


def summarise(accounts: Iterable[ResponseAccount]) -> dict[str, Any]:
    """{"tasks": {task: counts}, "total": counts, "not_predicting": [...]} (JSON-ready)."""
    tasks: dict[str, dict[str, Any]] = {}
    total = _zero()
    failed = []
    for a in accounts:
        _add(tasks.setdefault(a.task, _zero()), a)
        _add(total, a)
        if not a.predicts:
            failed.append({"doc_id": a.doc_id, "task": a.task, "json": a.json,
                           "error": a.error})
    return {"tasks": tasks, "total": total, "not_predicting": failed}


def notes(summary: dict[str, Any]) -> list[str]:
    """One-line notes for the evaluation report."""
    t = summary["total"]
    out = []
    bad = {k: v for k, v in t["json"].items() if k not in ("valid", "recovered") and v}
    if bad:
        out.append(f"{sum(bad.values())} of {t['responses']} model response(s) predict nothing "
                   f"({', '.join(f'{k} {v}' for k, v in bad.items())}) and are scored as "
                   "empty predictions for their document and task")
    if t["json"]["recovered"]:
        out.append(f"{t['json']['recovered']} response(s) needed code fences or prose "
                   "stripped before their JSON parsed")
    s = t["spans"]
    if s["not_found"] or s["ambiguous"]:
        out.append(f"spans: {s['not_found']} not found in the text (item dropped), "
                   f"{s['ambiguous']} ambiguous (placed by rule), {s['normalised']} found "
                   "only after normalisation")
    if t["outside_schema"]:
        out.append("outside the schema (item dropped): " + ", ".join(
            f"{k} x{v}" for k, v in t["outside_schema"].items()))
    if t["malformed_items"]:
        out.append(f"{t['malformed_items']} malformed item(s) dropped")
    return out


ROWS = (  # (label, how to read it from one task's counts)
    ("responses", lambda c: c["responses"]),
    ("JSON valid", lambda c: c["json"]["valid"]),
    ("JSON recovered (fences/prose stripped)", lambda c: c["json"]["recovered"]),
    ("JSON invalid: predicts nothing", lambda c: c["json"]["invalid"]),
    ("wrong shape: predicts nothing", lambda c: c["json"]["wrong_shape"]),
    ("request failed: predicts nothing", lambda c: c["json"]["request_failed"]),
    ("spans exact", lambda c: c["spans"]["exact"]),
    ("spans normalised", lambda c: c["spans"]["normalised"]),
    ("spans ambiguous (placed by rule)", lambda c: c["spans"]["ambiguous"]),
    ("spans not found (dropped)", lambda c: c["spans"]["not_found"]),
    ("outside the schema (dropped)", lambda c: sum(c["outside_schema"].values())),
    ("malformed items (dropped)", lambda c: c["malformed_items"]),
    ("items kept / answered", lambda c: f"{c['items_kept']}/{c['items_answered']}"),
)


def table(summary: dict[str, Any]) -> Any:
    """A rich Table of the summary: one column per task and a total."""
    from rich.table import Table

    t = Table(title="Alignment of model responses")
    columns = [*sorted(summary["tasks"].items()), ("total", summary["total"])]
    t.add_column("")
    for name, _ in columns:
        t.add_column(name, justify="right")
    for label, get in ROWS:
        t.add_row(label, *(str(get(c)) for _, c in columns))
    return t
