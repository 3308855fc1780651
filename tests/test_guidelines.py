"""schema/labels.yaml is well-formed, and the guidelines' label tables are generated from it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from trisec.annotation.guidelines import (
    BEGIN_MARKER,
    END_MARKER,
    attribute_sections,
    refresh_guidelines,
    render_label_tables,
)
from trisec.schema import load_schema

ROOT = Path(__file__).resolve().parents[1]
LABELS_PATH = ROOT / "schema" / "labels.yaml"
GUIDELINES_PATH = ROOT / "docs" / "ANNOTATION_GUIDELINES.md"

ENTITY_LABELS = [
    "PER",
    "ORG",
    "GPE",
    "NORP",
    "LOC",
    "FAC",
    "VEH",
    "WEA",
    "TITLE",
    "EVENT_NAME",
    "DOC",
    "TIMEX",
    "NUM",
]
EVENT_TYPES = [
    "EXERCISE",
    "DEPLOY",
    "LAUNCH_TEST",
    "ATTACK",
    "MEET",
    "TRAVEL",
    "STATEMENT",
    "AGREE_PLEDGE",
    "SIGN_RATIFY",
    "CONDEMN",
    "THREATEN",
    "DEMAND",
]
ATTRIBUTE_SETS = {
    "mention_types": ["NAM", "NOM"],
    "gpe_roles": ["GOV", "PEOPLE", "LOC"],
    "realis": ["ACTUAL", "GENERIC", "OTHER"],
    "meet_modes": ["in-person", "remote"],
    "attribution_kinds": ["direct", "indirect"],
}
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def labels() -> dict[str, Any]:
    data = yaml.safe_load(LABELS_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


def _assert_defined(items: list[dict[str, Any]], where: str) -> None:
    for item in items:
        assert isinstance(item, dict), f"{where}: {item!r} is not a mapping"
        assert isinstance(item.get("name"), str) and item["name"], f"{where}: item without name"
        definition = item.get("definition")
        assert isinstance(definition, str) and definition.strip(), (
            f"{where}/{item['name']}: missing definition"
        )
    names = _names(items)
    assert len(names) == len(set(names)), f"{where}: duplicate names {names}"


def _assert_examples(item: dict[str, Any], where: str) -> None:
    for key in ("positive", "negative"):
        examples = item.get(key)
        assert isinstance(examples, list) and examples, f"{where}: needs >=1 {key} example"
        assert all(isinstance(e, str) and e.strip() for e in examples), f"{where}/{key}"


def test_top_level_structure(labels: dict[str, Any]) -> None:
    assert labels["scheme_version"] == "1.0"
    for key in ["entity_labels", "event_types", *ATTRIBUTE_SETS]:
        assert isinstance(labels.get(key), list) and labels[key], f"{key} missing or empty"


def _assert_mappings(item: dict[str, Any], where: str, keys: tuple[str, ...]) -> None:
    """Each mapping to another scheme is present: a label name there, or null."""
    for mapping in keys:
        assert mapping in item, f"{where}: mapping key {mapping!r} missing (null allowed)"
        assert item[mapping] is None or isinstance(item[mapping], str)


def test_entity_labels(labels: dict[str, Any]) -> None:
    items = labels["entity_labels"]
    _assert_defined(items, "entity_labels")
    assert _names(items) == ENTITY_LABELS
    for item in items:
        where = f"entity_labels/{item['name']}"
        _assert_examples(item, where)
        _assert_mappings(item, where, ("ontonotes", "ace"))


@pytest.mark.parametrize("key", sorted(ATTRIBUTE_SETS))
def test_attribute_sets(labels: dict[str, Any], key: str) -> None:
    _assert_defined(labels[key], key)
    assert _names(labels[key]) == ATTRIBUTE_SETS[key]


def test_gpe_roles_have_examples(labels: dict[str, Any]) -> None:
    for item in labels["gpe_roles"]:
        assert item.get("examples"), f"gpe_roles/{item['name']}: needs examples"


def test_event_types_and_roles(labels: dict[str, Any]) -> None:
    items = labels["event_types"]
    _assert_defined(items, "event_types")
    assert _names(items) == EVENT_TYPES
    entity_names = set(ENTITY_LABELS)
    for item in items:
        where = f"event_types/{item['name']}"
        _assert_examples(item, where)
        _assert_mappings(item, where, ("plover", "ace"))
        roles = item.get("roles")
        assert isinstance(roles, list) and roles, f"{where}: no roles"
        _assert_defined(roles, f"{where}/roles")
        for role in roles:
            rwhere = f"{where}/{role['name']}"
            assert SNAKE.match(role["name"]), f"{rwhere}: role names are lower_snake_case"
            role_labels = role.get("labels")
            assert isinstance(role_labels, list) and role_labels, f"{rwhere}: no labels"
            assert set(role_labels) <= entity_names, (
                f"{rwhere}: unknown labels {set(role_labels) - entity_names}"
            )


def test_shared_roles_are_reused(labels: dict[str, Any]) -> None:
    """`time` is in every type and always TIMEX; the role inventory stays small."""
    inventory: set[str] = set()
    for item in labels["event_types"]:
        roles = {r["name"]: r["labels"] for r in item["roles"]}
        inventory |= set(roles)
        assert roles.get("time") == ["TIMEX"], f"{item['name']}: time role must be [TIMEX]"
    assert len(inventory) <= 12, sorted(inventory)


def test_guidelines_block_is_fresh(labels: dict[str, Any]) -> None:
    text = GUIDELINES_PATH.read_text(encoding="utf-8")
    assert refresh_guidelines(labels, text, attribute_sections(load_schema())) == text, (
        "label tables are stale: run `python -m trisec.annotation.guidelines`"
    )


def test_render_mentions_every_label(labels: dict[str, Any]) -> None:
    rendered = render_label_tables(labels)
    for name in ENTITY_LABELS + EVENT_TYPES:
        assert f"`{name}`" in rendered
    for item in labels["event_types"]:
        for role in item["roles"]:
            assert f"| `{item['name']}` | `{role['name']}` |" in rendered
    assert BEGIN_MARKER not in rendered and END_MARKER not in rendered


def test_refresh_replaces_only_the_block(labels: dict[str, Any]) -> None:
    text = f"# Title\n\nbefore\n{BEGIN_MARKER}\nstale table\n{END_MARKER}\nafter\n"
    fresh = refresh_guidelines(labels, text)
    assert "stale table" not in fresh
    assert fresh.startswith(f"# Title\n\nbefore\n{BEGIN_MARKER}\n")
    assert fresh.endswith(f"{END_MARKER}\nafter\n")
    assert render_label_tables(labels) in fresh
    assert refresh_guidelines(labels, fresh) == fresh


def test_pipes_in_labels_are_escaped() -> None:
    tiny = {
        "scheme_version": "x",
        "entity_labels": [
            {
                "name": "A",
                "definition": "one | two",
                "positive": ["p"],
                "negative": ["n"],
                "ontonotes": None,
                "ace": None,
            }
        ],
    }
    rendered = render_label_tables(tiny)
    assert "one \\| two" in rendered
    assert "| 1 | `A` | one \\| two | - | - |" in rendered


@pytest.mark.parametrize(
    "text",
    [
        "no markers at all",
        f"{BEGIN_MARKER}\nonly begin",
        f"{END_MARKER}\n{BEGIN_MARKER}\n",
        f"{BEGIN_MARKER}\n{BEGIN_MARKER}\n{END_MARKER}\n",
    ],
)
def test_refresh_rejects_bad_markers(labels: dict[str, Any], text: str) -> None:
    with pytest.raises(ValueError):
        refresh_guidelines(labels, text)
