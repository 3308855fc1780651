"""Silver corpus: both executors agree, bad files are quarantined, copies dropped, reruns resume.

One small synthetic crawl (trisec.bench.synth, with planted bad files and duplicates) is built
once with the local executor and once on Ray Data (Ray started once for the module, 2 CPUs).
Expected values come from the generator's report and from the gold build's own functions
(trisec.documents.clean, trisec.release.assemble, trisec.schema), never from a previous silver run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from trisec.bench.synth import BAD_REASONS, CrawlReport, generate, harvest
from trisec.documents.bio import spans_from_bio
from trisec.documents.clean import body_hash
from trisec.errors import TrisecError
from trisec.paths import DATASET_DIR, RAW_DIR
from trisec.release.assemble import document_row
from trisec.schema import Schema, split_of
from trisec.silver.dedup import body_keys, decide, signature, signatures, similarity
from trisec.silver.plan import Layout, crawl_files, plan_shards
from trisec.silver.run import SilverResult, run_silver
from trisec.silver.stages import (
    annotated_from_row,
    clean_batch,
    clean_document,
    make_context,
    read_files,
)
from trisec.silver.tables import SILVER_CONFIGS

N, SHARD = 48, 16


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CrawlReport]:
    folder = tmp_path_factory.mktemp("crawl") / "crawl"
    report = generate(folder, N, harvest(RAW_DIR), seed=11, bad_every=24, dup_rate=0.12,
                      near_dup_rate=0.08)
    return folder, report


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory,
          crawl: tuple[Path, CrawlReport]) -> SilverResult:
    out = tmp_path_factory.mktemp("local") / "silver"
    return run_silver(crawl[0], out, executor_name="local", workers=1, shard_size=SHARD,
                      batch_docs=8)


@pytest.fixture(scope="module")
def ray_result(tmp_path_factory: pytest.TempPathFactory,
               crawl: tuple[Path, CrawlReport]) -> Iterator[SilverResult]:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        out = tmp_path_factory.mktemp("ray") / "silver"
        yield run_silver(crawl[0], out, executor_name="ray", workers=2, shard_size=SHARD,
                         batch_docs=8)
    finally:
        ray.shutdown()


def _rows(out: Path, config: str) -> list[dict[str, Any]]:
    files = sorted((out / "data" / config).glob("*.parquet"))
    return [r for f in files for r in pq.read_table(f).to_pylist()]


def _key(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, default=str)


def test_local_and_ray_write_the_same_rows(local: SilverResult, ray_result: SilverResult) -> None:
    for config in SILVER_CONFIGS:
        a, b = _rows(local.out, config), _rows(ray_result.out, config)
        assert a, config
        assert sorted(map(_key, a)) == sorted(map(_key, b)), config
    names = {p.relative_to(local.out / "data").as_posix()
             for p in (local.out / "data").rglob("*.parquet")}
    assert names == {p.relative_to(ray_result.out / "data").as_posix()
                     for p in (ray_result.out / "data").rglob("*.parquet")}
    for report in ("quarantine.csv", "duplicates.csv"):
        assert (local.out / "reports" / report).read_text() == \
            (ray_result.out / "reports" / report).read_text()


@pytest.mark.parametrize("which", ["local", "ray_result"])
def test_quarantine_lists_every_planted_bad_file(which: str, request: pytest.FixtureRequest,
                                                 crawl: tuple[Path, CrawlReport]) -> None:
    result: SilverResult = request.getfixturevalue(which)
    _, report = crawl
    assert len(report.bad) == 2 * len(BAD_REASONS)
    listed = {q.source_file: q.reason for q in result.quarantined}
    assert listed.keys() == report.bad.keys()
    for name, kind in report.bad.items():
        assert BAD_REASONS[kind] in listed[name]
    csv_text = (result.out / "reports" / "quarantine.csv").read_text()
    assert all(name in csv_text for name in report.bad)


def test_planted_copies_are_dropped_and_the_first_copy_kept(
        local: SilverResult, crawl: tuple[Path, CrawlReport]) -> None:
    folder, report = crawl
    found = {d.source_file: d for d in local.duplicates}
    written = {r["source_file"] for r in _rows(local.out, "documents")}
    for copy, original in report.exact_duplicates.items():
        assert found[copy].kind == "exact" and copy not in written
        # the kept copy has the same body and comes first in file-name order
        kept = found[copy].duplicate_of
        assert kept is not None and kept <= original
    for copy in report.near_duplicates:
        assert found[copy].kind == "near" and copy not in written
        assert found[copy].similarity >= 0.8
    good = [n for n in report.files if n not in report.bad]
    assert written == set(good) - found.keys()
    assert local.documents == len(written)


def test_output_is_the_gold_schema_plus_silver_columns(local: SilverResult,
                                                       schema: Schema) -> None:
    shards = -(-N // SHARD)
    files = sorted((local.out / "data").rglob("*.parquet"))
    assert files
    for f in files:
        assert re.fullmatch(rf"(train|validation|test)-0000[0-{shards - 1}]-of-0000{shards}"
                            r"\.parquet", f.name), f.name
        config = f.parent.name
        got = pq.read_schema(f)
        gold = schema.arrow_schema(config)
        assert got.names == gold.names + ["silver", "annotator"]
        for name in gold.names:
            assert got.field(name).type == gold.field(name).type, (config, name)
        features = json.loads(got.metadata[b"huggingface"])["info"]["features"]
        assert features["silver"] == {"dtype": "bool", "_type": "Value"}
        assert json.loads(got.metadata[b"trisec"])["silver"] is True
    rows = _rows(local.out, "mentions")
    assert {r["silver"] for r in rows} == {True}
    (annotator,) = {r["annotator"] for r in rows}
    assert annotator.startswith("rules@trisec-" + schema.version)


def test_documents_match_the_gold_pipeline_on_the_same_file(
        local: SilverResult, crawl: tuple[Path, CrawlReport], schema: Schema) -> None:
    """Metadata, text, removals and offsets are what the gold build's functions give; the
    layers are a verbatim copy of what assemble.document_row makes of the predictions."""
    folder, _ = crawl
    ctx = make_context()
    for row in _rows(local.out, "documents")[:6]:
        expected = clean_document(row["source_file"],
                                  (folder / row["source_file"]).read_bytes(), schema)
        for key in ("doc_id", "split", "sha256", "text", "title", "dateline", "published",
                    "removed", "offset_map", "language"):
            assert row[key] == expected[key], key
        assert row["split"] == split_of(row["doc_id"], schema)
        sents = [{"start": s["start"], "end": s["end"], "token_starts": s["token_starts"],
                  "token_ends": s["token_ends"]}
                 for s in _rows(local.out, "sentences") if s["doc_id"] == row["doc_id"]]
        rebuilt = document_row(annotated_from_row({**row, "_sentences": sents}), schema)
        assert {k: rebuilt[k] for k in rebuilt} == {k: row[k] for k in rebuilt}
        assert row["annotator"] == ctx.annotator


def test_spans_point_into_the_text_and_bio_agrees(local: SilverResult, schema: Schema) -> None:
    texts = {r["doc_id"]: r["text"] for r in _rows(local.out, "documents")}
    mentions = _rows(local.out, "mentions")
    assert mentions
    for m in mentions:
        assert texts[m["doc_id"]][m["start"]:m["end"]] == m["text"]
        assert m["label"] in schema.entity_labels
    ids = {(m["doc_id"], m["mention_id"]) for m in mentions}
    for a in _rows(local.out, "arguments"):
        assert (a["doc_id"], a["mention_id"]) in ids
        assert a["role"] in schema.roles_for(a["event_type"])
    by_doc: dict[str, set[tuple[int, int, str]]] = {}
    for m in mentions:
        by_doc.setdefault(m["doc_id"], set()).add((m["start"], m["end"], m["label"]))
    tags = schema.entity_bio
    for s in _rows(local.out, "sentences"):
        spans = spans_from_bio([tags[t] for t in s["ner_tags"]], s["token_starts"],
                               s["token_ends"])
        inside = {m for m in by_doc.get(s["doc_id"], set())
                  if s["start"] <= m[0] and m[1] <= s["end"]}
        assert set(spans) >= {m for m in inside if m[0] in s["token_starts"]
                              and m[1] in s["token_ends"]}


def test_rerun_skips_complete_shards_and_redoes_a_missing_one(
        tmp_path: Path, crawl: tuple[Path, CrawlReport], local: SilverResult) -> None:
    out = tmp_path / "silver"
    shutil.copytree(local.out, out)
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.parquet")}
    again = run_silver(crawl[0], out, shard_size=SHARD, batch_docs=8)
    assert again.shards_run == 0 and again.documents == local.documents
    assert len(again.quarantined) == len(local.quarantined)
    # lose shard 1 (marker and files) as an interrupted run would
    shard = plan_shards(crawl_files(crawl[0]), SHARD)[1]
    layout = Layout(out)
    layout.marker(shard).unlink()
    for path in (out / "data").glob("*/*-00001-of-*.parquet"):
        path.write_bytes(b"partial")
    mtimes = {p: p.stat().st_mtime_ns for p in (out / "data").glob("*/*-00000-of-*.parquet")}
    resumed = run_silver(crawl[0], out, shard_size=SHARD, batch_docs=8)
    assert resumed.shards_run == 1
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.parquet")}
    assert after.keys() == before.keys()
    for name in after:
        assert pq.read_table(pa.BufferReader(after[name])).equals(
            pq.read_table(pa.BufferReader(before[name]))), name
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items())
    assert [d.source_file for d in resumed.duplicates] == \
        [d.source_file for d in local.duplicates]


def test_a_different_crawl_or_the_release_folder_is_refused(
        tmp_path: Path, crawl: tuple[Path, CrawlReport], local: SilverResult) -> None:
    other = tmp_path / "other"
    shutil.copytree(crawl[0], other)
    next(other.glob("*.txt")).unlink()
    out = tmp_path / "silver"
    shutil.copytree(local.out, out)
    with pytest.raises(TrisecError, match="other inputs"):
        run_silver(other, out, shard_size=SHARD)
    with pytest.raises(TrisecError, match="gold release folder"):
        run_silver(crawl[0], DATASET_DIR / "silver", shard_size=SHARD)


def test_unreadable_file_is_quarantined_not_raised(tmp_path: Path) -> None:
    ctx = make_context()
    good = next(RAW_DIR.glob("*.txt"))
    table = clean_batch(read_files([good, tmp_path / "missing.txt"]), ctx)
    status = dict(zip(table.column("source_file").to_pylist(),
                      table.column("status").to_pylist(), strict=True))
    assert status == {good.name: "ok", "missing.txt": "quarantined"}
    assert table.column("reason").to_pylist()[1] == "cannot read file"


def test_dedup_exact_near_and_unrelated() -> None:
    story = " ".join(f"word{i} of the allied statement on missile defense" for i in range(40))
    updated = story + " The ministry later added details."
    other = " ".join(f"token{i} unrelated report about a harbour festival" for i in range(40))
    assert similarity(signature(story), signature(updated)) >= 0.8
    assert similarity(signature(story), signature(other)) < 0.2
    texts = {"a.txt": story, "b.txt": story.upper(), "c.txt": updated, "d.txt": other,
             "e.txt": updated + " And more."}
    names = sorted(texts)
    got = list(decide(names, body_keys([body_hash(texts[n]) for n in names]),
                      signatures([signature(texts[n]) for n in names])))
    assert [(d.source_file, d.kind, d.duplicate_of) for d in got] == [
        ("a.txt", "unique", None), ("b.txt", "exact", "a.txt"), ("c.txt", "near", "a.txt"),
        ("d.txt", "unique", None), ("e.txt", "near", "a.txt")]  # c was dropped: not a match
    assert got[2].similarity == similarity(signature(story), signature(updated))


def test_dedup_first_file_wins_whatever_the_input_size() -> None:
    """A copy is always attributed to the earliest file, also across many documents."""
    base = [" ".join(f"w{k}_{i}" for i in range(60)) for k in range(30)]
    texts = base + [base[3], base[7] + " tail words here", base[3]]
    names = [f"{i:03d}.txt" for i in range(len(texts))]
    got = list(decide(names, body_keys([body_hash(t) for t in texts]),
                      signatures([signature(t) for t in texts])))
    assert [d.kind for d in got[:30]] == ["unique"] * 30
    assert [(d.kind, d.duplicate_of) for d in got[30:]] == [
        ("exact", "003.txt"), ("near", "007.txt"), ("exact", "003.txt")]


def test_cli_runs_and_refuses_dataset(tmp_path: Path, crawl: tuple[Path, CrawlReport]) -> None:
    from trisec.cli import main

    small = tmp_path / "crawl"
    small.mkdir()
    folder, report = crawl
    for name in report.files[:12]:
        shutil.copy(folder / name, small / name)
    runner = CliRunner()
    res = runner.invoke(main, ["silver", str(small), "--out", str(tmp_path / "s"),
                               "--workers", "1"])
    assert res.exit_code == 0, res.output
    bad = [n for n in report.files[:12] if n in report.bad]
    assert all(f"quarantined: {n}" in res.output for n in bad)
    assert (tmp_path / "s" / "silver.json").is_file()
    res = runner.invoke(main, ["silver", str(small), "--out", str(DATASET_DIR / "x")])
    assert res.exit_code == 1 and "gold release folder" in res.output
    assert not (DATASET_DIR / "x").exists()


def test_load_dataset_reads_the_silver_output(local: SilverResult, tmp_path: Path) -> None:
    from datasets import load_dataset

    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    files = {sp: str(local.out / "data" / "mentions" / f"{sp}-*.parquet")
             for sp in ("train", "test")}
    ds = load_dataset("parquet", data_files=files, cache_dir=str(tmp_path / "cache"))
    assert ds["train"].num_rows == local.rows["mentions/train"]
    assert "silver" in ds["train"].features and ds["train"][0]["silver"] is True
