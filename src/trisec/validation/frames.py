"""A release folder -> one pandas DataFrame per suite (pure pandas/pyarrow, no GX).

GX validates one DataFrame at a time, so every cross-row or cross-table fact a suite needs is
joined onto its frame here under a dotted name that says where it came from: `doc.text`
(the document's text), `mention.start` (the referenced row of the mentions table),
`sentence.prev_end` (the previous sentence in the same document), `mentions.nested` (a count
from the nested view). The expectations then compare plain columns, row by row, and a failing
row still carries its own ids (doc_id, mention_id, ...).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from trisec.document import doc_id_for
from trisec.documents.bio import bio_tags
from trisec.release.writer import MANIFEST, sha256_file
from trisec.schema import Schema, split_of
from trisec.validation.checks import as_int, is_null

DATA = "data"


@dataclass
class Release:
    """The Parquet tables of a release (all splits of a config in one frame) and its files."""

    folder: Path
    tables: dict[str, pd.DataFrame]
    files: pd.DataFrame


def empty_table(schema: Schema, config: str) -> pd.DataFrame:
    """A config with no rows: the schema's columns and types."""
    fields = [pa.field(c.name, schema.arrow_type(c.type)) for c in schema.configs[config].columns]
    return pa.Table.from_pylist([], schema=pa.schema(fields)).to_pandas()


def _split_of_path(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1]
    return name.split("-", 1)[0] if name.endswith(".parquet") else None


def _config_of_path(path: str) -> str | None:
    parts = path.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == DATA else None


def read_tables(folder: Path, schema: Schema) -> dict[str, pd.DataFrame]:
    """Every config's rows, splits concatenated in split order. A config with no file (no gold
    yet) is an empty frame with the schema's columns, so its suite is vacuously satisfied."""
    tables: dict[str, pd.DataFrame] = {}
    for config in schema.configs:
        paths = [folder / DATA / config / f"{sp}-00000-of-00001.parquet"
                 for sp in schema.split_names]
        frames = [pq.read_table(p).to_pandas() for p in paths if p.is_file()]
        frames = [f for f in frames if len(f)]
        tables[config] = (pd.concat(frames, ignore_index=True) if frames
                          else empty_table(schema, config))
    return tables


def _card(folder: Path) -> tuple[str, set[str], dict[tuple[str, str], int]]:
    """The card's version, the data files its `configs:` list and the split sizes its
    `dataset_info:` states per (config, split) (YAML front matter; `load_dataset` checks a
    split's rows against that size). A missing card or version is "" (not null: in-set
    expectations skip nulls)."""
    path = folder / "README.md"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if not text.startswith("---"):
        return "", set(), {}
    try:
        meta = yaml.safe_load(text.split("---", 2)[1]) or {}
    except yaml.YAMLError:
        return "", set(), {}
    listed = {f["path"] for c in meta.get("configs") or [] for f in c.get("data_files") or []
              if isinstance(f, dict) and "path" in f}
    info = meta.get("dataset_info") or []
    sizes = {(str(c.get("config_name")), str(sp.get("name"))): sp.get("num_examples")
             for c in (info if isinstance(info, list) else [info]) if isinstance(c, dict)
             for sp in c.get("splits") or [] if isinstance(sp, dict)}
    return str(meta.get("version") or ""), listed, sizes


def _row_splits(path: Path, rows: int, path_split: str | None) -> str | None:
    """The split values the rows of a data file carry, comma-joined ("" when it has no
    `split` column); an empty file vacuously carries its path's split."""
    if not rows:
        return path_split
    if "split" not in pq.read_schema(path).names:
        return ""
    values = pq.read_table(path, columns=["split"]).column("split").unique().to_pylist()
    return ",".join(sorted(str(v) for v in values))


def files_frame(folder: Path, schema: Schema) -> pd.DataFrame:
    """One row per file on disk, in the manifest or in the card: the `release` suite's frame."""
    manifest: dict[str, Any] = {}
    if (folder / MANIFEST).is_file():
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest.get("files", [])}
    card_version, in_card, card_sizes = _card(folder)
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*")
               if p.is_file() and p.name != MANIFEST}
    rows = []
    for path in sorted(on_disk | listed.keys() | in_card):
        entry = listed.get(path, {})
        config = _config_of_path(path)
        is_parquet = path.endswith(".parquet")
        row: dict[str, Any] = {
            "path": path, "config": config, "split": _split_of_path(path),
            "on_disk": path in on_disk, "in_manifest": path in listed,
            "in_card": (path in in_card) if is_parquet else None,
            "sha256": sha256_file(folder / path) if path in on_disk else None,
            "manifest.sha256": entry.get("sha256"),
            "rows": None, "manifest.rows": entry.get("rows"),
            "rows.split": None,
            "card.rows": (card_sizes.get((config or "", _split_of_path(path) or ""))
                          if is_parquet else None),
            "parquet.version": None, "parquet.config": None, "parquet.schema_sha256": None,
            "columns": None,
            "schema.columns": (",".join(schema.configs[config].column_names)
                               if config in schema.configs else None),
            "manifest.version": str(manifest.get("version") or "") if manifest else None,
            "manifest.schema_sha256": manifest.get("schema_sha256") if is_parquet else None,
            "card.version": card_version,
        }
        if is_parquet and path in on_disk:
            meta = pq.read_metadata(folder / path)
            arrow = meta.schema.to_arrow_schema()
            info = json.loads((arrow.metadata or {}).get(b"trisec", b"{}"))
            row.update({"rows": meta.num_rows,
                        "rows.split": _row_splits(folder / path, meta.num_rows, row["split"]),
                        "parquet.version": str(info.get("version") or ""),
                        "parquet.config": info.get("config"),
                        "parquet.schema_sha256": info.get("schema_sha256"),
                        "columns": ",".join(arrow.names)})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["path"])
    for col in ("rows", "manifest.rows", "card.rows"):
        if col in frame:
            frame[col] = frame[col].astype("Int64")
    return frame


def read_release(folder: Path, schema: Schema) -> Release:
    return Release(folder, read_tables(folder, schema), files_frame(folder, schema))


# --- per-suite frames -----------------------------------------------------------------------

def fact_columns(schema: Schema) -> dict[str, list[str]]:
    """documents columns whose type is a struct of scalars (fact, date_fact) -> their fields."""
    out = {}
    for c in schema.configs["documents"].columns:
        spec = c.type
        while isinstance(spec, dict) and "ref" in spec:
            spec = schema.dataset["types"][spec["ref"]]
        if isinstance(spec, dict) and "struct" in spec and \
                all(isinstance(v, str) for v in spec["struct"].values()):
            out[c.name] = list(spec["struct"])
    return out


def _docs_lookup(docs: pd.DataFrame) -> pd.DataFrame:
    """doc_id -> doc.text, doc.length, doc.split (first row wins if ids repeat: the documents
    suite reports the duplicate)."""
    d = docs.drop_duplicates("doc_id")[["doc_id", "text", "split"]]
    # categorical: joined onto a million span rows, each row holds a code of its document,
    # so GX's row filters copy codes, not texts, and GX's fingerprint of the batch hashes
    # each text once (an Arrow string column copies and hashes every row's text)
    codes, texts = pd.factorize(d["text"].to_numpy(dtype=object))
    text = pd.Series(pd.Categorical.from_codes(codes, pd.Index(texts, dtype=object)),
                     index=d.index)
    return pd.DataFrame({"doc_id": d["doc_id"], "doc.text": text,
                         "doc.length": d["text"].map(lambda t: None if is_null(t) else len(t)),
                         "doc.split": d["split"]}).astype({"doc.length": "Int64"})


def gx_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns a suite reads, with integer columns as numpy int64: GX's pandas metrics
    (between, pair comparisons) are vectorised for those, but call a Python function per
    value for int32 or nullable Int64 columns. A nullable column keeps its type when it
    holds a null."""
    out = frame[columns]
    casts = {c: "int64" for c in columns
             if pd.api.types.is_integer_dtype(out[c].dtype) and out[c].dtype != "int64"
             and not out[c].isna().any()}
    return out.astype(casts) if casts else out


def _join(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """Left join that keeps the left frame's rows and order exactly (right keys deduplicated)."""
    right = right.drop_duplicates(on)
    out = left.merge(right, on=on, how="left", sort=False)
    out.index = left.index
    return out


def documents_frame(t: dict[str, pd.DataFrame], schema: Schema) -> pd.DataFrame:
    docs = t["documents"]
    out = docs.drop(columns=[c for c in ("mentions", "entities", "events", "attributions",
                                         "offset_map") if c in docs]).copy()
    for col, fields in fact_columns(schema).items():
        for f in fields:
            out[f"{col}.{f}"] = docs[col].map(lambda d, f=f: None if is_null(d) else d.get(f))
        out = out.drop(columns=[col])
    out["doc_id.from_sha256"] = docs["sha256"].map(
        lambda s: None if is_null(s) else doc_id_for(str(s)))
    out["split.by_rule"] = docs["doc_id"].map(
        lambda d: None if is_null(d) else split_of(str(d), schema))
    out["removed.reasons"] = docs["removed"].map(
        lambda rs: [] if is_null(rs) else [r["reason"] for r in rs])
    return out.drop(columns=["removed"])


def _neighbours(frame: pd.DataFrame, start: str, end: str, text_length: str
                ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per document, ordered by start: the furthest end before each row (0 for the first),
    the next row's start (the text length for the last) and the row's position."""
    order = frame.sort_values(["doc_id", start, end], kind="stable")
    g = order.groupby("doc_id", sort=False)
    # vectorised (a per-group lambda costs seconds on a million rows)
    prev_end = g[end].cummax().groupby(order["doc_id"], sort=False).shift(1).fillna(0)
    next_start = g[start].shift(-1)
    next_start = next_start.fillna(order[text_length].astype("float64"))
    position = g.cumcount()
    return (prev_end.reindex(frame.index), next_start.reindex(frame.index),
            position.reindex(frame.index))


def _mention_spans(mentions: pd.DataFrame) -> dict[str, list[tuple[int, int, str]]]:
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for d, s, e, lab in zip(mentions["doc_id"], mentions["start"], mentions["end"],
                            mentions["label"], strict=True):
        si, ei = as_int(s), as_int(e)
        if si is not None and ei is not None:
            spans.setdefault(d, []).append((si, ei, str(lab)))
    return spans


def sentences_frame(t: dict[str, pd.DataFrame], schema: Schema) -> pd.DataFrame:
    out = _join(t["sentences"], _docs_lookup(t["documents"]), ["doc_id"])
    prev_end, next_start, position = _neighbours(out, "start", "end", "doc.length")
    out["sentence.prev_end"] = prev_end.astype("Int64")
    out["sentence.next_start"] = next_start.astype("Int64")
    out["sentence.position"] = position.astype("Int64")
    # the BIO rule (trisec.documents.bio) applied to the mentions table: ner_tags must agree with it
    tag_id = {tag: i for i, tag in enumerate(schema.entity_bio)}
    spans = _mention_spans(t["mentions"])
    derived = []
    for d, s, e, ts, te in zip(out["doc_id"], out["start"], out["end"], out["token_starts"],
                               out["token_ends"], strict=True):
        if is_null(ts) or is_null(te) or len(ts) != len(te):
            derived.append(None)
            continue
        local = [m for m in spans.get(d, []) if m[0] < e and m[1] > s]
        tags, _ = bio_tags([int(x) for x in ts], [int(x) for x in te], local)
        derived.append([tag_id.get(tag, -1) for tag in tags])
    out["ner_tags.from_mentions"] = derived
    return out


def mentions_frame(t: dict[str, pd.DataFrame], schema: Schema) -> pd.DataFrame:
    m = t["mentions"]
    out = _join(m, _docs_lookup(t["documents"]), ["doc_id"])
    sents = t["sentences"][["doc_id", "sentence_index", "start", "end"]].rename(
        columns={"start": "sentence.start", "end": "sentence.end"})
    out = _join(out, sents, ["doc_id", "sentence_index"])
    ents = [(d, e["id"], e.get("qid")) for d, es in zip(t["documents"]["doc_id"],
                                                      t["documents"]["entities"], strict=True)
            if not is_null(es) for e in es]
    ent = pd.DataFrame(ents, columns=["doc_id", "entity_id", "entity.qid"])
    ent["entity.found"] = True
    out = _join(out, ent, ["doc_id", "entity_id"])
    out["entity.found"] = out["entity.found"].astype("boolean").fillna(False)
    prev_end, _, _ = _neighbours(out, "start", "end", "doc.length")
    out["mention.prev_end"] = prev_end.astype("Int64")
    return out


def events_frame(t: dict[str, pd.DataFrame], schema: Schema) -> pd.DataFrame:
    out = _join(t["events"], _docs_lookup(t["documents"]), ["doc_id"])
    sents = t["sentences"][["doc_id", "sentence_index", "start", "end"]].rename(
        columns={"start": "sentence.start", "end": "sentence.end"})
    out = _join(out, sents, ["doc_id", "sentence_index"])
    counts = t["arguments"].groupby(["doc_id", "event_id"]).size().rename("arguments.rows")
    out = _join(out, counts.reset_index(), ["doc_id", "event_id"])
    out["arguments.rows"] = out["arguments.rows"].fillna(0).astype("Int64")
    # the event's own list of (role, mention_id) and its rows in the arguments config, in
    # order, each as one JSON string (GX compares the two columns value by value)
    out["arguments.listed"] = [
        json.dumps([] if is_null(xs) else [[x["role"], x["mention_id"]] for x in xs])
        for xs in out["arguments"]]
    listed = {key: json.dumps(g[["role", "mention_id"]].values.tolist())
              for key, g in t["arguments"].groupby(["doc_id", "event_id"], sort=False)}
    out["arguments.from_rows"] = [listed.get((d, e), "[]")
                                  for d, e in zip(out["doc_id"], out["event_id"], strict=True)]
    return out


def arguments_frame(t: dict[str, pd.DataFrame], schema: Schema) -> pd.DataFrame:
    out = _join(t["arguments"], _docs_lookup(t["documents"]), ["doc_id"])
    ev = t["events"][["doc_id", "event_id", "type"]].rename(columns={"type": "event.type"})
    out = _join(out, ev, ["doc_id", "event_id"])
    mcols = ["start", "end", "text", "label"]
    me = t["mentions"][["doc_id", "mention_id", *mcols]].rename(
        columns={c: f"mention.{c}" for c in mcols})
    out = _join(out, me, ["doc_id", "mention_id"])
    out["role.key"] = [None if is_null(a) or is_null(b) else f"{a}.{b}"
                       for a, b in zip(out["event_type"], out["role"], strict=True)]
    return out


def attributions_frame(t: dict[str, pd.DataFrame], schema: Schema) -> pd.DataFrame:
    out = _join(t["attributions"], _docs_lookup(t["documents"]), ["doc_id"])
    src = t["mentions"][["doc_id", "mention_id", "text", "entity_id"]].rename(
        columns={"mention_id": "source_mention_id", "text": "source.text",
                 "entity_id": "source.entity_id"})
    src["source.found"] = True
    out = _join(out, src, ["doc_id", "source_mention_id"])
    out["source.found"] = out["source.found"].astype("boolean").fillna(False)
    # a null source is allowed; a source id that names no mention is not
    out.loc[out["source_mention_id"].isna(), "source.found"] = pd.NA
    return out


# --- nested vs flat --------------------------------------------------------------------------

def _norm(x: Any) -> Any:
    if is_null(x):
        return None
    if isinstance(x, str):
        return x
    i = as_int(x)
    return i if i is not None else str(x)


def _digest(rows: Iterable[tuple[Any, ...]]) -> str:
    items = sorted(json.dumps([_norm(v) for v in r]) for r in rows)
    return hashlib.sha256("\n".join(items).encode()).hexdigest()[:16]


def _nested_items(schema: Schema, layer: str, items: Any) -> list[tuple[Any, ...]]:
    """The values a flat table's mirrored columns (`from:` in schema/dataset.yaml) take from
    one document's nested layer, in column order."""
    mirror = schema.mirror(layer)
    if mirror is None or is_null(items):
        return []
    return [tuple(row.values()) for _, row in mirror.rows({mirror.lists[0]: items})]


def consistency_frame(t: dict[str, pd.DataFrame], schema: Schema) -> pd.DataFrame:
    """One row per document: each gold layer counted and fingerprinted in both views."""
    docs = t["documents"]
    out = pd.DataFrame({"doc_id": docs["doc_id"], "split": docs["split"]})
    per_doc = t["sentences"].groupby("doc_id").size()
    out["sentences.flat"] = docs["doc_id"].map(per_doc).fillna(0).astype("Int64")
    for layer in schema.span_tables:
        mirror = schema.mirror(layer)
        if mirror is None:
            continue
        cols = [name for name, _, _ in mirror.columns]
        nested = [_nested_items(schema, layer, x) for x in docs[mirror.lists[0]]]
        flat = t[layer]
        groups = {d: list(g[cols].itertuples(index=False, name=None))
                  for d, g in flat.groupby("doc_id", sort=False)} if len(flat) else {}
        out[f"{layer}.nested"] = pd.array([len(n) for n in nested], dtype="Int64")
        out[f"{layer}.flat"] = pd.array([len(groups.get(d, [])) for d in docs["doc_id"]],
                                        dtype="Int64")
        out[f"{layer}.nested_digest"] = [_digest(n) for n in nested]
        out[f"{layer}.flat_digest"] = [_digest(groups.get(d, [])) for d in docs["doc_id"]]
    if "prompts" in t:
        per_doc = t["prompts"].groupby("doc_id").size()
        out["prompts.rows"] = docs["doc_id"].map(per_doc).fillna(0).astype("Int64")
    # flat rows whose doc_id is not in documents are caught by each flat suite (doc.text)
    return out


# --- prompts ---------------------------------------------------------------------------------

def plain(x: Any) -> Any:
    """Parquet-through-pandas values (numpy arrays, NaN) -> plain Python lists and None."""
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)) or type(x).__name__ == "ndarray":
        return [plain(v) for v in x]
    return None if is_null(x) else x


def prompts_frame(t: dict[str, pd.DataFrame], schema: Schema) -> pd.DataFrame:
    """One row per prompt, with what its checks compare: the response schema labels.yaml
    gives, the reference aligned back to offsets vs the document's gold, the splits of the
    example documents, and leaked passages of other non-train documents."""
    from trisec.evaluate.views import view_from_annotation
    from trisec.generative.align import align_response
    from trisec.generative.formats import dumps, layer_items, response_schema
    from trisec.generative.instructions import user_message
    from trisec.generative.leakage import LeakIndex
    from trisec.generative.prompts import TRAIN, has_gold

    p, docs = t["prompts"], t["documents"]
    out = _join(p, _docs_lookup(docs), ["doc_id"])
    rows = {d: plain(r) for d, r in zip(docs["doc_id"], docs[
        ["doc_id", "text", "mentions", "entities", "events", "attributions"]
    ].to_dict("records"), strict=True)}
    split = dict(zip(docs["doc_id"], docs["split"], strict=True))
    index = LeakIndex({d: r["text"] for d, r in rows.items() if split[d] != TRAIN},
                      int(schema.dataset["prompts"]["leakage_ngram"]))
    expected_schema, aligned, gold, roles, own_text, examples, leaks = [], [], [], [], [], [], []
    for d, task, msgs, ref, ex in zip(out["doc_id"], out["task"], out["messages"],
                                      out["reference"], out["example_doc_ids"], strict=True):
        msgs, row = plain(msgs) or [], rows.get(d)
        contents = [str(m.get("content") or "") for m in msgs]
        roles.append(",".join(str(m.get("role")) for m in msgs))
        examples.append([split.get(x, "no such document") for x in plain(ex) or []])
        try:
            expected_schema.append(dumps(response_schema(str(task), schema)))
        except ValueError:
            expected_schema.append(None)
        if row is None or expected_schema[-1] is None:
            aligned.append(None)
            gold.append("no document or task" if row is None else None)
            own_text.append(False)
            leaks.append([])
            continue
        own_text.append(bool(contents) and contents[-1] == user_message(row["text"]))
        leaks.append(index.leaks(d, row["text"], contents))
        gold.append(dumps(layer_items(task, view_from_annotation(row)))
                    if has_gold(row) else None)
        view, _ = align_response(d, task, row["text"], None if is_null(ref) else ref, schema)
        aligned.append(None if is_null(ref) else dumps(layer_items(task, view)))
    out["response_schema.expected"] = expected_schema
    out["reference.aligned"] = aligned
    out["gold.items"] = gold
    out["messages.roles"] = roles
    out["prompt.ends_with_text"] = own_text
    out["example.splits"] = examples
    out["prompt.leaks"] = leaks
    return out


FRAMES = {
    "documents": documents_frame,
    "sentences": sentences_frame,
    "mentions": mentions_frame,
    "events": events_frame,
    "arguments": arguments_frame,
    "attributions": attributions_frame,
    "consistency": consistency_frame,
    "prompts": prompts_frame,
}


def suite_frames(release: Release, schema: Schema) -> dict[str, pd.DataFrame]:
    """The DataFrame each suite validates (`release` is the per-file frame)."""
    frames = {name: fn(release.tables, schema) for name, fn in FRAMES.items()}
    frames["release"] = release.files
    return frames
