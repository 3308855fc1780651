"""A model's raw answer -> offset predictions, with an account of everything that went wrong.

Pure and deterministic. For one response (document, task, raw text):

1. **JSON.** The raw text is parsed as JSON; failing that, the content of each Markdown code
   fence, then every `{` onward (prose before and after a JSON object), keeping the first
   object that holds the task's key. `valid` = parsed as it is, `recovered` = parsed after
   stripping, `invalid` = nothing parsed (a cut-off answer too), `wrong_shape` =
   JSON but not `{"<task>": [...]}`, `request_failed` = the runner got no answer. Anything but
   valid/recovered predicts nothing for that document and task; it still counts (the
   scorer compares the document's whole gold against an empty prediction).
2. **Spans.** Each quoted span is looked for verbatim (`exact`), else in the normalised text
   (`normalised`: NFKC, quotes, dashes, whitespace, case; trisec.generative.normalise). When
   it occurs more than once, `occurrence` picks one, else the occurrence nearest to
   `context`; when neither settles it the span is `ambiguous` and placed by a fixed rule
   (entities, triggers, contents: the first occurrence no earlier item of the same kind
   took; arguments: the one nearest the trigger; cues and sources: nearest the content). A
   span found nowhere is `not_found`: its item is dropped (a cue or source becomes null).
3. **Schema.** Labels, event types and roles outside schema/labels.yaml (a role is checked
   against its event type) drop their item and are counted by value.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from trisec.evaluate.spans import Span
from trisec.evaluate.views import Argument, Attribution, DocView, Event
from trisec.generative.formats import occurrences
from trisec.generative.normalise import normalise, normalised
from trisec.schema import Schema

JSON_OUTCOMES = ("valid", "recovered", "invalid", "wrong_shape", "request_failed")
SPAN_OUTCOMES = ("exact", "normalised", "ambiguous", "not_found")
_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)```", re.S)


@dataclass
class ResponseAccount:
    """What happened to one response."""

    doc_id: str
    task: str
    json: str = "valid"  # one of JSON_OUTCOMES
    spans: Counter[str] = field(default_factory=Counter)
    outside_schema: Counter[str] = field(default_factory=Counter)  # "label:PERSON" -> n
    items_answered: int = 0
    items_kept: int = 0
    malformed_items: int = 0
    error: str | None = None  # the runner's error for request_failed

    @property
    def predicts(self) -> bool:
        return self.json in ("valid", "recovered")

    def to_json(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "task": self.task, "json": self.json,
                "spans": {k: self.spans[k] for k in SPAN_OUTCOMES},
                "outside_schema": dict(sorted(self.outside_schema.items())),
                "items_answered": self.items_answered, "items_kept": self.items_kept,
                "malformed_items": self.malformed_items, "error": self.error}


# --- 1. JSON ------------------------------------------------------------------------------------

def parse_json(raw: str, task: str) -> tuple[Any, str]:
    """(object, "valid" | "recovered"), or (None, "invalid"). Recovery only accepts an
    object holding the task's key: a fragment of a cut-off answer is not the answer."""
    try:
        return json.loads(raw), "valid"
    except (json.JSONDecodeError, TypeError):
        pass
    decoder = json.JSONDecoder()
    for m in _FENCE.finditer(raw):
        try:
            obj = json.loads(m.group(1))
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and task in obj:
            return obj, "recovered"
    for m in re.finditer(r"{", raw):
        try:
            obj, _ = decoder.raw_decode(raw, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and task in obj:
            return obj, "recovered"
    return None, "invalid"


def answer_items(obj: Any, task: str) -> list[Any] | None:
    """The item list of an answer `{"<task>": [...]}`; None for any other shape."""
    if isinstance(obj, dict) and isinstance(obj.get(task), list):
        return list(obj[task])
    return None


# --- 2. spans ------------------------------------------------------------------------------------

class Locator:
    """Finds quoted spans in one document text (the normalised view is built once)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._norm: tuple[str, list[int]] | None = None

    def _normalised(self) -> tuple[str, list[int]]:
        if self._norm is None:
            self._norm = normalised(self.text)
        return self._norm

    def candidates(self, quote: str) -> tuple[list[tuple[int, int]], str]:
        """Every place `quote` occurs: verbatim, else normalised; ([], "not_found")."""
        exact = occurrences(self.text, quote)
        if exact:
            return [(s, s + len(quote)) for s in exact], "exact"
        nq = normalise(quote)
        if not nq:
            return [], "not_found"
        norm, origin = self._normalised()
        found = [(origin[k], origin[k + len(nq) - 1] + 1) for k in occurrences(norm, nq)]
        return (found, "normalised") if found else ([], "not_found")


Fallback = Callable[[list[tuple[int, int]]], tuple[int, int]]


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters between two spans (0 when they overlap or one contains the other)."""
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def resolve(loc: Locator, d: Any, fallback: Fallback, account: ResponseAccount,
            label: str = "") -> Span | None:
    """A quoted span object -> a Span, counting how it was found (None: malformed or not
    found, counted)."""
    if not isinstance(d, Mapping) or not isinstance(d.get("text"), str) or not d["text"]:
        account.malformed_items += 1
        return None
    found, how = loc.candidates(d["text"])
    if not found:
        account.spans["not_found"] += 1
        return None
    pick: tuple[int, int] | None = found[0] if len(found) == 1 else None
    occ = d.get("occurrence")
    if pick is None and isinstance(occ, int) and not isinstance(occ, bool) \
            and 1 <= occ <= len(found):
        pick = found[occ - 1]
    context = d.get("context")
    if pick is None and isinstance(context, str) and context.strip():
        where, _ = loc.candidates(context)
        if where:
            dist = [min(_distance(c, w) for w in where) for c in found]
            best = [c for c, x in zip(found, dist, strict=True) if x == min(dist)]
            if len(best) == 1:
                pick = best[0]
            else:
                found = best  # the fallback chooses among the nearest only
    if pick is None:
        account.spans["ambiguous"] += 1
        pick = fallback(found)
    else:
        account.spans[how] += 1
    return Span(pick[0], pick[1], label)


def first_unused(used: set[tuple[int, int]]) -> Fallback:
    def pick(found: list[tuple[int, int]]) -> tuple[int, int]:
        choice = next((c for c in found if c not in used), found[0])
        return choice
    return pick


def nearest(anchor: Span | None) -> Fallback:
    def pick(found: list[tuple[int, int]]) -> tuple[int, int]:
        if anchor is None:
            return found[0]
        return min(found, key=lambda c: (_distance(c, (anchor.start, anchor.end)), c))
    return pick


def _use(used: set[tuple[int, int]], s: Span | None) -> Span | None:
    if s is not None:
        used.add((s.start, s.end))
    return s


# --- 3. items per task --------------------------------------------------------------------------

def _objects(items: Any, acc: ResponseAccount) -> Iterator[Mapping[str, Any]]:
    """The JSON objects among a list of answer items; anything else is counted malformed."""
    for x in items if isinstance(items, list) else []:
        if isinstance(x, Mapping):
            yield x
        else:
            acc.malformed_items += 1


def _entities(items: list[Any], loc: Locator, schema: Schema, acc: ResponseAccount,
              view: DocView) -> None:
    used: set[tuple[int, int]] = set()
    labels = set(schema.entity_labels)
    for x in _objects(items, acc):
        label = x.get("label")
        if label not in labels:
            acc.outside_schema[f"label:{label}"] += 1
            continue
        s = _use(used, resolve(loc, x, first_unused(used), acc, str(label)))
        if s is not None:
            view.entities.append(s)
            acc.items_kept += 1


def _events(items: list[Any], loc: Locator, schema: Schema, acc: ResponseAccount,
            view: DocView) -> None:
    used: set[tuple[int, int]] = set()
    for x in _objects(items, acc):
        etype = x.get("type")
        if etype not in schema.event_types:
            acc.outside_schema[f"type:{etype}"] += 1
            continue
        trig = _use(used, resolve(loc, x.get("trigger"), first_unused(used), acc, str(etype)))
        if trig is None:
            continue
        roles = schema.roles_for(str(etype))
        args = []
        for a in _objects(x.get("arguments"), acc):
            if a.get("role") not in roles:
                acc.outside_schema[f"role:{etype}.{a.get('role')}"] += 1
                continue
            s = resolve(loc, a, nearest(trig), acc)
            if s is not None:
                args.append(Argument(str(a["role"]), s.start, s.end))
        view.events.append(Event(trig, tuple(args)))
        acc.items_kept += 1


def _attributions(items: list[Any], loc: Locator, schema: Schema, acc: ResponseAccount,
                  view: DocView) -> None:
    used: set[tuple[int, int]] = set()
    for x in _objects(items, acc):
        content = _use(used, resolve(loc, x.get("content"), first_unused(used), acc, "content"))
        if content is None:
            continue
        parts: dict[str, Span | None] = {}
        for key in ("cue", "source"):
            parts[key] = (None if x.get(key) is None
                          else resolve(loc, x[key], nearest(content), acc, key))
        view.attributions.append(Attribution(content, parts["cue"], parts["source"]))
        acc.items_kept += 1


_TASKS = {"entities": _entities, "events": _events, "attributions": _attributions}


def align_response(doc_id: str, task: str, text: str, raw: str | None, schema: Schema,
                   error: str | None = None) -> tuple[DocView, ResponseAccount]:
    """One response -> the task's layer as offsets into `text`, and its account."""
    view, acc = DocView(doc_id), ResponseAccount(doc_id, task, error=error)
    if raw is None:
        acc.json = "request_failed"
        return view, acc
    obj, acc.json = parse_json(raw, task)
    if acc.json == "invalid":
        return view, acc
    items = answer_items(obj, task)
    if items is None:
        acc.json = "wrong_shape"
        return view, acc
    acc.items_answered = len(items)
    _TASKS[task](items, Locator(text), schema, acc, view)
    return view, acc
