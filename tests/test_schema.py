"""schema/ is the single source of columns, types, labels, version and the split rule."""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
import shutil
import tomllib
from collections import Counter

import pyarrow as pa
import pytest
import yaml
from conftest import scratch_schema

from trisec.errors import TrisecError
from trisec.paths import ROOT, SCHEMA_DIR
from trisec.schema import load_schema, split_of


def test_version_has_one_source_read_by_the_package_build(schema):
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    hatch = pyproject["tool"]["hatch"]["version"]
    assert "version" in pyproject["project"]["dynamic"]
    m = re.search(hatch["pattern"], (ROOT / hatch["path"]).read_text(encoding="utf-8"))
    assert m and m["version"] == schema.version
    assert re.fullmatch(r"\d+\.\d+\.\d+", schema.version)  # semver
    assert schema.version in schema.dataset["release_notes"]


def test_exactly_one_default_config_and_it_is_documents(schema):
    assert [c.name for c in schema.configs.values() if c.default] == ["documents"]
    assert {"documents", "sentences", "mentions"} <= set(schema.configs)


@pytest.mark.parametrize("config", ["documents", "sentences", "mentions", "events",
                                    "arguments", "attributions"])
def test_arrow_and_hf_views_of_a_config_agree(schema, config):
    from datasets import Features

    cols = schema.configs[config].column_names
    arrow = schema.arrow_schema(config)
    assert arrow.names == cols
    assert list(schema.features(config)) == cols
    meta = json.loads(arrow.metadata[b"trisec"])
    assert (meta["version"], meta["config"]) == (schema.version, config)
    # plain pyarrow readers get the HF features back from the schema metadata
    assert Features.from_arrow_schema(arrow) == schema.features(config)


def test_ner_tags_are_class_labels_in_labels_yaml_order(schema):
    labels = [item["name"] for item in
              yaml.safe_load((SCHEMA_DIR / "labels.yaml").read_text())["entity_labels"]]
    expected = ["O"] + [f"{p}-{lab}" for lab in labels for p in "BI"]
    assert schema.entity_bio == expected
    feature = schema.features("sentences")["ner_tags"]
    assert feature.feature.names == expected
    assert schema.arrow_schema("sentences").field("ner_tags").type == pa.list_(pa.int64())


def test_split_rule_is_the_documented_formula_of_the_doc_id(schema):
    rule = schema.dataset["split"]
    rng = random.Random(7)
    ids = [f"tsn-{rng.getrandbits(64):016x}" for _ in range(3000)]
    splits = Counter()
    for doc_id in ids:
        bucket = int(hashlib.sha256((rule["salt"] + doc_id).encode()).hexdigest()[:8], 16) % 100
        expected = next(b["name"] for b in rule["buckets"] if bucket < b["below"])
        assert split_of(doc_id, schema) == expected
        splits[expected] += 1
    # 60/20/20 buckets: a wiring mistake (e.g. bounds read as sizes) would show here
    assert abs(splits["train"] / 3000 - 0.6) < 0.04
    assert abs(splits["validation"] / 3000 - 0.2) < 0.04
    assert schema.split_names == ["train", "validation", "test"]


def test_fingerprint_follows_any_label_change(tmp_path, schema):
    same, copy = tmp_path / "same", tmp_path / "changed"  # load_schema caches by folder
    shutil.copytree(SCHEMA_DIR, same)
    shutil.copytree(SCHEMA_DIR, copy)
    assert load_schema(same).fingerprint() == schema.fingerprint()
    labels = (copy / "labels.yaml").read_text(encoding="utf-8")
    (copy / "labels.yaml").write_text(labels.replace("name: NUM", "name: NUMBER"),
                                      encoding="utf-8")
    changed = load_schema(copy)
    assert "NUMBER" in changed.entity_labels
    assert changed.fingerprint() != schema.fingerprint()


def test_broken_schema_yaml_is_located(tmp_path):
    copy = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, copy)
    (copy / "dataset.yaml").write_text("name: trisec\nversion: [oops\n", encoding="utf-8")
    with pytest.raises(TrisecError) as err:
        load_schema(copy)
    (problem,) = err.value.problems
    assert problem.location.startswith(str(copy / "dataset.yaml") + ":")
    assert "invalid YAML" in problem.message


def test_vocabularies_cover_what_metadata_can_say(schema):
    assert schema.vocabulary("provenance") == ["crawl_line", "body", "external"]
    assert schema.vocabulary("confidence") == ["high", "medium", "low"]
    assert schema.vocabulary("precision") == ["day", "month", "year"]


def test_span_tables_and_role_labels_come_from_the_schema() -> None:
    from trisec.schema import load_schema

    s = load_schema()
    # span tables are flagged in dataset.yaml; each has one id column per gold item
    assert s.span_tables and set(s.span_tables) < set(s.configs)
    assert all(any(c.endswith("_id") for c in s.configs[t].column_names) for t in s.span_tables)
    assert "documents" not in s.span_tables and "sentences" not in s.span_tables
    # role_labels is the union over event types of what labels.yaml allows for the role
    agent = s.role_labels("agent")
    assert agent and agent <= set(s.entity_labels)
    assert agent == {lab for t in s.event_types for lab in s.roles_for(t).get("agent", [])}
    assert s.role_labels("no-such-role") == set()


def test_fingerprint_ignores_the_version_its_notes_and_label_examples(tmp_path, schema):
    """Raising the version (a release) or fixing an example's quote is no schema change;
    a changed definition still is (VERSIONING: a label redefined is MAJOR)."""
    from trisec.schema import fingerprint_of

    dataset = yaml.safe_load((SCHEMA_DIR / "dataset.yaml").read_text(encoding="utf-8"))
    labels = yaml.safe_load((SCHEMA_DIR / "labels.yaml").read_text(encoding="utf-8"))
    base = fingerprint_of(dataset, labels)
    assert base == schema.fingerprint()
    bumped = {**dataset, "version": "99.0.0",
              "release_notes": {**dataset["release_notes"], "99.0.0": "a note"}}
    examples = copy.deepcopy(labels)
    examples["entity_labels"][0]["positive"] = ["an example quoted afresh"]
    assert fingerprint_of(bumped, examples) == base
    described = copy.deepcopy(dataset)
    first = next(iter(described["configs"].values()))
    first["columns"][0]["description"] = "Reworded for the card."
    assert fingerprint_of(described, labels) == base
    retyped = copy.deepcopy(dataset)
    next(iter(retyped["configs"].values()))["columns"][0]["type"] = "int64"
    assert fingerprint_of(retyped, labels) != base
    redefined = copy.deepcopy(labels)
    redefined["entity_labels"][0]["definition"] = "Something else."
    assert fingerprint_of(dataset, redefined) != base


def test_every_config_has_a_key_of_its_own_columns(tmp_path, schema):
    """`key` in dataset.yaml says which columns identify a row (Croissant record set keys and
    the suites' uniqueness checks read it); a key naming no column, or none, fails to load."""
    for cfg in schema.configs.values():
        assert cfg.key and set(cfg.key) <= set(cfg.column_names), cfg.name
    copy = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, copy)
    text = (copy / "dataset.yaml").read_text(encoding="utf-8")
    assert "    key: [doc_id, event_id]\n" in text
    (copy / "dataset.yaml").write_text(
        text.replace("    key: [doc_id, event_id]\n", "    key: [doc_id, event_nr]\n")
        .replace("    key: [doc_id, attribution_id]\n", ""), encoding="utf-8")
    with pytest.raises(TrisecError) as err:
        load_schema(copy)
    found = {(p.location, p.message) for p in err.value.problems}
    assert found == {("schema/dataset.yaml: configs.events.key",
                      "names no column 'event_nr' of events"),
                     ("schema/dataset.yaml: configs.attributions", "no `key`")}


def test_every_span_table_mirrors_one_nested_documents_layer(schema) -> None:
    """`from:` on the span tables: each mirrors the layer it is a flat view of."""
    lists = {c: schema.mirror(c).lists for c in schema.span_tables}
    assert lists == {"mentions": ("mentions",), "events": ("events",),
                     "arguments": ("events", "arguments"),
                     "attributions": ("attributions",)}
    assert schema.mirror("documents") is None and schema.mirror("sentences") is None


def test_a_mirror_walks_nested_lists_and_nulls_a_missing_struct(schema) -> None:
    layers = {"events": [
        {"id": "V1", "type": "MEET", "trigger": {"start": 0, "end": 4, "text": "meet"},
         "arguments": [{"role": "participant", "mention": "M1"},
                       {"role": "place", "mention": "M2"}]},
        {"id": "V2", "type": "MEET", "trigger": None, "arguments": None}]}
    args = [row for _, row in schema.mirror("arguments").rows(layers, {"doc_id": "d"})]
    assert args == [
        {"doc_id": "d", "event_id": "V1", "event_type": "MEET", "role": "participant",
         "mention_id": "M1"},
        {"doc_id": "d", "event_id": "V1", "event_type": "MEET", "role": "place",
         "mention_id": "M2"}]
    events = [row for _, row in schema.mirror("events").rows(layers)]
    assert [(r["event_id"], r["trigger_start"], r["trigger_text"]) for r in events] == [
        ("V1", 0, "meet"), ("V2", None, None)]


@pytest.mark.parametrize(("column", "source", "message"), [
    ("label", "mentions.labl", "from: mentions.labl names no field labl"),
    ("role", "attributions.kind", "from: walks attributions, the other columns "
                                  "events.arguments"),
    ("role", "events.trigger", "from: must name a scalar field of an item of a list column"),
    ("role", "title.value", "from: must name a scalar field of an item of a list column"),
])
def test_a_from_path_that_mirrors_nothing_is_a_located_schema_error(
        tmp_path, column, source, message) -> None:
    config = "mentions" if column == "label" else "arguments"

    def edit(d):
        for col in d["configs"][config]["columns"]:
            if col["name"] == column:
                col["from"] = source

    with pytest.raises(TrisecError) as err:
        scratch_schema(tmp_path, edit)
    assert any(p.location == f"schema/dataset.yaml: configs.{config}.{column}"
               and message in p.message for p in err.value.problems), err.value.problems


def test_from_is_not_part_of_the_fingerprint(tmp_path, schema) -> None:
    """`from:` says where a value is read, not what users load: moving it keeps the
    fingerprint (the release's bytes) unchanged."""
    def edit(d):
        for col in d["configs"]["mentions"]["columns"]:
            col.pop("from", None)

    assert scratch_schema(tmp_path, edit).fingerprint() == schema.fingerprint()
