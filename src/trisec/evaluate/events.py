"""Event metrics with TextEE's definitions (Huang et al., 2024, `compute_E2E_*_score`).

Every item is a tuple and a document's gold and predicted items are compared as sets:
- trigger identification: (trigger start, end)
- trigger classification: (trigger start, end, type)
- argument identification: (event type, argument start, end)
- argument classification: (event type, argument start, end, role)
- attached argument identification / classification: the same, with the trigger offsets in
  the tuple, so an argument only counts when it hangs on a correctly placed trigger.
Added for annotator agreement: trigger overlap (any overlap and same type; the `type`
scheme of `spans`). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from trisec.evaluate.spans import Counts, match
from trisec.evaluate.views import Event


def _triggers(events: Sequence[Event], typed: bool) -> set[tuple[object, ...]]:
    return {(e.trigger.start, e.trigger.end, e.type) if typed else
            (e.trigger.start, e.trigger.end) for e in events}


def _arguments(events: Sequence[Event], attached: bool,
               role: bool) -> set[tuple[object, ...]]:
    out: set[tuple[object, ...]] = set()
    for e in events:
        head: tuple[object, ...] = ((e.trigger.start, e.trigger.end, e.type) if attached
                                    else (e.type,))
        for a in e.arguments:
            out.add(head + ((a.start, a.end, a.role) if role else (a.start, a.end)))
    return out


def event_counts(gold: Sequence[Event], pred: Sequence[Event],
                 prefix: str = "events") -> dict[str, Counts]:
    """Counts of every event metric for one document (keys `prefix/metric[/TYPE]`)."""
    out = {
        f"{prefix}/trigger_identification": Counts.from_sets(_triggers(gold, False),
                                                             _triggers(pred, False)),
        f"{prefix}/trigger_classification": Counts.from_sets(_triggers(gold, True),
                                                             _triggers(pred, True)),
        f"{prefix}/trigger_overlap": match([e.trigger for e in gold],
                                           [e.trigger for e in pred], "type"),
    }
    for attached in (False, True):
        for role in (False, True):
            name = ("attached_" if attached else "") + "argument_" + (
                "classification" if role else "identification")
            out[f"{prefix}/{name}"] = Counts.from_sets(_arguments(gold, attached, role),
                                                       _arguments(pred, attached, role))
    for etype in sorted({e.type for e in gold} | {e.type for e in pred}):
        out[f"{prefix}/trigger_classification/{etype}"] = Counts.from_sets(
            _triggers([e for e in gold if e.type == etype], True),
            _triggers([e for e in pred if e.type == etype], True))
    return out
