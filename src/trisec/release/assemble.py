"""AnnotatedDocument -> rows of every config (pure; the schema decides the columns).

The span tables' columns that mirror a gold field are named by schema/dataset.yaml alone
(their `from:` paths, Schema.mirror), so renaming one carries its values; the others are
computed here under their names. Every row leaves through rows_for, which holds it against
its config's columns in schema/dataset.yaml: a key the schema does not declare, or a declared
column the builder did not fill, is a located error (config/doc_id and the column), never a
silently dropped key or an all-null column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from functools import cache
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


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def asdict(obj: Any) -> dict[str, Any]:
    """dataclasses.asdict of a metadata fact or a removal, whose fields are all plain values
    (str, int or None): the same dict without asdict's recursive deep copy, which a crawl
    pays for on every page."""
    return {name: getattr(obj, name) for name in _field_names(type(obj))}


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


def _mirrored(config: str, a: AnnotatedDocument, schema: Schema
              ) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """(gold item chain, its row so far) of every row of a span table, in gold order: doc_id,
    split and the columns that mirror a gold field, named by schema/dataset.yaml alone."""
    mirror = schema.mirror(config)
    if not a.gold or mirror is None:
        return iter(())
    return mirror.rows(a.gold.data, {"doc_id": a.doc.doc_id, "split": a.split})


def mention_rows(a: AnnotatedDocument, schema: Schema) -> Iterator[dict[str, Any]]:
    for (m,), row in _mirrored("mentions", a, schema):
        ent = a.gold.entity_by_id.get(m["entity"], {}) if a.gold else {}
        row["qid"] = ent.get("qid")
        row["sentence_index"] = a.sentences[sentence_at(a.sentences, m["start"])].index
        yield row


def event_rows(a: AnnotatedDocument, schema: Schema) -> Iterator[dict[str, Any]]:
    for (e,), row in _mirrored("events", a, schema):
        start = e["trigger"]["start"]
        row["sentence_index"] = a.sentences[sentence_at(a.sentences, start)].index
        row["num_arguments"] = len(e.get("arguments") or [])
        row["arguments"] = [{"role": x["role"], "mention_id": x["mention"]}
                            for x in e.get("arguments") or []]
        yield row


def argument_rows(a: AnnotatedDocument, schema: Schema) -> Iterator[dict[str, Any]]:
    for (_e, x), row in _mirrored("arguments", a, schema):
        m = a.gold.mention_by_id[x["mention"]] if a.gold else {}
        row.update(start=m["start"], end=m["end"], text=m["text"], label=m["label"])
        yield row


def attribution_rows(a: AnnotatedDocument, schema: Schema) -> Iterator[dict[str, Any]]:
    for (q,), row in _mirrored("attributions", a, schema):
        src = a.gold.mention_by_id.get(q.get("source") or "", {}) if a.gold else {}
        row["source_text"] = src.get("text")
        row["source_entity_id"] = src.get("entity")
        yield row


BUILDERS: dict[str, Callable[[AnnotatedDocument, Schema], Iterable[dict[str, Any]]]] = {
    "documents": lambda a, schema: [document_row(a, schema)],
    "sentences": sentence_rows,
    "mentions": mention_rows,
    "events": event_rows,
    "arguments": argument_rows,
    "attributions": attribution_rows,
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
