"""One comparable view of a document's layers, whatever it came from.

Gold rows of the release, annotation files (docs/ANNOTATION_FORMAT.md: arguments and
attribution sources point to mention ids) and prediction lines (arguments and sources are
plain offsets) all become a `DocView` of spans; every metric compares two views. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trisec.evaluate.spans import Span


@dataclass(frozen=True)
class Argument:
    role: str
    start: int
    end: int


@dataclass(frozen=True)
class Event:
    trigger: Span  # label = event type
    arguments: tuple[Argument, ...] = ()

    @property
    def type(self) -> str:
        return self.trigger.label


@dataclass(frozen=True)
class Attribution:
    content: Span
    cue: Span | None = None
    source: Span | None = None


@dataclass
class DocView:
    doc_id: str
    entities: list[Span] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.entities or self.events or self.attributions)


def _span(d: Mapping[str, Any] | None, label: str = "") -> Span | None:
    if d is None:
        return None
    return Span(int(d["start"]), int(d["end"]), label)


def view_from_annotation(ann: Mapping[str, Any]) -> DocView:
    """Annotation dict or `documents` row (mentions/entities/events/attributions)."""
    qid = {e["id"]: e.get("qid") for e in ann.get("entities") or []}
    by_id: dict[str, Span] = {}
    entities = []
    for m in ann.get("mentions") or []:
        s = Span(int(m["start"]), int(m["end"]), str(m["label"]),
                 qid=qid.get(m.get("entity")), timex=m.get("timex_value"))
        by_id[m["id"]] = s
        entities.append(s)
    events = []
    for e in ann.get("events") or []:
        args = tuple(Argument(str(a["role"]), by_id[a["mention"]].start, by_id[a["mention"]].end)
                     for a in e.get("arguments") or [] if a.get("mention") in by_id)
        trig = _span(e["trigger"], str(e["type"]))
        assert trig is not None
        events.append(Event(trig, args))
    attributions = []
    for q in ann.get("attributions") or []:
        src = by_id.get(q.get("source") or "")
        content = _span(q["content"], "content")
        assert content is not None
        attributions.append(Attribution(
            content, _span(q.get("cue"), "cue"),
            None if src is None else Span(src.start, src.end, "source")))
    return DocView(str(ann.get("doc_id", "")), entities, events, attributions)


def view_from_prediction(obj: Mapping[str, Any]) -> DocView:
    """A prediction line already checked by `predictions.validate_line`."""
    entities = [Span(int(x["start"]), int(x["end"]), str(x["label"]))
                for x in obj.get("entities") or []]
    events = []
    for e in obj.get("events") or []:
        trig = _span(e["trigger"], str(e["type"]))
        assert trig is not None
        events.append(Event(trig, tuple(Argument(str(a["role"]), int(a["start"]), int(a["end"]))
                                         for a in e.get("arguments") or [])))
    attributions = []
    for q in obj.get("attributions") or []:
        content = _span(q["content"], "content")
        assert content is not None
        src = _span(q.get("source"), "source")
        attributions.append(Attribution(content, _span(q.get("cue"), "cue"), src))
    return DocView(str(obj["doc_id"]), entities, events, attributions)


def view_to_prediction(view: DocView) -> dict[str, Any]:
    """The prediction-format object of a view (used to write gold or baseline output)."""
    def sp(s: Span | None) -> dict[str, int] | None:
        return None if s is None else {"start": s.start, "end": s.end}

    return {
        "doc_id": view.doc_id,
        "entities": [{"start": s.start, "end": s.end, "label": s.label} for s in view.entities],
        "events": [{"trigger": sp(e.trigger), "type": e.type,
                    "arguments": [{"role": a.role, "start": a.start, "end": a.end}
                                  for a in e.arguments]} for e in view.events],
        "attributions": [{"content": sp(q.content), "cue": sp(q.cue), "source": sp(q.source)}
                         for q in view.attributions],
    }
