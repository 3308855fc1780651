"""Label Studio round trip: annotation files <-> Label Studio tasks, and the labelling config.

Label Studio JSON (labelstud.io/guide/task_format, /guide/predictions):
  task   {"data": {"text": ..., "doc_id": ...}, "predictions": [{"model_version", "result"}]}
  export [task + "annotations": [{"id", "result", "was_cancelled", "ground_truth", ...}]]
  region {"id", "from_name", "to_name": "text", "type": "labels",
          "value": {"start", "end", "text", "labels": [label]}}
  per-region attribute: same "id" as its region, "type": "choices" | "textarea",
          "value": {"start", "end", ..., "choices": [...]} or {..., "text": ["typed"]}
  relation {"type": "relation", "from_id", "to_id", "direction", "labels": [label]}

How our layers map (one region per span, so overlapping layers never collide):
  mention      -> region of control `entity` (label = entity label); per-region mention_type,
                  gpe_role (choices), entity_id, qid, timex_value (textarea)
  event        -> region of control `trigger` (label = event type); per-region realis, mode;
                  each argument is a relation trigger -> mention labelled with the role
  attribution  -> region `attribution` labelled CONTENT (per-region kind) and one labelled CUE;
                  relations content -> cue ("cue") and content -> speaker mention ("source")
Region ids carry our ids (M1, V1, Q1), which Label Studio keeps when an annotator accepts a
prediction; regions an annotator draws get fresh ids on import.

Import only ever reads `annotations` (human work), never `predictions`: silver stays silver
until someone accepts it in Label Studio.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from trisec.annotation.gold import text_sha256, verify
from trisec.errors import Problem, TrisecError
from trisec.schema import Schema
from trisec.views.palette import CONTENT_COLOR, CUE_COLOR, label_colors

TEXT = "text"  # the object tag
ENTITY, TRIGGER, ATTRIBUTION = "entity", "trigger", "attribution"
CONTENT, CUE = "CONTENT", "CUE"
SOURCE_REL, CUE_REL = "source", "cue"
# per-region attributes: control name -> (result type, the region kind it belongs to)
ATTRIBUTES = {
    "mention_type": ("choices", ENTITY), "gpe_role": ("choices", ENTITY),
    "entity_id": ("textarea", ENTITY), "qid": ("textarea", ENTITY),
    "timex_value": ("textarea", ENTITY),
    "realis": ("choices", TRIGGER), "mode": ("choices", TRIGGER),
    "kind": ("choices", ATTRIBUTION),
}
ID_PATTERN = {"mentions": re.compile(r"^M(\d+)$"), "events": re.compile(r"^V(\d+)$"),
              "attributions": re.compile(r"^Q(\d+)$"), "entities": re.compile(r"^E(\d+)$")}
PREFIX = {"mentions": "M", "events": "V", "attributions": "Q", "entities": "E"}


# --- the labelling config ----------------------------------------------------------------

def _definition(schema: Schema, key: str, name: str) -> str:
    for item in schema.labels.get(key, []):
        if item["name"] == name:
            return " ".join(str(item.get("definition", "")).split())
    return ""


def _choices(name: str, values: list[str], header: str, when_label: str | None = None
             ) -> list[str]:
    when = f' whenLabelValue="{when_label}"' if when_label else ""
    out = [f'  <View visibleWhen="region-selected"{when}>',
           f"    <Header value={quoteattr(header)} size=\"6\"/>",
           f'    <Choices name="{name}" toName="{TEXT}" perRegion="true" choice="single" '
           f'showInline="true">']
    out += [f"      <Choice value={quoteattr(v)}/>" for v in values]
    out += ["    </Choices>", "  </View>"]
    return out


def _textarea(name: str, header: str, placeholder: str, when_label: str | None = None
              ) -> list[str]:
    when = f' whenLabelValue="{when_label}"' if when_label else ""
    return [f'  <View visibleWhen="region-selected"{when}>',
            f"    <Header value={quoteattr(header)} size=\"6\"/>",
            f'    <TextArea name="{name}" toName="{TEXT}" perRegion="true" maxSubmissions="1" '
            f'editable="true" rows="1" placeholder={quoteattr(placeholder)}/>',
            "  </View>"]


def relation_labels(schema: Schema) -> list[str]:
    roles = schema.all_roles
    clash = {SOURCE_REL, CUE_REL} & set(roles)
    if clash:  # the importer tells arguments from attribution links by these names
        raise TrisecError(Problem("schema/labels.yaml", f"event role(s) {sorted(clash)} clash "
                                  "with the attribution relations", "rename the role"))
    return [*roles, SOURCE_REL, CUE_REL]


def labeling_config(schema: Schema) -> str:
    """The Label Studio labelling interface, generated from schema/labels.yaml."""
    overlap = set(schema.entity_labels) & (set(schema.event_types) | {CONTENT, CUE})
    if overlap:  # whenLabelValue and colours are keyed by label value
        raise TrisecError(Problem("schema/labels.yaml", f"labels used twice: {sorted(overlap)}",
                                  "entity labels and event types must differ"))
    colors = label_colors(schema)

    def labels(name: str, header: str, values: list[tuple[str, str, str]]) -> list[str]:
        out = [f"  <Header value={quoteattr(header)}/>",
               f'  <Labels name="{name}" toName="{TEXT}" showInline="true">']
        out += [f"    <Label value={quoteattr(v)} background={quoteattr(c)} hint={quoteattr(h)}/>"
                for v, c, h in values]
        return [*out, "  </Labels>"]

    lines = ["<View>",
             "  <Style>.htx-text { white-space: pre-wrap; }</Style>",
             f"  <Header value={quoteattr('TRISEC annotation, scheme ' + str(schema.labels.get('scheme_version')) + ': see docs/ANNOTATION_GUIDELINES.md')}/>"]  # noqa: E501
    lines += labels(ENTITY, "Entity mentions (flat: mentions never overlap)",
                    [(x, colors[x], _definition(schema, "entity_labels", x))
                     for x in schema.entity_labels])
    lines += labels(TRIGGER, "Event triggers (label = event type)",
                    [(x, colors[x], _definition(schema, "event_types", x))
                     for x in schema.event_types])
    lines += labels(ATTRIBUTION, "Attributions: quoted or reported content and its cue",
                    [(CONTENT, CONTENT_COLOR, "What is said (link it to its CUE with a 'cue' "
                      "relation and to the speaker's mention with 'source')"),
                     (CUE, CUE_COLOR, "The speech verb or phrase (said, according to)")])
    lines += ["  <Relations>"]
    lines += [f"    <Relation value={quoteattr(r)}/>" for r in relation_labels(schema)]
    lines += ["  </Relations>",
              f'  <Text name="{TEXT}" value="$text" saveTextResult="yes"/>']
    def rule(config: str, column: str) -> tuple[list[str], str | None]:
        """The column's label set and the region label it is shown for (schema/dataset.yaml)."""
        c = schema.configs[config].column(column)
        return (schema.label_values(c.labels) if c.labels else [],
                c.only_when[1] if c.only_when else None)

    def choices(config: str, column: str, header: str, when: str | None = None) -> list[str]:
        values, only = rule(config, column)
        return _choices(column, values, header, when_label=when or only)

    lines += choices("mentions", "mention_type", "Mention type (entity regions)")
    lines += choices("mentions", "gpe_role", "GPE role")
    lines += _textarea("entity_id", "Entity cluster id (same id = same entity, e.g. E1)", "E1")
    lines += _textarea("qid", "Wikidata QID of the entity (empty = NIL)", "Q884")
    lines += _textarea("timex_value", "TIMEX3 value", "2024-06-18",
                       when_label=rule("mentions", "timex_value")[1])
    lines += choices("events", "realis", "Realis (trigger regions)")
    lines += choices("events", "mode", "MEET mode")
    # the region label of an attribution's content (Label Studio's own, not a schema column)
    lines += choices("attributions", "kind", "Attribution kind", when=CONTENT)
    return "\n".join([*lines, "</View>"]) + "\n"


# --- annotation -> task ------------------------------------------------------------------

def _span_value(span: dict[str, Any], text: str, where: str) -> dict[str, Any]:
    s, e = span["start"], span["end"]
    if text[s:e] != span["text"]:
        raise TrisecError(Problem(where, f"span {s}..{e} reads {text[s:e]!r}, the file says "
                                  f"{span['text']!r}", "run `trisec annotations reanchor` (or "
                                  "`trisec preannotate` again for silver) before exporting"))
    return {"start": s, "end": e, "text": span["text"]}


def _region(rid: str, control: str, value: dict[str, Any], label: str) -> dict[str, Any]:
    return {"id": rid, "from_name": control, "to_name": TEXT, "type": "labels",
            "value": {**value, "labels": [label]}}


def _attribute(rid: str, name: str, value: dict[str, Any], attr: Any) -> dict[str, Any]:
    kind = ATTRIBUTES[name][0]
    payload = {"choices": [attr]} if kind == "choices" else {"text": [attr]}
    return {"id": rid, "from_name": name, "to_name": TEXT, "type": kind,
            "value": {**value, **payload}}


def _relation(a: str, b: str, label: str) -> dict[str, Any]:
    return {"type": "relation", "from_id": a, "to_id": b, "direction": "right",
            "labels": [label]}


def annotation_to_result(ann: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """Label Studio `result` list for one annotation file (gold or silver)."""
    doc = str(ann.get("doc_id"))
    qid_of = {e["id"]: e.get("qid") for e in ann.get("entities", [])}
    out: list[dict[str, Any]] = []
    for m in ann.get("mentions", []):
        v = _span_value(m, text, f"{doc}/{m['id']}")
        out.append(_region(m["id"], ENTITY, v, m["label"]))
        for name in ("mention_type", "gpe_role", "timex_value"):
            if m.get(name) is not None:
                out.append(_attribute(m["id"], name, v, m[name]))
        if m.get("entity") is not None:
            out.append(_attribute(m["id"], "entity_id", v, m["entity"]))
            if qid_of.get(m["entity"]):
                out.append(_attribute(m["id"], "qid", v, qid_of[m["entity"]]))
    relations: list[dict[str, Any]] = []
    for ev in ann.get("events", []):
        v = _span_value(ev["trigger"], text, f"{doc}/{ev['id']}")
        out.append(_region(ev["id"], TRIGGER, v, ev["type"]))
        for name in ("realis", "mode"):
            if ev.get(name) is not None:
                out.append(_attribute(ev["id"], name, v, ev[name]))
        relations += [_relation(ev["id"], a["mention"], a["role"])
                      for a in ev.get("arguments") or []]
    for q in ann.get("attributions", []):
        v = _span_value(q["content"], text, f"{doc}/{q['id']}")
        out.append(_region(q["id"], ATTRIBUTION, v, CONTENT))
        if q.get("kind") is not None:
            out.append(_attribute(q["id"], "kind", v, q["kind"]))
        if q.get("cue"):
            cue_id = f"{q['id']}_cue"
            out.append(_region(cue_id, ATTRIBUTION,
                               _span_value(q["cue"], text, f"{doc}/{q['id']}/cue"), CUE))
            relations.append(_relation(q["id"], cue_id, CUE_REL))
        if q.get("source"):
            relations.append(_relation(q["id"], q["source"], SOURCE_REL))
    return out + relations


def to_task(doc_id: str, text: str, ann: dict[str, Any] | None = None,
            model_version: str | None = None, extra: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    """One Label Studio task; `ann` (silver or gold) becomes its pre-annotation."""
    data: dict[str, Any] = {"text": text, "doc_id": doc_id, "text_sha256": text_sha256(text)}
    if ann is not None:  # entity names are not spans: the importer reads them back from here
        data["entities"] = [dict(e) for e in ann.get("entities", [])]
        # highest id per layer, so regions drawn later never reuse the id of a deleted one
        data["id_high"] = {layer: max((_natural(str(x.get("id")))[0] for x in ann.get(layer, [])
                                       if ID_PATTERN[layer].match(str(x.get("id")))), default=0)
                           for layer in ID_PATTERN}
        # relations have no ids or order in Label Studio: keep each event's argument order
        data["argument_order"] = {e["id"]: [[a["role"], a["mention"]] for a in
                                            e.get("arguments") or []]
                                  for e in ann.get("events", [])}
    data.update(extra or {})
    task: dict[str, Any] = {"data": data}
    if ann is not None:
        task["predictions"] = [{"model_version": model_version or str(ann.get("pass")),
                                "result": annotation_to_result(ann, text)}]
    return task


# --- export -> annotation ----------------------------------------------------------------

@dataclass
class _Region:
    rid: str
    control: str
    label: str
    start: int
    end: int
    attrs: dict[str, Any] = field(default_factory=dict)


def _where(task: dict[str, Any]) -> str:
    data = task.get("data") or {}
    return f"task {task.get('id', '?')} ({data.get('doc_id', 'no doc_id')})"


def pick_annotation(task: dict[str, Any]) -> dict[str, Any] | None:
    """The human annotation to import: not cancelled; ground truth first, then the latest."""
    anns = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not anns:
        return None
    return max(anns, key=lambda a: (bool(a.get("ground_truth")),
                                    str(a.get("updated_at") or a.get("created_at") or ""),
                                    str(a.get("id") or "")))


def _natural(iid: str) -> tuple[int, str]:
    m = re.search(r"(\d+)$", iid)
    return (int(m.group(1)) if m else 10**9, iid)


def _assign_ids(regions: list[_Region], layer: str, high: int = 0) -> dict[str, str]:
    """Region id -> our id: ours kept (once), others numbered after the highest (also of the
    exported file, `high`), in text order."""
    pat, taken, mapping = ID_PATTERN[layer], set(), {}
    for r in regions:
        if pat.match(r.rid) and r.rid not in taken:
            mapping[r.rid] = r.rid
            taken.add(r.rid)
    n = max([high, *(_natural(i)[0] for i in taken)])
    for r in sorted(regions, key=lambda r: (r.start, r.end)):
        if r.rid not in mapping:
            n += 1
            mapping[r.rid] = f"{PREFIX[layer]}{n}"
    return mapping


def _read_regions(result: list[dict[str, Any]], text: str, schema: Schema, where: str,
                  problems: list[Problem]
                  ) -> tuple[dict[str, _Region], list[dict[str, Any]], list[dict[str, Any]]]:
    """Label regions checked against the config and the text; attribute and relation items
    are handed back for the next passes."""
    allowed = {ENTITY: schema.entity_labels, TRIGGER: schema.event_types,
               ATTRIBUTION: [CONTENT, CUE]}
    regions: dict[str, _Region] = {}
    attrs: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    for k, item in enumerate(result):
        rtype, rid = item.get("type"), str(item.get("id", f"#{k}"))
        loc = f"{where}/{rid}"
        if rtype == "relation":
            relations.append(item)
        elif rtype in ("choices", "textarea"):
            attrs.append(item)
        elif rtype == "labels":
            control, value = item.get("from_name"), item.get("value") or {}
            labels = value.get("labels") or []
            if control not in allowed:
                problems.append(Problem(loc, f"unknown control {control!r}",
                                        "use the config written by `trisec export labelstudio`"))
                continue
            if len(labels) != 1 or labels[0] not in allowed[control]:
                problems.append(Problem(loc, f"unknown or missing label {labels!r} on a "
                                        f"{control} region", f"use exactly one of: "
                                        f"{', '.join(allowed[control])}"))
                continue
            s, e = value.get("start"), value.get("end")
            if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
                problems.append(Problem(loc, f"offsets {s}..{e} out of range 0..{len(text)}",
                                        "redraw the region in Label Studio"))
                continue
            if "text" in value and value["text"] != text[s:e]:
                problems.append(Problem(loc, f"region text {value['text']!r} does not match "
                                        f"{text[s:e]!r} at {s}..{e}", "the task text differs "
                                        "from the published text: re-export the task"))
                continue
            if rid in regions:
                problems.append(Problem(loc, "two regions share this id", "redraw one"))
                continue
            regions[rid] = _Region(rid, control, labels[0], s, e)
        else:
            problems.append(Problem(loc, f"unsupported result type {rtype!r}",
                                    "use the config written by `trisec export labelstudio`"))
    return regions, attrs, relations


def _read_attributes(attrs: list[dict[str, Any]], regions: dict[str, _Region], where: str,
                     problems: list[Problem]) -> None:
    """Per-region choices and text areas onto their regions (region.attrs)."""
    for item in attrs:
        rid, name = str(item.get("id")), item.get("from_name")
        loc, value = f"{where}/{rid}", item.get("value") or {}
        if name not in ATTRIBUTES or item.get("type") != ATTRIBUTES[name][0]:
            problems.append(Problem(loc, f"unknown {item.get('type')} control {name!r}",
                                    "use the config written by `trisec export labelstudio`"))
            continue
        region = regions.get(rid)
        if region is None:
            problems.append(Problem(loc, f"{name} given for a region that does not exist",
                                    "delete the attribute or redraw its region"))
            continue
        if region.control != ATTRIBUTES[name][1]:
            problems.append(Problem(loc, f"{name} set on a {region.control} region",
                                    f"{name} belongs on {ATTRIBUTES[name][1]} regions only"))
            continue
        raw = value.get("choices") if ATTRIBUTES[name][0] == "choices" else value.get("text")
        vals = [str(x).strip() for x in (raw if isinstance(raw, list) else [raw])
                if x is not None and str(x).strip()]
        if len(vals) > 1:
            problems.append(Problem(loc, f"{name} has several values {vals}", "keep one"))
            continue
        region.attrs[name] = vals[0] if vals else None


@dataclass
class _Links:
    """What the relations say: arguments per trigger, cue and source per content region."""

    args: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    cue_of: dict[str, _Region] = field(default_factory=dict)
    source_of: dict[str, str] = field(default_factory=dict)
    linked_cues: set[str] = field(default_factory=set)


def _read_relations(relations: list[dict[str, Any]], regions: dict[str, _Region],
                    mention_ids: dict[str, str], schema: Schema, where: str,
                    problems: list[Problem]) -> _Links:
    """Classify each relation by the kinds of its two ends, whatever way it was drawn."""
    rel_allowed = relation_labels(schema)
    links = _Links()
    for rel in relations:
        a, b = regions.get(str(rel.get("from_id"))), regions.get(str(rel.get("to_id")))
        loc = f"{where}/relation {rel.get('from_id')}->{rel.get('to_id')}"
        labels = rel.get("labels") or []
        if a is None or b is None:
            problems.append(Problem(loc, "relation points to a region that does not exist",
                                    "delete the relation"))
            continue
        if len(labels) > 1 or (labels and labels[0] not in rel_allowed):
            problems.append(Problem(loc, f"unknown relation label(s) {labels}",
                                    f"use one of: {', '.join(rel_allowed)}"))
            continue
        label = labels[0] if labels else None
        ends = {r.control if r.control != ATTRIBUTION else r.label: r for r in (a, b)}
        if set(ends) == {TRIGGER, ENTITY}:
            if label is None or label in (SOURCE_REL, CUE_REL):
                problems.append(Problem(loc, f"an argument needs a role label, got {label!r}",
                                        "label the relation with the argument's role"))
                continue
            links.args[ends[TRIGGER].rid].append({"role": label,
                                                  "mention": mention_ids[ends[ENTITY].rid]})
        elif set(ends) == {CONTENT, ENTITY} and label in (None, SOURCE_REL):
            content = ends[CONTENT].rid
            if content in links.source_of:
                problems.append(Problem(loc, "attribution has two sources", "keep one"))
                continue
            links.source_of[content] = mention_ids[ends[ENTITY].rid]
        elif set(ends) == {CONTENT, CUE} and label in (None, CUE_REL):
            content = ends[CONTENT].rid
            if content in links.cue_of:
                problems.append(Problem(loc, "attribution has two cues", "keep one"))
                continue
            links.cue_of[content] = ends[CUE]
            links.linked_cues.add(ends[CUE].rid)
        else:
            kinds = " and ".join(sorted(ends)) if len(ends) == 2 else f"two {next(iter(ends))}"
            problems.append(Problem(loc, f"unsupported relation {label!r} between {kinds} "
                                    "regions", "arguments link trigger->entity (role), "
                                    "attributions link CONTENT->CUE (cue) and "
                                    "CONTENT->entity (source)"))
    return links


def _entities(mentions: list[_Region], text: str, where: str, high: dict[str, int],
              known_entities: list[dict[str, Any]] | None, problems: list[Problem]
              ) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Clusters named by entity_id (a mention without one is its own entity), with the QID
    its mentions agree on; names come back from the task data. -> (region -> entity id,
    entities in exported order, new ones after)."""
    names = {e["id"]: e.get("name") for e in known_entities or []}
    cluster_of: dict[str, str] = {}
    used = {r.attrs["entity_id"] for r in mentions if r.attrs.get("entity_id")}
    n = max([high.get("entities", 0),
             *(_natural(i)[0] for i in used if ID_PATTERN["entities"].match(i))])
    for r in sorted(mentions, key=lambda r: (r.start, r.end)):
        eid = r.attrs.get("entity_id")
        if not eid:
            n += 1
            eid = f"E{n}"
        cluster_of[r.rid] = eid
    qids: dict[str, set[str]] = defaultdict(set)
    first: dict[str, _Region] = {}
    for r in sorted(mentions, key=lambda r: (r.start, r.end)):
        eid = cluster_of[r.rid]
        first.setdefault(eid, r)
        if r.attrs.get("qid"):
            qids[eid].add(r.attrs["qid"])
    order = [e["id"] for e in known_entities or []]
    entities = []
    for eid in sorted(first, key=lambda e: (order.index(e) if e in order else len(order),
                                            _natural(e))):
        if len(qids[eid]) > 1:
            problems.append(Problem(f"{where}/{eid}", f"mentions of {eid} give different "
                                    f"QIDs {sorted(qids[eid])}", "make them agree"))
        qid = next(iter(qids[eid])) if len(qids[eid]) == 1 else None
        entities.append({"id": eid, "name": names.get(eid) or text[first[eid].start:
                                                                      first[eid].end],
                         "qid": qid})
    return cluster_of, entities


def result_to_annotation(result: list[dict[str, Any]], text: str, doc_id: str,
                         schema: Schema, where: str, *, pass_name: str = "gold",
                         known_entities: list[dict[str, Any]] | None = None,
                         id_high: dict[str, int] | None = None,
                         argument_order: dict[str, list[list[str]]] | None = None
                         ) -> dict[str, Any]:
    """Rebuild an annotation file from a Label Studio `result`; every problem is collected
    (unknown controls and labels, bad offsets, dangling relations) and raised together."""
    problems: list[Problem] = []
    regions, attrs, relations = _read_regions(result, text, schema, where, problems)
    _read_attributes(attrs, regions, where, problems)
    by_kind: dict[str, list[_Region]] = defaultdict(list)
    for r in regions.values():
        kind = {ENTITY: "mentions", TRIGGER: "events"}.get(r.control) or (
            "attributions" if r.label == CONTENT else "cues")
        by_kind[kind].append(r)
    high = {k: int(v) for k, v in (id_high or {}).items() if isinstance(v, int)}
    ids = {layer: _assign_ids(by_kind[layer], layer, high.get(layer, 0))
           for layer in ("mentions", "events", "attributions")}
    links = _read_relations(relations, regions, ids["mentions"], schema, where, problems)
    for r in by_kind["cues"]:
        if r.rid not in links.linked_cues:
            problems.append(Problem(f"{where}/{r.rid}", "CUE region not linked to a CONTENT "
                                    "region", "draw a 'cue' relation from the content to it"))

    def span(r: _Region) -> dict[str, Any]:
        return {"start": r.start, "end": r.end, "text": text[r.start:r.end]}

    mentions = sorted(by_kind["mentions"], key=lambda r: _natural(ids["mentions"][r.rid]))
    cluster_of, entities = _entities(mentions, text, where, high, known_entities, problems)
    start_of = {ids["mentions"][r.rid]: r.start for r in mentions}
    for vid, found in links.args.items():  # exported order first, later ones by position
        known = [tuple(x) for x in (argument_order or {}).get(ids["events"].get(vid, ""), [])]
        found.sort(key=lambda a: (known.index((a["role"], a["mention"]))
                                  if (a["role"], a["mention"]) in known else len(known),
                                  start_of.get(a["mention"], 0)))

    ann: dict[str, Any] = {"doc_id": doc_id, "text_sha256": text_sha256(text),
                           "pass": pass_name}
    ann["mentions"] = [
        {"id": ids["mentions"][r.rid], **span(r), "label": r.label,
         "mention_type": r.attrs.get("mention_type"), "gpe_role": r.attrs.get("gpe_role"),
         "entity": cluster_of[r.rid], "timex_value": r.attrs.get("timex_value")}
        for r in mentions]
    ann["entities"] = entities
    ann["events"] = [
        {"id": ids["events"][r.rid], "type": r.label, "realis": r.attrs.get("realis"),
         "mode": r.attrs.get("mode"), "trigger": span(r), "arguments": links.args[r.rid]}
        for r in sorted(by_kind["events"], key=lambda r: _natural(ids["events"][r.rid]))]
    ann["attributions"] = [
        {"id": ids["attributions"][r.rid], "kind": r.attrs.get("kind"), "content": span(r),
         "cue": span(links.cue_of[r.rid]) if r.rid in links.cue_of else None,
         "source": links.source_of.get(r.rid)}
        for r in sorted(by_kind["attributions"],
                        key=lambda r: _natural(ids["attributions"][r.rid]))]
    if problems:
        raise TrisecError(problems)
    verify(ann, text, schema, where=where)  # vocabularies, roles, flat layer, references
    return ann


@dataclass
class Imported:
    doc_id: str
    annotation: dict[str, Any]
    source: str  # which Label Studio annotation was taken


def import_export(tasks: Any, texts: dict[str, str], schema: Schema, *,
                  pass_name: str = "gold") -> tuple[list[Imported], list[str]]:
    """A Label Studio JSON export -> verified annotations (all or nothing) and notes about
    tasks that were skipped (no human annotation yet)."""
    if not isinstance(tasks, list):
        raise TrisecError(Problem("export", "expected a JSON list of tasks (Label Studio "
                                  "'JSON' export)", "export the project as JSON, not JSON-MIN"))
    problems: list[Problem] = []
    done: list[Imported] = []
    notes: list[str] = []
    seen: dict[str, str] = {}
    for task in tasks:
        where = _where(task)
        data = task.get("data") or {}
        doc_id = data.get("doc_id")
        if doc_id not in texts:
            problems.append(Problem(where, f"unknown doc_id {doc_id!r}",
                                    "tasks must come from `trisec export labelstudio`"))
            continue
        if data.get("text") != texts[doc_id]:
            problems.append(Problem(where, "the task text differs from the published text "
                                    "(cleaning changed since export)", "re-export the task, or "
                                    "import and run `trisec annotations reanchor`"))
            continue
        chosen = pick_annotation(task)
        if chosen is None:
            notes.append(f"{where}: no human annotation yet (predictions are never imported)")
            continue
        if doc_id in seen:
            problems.append(Problem(where, f"second task for {doc_id} (first: {seen[doc_id]})",
                                    "export each document once"))
            continue
        seen[doc_id] = where
        try:
            ann = result_to_annotation(chosen.get("result") or [], texts[doc_id], doc_id,
                                       schema, where, pass_name=pass_name,
                                       known_entities=data.get("entities"),
                                       id_high=data.get("id_high"),
                                       argument_order=data.get("argument_order"))
        except TrisecError as exc:
            problems.extend(exc.problems)
            continue
        who = chosen.get("completed_by")
        done.append(Imported(doc_id, ann, f"annotation {chosen.get('id', '?')}"
                             + (f" by user {who}" if who is not None else "")))
    if problems:
        raise TrisecError(problems)
    return done, notes
