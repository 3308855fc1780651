"""AnnotatedDocument -> rows of every config (pure; the schema decides the columns).

Every row leaves through rows_for, which holds it against its config's columns in
schema/dataset.yaml: a key the schema does not declare, or a declared column the builder did
not fill, is a located error (config/doc_id and the column), never a silently dropped key or
an all-null column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from typing import Any

from trisec.documents.bio import bio_tags
from trisec.documents.sentences import sentence_at
from trisec.errors import Problem, TrisecError
from trisec.pipeline.steps import AnnotatedDocument
from trisec.schema import Schema


def _span(s: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if s is None else {"start": s["start"], "end": s["end"], "text": s["text"]}


# the gold file's mention fields (docs/ANNOTATION_FORMAT.md), nested as they are in documents
MENTION_FIELDS = ("id", "start", "end", "text", "label", "mention_type", "gpe_role", "entity",
                  "timex_value")


def document_row(a: AnnotatedDocument, schema: Schema) -> dict[str, Any]:
    d, g = a.doc, (a.gold.data if a.gold else {})
    return {
        "doc_id": d.doc_id, "split": a.split, "source_file": d.source_file, "sha256": d.sha256,
        "text": d.text, "title": asdict(d.title), "dateline": asdict(d.dateline),
        "published": asdict(d.published), "outlet": asdict(d.outlet), "url": asdict(d.url),
        "language": d.language,
        "removed": [asdict(r) for r in d.removed],
        "offset_map": [{"start": s, "raw_start": r, "length": n} for s, r, n in d.offset_map],
        "mentions": [{k: m.get(k) for k in MENTION_FIELDS} for m in g.get("mentions", [])],
        "entities": [{"id": e["id"], "name": e.get("name"), "qid": e.get("qid")}
                     for e in g.get("entities", [])],
        "events": [{"id": e["id"], "type": e["type"], "realis": e.get("realis"),
                    "mode": e.get("mode"), "trigger": _span(e["trigger"]),
                    "arguments": [{"role": x["role"], "mention": x["mention"]}
                                  for x in e.get("arguments") or []]}
                   for e in g.get("events", [])],
        "attributions": [{"id": q["id"], "kind": q["kind"], "content": _span(q["content"]),
                          "cue": _span(q.get("cue")), "source": q.get("source")}
                         for q in g.get("attributions", [])],
    }


def sentence_rows(a: AnnotatedDocument, schema: Schema) -> Iterator[dict[str, Any]]:
    tag_id = {t: i for i, t in enumerate(schema.entity_bio)}
    mentions = [(m["start"], m["end"], m["label"]) for m in
                (a.gold.data.get("mentions", []) if a.gold else [])]
    text = a.doc.text
    for s in a.sentences:
        local = [m for m in mentions if m[0] < s.end and m[1] > s.start]
        tags, _ = bio_tags(s.token_starts, s.token_ends, local)
        yield {"doc_id": a.doc.doc_id, "split": a.split, "sentence_index": s.index,
               "start": s.start, "end": s.end, "text": text[s.start:s.end],
               "tokens": [text[x:y] for x, y in zip(s.token_starts, s.token_ends, strict=True)],
               "token_starts": list(s.token_starts), "token_ends": list(s.token_ends),
               "ner_tags": [tag_id[t] for t in tags]}


def mention_rows(a: AnnotatedDocument) -> Iterator[dict[str, Any]]:
    if not a.gold:
        return
    for m in a.gold.data["mentions"]:
        ent = a.gold.entity_by_id.get(m["entity"], {})
        yield {"doc_id": a.doc.doc_id, "split": a.split, "mention_id": m["id"],
               "start": m["start"], "end": m["end"], "text": m["text"], "label": m["label"],
               "mention_type": m.get("mention_type"), "gpe_role": m.get("gpe_role"),
               "entity_id": m.get("entity"), "qid": ent.get("qid"),
               "timex_value": m.get("timex_value"),
               "sentence_index": a.sentences[sentence_at(a.sentences, m["start"])].index}


def event_rows(a: AnnotatedDocument) -> Iterator[dict[str, Any]]:
    if not a.gold:
        return
    for e in a.gold.data["events"]:
        t = e["trigger"]
        yield {"doc_id": a.doc.doc_id, "split": a.split, "event_id": e["id"], "type": e["type"],
               "realis": e.get("realis"), "mode": e.get("mode"), "trigger_start": t["start"],
               "trigger_end": t["end"], "trigger_text": t["text"],
               "sentence_index": a.sentences[sentence_at(a.sentences, t["start"])].index,
               "num_arguments": len(e.get("arguments") or []),
               "arguments": [{"role": x["role"], "mention_id": x["mention"]}
                             for x in e.get("arguments") or []]}


def argument_rows(a: AnnotatedDocument) -> Iterator[dict[str, Any]]:
    if not a.gold:
        return
    for e in a.gold.data["events"]:
        for x in e.get("arguments") or []:
            m = a.gold.mention_by_id[x["mention"]]
            yield {"doc_id": a.doc.doc_id, "split": a.split, "event_id": e["id"],
                   "event_type": e["type"], "role": x["role"], "mention_id": x["mention"],
                   "start": m["start"], "end": m["end"], "text": m["text"], "label": m["label"]}


def attribution_rows(a: AnnotatedDocument) -> Iterator[dict[str, Any]]:
    if not a.gold:
        return
    for q in a.gold.data["attributions"]:
        cue = q.get("cue") or {}
        src = a.gold.mention_by_id.get(q.get("source") or "", {})
        yield {"doc_id": a.doc.doc_id, "split": a.split, "attribution_id": q["id"],
               "kind": q["kind"], "content_start": q["content"]["start"],
               "content_end": q["content"]["end"], "content_text": q["content"]["text"],
               "cue_start": cue.get("start"), "cue_end": cue.get("end"),
               "cue_text": cue.get("text"), "source_mention_id": q.get("source"),
               "source_text": src.get("text"), "source_entity_id": src.get("entity")}


BUILDERS: dict[str, Callable[[AnnotatedDocument, Schema], Iterable[dict[str, Any]]]] = {
    "documents": lambda a, schema: [document_row(a, schema)],
    "sentences": sentence_rows,
    "mentions": lambda a, _schema: mention_rows(a),
    "events": lambda a, _schema: event_rows(a),
    "arguments": lambda a, _schema: argument_rows(a),
    "attributions": lambda a, _schema: attribution_rows(a),
}


def rows_for(config: str, a: AnnotatedDocument, schema: Schema) -> Iterator[dict[str, Any]]:
    """Rows of one config for one document, in a stable order, each checked against the
    config's columns (Schema.check_row)."""
    builder = BUILDERS.get(config)
    if builder is None:
        raise TrisecError(Problem(f"schema/dataset.yaml: configs.{config}",
                                  "no row builder for this config",
                                  "add one to trisec.release.assemble.BUILDERS"))
    for row in builder(a, schema):
        schema.check_row(config, row)
        yield row
