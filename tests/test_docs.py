"""Documentation: the card parses with huggingface_hub and carries what the Hub expects; its
generated sections agree with the data; DATASHEET.md answers every Datasheets-for-Datasets
question and its generated blocks are fresh; CHANGELOG agrees with release_notes; the
licensing statements agree with each other."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from trisec.errors import TrisecError
from trisec.paths import DATASET_DIR, ROOT
from trisec.pipeline.corpus import Corpus
from trisec.release.build import default_corpus
from trisec.release.datasheet import (
    BLOCKS,
    agreement_result,
    block_names,
    refresh,
    render_agreement,
    render_blocks,
    stale_blocks,
)
from trisec.schema import Schema

GOLD_FIXTURES = Path(__file__).parent / "fixtures" / "gold"
DATASHEET = ROOT / "DATASHEET.md"




def _gold_fixture_layers() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"mentions": [], "events": [], "attributions": []}
    for f in sorted(GOLD_FIXTURES.glob("*.json")):
        ann = json.loads(f.read_text(encoding="utf-8"))
        for k in out:
            out[k] += ann[k]
    return out


def _section(card: str, heading: str) -> str:
    start = card.index(f"\n## {heading}")
    nxt = card.find("\n## ", start + 1)
    return card[start:nxt if nxt > 0 else len(card)]


# -- the card ---------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["gold_release", "bare_release"])
def test_card_parses_with_huggingface_hub(which: str, request: pytest.FixtureRequest) -> None:
    from huggingface_hub import DatasetCard

    from trisec.release.archive import DOC_FILES

    release = request.getfixturevalue(which)
    card = DatasetCard.load(release / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "other"
    assert data["license_name"] and data["license_link"]
    # the licence the card links to is shipped beside it (Hub upload and archive)
    assert data["license_link"] in DOC_FILES and (ROOT / data["license_link"]).is_file()
    assert data["language"] == ["en"]
    assert "token-classification" in data["task_categories"]
    assert "named-entity-recognition" in data["task_ids"]
    configs = {c["config_name"]: c for c in data["configs"]}
    on_disk = {p.parent.name for p in release.glob("data/*/*.parquet")}
    assert set(configs) == on_disk
    for name, c in configs.items():
        for f in c["data_files"]:
            assert (release / f["path"]).is_file(), (name, f)
    assert [c["config_name"] for c in data["configs"] if c.get("default")] == ["documents"]


def test_card_label_tables_have_every_label_with_its_definition(gold_release: Path,
                                                                schema: Schema) -> None:
    labels = _section((gold_release / "README.md").read_text(encoding="utf-8"),
                      "Labels and event types")
    rows = [line for line in labels.splitlines() if line.startswith("|")]
    for key in ("entity_labels", "event_types"):
        for item in schema.labels[key]:
            definition = " ".join(item["definition"].split())
            assert any(f"`{item['name']}`" in r and definition in r for r in rows), item["name"]
    for tag in schema.entity_bio:
        assert f"`{tag}`" in labels


def test_card_statistics_match_the_data(gold_release: Path, fixed_corpus: Corpus) -> None:
    card = (gold_release / "README.md").read_text(encoding="utf-8")
    stats = _section(card, "Statistics")
    gold = _gold_fixture_layers()
    n_args = sum(len(e["arguments"]) for e in gold["events"])

    def total(row: str) -> int:
        line = next(x for x in stats.splitlines() if x.startswith(f"| {row} |"))
        return int(line.rstrip(" |").rsplit("|", 1)[1])

    assert total("documents") == len(fixed_corpus.raw_paths())
    assert total("gold mentions") == len(gold["mentions"])
    assert total("gold events") == len(gold["events"])
    assert total("gold arguments") == n_args
    assert total("gold attributions") == len(gold["attributions"])
    sentences = sum(pq.ParquetFile(f).metadata.num_rows
                    for f in gold_release.glob("data/sentences/*.parquet"))
    assert total("sentences") == sentences
    # the label distribution counts what the fixture annotates
    n_gpe = sum(m["label"] == "GPE" for m in gold["mentions"])
    assert re.search(rf"\bGPE {n_gpe}\b", stats)


def test_card_cleaning_table_counts_crawl_date_lines(gold_release: Path,
                                                    fixed_corpus: Corpus) -> None:
    # independent of the cleaner: the crawler writes " date YYYY..." as the first line
    with_date = sum(1 for p in fixed_corpus.raw_paths()
                    if re.match(r"^\s*date \d{4}", p.read_text(encoding="utf-8")))
    stats = _section((gold_release / "README.md").read_text(encoding="utf-8"), "Statistics")
    row = next(x for x in stats.splitlines() if x.startswith("| `crawl_date_line` |"))
    assert row.split("|")[2].strip() == str(with_date)
    assert row.split("|")[4].strip() == str(with_date)  # one per document


def test_card_says_when_there_is_no_gold(bare_release: Path, gold_release: Path) -> None:
    bare = (bare_release / "README.md").read_text(encoding="utf-8")
    gold = (gold_release / "README.md").read_text(encoding="utf-8")
    assert "no gold annotations yet" in _section(bare, "Annotation process and agreement")
    assert "no gold annotations yet" not in _section(gold, "Annotation process and agreement")
    assert "not yet reviewed by a human" in _section(gold, "Limitations, biases and personal "
                                                           "data")


def test_card_changelog_and_citation_carry_the_version(gold_release: Path,
                                                       schema: Schema) -> None:
    card = (gold_release / "README.md").read_text(encoding="utf-8")
    assert f"version **{schema.version}**" in _section(card, "Changelog")
    assert f"v{schema.version}" in _section(card, "Changelog")
    assert f"version = {{{schema.version}}}" in _section(card, "Citation")
    for version in schema.dataset["release_notes"]:
        assert f"**{version}**" in _section(card, "Changelog")


# -- agreement --------------------------------------------------------------------------------
def test_agreement_not_computed_without_passes(tmp_path: Path) -> None:
    a = agreement_result(tmp_path / "passes")
    assert a.result is None
    assert "not computed yet" in render_agreement(a)


def test_agreement_incomplete_passes_never_raise(tmp_path: Path) -> None:
    fixture = sorted(GOLD_FIXTURES.glob("*.json"))
    for sub, files in (("a", fixture), ("b", fixture[:1])):
        (tmp_path / sub).mkdir()
        for f in files:
            shutil.copy(f, tmp_path / sub / f.name)
    a = agreement_result(tmp_path)
    assert a.result is None and fixture[1].stem in a.reason


def test_agreement_of_identical_passes(tmp_path: Path) -> None:
    pytest.importorskip("trisec.evaluate.agreement")
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        for f in GOLD_FIXTURES.glob("*.json"):
            ann = json.loads(f.read_text(encoding="utf-8"))
            if sub == "b":  # renumbered ids are not a disagreement
                ann["mentions"] = [{**m, "id": "X" + m["id"]} for m in ann["mentions"]]
                for e in ann["events"]:
                    e["arguments"] = [{**x, "mention": "X" + x["mention"]}
                                      for x in e["arguments"]]
                for q in ann["attributions"]:
                    q["source"] = q["source"] and "X" + q["source"]
            (tmp_path / sub / f.name).write_text(json.dumps(ann), encoding="utf-8")
    a = agreement_result(tmp_path)
    assert a.result is not None
    assert a.result["mentions"]["strict"]["f1"] == 1.0
    assert sorted(a.identical or []) == sorted(p.stem for p in GOLD_FIXTURES.glob("*.json"))
    text = render_agreement(a)
    assert "1.000" in text and "identical in every layer (ids aside) in 2 of 2" in text


# -- DATASHEET.md -----------------------------------------------------------------------------
GEBRU = {
    "## 1. Motivation": ["For what purpose", "Who created", "Who funded",
                         "Any other comments"],
    "## 2. Composition": [
        "What do the instances", "How many instances", "sample of a larger set",
        "What data does each instance", "label or target", "information missing",
        "relationships between instances", "recommended data splits",
        "errors, sources of noise, or redundancies", "self-contained", "confidential",
        "offensive, insulting, threatening", "relate to people", "sensitive data"],
    "## 3. Collection process": [
        "How was the data associated with each instance acquired", "What mechanisms",
        "sampling strategy", "Who was involved", "Over what timeframe", "ethical review",
        "directly, or via third", "notified", "consent", "analysis of the potential impact"],
    "## 4. Preprocessing, cleaning and labelling": [
        "Was any preprocessing", "Who annotated", "raw data saved", "software used"],
    "## 5. Uses": [
        "used for any tasks already", "repository that links", "(other) tasks",
        "might impact future uses", "should not be used"],
    "## 6. Distribution": [
        "distributed to third parties", "How will it be distributed", "DOI",
        "When will it be distributed", "licence or terms of use", "third parties imposed",
        "export controls"],
    "## 7. Maintenance": [
        "Who will support", "contacted", "erratum", "Will the dataset be updated",
        "limits on retention", "older versions", "contribute"],
}


def test_datasheet_answers_every_question() -> None:
    text = DATASHEET.read_text(encoding="utf-8")
    heads = [h for h in GEBRU]
    assert [h for h in re.findall(r"^## \d\. .*$", text, re.M)] == heads
    for head, questions in GEBRU.items():
        body = text[text.index(head):]
        nxt = re.search(r"^## ", body[3:], re.M)
        body = body[:nxt.start() + 3] if nxt else body
        for q in questions:
            assert q in body, f"{head}: question about {q!r} missing"
        # every bold question is followed by an answer, not by the next question
        for m in re.finditer(r"^\*\*[^*]+\?\*\*\n(.*)$", body, re.M):
            assert m.group(1).strip() and not m.group(1).startswith("**"), m.group(0)
    assert not re.search(r"\bN/A\b", text)
    for fact in ("AI annotator sessions", "not human experts", "No human has",
                 "Press TV", "Anadolu", "MENAFN", "UNN", "vnexplorer.net",
                 "issue tracker", "standoff", "CC BY 4.0", "Apache-2.0",
                 "Blind pass C", "ADJUDICATION.md"):
        assert fact.casefold() in text.casefold(), fact


def test_datasheet_blocks_are_known_and_closed() -> None:
    text = DATASHEET.read_text(encoding="utf-8")
    names = block_names(text)
    assert len(names) == len(set(names))
    assert set(names) == set(BLOCKS)  # every renderer has its block, and only those


def test_datasheet_is_fresh() -> None:
    """DATASHEET.md's generated blocks equal a rendering from the committed release.
    Fix: `trisec docs` after `trisec build`, and commit DATASHEET.md."""
    if not (DATASET_DIR / "data" / "documents").is_dir():
        pytest.skip("no committed release in dataset/ yet (run `make build`)")
    from trisec.schema import load_schema

    text = DATASHEET.read_text(encoding="utf-8")
    blocks = render_blocks(DATASET_DIR, load_schema(), default_corpus().passes_dir)
    stale = stale_blocks(text, blocks)
    assert not stale, f"DATASHEET.md is stale in {stale}: run `trisec docs`"


def test_refresh_rewrites_stale_blocks_only(gold_release: Path, schema: Schema) -> None:
    blocks = render_blocks(gold_release, schema, None)
    text = ("intro\n<!-- BEGIN GENERATED: counts -->\nold numbers\n"
            "<!-- END GENERATED: counts -->\nhand-written\n"
            "<!-- BEGIN GENERATED: citation -->\n" + blocks["citation"]
            + "<!-- END GENERATED: citation -->\n")
    assert stale_blocks(text, blocks) == ["counts"]
    new = refresh(text, blocks)
    assert stale_blocks(new, blocks) == []
    assert "old numbers" not in new and "hand-written" in new and new.startswith("intro\n")
    assert refresh(new, blocks) == new
    with pytest.raises(TrisecError, match="unknown generated block"):
        refresh("<!-- BEGIN GENERATED: nope -->\n<!-- END GENERATED: nope -->\n", blocks)
    with pytest.raises(TrisecError, match="no end marker"):
        refresh("<!-- BEGIN GENERATED: counts -->\nx\n", blocks)


def test_docs_command_check_and_write(gold_release: Path, tmp_path: Path) -> None:
    from trisec.cli import main

    sheet = tmp_path / "DATASHEET.md"
    shutil.copy(DATASHEET, sheet)
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("<!-- END GENERATED: counts -->",
                                  "stale line\n<!-- END GENERATED: counts -->"),
                     encoding="utf-8")
    args = ["--release", str(gold_release), "--file", str(sheet)]
    runner = CliRunner()
    res = runner.invoke(main, ["docs", "--check", *args])
    assert res.exit_code == 1 and "counts" in res.output
    assert runner.invoke(main, ["docs", *args]).exit_code == 0
    assert "stale line" not in sheet.read_text(encoding="utf-8")
    res = runner.invoke(main, ["docs", "--check", *args])
    assert res.exit_code == 0, res.output
    # the sources block lists every document of the release
    docs = pq.read_table(gold_release / "data" / "documents", columns=["doc_id"])
    body = sheet.read_text(encoding="utf-8")
    for doc_id in docs.column("doc_id").to_pylist():
        assert f"`{doc_id}`" in body
    missing = runner.invoke(main, ["docs", "--release", str(tmp_path / "none"),
                                   "--file", str(sheet)])
    assert missing.exit_code == 1 and "no such folder" in missing.output


# -- versions and licences --------------------------------------------------------------------
def _changelog_entries() -> list[tuple[str, str, str]]:
    """(version, date, first paragraph) of each released entry, newest first."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    out = []
    for m in re.finditer(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})\n\n(.*?)\n\n",
                         text, re.M | re.S):
        out.append((m.group(1), m.group(2), " ".join(m.group(3).split())))
    return out


def test_changelog_agrees_with_release_notes(schema: Schema) -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = _changelog_entries()
    notes = schema.dataset["release_notes"]
    assert [v for v, _, _ in entries] == sorted(
        notes, key=lambda v: [int(x) for x in v.split(".")], reverse=True)
    assert entries[0][0] == schema.version
    for version, _date, para in entries:
        assert para == " ".join(str(notes[version]).split()), version
    # Keep a Changelog: an Unreleased section first, only the standard change types
    assert re.search(r"^## \[Unreleased\]", text, re.M).start() < text.index(
        f"## [{entries[0][0]}]")
    for kind in re.findall(r"^### (.*)$", text, re.M):
        assert kind in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    dates = [d for _, d, _ in entries]
    assert dates == sorted(dates, reverse=True)


def test_licensing_statements_agree(schema: Schema) -> None:
    import tomllib

    lic = (ROOT / "LICENSE.md").read_text(encoding="utf-8")
    sheet = DATASHEET.read_text(encoding="utf-8")
    assert schema.dataset["license"] == "other"
    assert schema.dataset["license_name"] in lic and schema.dataset["license_name"] in sheet
    code = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert code["project"]["license"] in lic  # Apache-2.0, stated where the code says it
    assert "CC BY 4.0" in lic and "non-commercial research" in lic
    # both distributions are explained with the commands that make them
    for cmd in ("trisec standoff", "trisec rehydrate"):
        assert cmd in lic

