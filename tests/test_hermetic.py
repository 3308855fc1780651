"""A build reads only what it is handed, and its rows follow schema/ or stop.

Hermetic: the same corpus (raw, metadata, gold, passes, benchmark predictions) copied under two
different roots builds byte-identical releases, and what the card shows of the passes and
predictions comes from the copy, not from this checkout. Strict rows: a column renamed in a
scratch copy of schema/ either carries its values under the new name (a span-table column
that mirrors a gold field, `from:`) or stops the build with an error that names the config,
the document and both spellings (a column the row builder computes), never an all-null
column.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import scratch_schema

from trisec.errors import TrisecError
from trisec.paths import CORPUS_DIR, PREDICTIONS_DIR
from trisec.pipeline.corpus import Corpus
from trisec.release.build import write_release
from trisec.release.extras.leaderboard import system_and_scope
from trisec.release.writer import compare_folders
from trisec.schema import Schema


def _copy_checkout(root: Path) -> Corpus:
    """corpus/ and benchmark/predictions/ laid out under `root` as in a checkout."""
    shutil.copytree(CORPUS_DIR, root / "corpus")
    shutil.copytree(PREDICTIONS_DIR, root / "benchmark" / "predictions")
    return Corpus.at(root)


def _build(corpus: Corpus, out: Path, schema: Schema) -> Path:
    out.mkdir(parents=True)
    write_release(out, corpus, schema)
    return out


def test_same_corpus_under_two_roots_gives_identical_releases(tmp_path: Path,
                                                               schema: Schema) -> None:
    one = _copy_checkout(tmp_path / "first")
    two = _copy_checkout(tmp_path / "somewhere" / "much" / "deeper")
    a = _build(one, tmp_path / "out-a", schema)
    b = _build(two, tmp_path / "out-b", schema)
    assert compare_folders(a, b) == []
    assert sorted(p.relative_to(a) for p in a.rglob("*")) == \
        sorted(p.relative_to(b) for p in b.rglob("*"))
    # the card scored the copied prediction files and passes
    card = (a / "README.md").read_text(encoding="utf-8")
    systems = sorted({system_and_scope(p)[0] for p in PREDICTIONS_DIR.glob("*.jsonl")})
    assert systems and all(f"| `{s}` |" in card for s in systems)

    # ...and only those: without them in the corpus the card says so, whatever the checkout has
    shutil.rmtree(two.predictions_dir)  # type: ignore[arg-type]
    shutil.rmtree(two.passes_dir)  # type: ignore[arg-type]
    c = _build(two, tmp_path / "out-c", schema)
    card_c = (c / "README.md").read_text(encoding="utf-8")
    assert "(no prediction files yet)" in card_c
    assert "not in this corpus" in card_c
    assert not any(f"| `{s}` |" in card_c for s in systems)
    assert str(tmp_path) not in card_c and str(CORPUS_DIR) not in card_c


def _rename(data: dict, config: str, old: str, new: str) -> None:
    """Rename a column everywhere schema/dataset.yaml names it: its entry and the config's
    `key` (the columns that identify a row)."""
    cfg = data["configs"][config]
    cfg["key"] = [new if k == old else k for k in cfg.get("key") or []]
    for col in cfg["columns"]:
        if col["name"] == old:
            col["name"] = new
            return
    raise AssertionError(f"{config}.{old} not in schema")


@pytest.mark.parametrize(("config", "old", "new", "path"), [
    ("mentions", "qid", "wikidata_qid", "mentions"),
    ("events", "num_arguments", "argument_count", "events"),
    ("sentences", "tokens", "words", "sentences"),
])
def test_a_renamed_computed_column_stops_the_build_with_a_located_error(
        tmp_path: Path, repo_corpus: Corpus, config: str, old: str, new: str,
        path: str) -> None:
    """A column the row builder computes (no `from:`) is named in trisec.release.assemble:
    renaming it in schema/ alone stops the build at every row, with config, doc_id and both
    spellings."""
    scratch = scratch_schema(tmp_path, lambda d: _rename(d, config, old, new))
    out = tmp_path / "out"
    out.mkdir()
    corpus = Corpus(repo_corpus.raw_dir, repo_corpus.metadata_dir, repo_corpus.gold_dir)
    with pytest.raises(TrisecError) as err:
        write_release(out, corpus, scratch)
    messages = [f"{p.location}: {p.message}" for p in err.value.problems]
    doc_ids = {p.stem for p in corpus.gold_dir.glob("*.json")} if config != "sentences" \
        else None
    assert any(f"column {path}.{new} of schema/dataset.yaml is missing" in m
               for m in messages), messages
    assert any(f"the row has {path}.{old}, which schema/dataset.yaml does not declare" in m
               for m in messages), messages
    located = [p.location for p in err.value.problems if new in p.message]
    assert located and all(loc.startswith(f"{config}/tsn-") for loc in located)
    if doc_ids is not None:
        assert {loc.split("/", 1)[1] for loc in located} <= doc_ids


def _column_values(release: Path, config: str, column: str) -> list[object]:
    return [v for p in sorted((release / "data" / config).glob("*.parquet"))
            for v in pq.read_table(p).column(column).to_pylist()]


@pytest.mark.parametrize(("config", "old", "new"), [
    ("events", "trigger_text", "trigger_surface"),
    ("events", "realis", "factuality"),          # a rule column: label set, required
    ("mentions", "gpe_role", "gpe_function"),    # a conditional one (only_when label: GPE)
    ("arguments", "role", "argument_role"),      # one row per argument of each event
    ("attributions", "cue_start", "cue_offset"),  # under a nullable struct (cue)
])
def test_a_renamed_mirrored_column_carries_its_values(
        tmp_path: Path, repo_corpus: Corpus, schema: Schema, config: str, old: str,
        new: str) -> None:
    """A column with `from:` (it mirrors a gold field) is named by schema/ alone: renamed in a
    scratch copy, the build writes the new name with exactly the old column's values, and
    every other column and config is unchanged."""
    scratch = scratch_schema(tmp_path, lambda d: _rename(d, config, old, new))
    corpus = Corpus(repo_corpus.raw_dir, repo_corpus.metadata_dir, repo_corpus.gold_dir)
    before = _build(corpus, tmp_path / "before", schema)
    after = _build(corpus, tmp_path / "after", scratch)
    values = _column_values(after, config, new)
    assert values == _column_values(before, config, old)
    assert any(v is not None for v in values)
    assert new in scratch.configs[config].column_names
    assert old not in scratch.configs[config].column_names

    for name in schema.configs[config].column_names:
        if name != old:
            assert _column_values(after, config, name) == _column_values(before, config, name)
    for other in schema.configs:
        if other not in (config, "prompts"):  # prompts embed the schema's column names
            for p in (before / "data" / other).glob("*.parquet"):
                assert pq.read_table(p).equals(pq.read_table(after / "data" / other / p.name))


def _rename_timex_value(d: dict) -> None:
    """documents.mentions[].timex_value -> timex, in a parsed dataset.yaml."""
    for col in d["configs"]["documents"]["columns"]:
        if col["name"] == "mentions":
            fields = col["type"]["list"]["struct"]
            col["type"]["list"]["struct"] = {("timex" if k == "timex_value" else k): v
                                             for k, v in fields.items()}


def test_a_renamed_nested_field_is_a_located_schema_error(tmp_path: Path) -> None:
    """Renaming a field of a nested documents layer alone leaves the span table's `from:`
    naming nothing: the schema does not load, and says which column points where."""
    with pytest.raises(TrisecError) as err:
        scratch_schema(tmp_path, _rename_timex_value)
    assert [(p.location, p.message) for p in err.value.problems] == [
        ("schema/dataset.yaml: configs.mentions.timex_value",
         "from: mentions.timex_value names no field timex_value of a nested documents column")]


def test_a_renamed_nested_field_with_its_from_is_located_in_the_rows(
        tmp_path: Path, repo_corpus: Corpus) -> None:
    """...and with `from:` updated too, the gold files (written with the old field) stop the
    build, each at its file and JSON path."""
    def edit(d: dict) -> None:
        _rename_timex_value(d)
        for col in d["configs"]["mentions"]["columns"]:
            if col.get("from") == "mentions.timex_value":
                col["from"] = "mentions.timex"

    scratch = scratch_schema(tmp_path, edit)
    (tmp_path / "out").mkdir()
    with pytest.raises(TrisecError) as err:
        write_release(tmp_path / "out", repo_corpus, scratch)
    assert err.value.problems
    assert all(".json" in p.location for p in err.value.problems), err.value.problems
    assert any("timex" in p.message for p in err.value.problems), err.value.problems


def test_a_rule_naming_an_unknown_label_set_is_a_schema_error(tmp_path: Path) -> None:
    def edit(d: dict) -> None:
        for col in d["configs"]["mentions"]["columns"]:
            if col["name"] == "gpe_role":
                col["labels"] = "gpe_rolez"
                col["only_when"] = {"label": "GEOPOLITICAL"}

    with pytest.raises(TrisecError) as err:
        scratch_schema(tmp_path, edit)
    msgs = [f"{p.location}: {p.message}" for p in err.value.problems]
    assert any("configs.mentions.gpe_role: unknown label set 'gpe_rolez'" in m for m in msgs)
    assert any("'GEOPOLITICAL' is not in label set entity_labels" in m for m in msgs)
