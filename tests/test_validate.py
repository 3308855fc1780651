"""The validation gate: row checks, the committed GX project, and runs on real releases.

Releases are built from this checkout's corpus (conftest `release`, with the real gold) or
with the hand-made gold fixture (tests/fixtures/gold). GX runs against a copy of validation/
in a tmp folder so results and Data Docs never land in the checkout.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner
from conftest import release_with_gold

from trisec.annotation.gold import read_annotation, text_sha256, verify
from trisec.documents.clean import clean, leftover_boilerplate
from trisec.documents.ingest import decode, read_raw
from trisec.errors import TrisecError
from trisec.paths import METADATA_DIR, RAW_DIR, VALIDATION_DIR
from trisec.schema import load_schema
from trisec.validation import checks
from trisec.validation.mutations import mutate, read_rows, write_rows
from trisec.validation.suites import COMMITTED, suite_specs
from trisec.validation.suites import copy_project as copy_validation_project

ROOT = Path(__file__).resolve().parents[1]
GOLD_FIXTURE = Path(__file__).parent / "fixtures" / "gold"
SCHEMA_DIR = ROOT / "schema"


def copy_project(dest: Path) -> Path:
    """The committed GX project without its uncommitted/ folder."""
    return copy_validation_project(VALIDATION_DIR, dest)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("gx") / "validation")


@pytest.fixture(scope="module")
def gold_release(tmp_path_factory: pytest.TempPathFactory, schema) -> Path:
    return release_with_gold(tmp_path_factory.mktemp("gold") / "release", GOLD_FIXTURE, schema)


@pytest.fixture(scope="module")
def bare_release(tmp_path_factory: pytest.TempPathFactory, schema) -> Path:
    """A release without any gold: the span configs have no files at all."""
    empty = tmp_path_factory.mktemp("nogold")
    return release_with_gold(tmp_path_factory.mktemp("bare") / "release", empty, schema)


# --- row checks (pure) ------------------------------------------------------------------------

def test_span_check_reports_offsets_and_texts():
    text = "South Korea and Japan"
    assert checks.span_problem(text, 0, 11, "South Korea") is None
    assert "text[1:12] is 'outh Korea '" in checks.span_problem(text, 1, 12, "South Korea")
    assert "outside 0..21" in checks.span_problem(text, 16, 30, "Japan")
    assert "outside" in checks.span_problem(text, 5, 5, "")
    assert checks.span_problem(None, 0, 1, "S") == "no document with this doc_id"
    # nullable spans (attribution cues): all-null passes only when allowed; NaN from Parquet
    assert checks.span_problem(text, float("nan"), None, None, may_be_null=True) is None
    assert checks.span_problem(text, float("nan"), None, None) is not None
    # int columns with nulls come back from Parquet as floats
    assert checks.span_problem(text, 16.0, 21.0, "Japan") is None


def test_bio_check_is_strict_iob2(schema):
    names = schema.entity_bio
    tid = {t: i for i, t in enumerate(names)}
    ok = np.array([tid["B-GPE"], tid["I-GPE"], tid["O"], tid["B-PER"]], dtype=np.int64)
    assert checks.bio_problem(ok, names) is None
    assert checks.bio_problem([tid["O"], tid["I-GPE"]], names) == "token 1: I-GPE after O"
    assert checks.bio_problem([tid["B-PER"], tid["I-GPE"]], names) == "token 1: I-GPE after B-PER"
    assert "not in 0.." in checks.bio_problem([len(names)], names)


def test_tiling_and_token_checks():
    text = "One two.  Three four."
    assert checks.tiling_problem(text, 0, 0, 8, 10) is None
    assert checks.tiling_problem(text, 8, 10, 21, 21) is None
    assert "is in no sentence" in checks.tiling_problem(text, 8, 11, 21, 21)  # 'T' left out
    assert "overlaps" in checks.tiling_problem(text, 9, 8, 21, 21)
    starts, ends = np.array([0, 4, 7], np.int32), np.array([3, 7, 8], np.int32)
    assert checks.tokens_problem(text, 0, 8, np.array(["One", "two", "."]), starts, ends) is None
    assert "token 1 is 'too'" in checks.tokens_problem(
        text, 0, 8, np.array(["One", "too", "."]), starts, ends)
    assert "outside the sentence" in checks.tokens_problem(
        text, 0, 7, np.array(["One", "two", "."]), starts, ends)


def test_date_and_evidence_checks():
    assert checks.date_problem("2024-02-29", "day") is None
    assert checks.date_problem("2024-02", "month") is None
    assert checks.date_problem("2024", "year") is None
    assert checks.date_problem(None, None) is None
    assert "not a valid day" in checks.date_problem("2023-02-29", "day")
    assert "not a valid day" in checks.date_problem("2024-02", "day")  # form != precision
    assert "not a valid month" in checks.date_problem("2024-13", "month")
    assert "without a date" in checks.date_problem(None, "day")
    assert checks.evidence_problem(None, None, None, "no title found") is None
    assert checks.evidence_problem("UNN", "external", "high", "lookup") is None
    assert checks.evidence_problem("UNN", "external", "high", "  ") == "value 'UNN' has no evidence"


def test_list_checks_accept_numpy_arrays_as_read_from_parquet(release):
    """List columns come back from Parquet as numpy arrays, not lists."""
    path = next((release / "data" / "sentences").glob("*.parquet"))
    row = pd.read_parquet(path).iloc[0]
    assert isinstance(row["tokens"], np.ndarray)
    assert checks.lengths_problem(["t", "s", "e", "n"], row["tokens"], row["token_starts"],
                                  row["token_ends"], row["ner_tags"]) is None
    short = row["ner_tags"][:-1]
    assert "n=" in checks.lengths_problem(["t", "s", "e", "n"], row["tokens"],
                                          row["token_starts"], row["token_ends"], short)
    assert checks.lists_equal_problem(["a", "b"], row["ner_tags"], list(row["ner_tags"])) is None


# --- leftover boilerplate (clean.leftover_boilerplate) ---------------------------------------

def test_cleaned_fixture_pages_have_no_boilerplate_left(fixtures_raw):
    checked = 0
    for path in sorted(fixtures_raw.glob("*.txt")):
        raw = read_raw(path)
        try:
            doc = clean(raw, decode(raw))
        except TrisecError:
            continue  # empty, binary, boilerplate-only: rejected before a text exists
        assert leftover_boilerplate(doc.text) == [], path.name
        checked += 1
    assert checked >= 10


def test_raw_pages_with_furniture_are_flagged(fixtures_raw):
    decoded = decode(read_raw(fixtures_raw / "page_furniture.txt"))
    found = leftover_boilerplate(decoded)
    assert len(found) >= 3, found


@pytest.mark.parametrize("line,reason", [
    ("Advertisement", "advertisement"),
    ("Read more »", "related_news"),
    ("Related News", "related_news"),
    ("(END)", "terminator"),
    ("We use cookies to improve your experience.", "cookie_notice"),
    ("Troops march in Seoul (Photo: Yonhap)", "caption"),
    ("2024/03/22 10:15 KST", "date_stamp"),
    ("Share this article", "share"),
    ("www.example-mirror.com", "mirror_address"),
])
def test_a_marker_line_put_back_is_named(line, reason):
    text = f"Officials met in Seoul on Friday to discuss drills.\n\n{line}\n\nThey agreed."
    found = leftover_boilerplate(text)
    assert [f.split(":")[0] for f in found] == [reason]
    assert "(paragraph 2)" in found[0]


def test_prose_using_marker_words_is_not_flagged():
    text = ("The advertisement ran in Seoul.\n\nShare prices fell after the read more notice "
            "was removed.\n\nPhoto exhibitions opened in Tokyo.")
    assert leftover_boilerplate(text) == []


# --- the gold fixture is real ------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(GOLD_FIXTURE.glob("*.json")), ids=lambda p: p.stem)
def test_gold_fixture_offsets_match_the_cleaned_text(path, schema):
    ann = read_annotation(path)
    raw = next(read_raw(p) for p in sorted(RAW_DIR.glob("*.txt"))
               if read_raw(p).doc_id == ann["doc_id"])
    meta = yaml.safe_load((METADATA_DIR / f"{ann['doc_id']}.yaml").read_text(encoding="utf-8"))
    doc = clean(raw, decode(raw), known_title=(meta.get("title") or {}).get("value"))
    assert ann["text_sha256"] == text_sha256(doc.text)
    v = verify(ann, doc.text, schema)
    assert len(v.mention_by_id) >= 10 and ann["events"] and ann["attributions"]
    for m in ann["mentions"]:
        assert doc.text[m["start"]:m["end"]] == m["text"]


# --- the committed project ---------------------------------------------------------------------

def test_suite_value_sets_come_from_the_schema(schema):
    specs = {s.name: s for s in suite_specs(schema)}
    kw = {(e.type, e.kwargs.get("column")): e.kwargs for e in specs["mentions"].expectations}
    assert kw[("expect_column_values_to_be_in_set", "label")]["value_set"] == \
        schema.entity_labels
    roles = next(e.kwargs for e in specs["arguments"].expectations
                 if e.type == "expect_column_pair_values_to_be_in_set"
                 and e.kwargs["column_B"] == "role")["value_pairs_set"]
    assert sorted(map(tuple, roles)) == sorted(
        (t, r) for t in schema.event_types for r in schema.roles_for(t))
    assert set(specs) == {*schema.configs, "consistency", "release"}


def test_committed_suites_are_what_define_writes(tmp_path, schema):
    """validation/ is generated, never hand-edited: defining again changes no byte."""
    from trisec.validation.gate import define_suites

    counts = dict(define_suites(tmp_path / "validation", schema))
    assert counts == {s.name: len(s.expectations) for s in suite_specs(schema)}
    for name in COMMITTED:
        a, b = VALIDATION_DIR / name, tmp_path / "validation" / name
        files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file()) \
            if a.is_dir() else [Path()]
        for rel in files:
            assert (a / rel).read_bytes() == (b / rel).read_bytes(), f"{name}/{rel} is stale"


def test_loaded_suites_have_every_expectation(project, schema):
    import great_expectations as gx

    from trisec.validation import expectations  # noqa: F401

    ctx = gx.get_context(mode="file", context_root_dir=str(project))
    for spec in suite_specs(schema):
        suite = ctx.suites.get(spec.name)
        assert len(suite.expectations) == len(spec.expectations), spec.name
        committed = json.loads((project / "expectations" / f"{spec.name}.json").read_text())
        assert committed["meta"]["trisec"]["expectation_count"] == len(spec.expectations)


def test_an_expectation_gx_drops_on_load_stops_the_run(tmp_path, gold_release, schema):
    """GX silently drops an expectation whose class is not registered; the run must not pass."""
    from trisec.validation.gate import run_validation

    proj = copy_project(tmp_path / "validation")
    path = proj / "expectations" / "sentences.json"
    path.write_text(path.read_text().replace('"expect_sentences_to_tile_text"',
                                             '"expect_sentences_to_tile_text_unregistered"'))
    with pytest.raises(TrisecError) as err:
        run_validation(gold_release, proj, schema)
    msg = str(err.value)
    assert "sentences.json" in msg and "the schema defines 15" in msg
    assert "expect_sentences_to_tile_text" in msg


def test_suites_defined_from_another_schema_are_refused(tmp_path, project, gold_release):
    schema_dir = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema_dir)
    labels = yaml.safe_load((schema_dir / "labels.yaml").read_text())
    labels["entity_labels"].append({"name": "MONEY"})
    (schema_dir / "labels.yaml").write_text(yaml.safe_dump(labels))
    from trisec.validation.gate import run_validation

    with pytest.raises(TrisecError) as err:
        run_validation(gold_release, project, load_schema(schema_dir))
    assert "trisec validate --define" in str(err.value)


# --- runs on releases ---------------------------------------------------------------------------

def test_the_current_corpus_release_passes(release, project):
    from trisec.validation.gate import run_validation

    report = run_validation(release, project)
    assert report.success, [str(p) for p in report.problems()]
    rows = {s.name: s.rows for s in report.suites}
    published = pq.read_metadata  # rows the suites saw are the rows the release holds
    for config in ("documents", "sentences"):
        assert rows[config] == sum(published(f).num_rows
                                   for f in (release / "data" / config).glob("*.parquet"))
    assert rows["sentences"] > rows["documents"] > 0


def test_the_gold_fixture_release_passes_and_data_docs_build_offline(gold_release, project,
                                                                     schema):
    from trisec.validation.gate import run_validation

    report = run_validation(gold_release, project, docs=True)
    assert report.success, [str(p) for p in report.problems()]
    rows = {s.name: s.rows for s in report.suites}
    assert rows["mentions"] == 29 and rows["arguments"] == 15 and rows["attributions"] == 2
    site = project / "uncommitted" / "data_docs" / "local_site"
    assert report.docs_index == site / "index.html"
    html = report.docs_index.read_text(encoding="utf-8")
    assert all(name in html for name in ("documents", "mentions", "consistency"))
    page = (site / "expectations" / "mentions.html").read_text(encoding="utf-8")
    assert "the entity layer is flat" in page  # the notes say why each expectation exists


def test_a_release_without_gold_passes_vacuously(bare_release, project):
    from trisec.validation.gate import run_validation

    assert not list((bare_release / "data").glob("mentions/*.parquet"))
    report = run_validation(bare_release, project)
    assert report.success, [str(p) for p in report.problems()]
    assert {s.name: s.rows for s in report.suites}["mentions"] == 0


def test_without_gold_the_nested_vs_flat_counts_are_still_compared(tmp_path, bare_release,
                                                                   project, schema):
    """A nested mention with no flat row (the flat file absent altogether) is caught."""
    from trisec.validation.gate import run_validation

    broken = tmp_path / "release"
    shutil.copytree(bare_release, broken)
    (path, rows), *_ = read_rows(broken, "documents")
    rows[0]["mentions"] = [{"id": "M1", "start": 0, "end": 1, "text": rows[0]["text"][0],
                            "label": schema.entity_labels[0], "mention_type": None,
                            "gpe_role": None, "entity": "E1", "timex_value": None}]
    write_rows(path, rows)
    from trisec.validation.mutations import refresh_manifest

    refresh_manifest(broken, schema)
    report = run_validation(broken, project, suites=["consistency"])
    hit = [p for p in report.problems() if p.location ==
           "consistency/expect_column_pair_values_to_be_equal(mentions.nested,mentions.flat)"]
    assert hit and rows[0]["doc_id"] in hit[0].message


def test_validate_release_raises_one_problem_per_failing_expectation(tmp_path, gold_release,
                                                                     project, schema):
    from trisec.validation.gate import validate_release
    from trisec.validation.mutations import MUTATIONS

    m = next(m for m in MUTATIONS if m.name == "unknown_label")
    target = mutate(gold_release, tmp_path / "broken", m, schema)
    with pytest.raises(TrisecError) as err:
        validate_release(tmp_path / "broken", project)
    locs = [p.location for p in err.value.problems]
    assert len(locs) == len(set(locs))  # one per expectation, not per row
    hit = next(p for p in err.value.problems
               if p.location == "mentions/expect_column_values_to_be_in_set(label)")
    assert all(n in hit.message for n in target.names) and "WEAPONRY" in hit.message


def test_build_publishes_nothing_when_the_gate_fails(tmp_path, tmp_corpus, project, schema):
    """The gate as the build runs it: a staged release the suites reject is never swapped in."""
    from trisec.release.build import build, default_validator
    from trisec.validation.gate import validate_release
    from trisec.validation.mutations import MUTATIONS, refresh_manifest

    assert default_validator() is validate_release
    shutil.copytree(GOLD_FIXTURE, tmp_corpus.gold_dir, dirs_exist_ok=True)
    target = tmp_path / "dataset"
    boilerplate = next(m for m in MUTATIONS if m.name == "boilerplate_back")

    def buggy_stage_then_gate(staged: Path) -> None:
        boilerplate.apply(staged, schema)  # what a cleaning regression would publish
        refresh_manifest(staged, schema)  # ...with a manifest that matches its files
        validate_release(staged, project)

    with pytest.raises(TrisecError) as err:
        build(target, corpus=tmp_corpus, validator=buggy_stage_then_gate)
    assert "no_boilerplate" in str(err.value)
    assert not target.exists()


def test_cli_prints_the_table_and_exits_1_on_failure(tmp_path, gold_release, project, schema):
    from trisec.cli import main
    from trisec.validation.mutations import MUTATIONS

    runner = CliRunner()
    ok = runner.invoke(main, ["validate", "--release", str(gold_release),
                              "--project", str(project)])
    assert ok.exit_code == 0, ok.output
    for name in ("documents", "mentions", "consistency", "release", "passed"):
        assert name in ok.output
    m = next(m for m in MUTATIONS if m.name == "argument_to_missing_mention")
    target = mutate(gold_release, tmp_path / "broken", m, schema)
    bad = runner.invoke(main, ["validate", "--release", str(tmp_path / "broken"),
                               "--project", str(project), "--suite", "arguments"])
    assert bad.exit_code == 1
    assert "FAILED" in bad.output and all(n in bad.output for n in target.names)


def test_great_expectations_is_imported_only_on_the_validate_path():
    """GX costs seconds to import: the CLI, ingest, build and even trisec.validation.gate's module
    must not import it until validation actually runs."""
    import subprocess
    import sys

    code = ("import sys, trisec.cli, trisec.release.build, trisec.pipeline.local, "
            "trisec.documents.ingest, "
            "trisec.validation.gate, trisec.validation.frames, trisec.validation.suites; "
            "print(any(m.startswith('great_expectations') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
