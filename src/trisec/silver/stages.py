"""The silver stages: pure functions from one Arrow batch to the next.

Each stage takes a `pyarrow.Table` (a batch of documents) and returns one, so the same
functions run in the local executor's worker processes and inside Ray Data's `map_batches`
(batch_format="pyarrow"). Per document they run the gold build's own stage functions
(trisec.pipeline): steps.clean_one (decode + clean + metadata), schema.split_of,
documents.sentences.tokenize (the arrays split_sentences reads) and release.assemble.rows_for
(the documents row; the flat configs' rows are the same rows built as Arrow columns,
trisec.silver.columns), with the benchmark's baseline predictor (trisec.baselines) in place
of the gold files.

    read_files -> clean_batch -> fingerprint_batch          (ingest: one pass per crawl shard)
    keep_batch -> sentences_batch -> predict_batch -> assemble_batch -> tables.split_assembled

A file that cannot be read, decoded or cleaned becomes a `quarantined` row with the reason; it
never raises, so one bad file never stops a run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from trisec.annotation.gold import Verified
from trisec.document import DateFact, Document, Fact, RawArticle, Removal
from trisec.documents.sentences import Sentence, Tokens, tokenize
from trisec.errors import Problem, TrisecError
from trisec.pipeline.steps import AnnotatedDocument, clean_one
from trisec.release.assemble import rows_for
from trisec.schema import Schema, load_schema, split_of
from trisec.silver.dedup import NUM_PERM, signature
from trisec.silver.tables import (
    SENTENCES_FIELD,
    SILVER_CONFIGS,
    STATUS_OK,
    STATUS_QUARANTINED,
    assembled_schema,
    empty_layers,
    ingested_schema,
    silver_arrow_schema,
)

LAYERS = ("mentions", "entities", "events", "attributions")
OPENING_QUOTES = frozenset('"\u201c\u2018\u00ab')


@dataclass(frozen=True)
class Context:
    """What every stage needs, built once in the driver and pickled to workers."""

    schema: Schema
    baseline: str  # a name in trisec.baselines.BASELINES
    annotator: str  # baseline name and version, written on every row
    silver: dict[str, pa.Schema]  # config -> Parquet schema of the silver output
    ingested: pa.Schema
    assembled: pa.Schema
    num_perm: int = NUM_PERM


def annotator_version(baseline: str) -> str:
    """`<name>@trisec-<version>+<sha256[:12] of the baselines package>`: the package version
    alone would not change when a pattern file does, and silver spans depend on both."""
    from trisec import baselines

    root = Path(baselines.__file__).parent
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{baseline}@trisec-{load_schema().version}+{h.hexdigest()[:12]}"


def make_context(baseline: str = "rules", schema: Schema | None = None) -> Context:
    from trisec.baselines import BASELINES

    if baseline not in BASELINES:
        raise TrisecError(Problem("--baseline", f"unknown baseline {baseline!r}",
                                  f"use one of: {', '.join(sorted(BASELINES))}"))
    schema = schema or load_schema()
    annotator = annotator_version(baseline)
    silver = {c: silver_arrow_schema(schema, c, annotator) for c in SILVER_CONFIGS}
    return Context(schema, baseline, annotator, silver, ingested_schema(schema),
                   assembled_schema(silver))


@cache
def _predictor(name: str) -> Any:
    from trisec.baselines import BASELINES

    return BASELINES[name]()


# --- ingest ---------------------------------------------------------------------------------

def read_files(paths: Sequence[Path]) -> pa.Table:
    """The local executor's reader: the columns ray.data.read_binary_files(include_paths=True)
    gives (`bytes`, `path`); an unreadable file gets null bytes and is quarantined later."""
    datas: list[bytes | None] = []
    for path in paths:
        try:
            datas.append(Path(path).read_bytes())
        except OSError:
            datas.append(None)
    return pa.table({"bytes": pa.array(datas, pa.binary()),
                     "path": pa.array([str(p) for p in paths], pa.string())})


def _quarantine_row(name: str, data: bytes | None, problems: list[Problem]) -> dict[str, Any]:
    where = "; ".join(p.location.split("@", 1)[1] for p in problems if "@" in p.location)
    reason = "; ".join(p.message for p in problems) + (f" (at {where})" if where else "")
    row: dict[str, Any] = {"source_file": name, "status": STATUS_QUARANTINED, "reason": reason,
                           "words": 0}
    if data is not None:
        raw = RawArticle(name, data)
        row.update(sha256=raw.sha256, doc_id=raw.doc_id)
    return row


def clean_document(name: str, data: bytes | None, schema: Schema) -> dict[str, Any]:
    """One raw file -> its `documents` row (no spans yet) + status, or a quarantined row."""
    if data is None:
        return _quarantine_row(name, None, [Problem(name, "cannot read file",
                                                    "check the path and permissions")])
    raw = RawArticle(name, data)
    try:
        doc = clean_one(raw)  # the build's cleaning; a crawl has no curated metadata
    except TrisecError as exc:
        return _quarantine_row(name, data, exc.problems)
    row = next(rows_for("documents", AnnotatedDocument(doc, split_of(doc.doc_id, schema), [],
                                                       None), schema))
    row.update(status=STATUS_OK, words=len(data.split()), body_sha256=doc.body_sha256)
    return row


def clean_batch(raw: pa.Table, ctx: Context) -> pa.Table:
    """read_files / read_binary_files batch -> ingested rows (status ok or quarantined)."""
    names = [PurePath(p).name for p in raw.column("path").to_pylist()]
    rows = [clean_document(n, d, ctx.schema)
            for n, d in zip(names, raw.column("bytes").to_pylist(), strict=True)]
    return pa.Table.from_pylist(rows, schema=ctx.ingested)


def fingerprint_batch(table: pa.Table, ctx: Context) -> pa.Table:
    """Fill `minhash` for the documents that were cleaned (dedup decides later, in order)."""
    sigs = [signature(text, ctx.num_perm) if status == STATUS_OK else None
            for text, status in zip(table.column("text").to_pylist(),
                                    table.column("status").to_pylist(), strict=True)]
    i = table.schema.get_field_index("minhash")
    return table.set_column(i, table.schema.field(i), pa.array(sigs, pa.binary()))


# --- annotate -------------------------------------------------------------------------------

def keep_batch(table: pa.Table, drop: Iterable[str] = ()) -> pa.Table:
    """Only cleaned documents that dedup kept."""
    mask = pc.equal(table.column("status"), STATUS_OK)
    dropped = list(drop)
    if dropped:
        mask = pc.and_(mask, pc.invert(pc.is_in(table.column("source_file"),
                                                 value_set=pa.array(dropped, pa.string()))))
    return table.filter(mask)


def sentences_batch(table: pa.Table, ctx: Context) -> pa.Table:
    """Tokens and sentences (trisec.documents.sentences: spaCy blank English + the
    sentencizer's rule), built as Arrow arrays straight from the tokenizer's offset arrays:
    no Python object per token or per sentence."""
    docs = [tokenize(text) for text in table.column("text").to_pylist()]
    return table.append_column(SENTENCES_FIELD, sentences_array(docs))


def sentences_array(docs: list[Tokens]) -> pa.Array:
    """The `_sentences` column (list of {start, end, token_starts, token_ends} per document)
    of tokenized documents."""
    n_sent = np.array([len(d) for d in docs], dtype=np.int64)
    n_tok = np.array([len(d.starts) for d in docs], dtype=np.int64)
    tok_base = np.concatenate(([0], np.cumsum(n_tok)))[:-1]  # one per document, none for none
    starts = np.concatenate([d.starts for d in docs] or [np.zeros(0, np.int64)])
    ends = np.concatenate([d.ends for d in docs] or [np.zeros(0, np.int64)])
    # token index bounds of every sentence, in the batch's token numbering
    lo = np.concatenate([d.bounds[:-1] + b for d, b in zip(docs, tok_base, strict=True)]
                        or [np.zeros(0, np.int64)])
    hi = np.concatenate([d.bounds[1:] + b for d, b in zip(docs, tok_base, strict=True)]
                        or [np.zeros(0, np.int64)])
    tok_offsets = pa.array(np.append(lo, n_tok.sum()).astype(np.int32))
    i32 = pa.int32()
    struct = pa.StructArray.from_arrays(
        [pa.array(starts[lo].astype(np.int32), i32), pa.array(ends[hi - 1].astype(np.int32), i32),
         pa.ListArray.from_arrays(tok_offsets, pa.array(starts.astype(np.int32), i32)),
         pa.ListArray.from_arrays(tok_offsets, pa.array(ends.astype(np.int32), i32))],
        fields=list(SENTENCES_FIELD.type.value_type))
    doc_offsets = pa.array(np.concatenate(([0], np.cumsum(n_sent))).astype(np.int32))
    return pa.ListArray.from_arrays(doc_offsets, struct, type=SENTENCES_FIELD.type)


def layers_from_prediction(pred: dict[str, Any], text: str) -> dict[str, list[Any]]:
    """A baseline prediction line (docs/BENCHMARK.md) -> annotation layers in the gold format
    (docs/ANNOTATION_FORMAT.md). Silver has no coreference (entity null), no realis or mode;
    an attribution is `direct` when its content opens right after a quote mark."""
    layers = empty_layers()

    def span(s: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if s is None else {"start": s["start"], "end": s["end"],
                                       "text": text[s["start"]:s["end"]]}

    by_span: dict[tuple[int, int], str] = {}
    for k, e in enumerate(sorted(pred.get("entities") or [],
                                 key=lambda e: (e["start"], e["end"])), 1):
        mid = f"M{k}"
        by_span[(e["start"], e["end"])] = mid
        layers["mentions"].append({
            "id": mid, "start": e["start"], "end": e["end"], "text": text[e["start"]:e["end"]],
            "label": e["label"], "mention_type": e.get("mention_type"), "gpe_role": None,
            "entity": None, "timex_value": None})
    for k, ev in enumerate(pred.get("events") or [], 1):
        args = [{"role": a["role"], "mention": by_span[(a["start"], a["end"])]}
                for a in ev.get("arguments") or [] if (a["start"], a["end"]) in by_span]
        layers["events"].append({"id": f"V{k}", "type": ev["type"], "realis": None,
                                 "mode": None, "trigger": span(ev["trigger"]),
                                 "arguments": args})
    for k, q in enumerate(pred.get("attributions") or [], 1):
        c = q["content"]
        src = q.get("source")
        layers["attributions"].append({
            "id": f"Q{k}", "kind": "direct" if text[c["start"] - 1:c["start"]] in OPENING_QUOTES
            and c["start"] > 0 else "indirect",
            "content": span(c), "cue": span(q.get("cue")),
            "source": by_span.get((src["start"], src["end"])) if src else None})
    return layers


def predict_batch(table: pa.Table, ctx: Context) -> pa.Table:
    """Baseline pre-annotation: the four gold layers filled with the predictor's spans."""
    predict = _predictor(ctx.baseline)
    layers = [layers_from_prediction(predict(doc_id, text), text)
              for doc_id, text in zip(table.column("doc_id").to_pylist(),
                                      table.column("text").to_pylist(), strict=True)]
    for name in LAYERS:
        i = table.schema.get_field_index(name)
        field = table.schema.field(i)
        table = table.set_column(i, field, pa.array([x[name] for x in layers], field.type))
    return table


def document_from_row(r: dict[str, Any]) -> Document:
    """Inverse of assemble.document_row for the document fields."""
    return Document(
        doc_id=r["doc_id"], source_file=r["source_file"], sha256=r["sha256"], text=r["text"],
        title=Fact(**r["title"]), dateline=Fact(**r["dateline"]),
        published=DateFact(**r["published"]), outlet=Fact(**r["outlet"]), url=Fact(**r["url"]),
        language=r["language"], removed=[Removal(**x) for x in r["removed"]],
        offset_map=[(m["start"], m["raw_start"], m["length"]) for m in r["offset_map"]],
        body_sha256=r.get("body_sha256") or "")


def annotated_from_row(r: dict[str, Any], full: bool = True) -> AnnotatedDocument:
    """A predicted row -> the AnnotatedDocument trisec.release.assemble builds rows from. The flat
    configs only read the ids, split, text, sentences and layers: `full=False` skips the
    metadata, removals and offset map (the costly part of a row)."""
    sents = [Sentence(i, s["start"], s["end"], tuple(s["token_starts"]), tuple(s["token_ends"]))
             for i, s in enumerate(r["_sentences"])]
    data = {name: r[name] for name in LAYERS}
    gold = Verified(r["doc_id"], data, {m["id"]: m for m in data["mentions"]},
                    {e["id"]: e for e in data["entities"]})
    doc = document_from_row(r) if full else Document(r["doc_id"], r["source_file"], r["sha256"],
                                                     r["text"])
    return AnnotatedDocument(doc, r["split"], sents, gold)


def assemble_batch(table: pa.Table, ctx: Context) -> pa.Table:
    """Rows of every silver config, each with `silver` and `annotator`; flat configs nested per
    document (tables.py). The flat rows are the gold release's (trisec.release.assemble), built
    as Arrow columns (trisec.silver.columns; tests compare them with rows_for's, row for row).
    The documents columns are already in their release layout (clean_document used
    assemble.document_row, predict_batch wrote the layers in the gold format), so they are
    taken as they are instead of a round trip through Python objects; tests check they equal
    document_row of the same document."""
    from trisec.silver.columns import flat_rows

    result = assembled_table(table, ctx, flat_rows(table, ctx.schema, ctx.silver, ctx.annotator))
    if "shard" in table.column_names:  # Ray carries the shard through to its partitioned write
        result = result.append_column("shard", table.column("shard"))
    return result


def assembled_table(table: pa.Table, ctx: Context,
                    nested: dict[str, pa.Array | pa.ChunkedArray | list[Any]]) -> pa.Table:
    """The assembled batch: `silver`/`annotator` tags, each flat config's per-document rows
    from `nested` (Arrow arrays, or Python lists of row dicts), every other column as it is."""
    n = table.num_rows
    arrays: list[pa.Array | pa.ChunkedArray] = []
    for f in ctx.assembled:
        if f.name == "silver":
            arrays.append(pa.array([True] * n, f.type))
        elif f.name == "annotator":
            arrays.append(pa.array([ctx.annotator] * n, f.type))
        elif f.name.startswith("_rows_"):
            rows = nested[f.name.removeprefix("_rows_")]
            arrays.append(pa.array(rows, f.type) if isinstance(rows, list) else rows.cast(f.type))
        else:
            arrays.append(table.column(f.name).cast(f.type))
    return pa.Table.from_arrays(arrays, schema=ctx.assembled)
