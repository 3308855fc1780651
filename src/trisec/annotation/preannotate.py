"""Silver pre-annotations: a baseline's predictions as annotation files for curation.

Silver files live in corpus/annotations/silver/<doc_id>.json, marked `"pass": "silver"` and
`"annotator": "<baseline> baseline (trisec <version>)"`. The build reads gold only, and
`trisec import labelstudio` reads only what a human submitted in Label Studio, so silver
spans reach the release only after someone accepts them there.

A prediction line (docs/BENCHMARK.md) has spans and labels but not the attributes the
annotation format needs. They are filled from schema/labels.yaml where it names a rule or a
default (mention types fixed per label, the default GPE role and MEET mode), guessed for
mention_type otherwise (a capitalised word means a name), and left null where only a human
can say (realis, attribution kind, QIDs, TIMEX values): the curator must set those.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trisec.annotation.gold import text_sha256, write_annotation
from trisec.errors import Problem, TrisecError
from trisec.schema import Schema

Predictor = Callable[[str, str], dict[str, Any]]
SILVER = "silver"


def silver_dir(root: Path) -> Path:
    return root / "annotations" / SILVER


def annotator_name(baseline: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("trisec")
    except PackageNotFoundError:  # running from a source tree without install
        v = "unknown"
    return f"{baseline} baseline (trisec {v})"


def load_baseline(name: str) -> Predictor:
    """A baseline from trisec.baselines (`trisec predict` runs the same ones)."""
    from trisec.baselines import BASELINES

    if name not in BASELINES:
        raise TrisecError(Problem(f"--baseline {name}", "no such baseline",
                                  f"use one of: {', '.join(sorted(BASELINES))}"))
    return BASELINES[name]()


def fixed_mention_types(schema: Schema) -> dict[str, str]:
    """Labels whose mention type labels.yaml fixes ("TITLE, TIMEX and NUM mentions are
    always NOM")."""
    out: dict[str, str] = {}
    pat = re.compile(r"((?:[A-Z_]{2,}(?:,\s*|\s+and\s+))*[A-Z_]{2,}) mentions are always "
                     r"(\w+)")
    for item in schema.labels.get("mention_types", []):
        for m in pat.finditer(" ".join(str(item.get("definition", "")).split())):
            if m.group(2) == item["name"]:
                for label in re.findall(r"[A-Z_]{2,}", m.group(1)):
                    if label in schema.entity_labels:
                        out[label] = item["name"]
    return out


def default_of(schema: Schema, key: str) -> str | None:
    """The item of a labels.yaml list whose definition says it is the default."""
    for item in schema.labels.get(key, []):
        if re.search(r"\bDefault\b", str(item.get("definition", ""))):
            return str(item["name"])
    return None


def guess_mention_type(label: str, surface: str, fixed: dict[str, str]) -> str:
    if label in fixed:
        return fixed[label]
    return "NAM" if re.search(r"\b[A-Z]", surface) else "NOM"


@dataclass
class SilverResult:
    doc_id: str
    path: Path
    annotation: dict[str, Any]


def _checked_span(doc_id: str, text: str, d: dict[str, Any], what: str) -> dict[str, Any]:
    s, e = d.get("start"), d.get("end")
    if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)) or \
            ("text" in d and d["text"] != text[s:e]):
        raise TrisecError(Problem(f"{doc_id}/{what}", f"the baseline predicted a bad span "
                                  f"{s}..{e} {d.get('text')!r}", "fix the baseline"))
    return {"start": s, "end": e, "text": text[s:e]}


def _silver_mentions(doc_id: str, text: str, pred: dict[str, Any], schema: Schema,
                     notes: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                dict[tuple[int, int], str]]:
    """The predicted entities as a flat mention layer (overlaps and unknown labels dropped
    with a note), one entity per label and surface -> (mentions, entities, ids by offsets)."""
    fixed = fixed_mention_types(schema)
    gpe_role = schema.configs["mentions"].column("gpe_role")
    gpe_default = default_of(schema, str(gpe_role.labels))

    def span(d: dict[str, Any], what: str) -> dict[str, Any]:
        return _checked_span(doc_id, text, d, what)

    mentions: list[dict[str, Any]] = []
    entities: dict[tuple[str, str], dict[str, Any]] = {}
    by_offsets: dict[tuple[int, int], str] = {}
    last_end = -1
    for k, ent in enumerate(sorted(pred.get("entities") or [],
                                   key=lambda x: (x.get("start"), x.get("end")))):
        sp = span(ent, f"entity{k}")
        label = ent.get("label")
        if label not in schema.entity_labels:
            notes.append(f"dropped entity {sp['text']!r}: unknown label {label!r}")
            continue
        if sp["start"] < last_end:  # the gold entity layer is flat
            notes.append(f"dropped entity {sp['text']!r} at {sp['start']}: overlaps another")
            continue
        last_end = sp["end"]
        key = (label, sp["text"].casefold())
        if key not in entities:
            entities[key] = {"id": f"E{len(entities) + 1}", "name": sp["text"], "qid": None}
        mid = f"M{len(mentions) + 1}"
        by_offsets[(sp["start"], sp["end"])] = mid
        mention = {"id": mid, **sp, "label": label,
                   "mention_type": guess_mention_type(label, sp["text"], fixed)}
        mention.update({"gpe_role": gpe_default if gpe_role.applies(mention) else None,
                        "entity": entities[key]["id"], "timex_value": None})
        mentions.append(mention)

    return mentions, list(entities.values()), by_offsets


def silver_annotation(doc_id: str, text: str, pred: dict[str, Any], schema: Schema,
                      annotator: str) -> dict[str, Any]:
    """Pure: one prediction line -> an annotation file marked silver."""
    notes: list[str] = []

    def span(d: dict[str, Any], what: str) -> dict[str, Any]:
        return _checked_span(doc_id, text, d, what)

    mode = schema.configs["events"].column("mode")
    mode_default = default_of(schema, str(mode.labels))
    mentions, entities, by_offsets = _silver_mentions(doc_id, text, pred, schema, notes)

    def mention_at(d: dict[str, Any] | None, what: str) -> str | None:
        if not d:
            return None
        mid = by_offsets.get((d.get("start"), d.get("end")))  # type: ignore[arg-type]
        if mid is None:
            notes.append(f"dropped {what} {d.get('text')!r}: no entity mention there")
        return mid

    events = []
    for k, ev in enumerate(pred.get("events") or []):
        etype = ev.get("type")
        if etype not in schema.event_types:
            notes.append(f"dropped event {k}: unknown type {etype!r}")
            continue
        roles = schema.roles_for(etype)
        args = []
        for a in ev.get("arguments") or []:
            mid = mention_at(a, f"{etype} argument")
            if mid and a.get("role") in roles:
                args.append({"role": a["role"], "mention": mid})
        events.append({"id": f"V{len(events) + 1}", "type": etype, "realis": None,
                       "mode": mode_default if mode.applies({"type": etype}) else None,
                       "trigger": span(ev.get("trigger") or {}, f"event{k}"),
                       "arguments": args})
    attributions = []
    for k, q in enumerate(pred.get("attributions") or []):
        attributions.append({"id": f"Q{len(attributions) + 1}", "kind": q.get("kind"),
                             "content": span(q.get("content") or {}, f"attribution{k}"),
                             "cue": span(q["cue"], f"attribution{k}/cue") if q.get("cue")
                             else None,
                             "source": mention_at(q.get("source"), "attribution source")})
    ann: dict[str, Any] = {"doc_id": doc_id, "text_sha256": text_sha256(text), "pass": SILVER,
                           "annotator": annotator}
    if notes:
        ann["notes"] = notes
    ann.update({"mentions": mentions, "entities": entities, "events": events,
                "attributions": attributions})
    return ann


def preannotate(texts: dict[str, str], out_dir: Path, predict: Predictor, annotator: str,
                schema: Schema) -> list[SilverResult]:
    """Run the predictor on each (doc_id, text) and write its silver file."""
    results = []
    for doc_id, text in texts.items():
        ann = silver_annotation(doc_id, text, predict(doc_id, text), schema, annotator)
        path = out_dir / f"{doc_id}.json"
        write_annotation(path, ann)
        results.append(SilverResult(doc_id, path, ann))
    return results
