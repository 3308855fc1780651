"""The columnar silver assembly (trisec.silver.columns) gives the table the per-row builders
gave (tests/reference/silver_assemble.py: trisec.release.assemble.rows_for per document), on the
corpus, the raw fixtures and synthetic pages with the rule baseline's layers, and on hand-made
layers that reach the edge cases (a mention boundary inside a token, overlapping mentions, a
mention across two sentences, non-ASCII text, a missing cue or source, an entity with a QID,
repeated ids)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from conftest import scratch_schema
from reference.silver_assemble import assemble_batch as reference_assemble

from trisec.bench.synth import harvest, page_bytes
from trisec.errors import TrisecError
from trisec.paths import RAW_DIR
from trisec.silver.stages import (
    Context,
    assemble_batch,
    clean_batch,
    keep_batch,
    make_context,
    predict_batch,
    sentences_batch,
)

FIXTURES_RAW = Path(__file__).parent / "fixtures" / "raw"
SYNTHETIC_PAGES = 120


@cache
def ctx() -> Context:
    return make_context("rules")


def _raw_table(items: list[tuple[str, bytes]]) -> pa.Table:
    return pa.table({"bytes": pa.array([d for _, d in items], pa.binary()),
                     "path": pa.array([n for n, _ in items], pa.string())})


@cache
def predicted() -> pa.Table:
    items = [(p.name, p.read_bytes()) for p in
             sorted(RAW_DIR.glob("*.txt")) + sorted(FIXTURES_RAW.glob("*.txt"))]
    pools = harvest(RAW_DIR)
    items += [(f"synthetic-{i}.txt", page_bytes(i, pools, seed=3)[0])
              for i in range(SYNTHETIC_PAGES)]
    table = keep_batch(clean_batch(_raw_table(items), ctx()))
    return predict_batch(sentences_batch(table, ctx()), ctx())


@pytest.mark.parametrize("batch", [7, 64])
def test_columnar_assembly_equals_the_row_builders(batch: int) -> None:
    table = predicted()
    assert table.num_rows > 130  # every source above, bad fixtures aside
    for start in range(0, table.num_rows, batch):
        part = table.slice(start, batch)  # a slice: offsets not from 0, as in the executor
        got, want = assemble_batch(part, ctx()), reference_assemble(part, ctx())
        assert got.schema == want.schema
        for name in got.column_names:
            assert got.column(name).to_pylist() == want.column(name).to_pylist(), \
                (start, name)


def _doc(text: str) -> pa.Table:
    table = keep_batch(clean_batch(_raw_table([("hand.txt", text.encode())]), ctx()))
    assert table.num_rows == 1
    return sentences_batch(table, ctx())


def _with_layers(table: pa.Table, layers: dict[str, list[Any]]) -> pa.Table:
    for name, value in layers.items():
        i = table.schema.get_field_index(name)
        f = table.schema.field(i)
        table = table.set_column(i, f, pa.array([value], f.type))
    return table


def _mention(mid: str, text: str, s: int, e: int, label: str,
             entity: str | None = None) -> dict[str, Any]:
    return {"id": mid, "start": s, "end": e, "text": text[s:e], "label": label,
            "mention_type": "NAM", "gpe_role": None, "entity": entity, "timex_value": None}


def _span(text: str, s: int, e: int) -> dict[str, Any]:
    return {"start": s, "end": e, "text": text[s:e]}


def test_edge_cases_equal_the_row_builders() -> None:
    body = ("The \u201cSeoul\u2013Pyongyang\u201d talks \U0001f600 resumed. North Korea's "
            "envoy Kim Yo-jong said in Seoul that the drills must stop.\n\n"
            "Officials in Tokyo, Japan, said nothing. ")
    base = _doc(f"Title line\n\n{body}\n")
    text = base.column("text")[0].as_py()
    at = text.index

    def word(w: str, k: int = 0) -> tuple[int, int]:
        s = at(w)
        for _ in range(k):
            s = text.index(w, s + 1)
        return s, s + len(w)

    seoul = word("Seoul")
    nk = word("North Korea")
    kim = word("Kim Yo-jong")
    seoul2 = word("Seoul", 1)
    tokyo = word("Tokyo")
    japan = word("Japan")
    mentions = [
        _mention("M1", text, *seoul, "GPE", "E1"),
        _mention("M2", text, nk[0] + 2, nk[1] + 2, "GPE"),  # both ends inside tokens
        _mention("M3", text, nk[0], nk[1], "GPE"),  # overlaps M2: first wins per token
        _mention("M4", text, *kim, "PER", "E2"),
        _mention("M5", text, *seoul2, "GPE", "E1"),
        _mention("M6", text, kim[0], tokyo[1], "PER"),  # across two sentences
        _mention("M7", text, *japan, "GPE"),
        _mention("M7", text, *tokyo, "GPE"),  # a repeated id: the last one is looked up
    ]
    entities = [{"id": "E1", "name": "Seoul", "qid": "Q8684"},
                {"id": "E2", "name": "Kim Yo-jong", "qid": None},
                {"id": "E1", "name": "Seoul again", "qid": "Q0"}]  # repeated: last wins
    said = word("said")
    events = [
        {"id": "V1", "type": "Contact:Meet", "realis": None, "mode": None,
         "trigger": _span(text, *word("talks")),
         "arguments": [{"role": "place", "mention": "M1"}, {"role": "participant",
                                                             "mention": "M7"}]},
        {"id": "V2", "type": "Contact:Meet", "realis": "actual", "mode": None,
         "trigger": _span(text, *word("drills")), "arguments": None},
        {"id": "V3", "type": "Contact:Meet", "realis": None, "mode": None,
         "trigger": _span(text, *word("resumed")), "arguments": []},
    ]
    attributions = [
        {"id": "Q1", "kind": "indirect", "content": _span(text, said[1] + 9, at("stop") + 4),
         "cue": _span(text, *said), "source": "M4"},
        {"id": "Q2", "kind": "indirect", "content": _span(text, *word("nothing")),
         "cue": None, "source": None},
        {"id": "Q3", "kind": "indirect", "content": _span(text, *word("Officials")),
         "cue": _span(text, *word("said", 1)), "source": "M99"},  # not a mention
    ]
    table = _with_layers(base, {"mentions": mentions, "entities": entities, "events": events,
                                "attributions": attributions})
    got, want = assemble_batch(table, ctx()), reference_assemble(table, ctx())
    assert got.to_pylist() == want.to_pylist()
    sentences = got.column("_rows_sentences")[0].as_py()
    assert len(sentences) >= 3 and any(s["text"].startswith("The \u201cSeoul") for s in sentences)
    assert got.column("_rows_mentions")[0].as_py()[0]["qid"] == "Q0"
    args = got.column("_rows_arguments")[0].as_py()
    assert [a["text"] for a in args] == ["Seoul", "Tokyo"]


def test_empty_layers_and_an_unknown_argument_mention() -> None:
    base = _doc("Title line\n\nNothing happened in the town today at all.\n")
    got = assemble_batch(base, ctx())
    assert got.to_pylist() == reference_assemble(base, ctx()).to_pylist()
    text = base.column("text")[0].as_py()
    s = text.index("town")
    bad = _with_layers(base, {"events": [
        {"id": "V1", "type": "Contact:Meet", "realis": None, "mode": None,
         "trigger": _span(text, s, s + 4), "arguments": [{"role": "place", "mention": "M1"}]}]})
    with pytest.raises(TrisecError, match="not a mention"):
        assemble_batch(bad, ctx())


def test_document_row_facts_are_dataclasses_asdict() -> None:
    """release.assemble.asdict (no deep copy) gives what dataclasses.asdict gives, for every
    fact and removal of the corpus, the fixtures and synthetic pages."""
    import dataclasses

    from trisec.document import RawArticle
    from trisec.pipeline.steps import clean_one
    from trisec.release.assemble import asdict

    pools = harvest(RAW_DIR)
    raws = [RawArticle(p.name, p.read_bytes()) for p in
            sorted(RAW_DIR.glob("*.txt")) + sorted(FIXTURES_RAW.glob("*.txt"))]
    raws += [RawArticle(f"s{i}.txt", page_bytes(i, pools, seed=5)[0]) for i in range(40)]
    checked = 0
    for raw in raws:
        try:
            doc = clean_one(raw)
        except TrisecError:
            continue
        for obj in (doc.title, doc.dateline, doc.published, doc.outlet, doc.url, *doc.removed):
            assert asdict(obj) == dataclasses.asdict(obj)
            assert list(asdict(obj)) == list(dataclasses.asdict(obj))
            checked += 1
    assert checked > 300


def test_a_batch_with_no_documents_goes_through_every_stage() -> None:
    """A batch whose files were all quarantined (keep_batch left nothing) is an empty table,
    not a crash: sentences, predictions and the assembled configs have zero rows."""
    table = keep_batch(clean_batch(_raw_table([(p.name, p.read_bytes()) for p in
                                               sorted(RAW_DIR.glob("*.txt"))[:2]]), ctx()))
    empty = table.slice(0, 0)
    got = assemble_batch(predict_batch(sentences_batch(empty, ctx()), ctx()), ctx())
    want = reference_assemble(predict_batch(sentences_batch(empty, ctx()), ctx()), ctx())
    assert got.num_rows == 0 and got.schema == want.schema


def test_a_renamed_mirrored_column_carries_its_values_in_silver(tmp_path: Path) -> None:
    """Columns with `from:` are named by schema/ alone on the silver path too (as in the gold
    build, tests/test_hermetic.py): renamed in a scratch schema, the columnar assembly
    writes the new name with exactly the old column's values."""
    def rename(data: dict) -> None:
        for col in data["configs"]["events"]["columns"]:
            if col["name"] == "trigger_text":
                col["name"] = "trigger_surface"

    scratch = make_context("rules", scratch_schema(tmp_path, rename))
    part = predicted().slice(0, 16)
    old = assemble_batch(part, ctx()).column("_rows_events").combine_chunks().flatten()
    new = assemble_batch(part, scratch).column("_rows_events").combine_chunks().flatten()
    assert "trigger_surface" in new.type.names and "trigger_text" not in new.type.names
    assert len(old) > 0
    assert new.field("trigger_surface").to_pylist() == old.field("trigger_text").to_pylist()
