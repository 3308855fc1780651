"""The flat configs of a silver batch built as Arrow columns, not as one dict per row.

trisec.release.assemble builds a config's rows one document and one row at a time (a dict per
row, checked against the schema, then converted to Arrow); over a crawl that is most of the
cost of assembly. Here the same columns are computed from the batch's Arrow columns at once:
the layers (`mentions`, `entities`, `events`, `attributions`) and `_sentences` are flattened,
ids are joined per document with `pyarrow.compute`, the sentence index of a span is a sorted
search, sentence and token texts are cut from the text column's UTF-8 buffer by byte offsets,
and only the BIO tags (first-mention-wins over each sentence's tokens, documents.bio) loop in
Python, once per mention. The result equals the row builders' output, row for row
(tests/test_silver_columns.py compares both on the corpus, the fixtures, a synthetic crawl and
hand-made layers).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from trisec.errors import Problem, TrisecError
from trisec.schema import Schema

SEP = "\x1f"  # between a document's number and an id, in join keys


def _array(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _counts(lists: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False) \
        .astype(np.int64)


def _offsets(counts: np.ndarray) -> pa.Array:
    return pa.array(np.concatenate(([0], np.cumsum(counts))).astype(np.int32), pa.int32())


def _flat(lists: pa.Array) -> tuple[dict[str, pa.Array], np.ndarray]:
    """A list<struct> column -> its struct's fields (parent nulls merged) and, per item,
    the row it came from."""
    values = lists.flatten()
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    if not isinstance(values, pa.StructArray):  # an empty list<struct> with no type info
        raise TypeError(f"expected a list of structs, got {lists.type}")
    return dict(zip([f.name for f in values.type], values.flatten(), strict=True)), parents


def _mirrored(schema: Schema, config: str, levels: list[dict[str, pa.Array]],
              up: list[pa.Array | None]) -> dict[str, pa.Array]:
    """The columns of `config` that mirror a gold field (`from:` in schema/dataset.yaml), so
    renaming one there carries its values here too. `levels[d]`: the fields of the items at
    depth d + 1 of the config's walk (e.g. events, then their arguments); `up[d]`: for each
    row, the index of its item at that depth (None: the rows are those items)."""
    mirror = schema.mirror(config)
    out: dict[str, pa.Array] = {}
    for name, depth, fields in mirror.columns if mirror else ():
        arr = levels[depth - 1][fields[0]]
        for f in fields[1:]:  # into a struct: its children with the parent's nulls merged
            arr = dict(zip([x.name for x in arr.type], arr.flatten(), strict=True))[f]
        idx = up[depth - 1]
        out[name] = arr if idx is None else arr.take(idx)
    return out


def _keys(doc: np.ndarray, ids: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(pa.array(doc.astype(str)), ids, SEP)


def _lookup_last(keys: pa.Array, table_keys: pa.Array) -> np.ndarray:
    """Index in `table_keys` of each key, the last when a key repeats (as a dict built
    from the items keeps the last), -1 when absent or null."""
    n = len(table_keys)
    if not n or not len(keys):
        return np.full(len(keys), -1, dtype=np.int64)
    reverse = table_keys.take(pa.array(np.arange(n - 1, -1, -1)))
    found = pc.index_in(keys, value_set=reverse, skip_nulls=True)
    idx = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.where(idx >= 0, n - 1 - idx, -1)


def _take(values: pa.Array, idx: np.ndarray) -> pa.Array:
    """values[idx], null where idx is -1."""
    mask = idx < 0
    return values.take(pa.array(np.where(mask, 0, idx), mask=mask)) if len(values) else \
        pa.nulls(len(idx), values.type)


class Texts:
    """The batch's texts as one UTF-8 buffer, and the map from (document, character offset)
    to a byte offset in it."""

    def __init__(self, column: pa.Array) -> None:
        arr = column.cast(pa.large_string()) if column.type != pa.large_string() else column
        if arr.null_count:
            raise ValueError("a text is null")
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset:
                                                                   arr.offset + len(arr) + 1]
        self.data = np.frombuffer(arr.buffers()[2], dtype=np.uint8) if arr.buffers()[2] \
            else np.zeros(0, np.uint8)
        texts = arr.to_pylist()
        lengths = np.array([len(t) for t in texts], dtype=np.int64)
        self.char_base = np.concatenate(([0], np.cumsum(lengths)))
        joined = "".join(texts)
        if joined.isascii():
            self.bytes_before = None
        else:
            cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
            width = 1 + (cps >= 0x80).astype(np.int64) + (cps >= 0x800) + (cps >= 0x10000)
            self.bytes_before = np.concatenate(([0], np.cumsum(width)))
        self.first_byte = int(offsets[0])

    def byte(self, doc: np.ndarray, pos: np.ndarray) -> np.ndarray:
        at = self.char_base[doc] + pos
        return self.first_byte + (at if self.bytes_before is None else self.bytes_before[at])

    def slices(self, doc: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
        """text[doc][starts:ends] for each item, as a string array."""
        lo, hi = self.byte(doc, starts), self.byte(doc, ends)
        lengths = hi - lo
        out = np.concatenate(([0], np.cumsum(lengths)))
        total = int(out[-1])
        idx = np.repeat(lo - out[:-1], lengths) + np.arange(total, dtype=np.int64)
        data = self.data[idx] if total else np.zeros(0, np.uint8)
        return pa.Array.from_buffers(pa.string(), len(lengths), [
            None, pa.py_buffer(out.astype(np.int32)), pa.py_buffer(data.tobytes())])


def _sentence_index(doc: np.ndarray, pos: np.ndarray, sent_doc: np.ndarray,
                    sent_start: np.ndarray, doc_first: np.ndarray, doc_count: np.ndarray,
                    what: str) -> np.ndarray:
    """trisec.documents.sentences.sentence_at per item: the last sentence of its document
    starting at or before `pos` (the first when none does)."""
    if len(doc) and (doc_count[doc] == 0).any():
        raise TrisecError(Problem(what, "a span lies in a document without sentences",
                                  "check the batch's _sentences column"))
    keys = (sent_doc << 32) + sent_start
    j = np.searchsorted(keys, (doc << 32) + pos, side="right") - 1
    return np.maximum(j, doc_first[doc]) - doc_first[doc]


def _bio(schema: Schema, tok_start: list[int], tok_end: list[int], sent_lo: list[int],
         sent_hi: list[int], sent_start: list[int], sent_end: list[int],
         doc_sents: Sequence[tuple[int, int]],
         mentions: Sequence[Sequence[tuple[int, int, str]]]) -> np.ndarray:
    """documents.bio.bio_tags of every sentence (its overlapping mentions, sorted), as ids:
    per mention only the sentences and tokens it overlaps are visited."""
    tag_id = {t: i for i, t in enumerate(schema.entity_bio)}
    outside = tag_id["O"]
    tags = [outside] * len(tok_start)
    for (first_sent, last_sent), spans in zip(doc_sents, mentions, strict=True):
        for start, end, label in sorted(spans):
            begin, inside = tag_id["B-" + label], tag_id["I-" + label]
            j = bisect_right(sent_end, start, first_sent, last_sent)  # first with end > start
            stop = bisect_left(sent_start, end, first_sent, last_sent)  # starts < end
            for k in range(j, stop):
                lo, hi = sent_lo[k], sent_hi[k]
                t = bisect_right(tok_end, start, lo, hi)
                t_stop = bisect_left(tok_start, end, lo, hi)
                first = True
                for i in range(t, t_stop):
                    if tags[i] != outside:
                        continue
                    tags[i] = begin if first else inside
                    first = False
    return np.array(tags, dtype=np.int64)


def flat_rows(table: pa.Table, schema: Schema, silver: dict[str, pa.Schema],
              annotator: str) -> dict[str, pa.Array]:
    """For each flat config, its rows nested per document (a list<struct> array with one
    item per row of `table`), as `release.assemble.rows_for` + the silver columns give them."""
    n = table.num_rows
    doc_id, split = _array(table.column("doc_id")), _array(table.column("split"))
    texts = Texts(_array(table.column("text")))

    def per_doc(parents: np.ndarray) -> dict[str, pa.Array]:
        idx = pa.array(parents)
        return {"doc_id": doc_id.take(idx), "split": split.take(idx)}

    # sentences and tokens
    sent_lists = _array(table.column("_sentences"))
    sent, sent_doc = _flat(sent_lists)
    sent_count = _counts(sent_lists)
    doc_first = np.concatenate(([0], np.cumsum(sent_count)))[:-1].astype(np.int64)
    sent_start = sent["start"].to_numpy(zero_copy_only=False).astype(np.int64)
    sent_end = sent["end"].to_numpy(zero_copy_only=False).astype(np.int64)
    tok_lists = sent["token_starts"]
    tok_start = tok_lists.flatten().to_numpy(zero_copy_only=False).astype(np.int64)
    tok_end = sent["token_ends"].flatten().to_numpy(zero_copy_only=False).astype(np.int64)
    tok_count = _counts(tok_lists)
    if not np.array_equal(tok_count, _counts(sent["token_ends"])):
        raise TrisecError(Problem("_sentences", "token_starts and token_ends differ in length",
                                  "check sentences_batch"))
    tok_offsets = np.concatenate(([0], np.cumsum(tok_count))).astype(np.int64)
    tok_doc = np.repeat(sent_doc, tok_count)

    # mentions and entities
    ment_lists = _array(table.column("mentions"))
    ment, ment_doc = _flat(ment_lists)
    ment_keys = _keys(ment_doc, ment["id"])
    ent, ent_doc = _flat(_array(table.column("entities")))
    ent_of_ment = _lookup_last(_keys(ment_doc, ment["entity"]), _keys(ent_doc, ent["id"]))
    ment_start = ment["start"].to_numpy(zero_copy_only=False).astype(np.int64)
    ment_end = ment["end"].to_numpy(zero_copy_only=False).astype(np.int64)
    labels = ment["label"].to_pylist()
    spans_of: list[list[tuple[int, int, str]]] = [[] for _ in range(n)]
    for d, s, e, lab in zip(ment_doc.tolist(), ment_start.tolist(), ment_end.tolist(), labels,
                            strict=True):
        spans_of[d].append((s, e, lab))

    cols: dict[str, dict[str, pa.Array]] = {}
    counts: dict[str, np.ndarray] = {}
    first_sent = doc_first.tolist()
    doc_sents = list(zip(first_sent, (doc_first + sent_count).tolist(), strict=True))
    tags = _bio(schema, tok_start.tolist(), tok_end.tolist(), tok_offsets[:-1].tolist(),
                tok_offsets[1:].tolist(), sent_start.tolist(), sent_end.tolist(), doc_sents,
                spans_of)
    cols["sentences"] = {
        **per_doc(sent_doc),
        "sentence_index": pa.array(np.arange(len(sent_doc)) - doc_first[sent_doc], pa.int32()),
        "start": sent["start"], "end": sent["end"],
        "text": texts.slices(sent_doc, sent_start, sent_end),
        "tokens": pa.ListArray.from_arrays(pa.array(tok_offsets.astype(np.int32)),
                                           texts.slices(tok_doc, tok_start, tok_end)),
        "token_starts": _relisted(tok_lists, tok_offsets),
        "token_ends": _relisted(sent["token_ends"], tok_offsets),
        "ner_tags": pa.ListArray.from_arrays(pa.array(tok_offsets.astype(np.int32)),
                                             pa.array(tags, pa.int64())),
    }
    counts["sentences"] = sent_count

    def sentence_index(doc: np.ndarray, pos: np.ndarray, what: str) -> pa.Array:
        return pa.array(_sentence_index(doc, pos, sent_doc, sent_start, doc_first, sent_count,
                                        what), pa.int32())

    cols["mentions"] = {
        **per_doc(ment_doc), **_mirrored(schema, "mentions", [ment], [None]),
        "qid": _take(ent["qid"], ent_of_ment),
        "sentence_index": sentence_index(ment_doc, ment_start, "mentions")}
    counts["mentions"] = _counts(ment_lists)

    # events and their arguments
    ev_lists = _array(table.column("events"))
    ev, ev_doc = _flat(ev_lists)
    trig = dict(zip([f.name for f in ev["trigger"].type], ev["trigger"].flatten(), strict=True))
    if ev["trigger"].null_count:
        raise TrisecError(Problem("events", "an event has no trigger", "check predict_batch"))
    trig_start = trig["start"].to_numpy(zero_copy_only=False).astype(np.int64)
    cols["events"] = {
        **per_doc(ev_doc), **_mirrored(schema, "events", [ev], [None]),
        "sentence_index": sentence_index(ev_doc, trig_start, "events"),
        "num_arguments": pa.array(_counts(ev["arguments"]), pa.int32())}
    counts["events"] = _counts(ev_lists)
    arg, arg_event = _flat(ev["arguments"])
    cols["events"]["arguments"] = pa.ListArray.from_arrays(  # (role, mention_id) per event
        _offsets(_counts(ev["arguments"])),
        pa.StructArray.from_arrays([arg["role"], arg["mention"]], names=["role", "mention_id"]))
    arg_doc = ev_doc[arg_event]
    arg_ment = _lookup_last(_keys(arg_doc, arg["mention"]), ment_keys)
    if (arg_ment < 0).any():
        missing = int(np.flatnonzero(arg_ment < 0)[0])
        raise TrisecError(Problem(
            f"arguments/{doc_id[int(arg_doc[missing])].as_py()}",
            f"argument mention {arg['mention'][missing].as_py()!r} is not a mention",
            "check predict_batch"))
    event_idx = pa.array(arg_event)
    cols["arguments"] = {
        **per_doc(arg_doc), **_mirrored(schema, "arguments", [ev, arg], [event_idx, None]),
        **{k: _take(ment[k], arg_ment)
                                         for k in ("start", "end", "text", "label")}}
    counts["arguments"] = np.bincount(arg_doc, minlength=n).astype(np.int64)

    # attributions
    att_lists = _array(table.column("attributions"))
    att, att_doc = _flat(att_lists)
    source = pc.fill_null(att["source"], "")
    src = _lookup_last(_keys(att_doc, source), ment_keys)
    cols["attributions"] = {
        **per_doc(att_doc), **_mirrored(schema, "attributions", [att], [None]),
        "source_text": _take(ment["text"], src), "source_entity_id": _take(ment["entity"], src)}
    counts["attributions"] = _counts(att_lists)

    out = {}
    for config, columns in cols.items():
        rows = len(next(iter(columns.values())))
        columns["silver"] = pa.array(np.ones(rows, dtype=bool), pa.bool_())
        columns["annotator"] = pa.array([annotator] * rows, pa.string())
        fields = list(silver[config].remove_metadata())
        names = {f.name for f in fields}
        if names != set(columns):
            fix = ("make trisec.silver.columns and schema/dataset.yaml name the same columns")
            raise TrisecError(
                [Problem(f"{config}", f"column {config}.{k} of schema/dataset.yaml is not built",
                         fix) for k in sorted(names - set(columns))]
                + [Problem(f"{config}", f"column {config}.{k} is built but schema/dataset.yaml "
                           "does not declare it", fix) for k in sorted(set(columns) - names)])
        struct = pa.StructArray.from_arrays([columns[f.name].cast(f.type) for f in fields],
                                            fields=fields)
        out[config] = pa.ListArray.from_arrays(_offsets(counts[config]), struct)
    return out


def _relisted(lists: pa.Array, offsets: np.ndarray) -> pa.Array:
    """A list array rebuilt from its flattened values with offsets from 0 (a slice of a list
    array keeps its parent's offsets)."""
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), lists.flatten())
