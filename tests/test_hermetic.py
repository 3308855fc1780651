"""A build reads only what it is handed, and its rows follow schema/ or stop.

Hermetic: the same corpus (raw, metadata, gold, passes, benchmark predictions) copied under two
different roots builds byte-identical releases, and what the card shows of the passes and
predictions comes from the copy, not from this checkout. Strict rows: a column renamed in a
scratch copy of schema/ stops the build with an error that names the config, the document
and both spellings, instead of publishing an all-null column.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from trisec.errors import TrisecError
from trisec.paths import CORPUS_DIR, PREDICTIONS_DIR, SCHEMA_DIR
from trisec.pipeline.corpus import Corpus
from trisec.release.build import write_release
from trisec.release.extras.leaderboard import system_and_scope
from trisec.release.writer import compare_folders
from trisec.schema import Schema, load_schema


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


def _scratch_schema(tmp: Path, edit: callable) -> Schema:  # type: ignore[valid-type]
    folder = tmp / "schema"
    shutil.copytree(SCHEMA_DIR, folder)
    path = folder / "dataset.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_schema(folder)


def _rename(data: dict, config: str, old: str, new: str) -> None:
    for col in data["configs"][config]["columns"]:
        if col["name"] == old:
            col["name"] = new
            return
    raise AssertionError(f"{config}.{old} not in schema")


@pytest.mark.parametrize(("config", "old", "new", "path"), [
    ("mentions", "qid", "wikidata_qid", "mentions"),
    ("events", "trigger_text", "trigger_surface", "events"),
    ("sentences", "tokens", "words", "sentences"),
])
def test_a_renamed_column_stops_the_build_with_a_located_error(
        tmp_path: Path, repo_corpus: Corpus, config: str, old: str, new: str,
        path: str) -> None:
    scratch = _scratch_schema(tmp_path, lambda d: _rename(d, config, old, new))
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


def test_a_renamed_rule_column_is_found_in_the_gold_files_first(tmp_path: Path,
                                                                repo_corpus: Corpus) -> None:
    """realis carries a label-set rule: the gold loader checks it per item before any row is
    built, so every event of every gold file is reported, each at its own id."""
    scratch = _scratch_schema(tmp_path, lambda d: _rename(d, "events", "realis", "factuality"))
    (tmp_path / "out").mkdir()
    with pytest.raises(TrisecError) as err:
        write_release(tmp_path / "out", repo_corpus, scratch)
    events = sum(len(json.loads(p.read_text(encoding="utf-8"))["events"])
                 for p in repo_corpus.gold_dir.glob("*.json"))
    flagged = [p for p in err.value.problems if p.message == "unknown factuality None"]
    assert len(flagged) == events
    assert all(re.search(r"tsn-[0-9a-f]{16}\.json/V\d+$", p.location) for p in flagged)


def test_a_renamed_nested_field_is_located_too(tmp_path: Path, repo_corpus: Corpus) -> None:
    def edit(d: dict) -> None:
        for col in d["configs"]["documents"]["columns"]:
            if col["name"] == "mentions":
                fields = col["type"]["list"]["struct"]
                col["type"]["list"]["struct"] = {("timex" if k == "timex_value" else k): v
                                                 for k, v in fields.items()}

    scratch = _scratch_schema(tmp_path, edit)
    (tmp_path / "out").mkdir()
    with pytest.raises(TrisecError) as err:
        write_release(tmp_path / "out", repo_corpus, scratch)
    first = err.value.problems[0]
    assert first.location.startswith("documents/tsn-")
    assert any("documents.mentions[0].timex of schema/dataset.yaml is missing" in p.message
               for p in err.value.problems)


def test_a_rule_naming_an_unknown_label_set_is_a_schema_error(tmp_path: Path) -> None:
    def edit(d: dict) -> None:
        for col in d["configs"]["mentions"]["columns"]:
            if col["name"] == "gpe_role":
                col["labels"] = "gpe_rolez"
                col["only_when"] = {"label": "GEOPOLITICAL"}

    with pytest.raises(TrisecError) as err:
        _scratch_schema(tmp_path, edit)
    msgs = [f"{p.location}: {p.message}" for p in err.value.problems]
    assert any("configs.mentions.gpe_role: unknown label set 'gpe_rolez'" in m for m in msgs)
    assert any("'GEOPOLITICAL' is not in label set entity_labels" in m for m in msgs)
