"""The rule baseline: pattern files, behaviour on a hand-written paragraph, valid output on
the real release, and the committed prediction file being current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from trisec.baselines.rules import (
    GAZETTEERS,
    PATTERNS,
    RuleBaseline,
    load_rules,
    load_triggers,
    read_list,
)
from trisec.cli import main
from trisec.evaluate.benchmark import maps_for
from trisec.evaluate.gold import read_gold
from trisec.evaluate.predictions import load_predictions
from trisec.paths import ROOT
from trisec.schema import Schema

COMMITTED = ROOT / "benchmark" / "predictions" / "rules.jsonl"  # test split
COMMITTED_ALL = ROOT / "benchmark" / "predictions" / "rules.all.jsonl"  # every document

# Written for this test; not from any article.
TEXT = ("SEOUL, June 3 (Yonhap) -- South Korea, the United States and Japan staged joint air "
        "drills on Tuesday with a US B-52H bomber, South Korean KF-16 fighters and Japanese "
        "F-2 fighters over the Yellow Sea. Defense Minister Shin Won-sik met Foreign Minister "
        "Cho Tae-yul in Tokyo last week. North Korea fired two Hwasong-18 missiles into the "
        "East Sea, flying about 1,000 km. \"We will respond firmly to any provocation by the "
        "regime,\" Shin told reporters.")


@pytest.fixture(scope="module")
def prediction() -> dict:
    return RuleBaseline().predict("doc", TEXT)


def spans(pred: dict, label: str) -> list[str]:
    return [e["text"] for e in pred["entities"] if e["label"] == label]


def test_every_pattern_file_names_a_schema_label_and_a_source(schema: Schema) -> None:
    for rule in load_rules():
        assert rule.label in schema.entity_labels, rule.name
        assert len(rule.source) > 20, f"{rule.name}: say where the pattern comes from"
    for name in GAZETTEERS:
        label, entries, source = read_list(PATTERNS / f"{name}.txt")
        assert label in schema.entity_labels and source and entries, name
    data = yaml.safe_load((PATTERNS / "triggers.yaml").read_text(encoding="utf-8"))
    assert set(data) <= set(schema.event_types)
    assert len(load_triggers()) == sum(len(v) for v in data.values())
    assert (PATTERNS / "README.md").is_file()


def test_names_platforms_and_weapons(prediction: dict) -> None:
    assert spans(prediction, "VEH") == ["B-52H bomber", "KF-16 fighters", "F-2 fighters"]
    assert spans(prediction, "WEA") == ["Hwasong-18 missiles"]
    # gazetteers are case-sensitive: the upper-case dateline SEOUL is not matched
    assert spans(prediction, "GPE") == ["South Korea", "United States", "Japan", "US", "Tokyo",
                                        "North Korea"]
    assert spans(prediction, "ORG") == ["Yonhap"]
    assert spans(prediction, "NORP") == ["South Korean", "Japanese"]
    assert spans(prediction, "LOC") == ["Yellow Sea", "East Sea"]
    assert spans(prediction, "TITLE") == ["Defense Minister", "Foreign Minister"]
    # names after a title, and next to a reporting verb; hyphenated given names stay whole
    assert spans(prediction, "PER") == ["Shin Won-sik", "Cho Tae-yul", "Shin"]
    assert set(spans(prediction, "TIMEX")) == {"June 3", "Tuesday", "last week"}
    assert spans(prediction, "NUM") == ["two", "about 1,000 km"]


def test_events_and_their_arguments(prediction: dict) -> None:
    by_trigger = {e["trigger"]["text"]: e for e in prediction["events"]}
    assert by_trigger["drills"]["type"] == "EXERCISE"
    fired = by_trigger["fired"]
    assert fired["type"] == "LAUNCH_TEST"
    roles = {a["role"]: a["text"] for a in fired["arguments"]}
    assert roles["agent"] == "North Korea"
    assert roles["destination"] == "East Sea"  # after "into"
    assert roles["instrument"] == "Hwasong-18 missiles"
    met = {a["role"]: a["text"] for a in by_trigger["met"]["arguments"]}
    assert met["place"] == "Tokyo" and met["time"] == "last week"


def test_quote_attribution(prediction: dict) -> None:
    (q,) = prediction["attributions"]
    assert q["content"]["text"] == "We will respond firmly to any provocation by the regime"
    assert q["cue"]["text"] == "told"
    assert q["source"]["text"] == "Shin"


def test_output_is_flat_and_every_offset_matches_its_text(prediction: dict) -> None:
    ents = sorted((e["start"], e["end"]) for e in prediction["entities"])
    assert all(a[1] <= b[0] for a, b in zip(ents, ents[1:], strict=False))
    for e in prediction["entities"]:
        assert TEXT[e["start"]:e["end"]] == e["text"]


def test_predict_command_writes_valid_jsonl_for_the_release(release: Path,
                                                            schema: Schema) -> None:
    res = CliRunner().invoke(main, ["predict", "--baseline", "rules", "--split", "all",
                                    "--release", str(release)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.splitlines()]
    assert [x["doc_id"] for x in lines] == sorted(x["doc_id"] for x in lines)
    ent_map, ev_map = maps_for(schema, None)
    for split in ("train", "test"):
        gold = read_gold(release, split)
        path = release.parent / f"rules-{split}.jsonl"
        path.write_text(res.output, encoding="utf-8")
        loaded = load_predictions(path, gold, ent_map, ev_map, set(schema.all_roles))
        assert set(loaded.views) == set(gold.texts)  # every document, all checked
        assert sum(len(v.entities) for v in loaded.views.values()) > 0


@pytest.mark.parametrize(("split", "committed"), [("test", COMMITTED), ("all", COMMITTED_ALL)])
def test_committed_predictions_are_current(release: Path, split: str, committed: Path) -> None:
    """benchmark/predictions/rules[.all].jsonl is what the baseline gives on today's texts."""
    res = CliRunner().invoke(main, ["predict", "--baseline", "rules", "--split", split,
                                    "--release", str(release)])
    assert res.exit_code == 0, res.output
    assert committed.read_text(encoding="utf-8") == res.output, (
        "stale: run `make predictions` (after `trisec build`) and commit the files")

