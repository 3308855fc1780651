"""Score a model that predicts another label set (OntoNotes, ACE, your own) through a mapping.

A mapping relates schema labels to external labels (schema/labels.yaml: each entity label's
`ontonotes` / `ace` value, a name, a list of names or null; or a user file). Labels linked
through the mapping form one scoring class: OntoNotes PRODUCT covers both VEH and WEA, so
gold VEH and WEA and predicted PRODUCT are all scored as `VEH+WEA`; ACE GPE covers GPE and
NORP. Gold labels with no counterpart (TITLE under OntoNotes) cannot be scored and leave the
gold; predicted labels outside the mapping (WORK_OF_ART) are dropped and counted.
Without a mapping every label is its own class and an unknown label is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.evaluate.views import DocView

BUILTIN = ("ontonotes", "ace")


@dataclass(frozen=True)
class LabelMap:
    """`gold`: schema label -> class; `pred`: predicted label -> class."""

    name: str
    gold: dict[str, str]
    pred: dict[str, str]
    unscorable: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def identity(self) -> bool:
        return self.name == "none"


def identity(labels: Iterable[str]) -> LabelMap:
    labels = list(labels)
    return LabelMap("none", {x: x for x in labels}, {x: x for x in labels})


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def from_relation(name: str, schema_labels: list[str],
                  relation: Mapping[str, list[str]]) -> LabelMap:
    """Build the classes from `schema label -> external labels` (connected components)."""
    ext_to_schema: dict[str, list[str]] = {}
    for lab in schema_labels:
        for ext in relation.get(lab, []):
            ext_to_schema.setdefault(ext, []).append(lab)
    # union-find over schema labels that share an external label
    parent = {lab: lab for lab in schema_labels}

    def root(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for labs in ext_to_schema.values():
        for other in labs[1:]:
            parent[root(other)] = root(labs[0])
    members: dict[str, list[str]] = {}
    for lab in schema_labels:
        if relation.get(lab):
            members.setdefault(root(lab), []).append(lab)
    cls = {lab: "+".join(group) for group in members.values() for lab in group}
    pred = {ext: cls[labs[0]] for ext, labs in ext_to_schema.items()}
    unscorable = tuple(lab for lab in schema_labels if lab not in cls)
    notes = tuple(f"{'/'.join(sorted(e for e, ls in ext_to_schema.items() if cls[ls[0]] == c))}"
                  f" scored as {c}" for c in sorted(set(cls.values())) if "+" in c)
    return LabelMap(name, cls, pred, unscorable, notes)


def from_labels_yaml(labels: Mapping[str, Any], key: str, layer: str) -> LabelMap:
    """The `key` (ontonotes|ace) mapping of one layer (entity_labels|event_types)."""
    items = labels.get(layer, [])
    names = [str(i["name"]) for i in items]
    return from_relation(key, names, {str(i["name"]): _as_list(i.get(key)) for i in items})


def from_file(path: Path, schema_labels: list[str]) -> LabelMap:
    """A YAML/JSON file `{external_label: schema_label or [schema_labels]}`."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TrisecError(Problem(str(path), "label map file not found",
                                  "pass ontonotes, ace or an existing file")) from exc
    except yaml.YAMLError as exc:
        raise TrisecError(Problem(str(path), f"invalid YAML/JSON: {exc}")) from exc
    if not isinstance(data, dict):
        raise TrisecError(Problem(str(path), "expected a mapping {external: schema label}",
                                  'write e.g. {"PERSON": "PER", "PRODUCT": ["VEH", "WEA"]}'))
    relation: dict[str, list[str]] = {}
    for ext, targets in data.items():
        for t in _as_list(targets):
            if t not in schema_labels:
                raise TrisecError(Problem(f"{path}: {ext}", f"unknown schema label {t!r}",
                                          f"use one of: {', '.join(schema_labels)}"))
            relation.setdefault(t, []).append(str(ext))
    return from_relation(path.name, schema_labels, relation)


def resolve(spec: str | None, labels: Mapping[str, Any], schema_entity_labels: list[str],
            schema_event_types: list[str]) -> tuple[LabelMap, LabelMap]:
    """(entity map, event-type map) for `--label-map none|ontonotes|ace|FILE`."""
    if spec in (None, "", "none"):
        return identity(schema_entity_labels), identity(schema_event_types)
    if spec in BUILTIN:
        ents = from_labels_yaml(labels, spec, "entity_labels")
        has_events = any(i.get(spec) for i in labels.get("event_types", []))
        events = (from_labels_yaml(labels, spec, "event_types") if has_events
                  else identity(schema_event_types))
        return ents, events
    return from_file(Path(spec), schema_entity_labels), identity(schema_event_types)


def apply_gold(view: DocView, entities: LabelMap, events: LabelMap) -> DocView:
    """Gold in scoring classes: relabel, and leave out what the mapping cannot score."""
    if entities.identity and events.identity:
        return view
    ents = [replace(s, label=entities.gold[s.label]) for s in view.entities
            if s.label in entities.gold]
    evs = [replace(e, trigger=replace(e.trigger, label=events.gold[e.type]))
           for e in view.events if e.type in events.gold]
    return DocView(view.doc_id, ents, evs, list(view.attributions))


def describe(lm: LabelMap) -> dict[str, Any]:
    return {"name": lm.name, "classes": sorted(set(lm.gold.values())),
            "unscorable_gold_labels": list(lm.unscorable), "notes": list(lm.notes)}

