"""The response format of each prompt task: a JSON Schema, quoted spans, gold references.

Models answer with quoted text, never character offsets. A span is an object
`{"text": "<exact text>", "occurrence": k, "context": "<words around it>"}`: `occurrence`
(1 = the first place the exact text occurs in the document, overlapping occurrences
counted) and `context` are optional and only needed when the text occurs more than once.
The gold reference of a prompt is the gold layer written in exactly this format, with an
`occurrence` on every span whose text is not unique, so aligning it gives back the gold
offsets exactly (tests/test_align.py proves it for every document).

Pure functions of the schema and a document; label sets come from schema/labels.yaml.
"""

from __future__ import annotations

import json
from typing import Any

from trisec.evaluate.spans import Span
from trisec.evaluate.views import DocView
from trisec.schema import Schema

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def tasks(schema: Schema) -> list[str]:
    """The prompt tasks, in order (schema/dataset.yaml `prompts.tasks`)."""
    return [str(t) for t in schema.dataset["prompts"]["tasks"]]


def prompt_version(schema: Schema) -> str:
    return str(schema.dataset["prompts"]["version"])


def dumps(obj: Any) -> str:
    """The one JSON serialisation of answers, schemas and references (stable bytes)."""
    return json.dumps(obj, ensure_ascii=False)


# --- spans -----------------------------------------------------------------------------------

def occurrences(text: str, quote: str) -> list[int]:
    """Every start offset of `quote` in `text`, overlapping occurrences included."""
    if not quote:
        return []
    out, i = [], text.find(quote)
    while i != -1:
        out.append(i)
        i = text.find(quote, i + 1)
    return out


def quote(text: str, start: int, end: int) -> dict[str, Any]:
    """A gold span as the model should give it: its text, plus its occurrence number when
    the same text occurs elsewhere in the document."""
    surface = text[start:end]
    found = occurrences(text, surface)
    out: dict[str, Any] = {"text": surface}
    if len(found) > 1:
        out["occurrence"] = found.index(start) + 1
    return out


_SPAN_PROPERTIES: dict[str, Any] = {
    "text": {"type": "string"},
    "occurrence": {"type": "integer", "minimum": 1},
    "context": {"type": "string"},
}


def span_schema(**extra: Any) -> dict[str, Any]:
    """A quoted span (text, optional occurrence and context), then `extra` properties, which
    are required (structured decoders generate properties in this order: text first)."""
    return {"type": "object", "properties": {**_SPAN_PROPERTIES, **extra},
            "required": ["text", *extra], "additionalProperties": False}


def _nullable(s: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [s, {"type": "null"}]}


def response_schema(task: str, schema: Schema) -> dict[str, Any]:
    """JSON Schema of the answer to a task; labels, types and roles from labels.yaml. Which
    roles an event type allows is said in the instructions and checked by the aligner, not
    encoded here: one flat schema compiles on every structured-output server."""
    if task == "entities":
        body: dict[str, Any] = {"type": "array",
                                "items": span_schema(label={"enum": schema.entity_labels})}
    elif task == "events":
        body = {"type": "array", "items": {
            "type": "object",
            "properties": {"type": {"enum": schema.event_types},
                           "trigger": span_schema(),
                           "arguments": {"type": "array",
                                         "items": span_schema(role={"enum": schema.all_roles})}},
            "required": ["type", "trigger", "arguments"],
            "additionalProperties": False}}
    elif task == "attributions":
        body = {"type": "array", "items": {
            "type": "object",
            "properties": {"content": span_schema(), "cue": _nullable(span_schema()),
                           "source": _nullable(span_schema())},
            "required": ["content", "cue", "source"],
            "additionalProperties": False}}
    else:
        raise ValueError(f"unknown task {task!r}")
    return {"$schema": JSON_SCHEMA_DIALECT, "title": f"trisec_{task}", "type": "object",
            "properties": {task: body}, "required": [task], "additionalProperties": False}


# --- references ------------------------------------------------------------------------------

def _q(text: str, s: Span | None) -> dict[str, Any] | None:
    return None if s is None else quote(text, s.start, s.end)


def reference(task: str, text: str, view: DocView) -> dict[str, Any]:
    """A document's gold layer for `task` in the response format (items in text order)."""
    if task == "entities":
        return {"entities": [{**quote(text, s.start, s.end), "label": s.label}
                             for s in sorted(view.entities)]}
    if task == "events":
        events = sorted(view.events, key=lambda e: (e.trigger.start, e.trigger.end, e.type))
        return {"events": [
            {"type": e.type, "trigger": quote(text, e.trigger.start, e.trigger.end),
             "arguments": [{**quote(text, a.start, a.end), "role": a.role}
                           for a in sorted(e.arguments, key=lambda a: (a.start, a.end, a.role))]}
            for e in events]}
    if task == "attributions":
        quotes = sorted(view.attributions, key=lambda q: (q.content.start, q.content.end))
        return {"attributions": [{"content": _q(text, q.content), "cue": _q(text, q.cue),
                                  "source": _q(text, q.source)} for q in quotes]}
    raise ValueError(f"unknown task {task!r}")


def layer_items(task: str, view: DocView) -> list[Any]:
    """The task's layer of a view as sorted plain tuples: two views hold the same answer
    exactly when these are equal (order, ids and duplicates of arguments aside)."""
    def sp(s: Span | None) -> tuple[int, int] | None:
        return None if s is None else (s.start, s.end)

    if task == "entities":
        return sorted((s.start, s.end, s.label) for s in view.entities)
    if task == "events":
        return sorted((e.trigger.start, e.trigger.end, e.type,
                       tuple(sorted((a.start, a.end, a.role) for a in e.arguments)))
                      for e in view.events)
    if task == "attributions":
        return sorted(((q.content.start, q.content.end), sp(q.cue), sp(q.source))
                      for q in view.attributions)
    raise ValueError(f"unknown task {task!r}")
