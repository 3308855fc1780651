"""The release build (trisec.release.build, .writer, .pipeline): per-step stats,
duplicates, atomic publication, reproducibility, `trisec build --check`, and loading the
result the way users do (datasets offline, Dataset.from_parquet, pandas, DuckDB)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner
from conftest import copy_corpus, pin

from trisec.annotation.gold import text_sha256, write_annotation
from trisec.cli import main
from trisec.errors import TrisecError
from trisec.pipeline import stats as stats_module
from trisec.pipeline.corpus import Corpus
from trisec.pipeline.local import published_documents
from trisec.pipeline.stats import Stats
from trisec.release.build import build, default_corpus, write_release
from trisec.release.writer import read_manifest
from trisec.schema import load_schema
from trisec.validation.mutations import refresh_manifest

DOC_004 = "tsn-8d916232446cf2d2"  # 004_fd7d536830c83d2c.txt (Austin-Hamada meeting)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def card_meta(release: Path) -> dict:
    return yaml.safe_load((release / "README.md").read_text(encoding="utf-8").split("---")[1])


def rows_by_config(release: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in read_manifest(release)["files"]:
        if f["path"].endswith(".parquet"):
            config = f["path"].split("/")[1]
            out[config] = out.get(config, 0) + f["rows"]
    return out


# --- per-step stats ---------------------------------------------------------------------

def test_stats_charge_each_step_its_own_time(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(stats_module.time, "perf_counter", lambda: clock[0])

    def source():
        for i in range(3):
            clock[0] += 1  # reading an item costs 1
            yield i

    def middle(items):
        for x in items:
            clock[0] += 10  # cleaning it costs 10
            yield x

    stats = Stats()
    cleaned = stats.timed("clean", middle(stats.timed("read", source())))
    with stats.step("write"):
        for _ in cleaned:
            clock[0] += 100  # writing it costs 100
    assert dict(stats.seconds) == {"read": 3, "clean": 30, "write": 300}
    assert sum(stats.seconds.values()) == clock[0]  # nothing counted twice


def test_a_build_reports_what_each_step_did(release_build, repo_corpus):
    release, result = release_build
    rows = {step: (summary, secs) for step, summary, secs in result.stats.rows()}
    assert list(rows) == ["read", "clean", "dedup", "annotate", "write"]
    assert all(secs >= 0 for _, secs in rows.values())
    counters = result.stats.counters
    n_raw = len(repo_corpus.raw_paths())
    assert counters["read"]["files"] == counters["clean"]["documents"] == n_raw
    assert counters["clean"]["removed:related_news"] > 0
    n_sentences = sum(pq.ParquetFile(p).metadata.num_rows
                      for p in (release / "data" / "sentences").glob("*.parquet"))
    assert counters["annotate"]["sentences"] == n_sentences


# --- duplicates and bad input -----------------------------------------------------------

def _fixture_corpus(tmp_path: Path, fixtures_raw: Path, names: list[str]) -> Corpus:
    raw = tmp_path / "raw"
    raw.mkdir()
    for n in names:
        shutil.copy(fixtures_raw / n, raw / n)
    (tmp_path / "metadata").mkdir()
    (tmp_path / "gold").mkdir()
    pin(raw)
    return Corpus(raw, tmp_path / "metadata", tmp_path / "gold")


def test_copies_of_an_article_are_published_once(tmp_path, fixtures_raw, schema):
    corpus = _fixture_corpus(tmp_path, fixtures_raw, [
        "dup_original.txt", "dup_crlf.txt", "dup_other_boilerplate.txt", "no_date_line.txt"])
    out = tmp_path / "out"
    out.mkdir()
    result = write_release(out, corpus, schema)
    assert rows_by_config(out)["documents"] == 2
    # file-name order decides which copy is first: dup_crlf.txt sorts before the others
    assert read_manifest(out)["duplicates"] == [
        {"source_file": "dup_original.txt", "doc_id": result.duplicates[0].doc_id,
         "duplicate_of": "dup_crlf.txt"},
        {"source_file": "dup_other_boilerplate.txt", "doc_id": result.duplicates[1].doc_id,
         "duplicate_of": "dup_crlf.txt"}]
    # no gold yet: the flat span configs have no rows and are left out of the card (prompts
    # are published, with a null reference)
    assert [c["config_name"] for c in card_meta(out)["configs"]] == ["documents", "sentences",
                                                                     "prompts"]
    assert sorted(d.source_file for d in published_documents(corpus)) == [
        "dup_crlf.txt", "no_date_line.txt"]


def test_a_bad_raw_file_fails_the_build_naming_it(tmp_path, fixtures_raw, schema):
    corpus = _fixture_corpus(tmp_path, fixtures_raw, ["no_date_line.txt", "not_utf8.txt"])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(TrisecError) as err:
        write_release(out, corpus, schema)
    (problem,) = err.value.problems
    assert problem.location == "not_utf8.txt@byte 34"


# --- atomic publication -----------------------------------------------------------------

@pytest.fixture()
def previous(tmp_path: Path, release: Path) -> Path:
    """A published release in a folder of its own (a copy of the session build)."""
    target = tmp_path / "site" / "dataset"
    shutil.copytree(release, target)
    return target


def _broken_gold(corpus: Corpus) -> Path:
    text = next(d.text for d in published_documents(corpus) if d.doc_id == DOC_004)
    path = corpus.gold_dir / f"{DOC_004}.json"
    start = text.index("Lloyd Austin")
    write_annotation(path, {
        "doc_id": DOC_004, "text_sha256": text_sha256(text), "pass": "gold",
        "mentions": [{"id": "M1", "start": start, "end": start + 12, "text": "Lloyd Austen",
                      "label": "PER", "mention_type": "NAM", "gpe_role": None,
                      "entity": "E1", "timex_value": None}],
        "entities": [{"id": "E1", "name": "Lloyd Austin", "qid": None}],
        "events": [], "attributions": []})
    return path


def test_a_failed_build_leaves_the_previous_release_untouched(previous, tmp_corpus):
    before = snapshot(previous)
    _broken_gold(tmp_corpus)
    with pytest.raises(TrisecError) as err:
        build(previous, corpus=tmp_corpus, validator=None)
    assert any(DOC_004 in p.location and "M1" in p.location and "Lloyd Austen" in p.message
               for p in err.value.problems)
    assert snapshot(previous) == before
    assert sorted(p.name for p in previous.parent.iterdir()) == ["dataset"]  # no staging left


def test_a_failing_validator_publishes_nothing(previous, tmp_corpus):
    before = snapshot(previous)
    seen: list[Path] = []

    def reject(staged: Path) -> None:
        seen.append(staged)
        assert (staged / "manifest.json").is_file() and (staged / "README.md").is_file()
        raise TrisecError([])

    with pytest.raises(TrisecError):
        build(previous, corpus=tmp_corpus, validator=reject)
    assert seen and seen[0].parent == previous.parent and not seen[0].exists()
    assert snapshot(previous) == before
    assert sorted(p.name for p in previous.parent.iterdir()) == ["dataset"]


def test_a_validated_build_replaces_the_release_and_cleans_up(previous, tmp_corpus, fixtures_raw):
    shutil.copy(fixtures_raw / "no_date_line.txt", tmp_corpus.raw_dir / "no_date_line.txt")
    before = rows_by_config(previous)["documents"]
    pin(tmp_corpus.raw_dir)
    seen: list[Path] = []
    build(previous, corpus=tmp_corpus, validator=seen.append)
    assert rows_by_config(previous)["documents"] == before + 1  # the added page
    assert not seen[0].exists()  # the staged folder became the release
    assert sorted(p.name for p in previous.parent.iterdir()) == ["dataset"]


# --- reproducibility and --check ----------------------------------------------------------

def test_cli_build_is_byte_identical_and_check_detects_staleness(tmp_path, release):
    target = tmp_path / "dataset"
    runner = CliRunner(env={"COLUMNS": "300"})  # rich wraps long paths at the terminal width
    built = runner.invoke(main, ["build", "--out", str(target), "--no-validate"])
    assert built.exit_code == 0, built.output
    assert "exclude the steps it pulls from" in built.stderr  # the stats table
    assert "NOT validated (--no-validate)" in built.stderr
    # piped, progress is one line per stage: documents done/total, then each release file
    n_raw = len(default_corpus().raw_paths())
    assert f"documents: read, clean, annotate, write: {n_raw}/{n_raw} done" in built.stderr
    assert "release files 1 of " in built.stderr and "manifest.json" in built.stderr
    assert "publish: swapping the validated release in" in built.stderr
    as_json = runner.invoke(main, ["build", "--out", str(tmp_path / "again"), "--no-validate",
                                   "--quiet", "--json"])
    stats = json.loads(as_json.stdout)
    assert [s["step"] for s in stats["steps"]][:2] == ["read", "clean"]
    assert stats["validated"] is False and stats["duplicates"] == []
    assert snapshot(target) == snapshot(release)  # two builds, same bytes

    fresh = runner.invoke(main, ["build", "--check", "--out", str(target)])
    assert fresh.exit_code == 0 and "is up to date" in fresh.output

    docs = sorted((target / "data" / "documents").glob("*.parquet"))
    docs[0].unlink()
    with (target / "README.md").open("a", encoding="utf-8") as fh:
        fh.write("\nedited by hand\n")
    (target / "notes.txt").write_text("stray\n")
    # edited behind the manifest's back: a damaged release, every damage located
    damaged = runner.invoke(main, ["build", "--check", "--out", str(target)])
    assert damaged.exit_code == 1 and "Traceback" not in damaged.output
    rel = docs[0].relative_to(target).as_posix()
    assert f"error: {target / rel}: missing (listed in manifest.json)" in damaged.output
    assert f"error: {target}/README.md: longer:" in damaged.output
    assert f"error: {target}/notes.txt: not part of the release" in damaged.output
    # a consistent release (manifest re-signed) that a fresh build would not give: stale
    refresh_manifest(target, load_schema())
    stale = runner.invoke(main, ["build", "--check", "--out", str(target)])
    assert stale.exit_code == 1
    assert "is stale" in stale.output and "4 file(s) differ" in stale.output
    assert f"missing from {target}: {rel}" in stale.output
    assert "differs: README.md" in stale.output and "differs: manifest.json" in stale.output
    assert "not in a fresh build: notes.txt" in stale.output


# --- loading the release as users do ------------------------------------------------------

def _span(text: str, needle: str, after: int = 0) -> dict:
    start = text.index(needle, after)
    return {"start": start, "end": start + len(needle), "text": needle}


@pytest.fixture(scope="module")
def gold_release(tmp_path_factory: pytest.TempPathFactory, schema) -> Path:
    """Two real articles, one with a small hand-made gold annotation: every config has rows."""
    root = tmp_path_factory.mktemp("gold_corpus")
    corpus = copy_corpus(root, ["000_983addbeba9461a4.txt", "004_fd7d536830c83d2c.txt"])
    text = next(d.text for d in published_documents(corpus) if d.doc_id == DOC_004)

    def mention(mid, span, label, entity, gpe_role=None, timex=None):
        return {"id": mid, **span, "label": label, "mention_type": "NAM", "gpe_role": gpe_role,
                "entity": entity, "timex_value": timex}

    said = text.index("Hamada said")
    ann = {
        "doc_id": DOC_004, "text_sha256": text_sha256(text), "pass": "gold",
        "mentions": [
            mention("M1", _span(text, "US"), "GPE", "E1", "GOV"),
            mention("M2", _span(text, "Japan"), "GPE", "E2", "GOV"),
            mention("M3", _span(text, "Thursday"), "TIMEX", "E7", timex="2023-06-01"),
            mention("M4", _span(text, "South Korea"), "GPE", "E3", "GOV"),
            mention("M5", _span(text, "Lloyd Austin"), "PER", "E4"),
            mention("M6", _span(text, "Yasukazu Hamada"), "PER", "E5"),
            mention("M7", _span(text, "Tokyo", text.index("Hamada in")), "GPE", "E6", "LOC"),
            mention("M8", _span(text, "Hamada", said), "PER", "E5"),
        ],
        "entities": [{"id": "E1", "name": "United States", "qid": "Q30"},
                     {"id": "E2", "name": "Japan", "qid": "Q17"},
                     {"id": "E3", "name": "South Korea", "qid": "Q884"},
                     {"id": "E4", "name": "Lloyd Austin", "qid": None},
                     {"id": "E5", "name": "Yasukazu Hamada", "qid": None},
                     {"id": "E6", "name": "Tokyo", "qid": "Q1490"},
                     {"id": "E7", "name": "Thursday", "qid": None}],
        "events": [
            {"id": "V1", "type": "MEET", "realis": "ACTUAL", "mode": "in-person",
             "trigger": _span(text, "met", text.index("Austin met")),
             "arguments": [{"role": "participant", "mention": "M5"},
                           {"role": "participant", "mention": "M6"},
                           {"role": "place", "mention": "M7"}]},
        ],
        "attributions": [
            {"id": "Q1", "kind": "indirect",
             "content": _span(text, "Japan and the US will not tolerate", said),
             "cue": _span(text, "said", said), "source": "M8"},
        ],
    }
    write_annotation(corpus.gold_dir / f"{DOC_004}.json", ann)
    out = root / "dataset"
    out.mkdir()
    write_release(out, corpus, schema)
    return out


def test_gold_release_has_rows_in_every_config(gold_release, schema):
    configs = [c["config_name"] for c in card_meta(gold_release)["configs"]]
    assert configs == list(schema.configs)
    info = next(i for i in card_meta(gold_release)["dataset_info"]
                if i["config_name"] == "sentences")
    ner = next(f for f in info["features"] if f["name"] == "ner_tags")
    names = ner["list"]["class_label"]["names"]  # the card carries the label names too
    assert [names[str(i)] for i in range(len(names))] == schema.entity_bio
    rows = rows_by_config(gold_release)
    assert rows.pop("sentences") > 2
    assert rows.pop("prompts") == rows["documents"] * len(schema.dataset["prompts"]["tasks"])
    assert rows == {"documents": 2, "mentions": 8, "events": 1, "arguments": 3,
                    "attributions": 1}


LOAD_SCRIPT = r"""
import json, sys
import yaml
from datasets import Dataset, load_dataset

release, cache = sys.argv[1], sys.argv[2]
meta = yaml.safe_load(open(f"{release}/README.md", encoding="utf-8").read().split("---")[1])
out = {"rows": {}}
for cfg in meta["configs"]:
    dd = load_dataset(release, cfg["config_name"])
    out["rows"][cfg["config_name"]] = sum(ds.num_rows for ds in dd.values())
    if cfg["config_name"] == "sentences":
        names = dd[next(iter(dd))].features["ner_tags"].feature.names
        out["ner_names"] = names
        out["tagged"] = sorted({(tok, names[t]) for ds in dd.values() for row in ds
                                for tok, t in zip(row["tokens"], row["ner_tags"]) if t})
    if cfg["config_name"] == "mentions":
        out["mention_texts"] = sorted(r["text"] for ds in dd.values() for r in ds)
path = f"{release}/" + meta["configs"][1]["data_files"][0]["path"]
ds = Dataset.from_parquet(path, cache_dir=cache)
out["from_parquet_names"] = ds.features["ner_tags"].feature.names
print(json.dumps(out))
"""


def test_load_dataset_offline_for_every_config(gold_release, schema, tmp_path):
    hf = tmp_path / "hf"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "HF_HOME": str(hf), "HF_DATASETS_CACHE": str(hf / "datasets")}
    proc = subprocess.run([sys.executable, "-c", LOAD_SCRIPT, str(gold_release),
                           str(hf / "from_parquet")], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["rows"] == rows_by_config(gold_release)
    assert got["ner_names"] == got["from_parquet_names"] == schema.entity_bio
    assert ["Lloyd", "B-PER"] in got["tagged"] and ["Austin", "I-PER"] in got["tagged"]
    assert ["Tokyo", "B-GPE"] in got["tagged"]
    assert got["mention_texts"] == sorted(["US", "Japan", "Thursday", "South Korea",
                                           "Lloyd Austin", "Yasukazu Hamada", "Tokyo", "Hamada"])
    assert hf.is_dir()  # caches went to the tmp folder, not the user's home


def test_pandas_and_duckdb_read_the_parquet_files(gold_release, schema):
    import duckdb
    import pandas as pd

    files = sorted(gold_release.glob("data/**/*.parquet"))
    assert {f.parent.name for f in files} == set(schema.configs)
    for f in files:
        frame = pd.read_parquet(f)
        assert list(frame.columns) == schema.configs[f.parent.name].column_names
    total = duckdb.sql(f"SELECT count(*) FROM read_parquet('{gold_release}/data/**/*.parquet', "
                       "union_by_name=true)").fetchall()[0][0]
    assert total == sum(rows_by_config(gold_release).values())
    labels = dict(duckdb.sql(f"SELECT label, count(*) FROM '{gold_release}/data/mentions/*.parquet'"
                             " GROUP BY label").fetchall())
    assert labels == {"GPE": 4, "PER": 3, "TIMEX": 1}
    docs = pd.read_parquet(gold_release / "data" / "documents")
    row = docs[docs.doc_id == DOC_004].iloc[0]
    assert row["dateline"]["value"] == "ANKARA"
    assert [m["text"] for m in row["mentions"]][:2] == ["US", "Japan"]
