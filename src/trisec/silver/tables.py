"""Arrow schemas of the silver corpus, derived in code from schema/dataset.yaml.

The silver corpus has the gold release's configs and columns (trisec.schema) plus two columns
every row carries: `silver` (always true) and `annotator` (which baseline, which version). They
are added here, never to schema/dataset.yaml, so the gold configs, card and validation suites
do not change. Between stages a batch is one Arrow table whose layout is `ingested_schema`: the
`documents` columns plus what the pipeline needs on the way (status of the file, raw word count,
body hash, MinHash signature, sentence offsets); only the configs' columns reach the output.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from trisec.schema import Schema

# the layers a baseline predicts; `sentences` carries BIO tags from the predicted mentions
SILVER_CONFIGS = ("documents", "sentences", "mentions", "events", "arguments", "attributions")
FLAT_CONFIGS = SILVER_CONFIGS[1:]
SILVER_COLUMNS = {"silver": "bool", "annotator": "string"}

# pipeline columns (between stages only)
STATUS_OK, STATUS_QUARANTINED = "ok", "quarantined"
PIPELINE_FIELDS = [
    pa.field("status", pa.string()),       # ok | quarantined
    pa.field("reason", pa.string()),       # why a file was quarantined
    pa.field("words", pa.int64()),         # whitespace-separated words of the raw file
    pa.field("body_sha256", pa.string()),  # trisec.documents.clean.body_hash of the text
    pa.field("minhash", pa.binary()),      # dedup.signature of the text
]
SENTENCES_FIELD = pa.field("_sentences", pa.list_(pa.struct([
    ("start", pa.int32()), ("end", pa.int32()),
    ("token_starts", pa.list_(pa.int32())), ("token_ends", pa.list_(pa.int32()))])))


def rows_column(config: str) -> str:
    """The nested column of an assembled batch holding one config's rows for each document."""
    return f"_rows_{config}"


def silver_arrow_schema(schema: Schema, config: str, annotator: str) -> pa.Schema:
    """A gold config's Parquet schema + `silver` and `annotator`, with HF features metadata
    (so load_dataset sees the two columns) and a `trisec` key that says silver."""
    from datasets import Features, Value

    features = schema.features(config)
    features = Features({**features, **{k: Value(v) for k, v in SILVER_COLUMNS.items()}})
    arrow = features.arrow_schema
    meta = dict(arrow.metadata or {})
    meta[b"trisec"] = json.dumps(
        {"name": schema.name, "version": schema.version, "config": config,
         "schema_sha256": schema.fingerprint(), "silver": True, "annotator": annotator},
        sort_keys=True).encode()
    return arrow.with_metadata(meta)


def ingested_schema(schema: Schema) -> pa.Schema:
    """Layout of a batch after ingest: the documents columns + pipeline columns."""
    columns = schema.configs["documents"].columns
    docs = [pa.field(c.name, schema.arrow_type(c.type)) for c in columns]
    return pa.schema(docs + PIPELINE_FIELDS)


def assembled_schema(silver: dict[str, pa.Schema]) -> pa.Schema:
    """Layout of a batch after assembly: documents rows + each flat config's rows nested."""
    fields = list(silver["documents"].remove_metadata())
    for config in FLAT_CONFIGS:
        fields.append(pa.field(rows_column(config),
                               pa.list_(pa.struct(list(silver[config].remove_metadata())))))
    return pa.schema(fields)


def split_assembled(table: pa.Table, silver: dict[str, pa.Schema]) -> dict[str, pa.Table]:
    """Pure Arrow: an assembled batch -> one table per config (documents in the batch's
    order, each flat config's rows in document order)."""
    out: dict[str, pa.Table] = {
        "documents": table.select(silver["documents"].names).cast(silver["documents"])}
    for config in FLAT_CONFIGS:
        flat = table.column(rows_column(config)).combine_chunks().flatten()
        out[config] = pa.Table.from_struct_array(flat).cast(silver[config]) if len(flat) else \
            silver[config].empty_table()
    return out


def empty_layers() -> dict[str, list[Any]]:
    return {"mentions": [], "entities": [], "events": [], "attributions": []}
