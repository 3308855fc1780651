"""Gold standoff annotations: load, verify against the published text and schema, reanchor.

Format: docs/ANNOTATION_FORMAT.md. Verification collects every problem (file, span id, what
was expected and found, and the fix) instead of stopping at the first one.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError, read_utf8
from trisec.schema import Config, Schema

QID = re.compile(r"^Q[1-9][0-9]*\Z")  # \Z: "Q884\n" must not pass (`$` would let it)
LAYERS = ("mentions", "entities", "events", "attributions")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:  # json.loads would silently keep the last value
        raise ValueError(f"key(s) {', '.join(map(repr, twice))} given twice in one object")
    return dict(pairs)


def read_annotation(path: Path, schema: Schema | None = None) -> dict[str, Any]:
    """Parse one annotation file strictly: JSON errors name the line and column, and the
    file must match the JSON Schema generated from schema/ (trisec.file_schemas), each
    problem named by file and JSON path."""
    from trisec.file_schemas import annotation_schema, strict_problems
    from trisec.schema import load_schema

    try:
        text = read_utf8(path)
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except FileNotFoundError as exc:
        raise TrisecError(Problem(str(path), "annotation file missing")) from exc
    except json.JSONDecodeError as exc:
        raise TrisecError(Problem(
            f"{path}:{exc.lineno}:{exc.colno}", f"invalid JSON: {exc.msg}",
            "fix the JSON syntax (a trailing comma or a missing quote?)")) from exc
    except ValueError as exc:
        raise TrisecError(Problem(str(path), str(exc), "keep one value per key")) from exc
    schema = schema or load_schema()
    json_schema = annotation_schema(schema)  # cached per schema fingerprint
    # a build reads each file two or three times (gold, agreement passes): the same text
    # against the same schema is checked once (the check is pure; only passes are kept)
    key = (hashlib.sha256(text.encode()).digest(), schema.fingerprint())
    if key in _VALID:
        return data
    problems = strict_problems(data, json_schema, str(path))
    if problems:
        raise TrisecError(problems)
    _VALID.add(key)
    return data


_VALID: set[tuple[bytes, str]] = set()  # (sha256 of a file's text, schema fingerprint) passed


def write_annotation(path: Path, ann: dict[str, Any]) -> None:
    """Diff-friendly: one span per line inside each layer, stable key order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["{"]
    head = [k for k in ann if k not in LAYERS]
    for k in head:
        lines.append(f"  {json.dumps(k)}: {json.dumps(ann[k], ensure_ascii=False)},")
    for n, layer in enumerate(LAYERS):
        items = ann.get(layer, [])
        comma = "," if n < len(LAYERS) - 1 else ""
        if not items:
            lines.append(f"  {json.dumps(layer)}: []{comma}")
            continue
        lines.append(f"  {json.dumps(layer)}: [")
        for i, item in enumerate(items):
            sep = "," if i < len(items) - 1 else ""
            lines.append(f"    {json.dumps(item, ensure_ascii=False)}{sep}")
        lines.append(f"  ]{comma}")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class Verified:
    """An annotation that passed verification, with lookups the assembly needs."""

    doc_id: str
    data: dict[str, Any]
    mention_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    entity_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)


def _check_span(problems: list[Problem], where: str, span: Any, text: str, what: str) -> bool:
    if not isinstance(span, dict) or not all(k in span for k in ("start", "end", "text")):
        problems.append(Problem(where, f"{what} needs start, end and text",
                                'write {"start": S, "end": E, "text": "..."}'))
        return False
    s, e = span["start"], span["end"]
    if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
        problems.append(Problem(where, f"{what} offsets {s}..{e} out of range 0..{len(text)}",
                                "recompute offsets, or run `trisec annotations reanchor`"))
        return False
    found = text[s:e]
    if found != span["text"]:
        problems.append(Problem(where, f"{what} text mismatch: expected {span['text']!r}, "
                                f"found {found!r} at {s}..{e}",
                                "run `trisec annotations reanchor` to relocate by quote"))
        return False
    return True


def _vocab(problems: list[Problem], where: str, name: str, value: Any, allowed: list[str],
           nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if value not in allowed:
        problems.append(Problem(where, f"unknown {name} {value!r}",
                                f"use one of: {', '.join(allowed)} (schema/labels.yaml)"))


def _gold_field(cfg: Config, name: str) -> str:
    """The field of a gold item that column `name` of its span table mirrors (`from:` in
    schema/dataset.yaml); a column without one is looked up under its own name."""
    col = next((c for c in cfg.columns if c.name == name), None)
    return col.source[-1] if col is not None and col.source else name


def _column_rules(problems: list[Problem], where: str, item: dict[str, Any], schema: Schema,
                  config: str) -> None:
    """The label sets and presence rules schema/dataset.yaml declares on the span table of a
    layer, read from the gold item's fields the rule columns mirror (`from:`)."""
    cfg = schema.configs[config]
    for c in cfg.rules:
        name = _gold_field(cfg, c.name)
        value = item.get(name)
        if c.only_when is not None and \
                item.get(_gold_field(cfg, c.only_when[0])) != c.only_when[1]:
            if value is not None:
                col, wanted = _gold_field(cfg, c.only_when[0]), c.only_when[1]
                problems.append(Problem(where, f"{name} is only for items whose {col} is "
                                        f"{wanted} (here {item.get(col)!r})", "set it to null"))
        elif c.labels:
            _vocab(problems, where, name, value, schema.label_values(c.labels),
                   nullable=not c.required)
        elif c.required and value is None:
            problems.append(Problem(where, f"{name} missing", f"set {name}"))


def _unique(problems: list[Problem], where: str, ann: dict[str, Any],
            layer: str) -> dict[str, dict[str, Any]]:
    """id -> item of one layer; an item without id or with a repeated id is a problem."""
    seen: dict[str, dict[str, Any]] = {}
    for item in ann.get(layer, []):
        iid = item.get("id") if isinstance(item, dict) else None
        if not iid:
            problems.append(Problem(f"{where}/{layer}", f"item without id: {item!r}",
                                    "give every item an id"))
        elif iid in seen:
            problems.append(Problem(f"{where}/{iid}", f"duplicate id {iid!r} in {layer}",
                                    "renumber so ids are unique"))
        else:
            seen[iid] = item
    return seen


def _check_text_hash(problems: list[Problem], where: str, ann: dict[str, Any],
                     text: str) -> None:
    if ann.get("text_sha256") != text_sha256(text):
        # offsets point into the text the annotator saw; a changed text moves them even when
        # every quoted span still happens to match
        problems.append(Problem(where, f"text_sha256 {ann.get('text_sha256')!r} is not the "
                                f"published text's ({text_sha256(text)}): the text changed "
                                "since these spans were made",
                                "run `trisec annotations reanchor FILE --previous REF --write` "
                                "(REF: the release the offsets were written against) to move "
                                "the spans by their quoted text and record the new hash"))


def _check_mentions(problems: list[Problem], where: str, v: Verified, text: str,
                    schema: Schema) -> None:
    """Entity QIDs, then each mention: span, column rules, entity; no two may overlap."""
    for eid, ent in v.entity_by_id.items():
        qid = ent.get("qid")
        if qid is not None and not QID.match(str(qid)):
            problems.append(Problem(f"{where}/{eid}", f"bad QID {qid!r}",
                                    "use Q followed by digits, or null for NIL"))
    spans: list[tuple[int, int, str]] = []
    for mid, m in v.mention_by_id.items():
        loc = f"{where}/{mid}"
        if _check_span(problems, loc, m, text, "mention"):
            spans.append((m["start"], m["end"], mid))
        _column_rules(problems, loc, m, schema, "mentions")
        if m.get("entity") not in v.entity_by_id:
            problems.append(Problem(loc, f"entity {m.get('entity')!r} not in entities",
                                    "add the entity or fix the mention's entity id"))
    spans.sort()
    for (s1, e1, a), (s2, _e2, b) in zip(spans, spans[1:], strict=False):
        if s2 < e1:
            problems.append(Problem(f"{where}/{b}", f"overlaps {a} ({s1}..{e1}): the entity "
                                    "layer is flat", "keep one of the two mentions"))


def _check_arguments(problems: list[Problem], loc: str, ev: dict[str, Any], v: Verified,
                     schema: Schema) -> None:
    """Each argument's role is allowed for the event type and names a mention of a label
    the role may take."""
    etype = ev.get("type")
    roles = schema.roles_for(str(etype))
    for k, arg in enumerate(ev.get("arguments") or []):
        aloc = f"{loc}/arg{k}"
        role, mid = arg.get("role"), arg.get("mention")
        if etype in schema.event_types and role not in roles:
            problems.append(Problem(aloc, f"role {role!r} not allowed for {etype}",
                                    f"use one of: {', '.join(roles)}"))
        if mid not in v.mention_by_id:
            problems.append(Problem(aloc, f"argument points to missing mention {mid!r}",
                                    "point it to an existing mention id"))
        elif role in roles and roles[role] and \
                v.mention_by_id[mid].get("label") not in roles[role]:
            problems.append(Problem(aloc, f"{role} of {etype} cannot be a "
                                    f"{v.mention_by_id[mid].get('label')} mention",
                                    f"allowed labels: {', '.join(roles[role])}"))


def _check_attributions(problems: list[Problem], where: str, ann: dict[str, Any],
                        v: Verified, text: str, schema: Schema) -> None:
    for a in ann.get("attributions", []):
        loc = f"{where}/{a.get('id')}"
        _column_rules(problems, loc, a, schema, "attributions")
        _check_span(problems, loc, a.get("content"), text, "content")
        if a.get("cue") is not None:
            _check_span(problems, loc, a.get("cue"), text, "cue")
        src = a.get("source")
        if src is not None and src not in v.mention_by_id:
            problems.append(Problem(loc, f"source points to missing mention {src!r}",
                                    "point it to the speaker's mention id, or null"))


def verify(ann: dict[str, Any], text: str, schema: Schema, where: str = "") -> Verified:
    """Check every span, id, label and reference; raise TrisecError listing all problems."""
    doc_id = str(ann.get("doc_id", ""))
    where = where or doc_id
    problems: list[Problem] = []
    v = Verified(doc_id, ann)
    _check_text_hash(problems, where, ann, text)
    v.entity_by_id = _unique(problems, where, ann, "entities")
    v.mention_by_id = _unique(problems, where, ann, "mentions")
    events = _unique(problems, where, ann, "events")
    _unique(problems, where, ann, "attributions")
    _check_mentions(problems, where, v, text, schema)
    for vid, ev in events.items():
        loc = f"{where}/{vid}"
        _check_span(problems, loc, ev.get("trigger"), text, "trigger")
        _column_rules(problems, loc, ev, schema, "events")
        _check_arguments(problems, loc, ev, v, schema)
    _check_attributions(problems, where, ann, v, text, schema)
    if problems:
        raise TrisecError(problems)
    return v


def load_gold(gold_dir: Path, doc_id: str, text: str, schema: Schema) -> Verified | None:
    """The verified gold annotation of a document, or None when it has none yet."""
    path = gold_dir / f"{doc_id}.json"
    if not path.is_file():
        return None
    ann = read_annotation(path, schema)  # the build's schema, not the checkout's
    if ann.get("doc_id") != doc_id:
        raise TrisecError(Problem(str(path), f"doc_id {ann.get('doc_id')!r} != file name",
                                  f"set doc_id to {doc_id!r}"))
    return verify(ann, text, schema, where=str(path.relative_to(path.parents[2]))
                  if len(path.parents) > 2 else str(path))
