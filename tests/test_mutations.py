"""The mutation catalogue: every broken release is rejected, with the document and row named.

A good release is built once from corpus/raw + corpus/metadata with the hand-made gold
fixture (tests/fixtures/gold, two real documents, one per split); each test copies it, breaks
it one way (trisec.validation.mutations) and runs the suite that mutation targets.
The untouched release passing the full gate is tested in test_validate.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import release_with_gold

from trisec.paths import VALIDATION_DIR
from trisec.validation.mutations import (
    MUTATIONS,
    OPENER,
    Mutation,
    check_mutation,
)
from trisec.validation.suites import copy_project, suite_specs

GOLD_FIXTURE = Path(__file__).parent / "fixtures" / "gold"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(VALIDATION_DIR, tmp_path_factory.mktemp("gx") / "validation")


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory, schema) -> Path:
    return release_with_gold(tmp_path_factory.mktemp("good") / "release", GOLD_FIXTURE, schema)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_mutation_is_caught_naming_document_and_row(mutation: Mutation, good, project, schema,
                                                    tmp_path):
    outcome = check_mutation(good, tmp_path, mutation, schema, project, suites=[])
    assert outcome.caught, outcome.message
    for name in outcome.target.names:
        assert name in outcome.message
    if outcome.target.suite == OPENER:  # file-level damage: refused before any suite runs
        assert outcome.message.startswith(f"{OPENER}/")
        assert outcome.target.expectation in outcome.message
        return
    # the expectation that caught it is a real one of the target suite, and it names the row
    spec = next(s for s in suite_specs(schema) if s.name == outcome.target.suite)
    assert any(e.label.startswith(outcome.target.expectation) for e in spec.expectations)
    assert outcome.message.startswith(f"{outcome.target.suite}/")
    for name in outcome.target.names:
        assert name in outcome.message


def test_catalogue_covers_the_issue_list():
    names = {m.name for m in MUTATIONS}
    assert {"shifted_offset", "unknown_label", "duplicate_doc_id", "empty_text",
            "tags_tokens_length", "bio_i_after_o", "boilerplate_back", "date_without_evidence",
            "argument_to_missing_mention", "role_not_allowed", "bad_qid",
            "sentences_do_not_tile", "parquet_version_mismatch", "flat_row_missing"} <= names
    # file-level damage (issue #18): every kind has its case
    assert {"byte_flipped_parquet", "truncated_parquet", "empty_parquet", "missing_parquet",
            "not_parquet", "not_parquet_signed", "extra_unknown_file", "card_yaml_broken",
            "manifest_missing", "manifest_edited", "manifest_not_json"} <= names
    assert len(names) == len(MUTATIONS)


def test_mutations_leave_the_good_release_untouched(good, tmp_path, schema, project):
    before = {p: p.read_bytes() for p in good.rglob("*") if p.is_file()}
    check_mutation(good, tmp_path, MUTATIONS[0], schema, project, suites=[])
    assert {p: p.read_bytes() for p in good.rglob("*") if p.is_file()} == before
