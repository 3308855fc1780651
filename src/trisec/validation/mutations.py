"""The catalogue of broken releases: each mutation edits a good release folder in place the
way a buggy build or a bad annotation would, and says which suite and expectation must catch
it and which ids the message must name.

Mutations rewrite the manifest after editing (a buggy build writes a consistent manifest), so
each is caught by the check it targets, not by the checksum. The file-level ones (suite
`files`: a byte flipped, a file truncated, emptied, deleted, replaced, added; the card's YAML
broken; the manifest deleted, edited or cut) damage files behind the manifest's back, the way a
disk or a download would, and are caught by trisec.release.opener before any file is parsed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from trisec.errors import Problem
from trisec.release.writer import (
    MANIFEST,
    PARQUET_OPTIONS,
    data_path,
    read_manifest,
    write_manifest,
)
from trisec.schema import Schema

Rows = list[dict[str, Any]]
OPENER = "files"  # Target.suite of damage the release opener catches before any suite runs


@dataclass(frozen=True)
class Target:
    suite: str
    expectation: str  # prefix of the failing expectation's label, e.g. "expect_span_to_match_text"
    names: tuple[str, ...]  # ids the failure message must contain (doc id, span id, file)


@dataclass(frozen=True)
class Mutation:
    name: str
    description: str
    apply: Callable[[Path, Schema], Target] = field(repr=False)


# --- editing a release ----------------------------------------------------------------------

def _files(release: Path, config: str) -> list[Path]:
    return sorted((release / "data" / config).glob("*.parquet"))


def read_rows(release: Path, config: str) -> list[tuple[Path, Rows]]:
    return [(p, pq.read_table(p).to_pylist()) for p in _files(release, config)]


def write_rows(path: Path, rows: Rows, schema: pa.Schema | None = None) -> None:
    schema = schema or pq.read_schema(path)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, **PARQUET_OPTIONS)


def refresh_manifest(release: Path, schema: Schema) -> None:
    old = read_manifest(release)
    extra = {k: v for k, v in old.items()
             if k not in ("name", "version", "schema_sha256", "files")}
    write_manifest(release, schema, extra)


def edit(release: Path, config: str, pick: Callable[[dict[str, Any]], bool],
         change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Apply `change` to the first row (in file order) that `pick` accepts; return it."""
    for path, rows in read_rows(release, config):
        for row in rows:
            if pick(row):
                change(row)
                write_rows(path, rows)
                return row
    raise LookupError(f"no {config} row to mutate")


def doc_text(release: Path, doc_id: str) -> str:
    for _, rows in read_rows(release, "documents"):
        for r in rows:
            if r["doc_id"] == doc_id:
                return str(r["text"])
    raise LookupError(doc_id)


def _referenced(release: Path) -> set[tuple[str, str]]:
    refs = {(r["doc_id"], r["mention_id"]) for _, rows in read_rows(release, "arguments")
            for r in rows}
    refs |= {(r["doc_id"], r["source_mention_id"]) for _, rows in
             read_rows(release, "attributions") for r in rows}
    return refs


def _any(_: dict[str, Any]) -> bool:
    return True


# --- the mutations ----------------------------------------------------------------------------

def shifted_offset(rel: Path, s: Schema) -> Target:
    """A mention's start and end moved one character right, its text kept."""
    def change(r: dict[str, Any]) -> None:
        r["start"] += 1
        r["end"] += 1
    r = edit(rel, "mentions", _any, change)
    return Target("mentions", "expect_span_to_match_text", (r["doc_id"], r["mention_id"]))


def unknown_label(rel: Path, s: Schema) -> Target:
    """A mention labelled WEAPONRY, a label labels.yaml does not have."""
    r = edit(rel, "mentions", _any, lambda r: r.update(label="WEAPONRY"))
    return Target("mentions", "expect_column_values_to_be_in_set(label)",
                  (r["doc_id"], r["mention_id"]))


def duplicate_doc_id(rel: Path, s: Schema) -> Target:
    """Two documents with the same doc_id."""
    (path, rows), *_ = read_rows(rel, "documents")
    rows[1]["doc_id"] = rows[0]["doc_id"]
    write_rows(path, rows)
    return Target("documents", "expect_column_values_to_be_unique(doc_id)", (rows[0]["doc_id"],))


def empty_text(rel: Path, s: Schema) -> Target:
    """A document whose text is empty."""
    r = edit(rel, "documents", _any, lambda r: r.update(text=""))
    return Target("documents", "expect_column_values_to_match_regex(text)", (r["doc_id"],))


def tags_tokens_length(rel: Path, s: Schema) -> Target:
    """A sentence with one ner_tag fewer than tokens."""
    r = edit(rel, "sentences", _any, lambda r: r["ner_tags"].pop())
    return Target("sentences", "expect_list_columns_to_have_equal_lengths",
                  (r["doc_id"], f"{r['doc_id']}/{r['sentence_index']}"))


def bio_i_after_o(rel: Path, s: Schema) -> Target:
    """A B- tag turned into I- of the same type: I- after O."""
    begins = {i for i, t in enumerate(s.entity_bio) if t.startswith("B-")}

    def change(r: dict[str, Any]) -> None:
        k = next(i for i, t in enumerate(r["ner_tags"]) if t in begins)
        r["ner_tags"][k] += 1  # B-X -> I-X (entity_bio lists B-X, I-X in pairs)
    r = edit(rel, "sentences", lambda r: any(t in begins for t in r["ner_tags"]), change)
    return Target("sentences", "expect_column_values_to_be_well_formed_bio",
                  (f"{r['doc_id']}/{r['sentence_index']}",))


def boilerplate_back(rel: Path, s: Schema) -> Target:
    """An 'Advertisement' line put back at the end of a text."""
    r = edit(rel, "documents", _any, lambda r: r.update(text=r["text"] + "\n\nAdvertisement"))
    return Target("documents", "expect_column_values_to_have_no_boilerplate",
                  (r["doc_id"], "advertisement"))


def related_news_back(rel: Path, s: Schema) -> Target:
    """A 'Read more »' line put back at the end of a text."""
    r = edit(rel, "documents", lambda r: r["split"] == "test",
             lambda r: r.update(text=r["text"] + "\n\nRead more »"))
    return Target("documents", "expect_column_values_to_have_no_boilerplate",
                  (r["doc_id"], "related_news"))


def date_without_evidence(rel: Path, s: Schema) -> Target:
    """A publication date whose evidence was dropped."""
    r = edit(rel, "documents", lambda r: r["published"]["value"] is not None,
             lambda r: r["published"].update(evidence=None))
    return Target("documents", "expect_fact_to_have_evidence(published.value", (r["doc_id"],))


def impossible_date(rel: Path, s: Schema) -> Target:
    """A publication date of 2024-02-30."""
    r = edit(rel, "documents", _any,
             lambda r: r["published"].update(value="2024-02-30", precision="day"))
    return Target("documents", "expect_date_fact_to_be_valid", (r["doc_id"], "2024-02-30"))


def unknown_provenance(rel: Path, s: Schema) -> Target:
    """A publication date with provenance 'guess'."""
    r = edit(rel, "documents", _any, lambda r: r["published"].update(provenance="guess"))
    return Target("documents", "expect_column_values_to_be_in_set(published.provenance)",
                  (r["doc_id"],))


def split_not_by_rule(rel: Path, s: Schema) -> Target:
    """A train document relabelled test (against the split rule)."""
    r = edit(rel, "documents", lambda r: r["split"] == "train", lambda r: r.update(split="test"))
    return Target("documents", "expect_column_pair_values_to_be_equal(split,split.by_rule)",
                  (r["doc_id"],))


def argument_to_missing_mention(rel: Path, s: Schema) -> Target:
    """An argument pointing to mention M999, which does not exist."""
    r = edit(rel, "arguments", _any, lambda r: r.update(mention_id="M999"))
    return Target("arguments", "expect_column_values_to_not_be_null(mention.start)",
                  (r["doc_id"], "M999"))


def role_not_allowed(rel: Path, s: Schema) -> Target:
    """An argument with a role its event type does not allow."""
    def change(r: dict[str, Any]) -> None:
        allowed = s.roles_for(r["event_type"])
        r["role"] = next(x for x in s.all_roles if x not in allowed)
    r = edit(rel, "arguments", lambda r: any(x not in s.roles_for(r["event_type"])
                                             for x in s.all_roles), change)
    return Target("arguments", "expect_column_pair_values_to_be_in_set(event_type,role)",
                  (r["doc_id"], r["event_id"], r["role"]))


def bad_qid(rel: Path, s: Schema) -> Target:
    """A QID with a leading zero (Q0884)."""
    r = edit(rel, "mentions", lambda r: r["qid"] is not None,
             lambda r: r.update(qid="Q0" + r["qid"][1:]))
    return Target("mentions", "expect_column_values_to_match_regex(qid)",
                  (r["doc_id"], r["mention_id"]))


def qid_trailing_newline(rel: Path, s: Schema) -> Target:
    """A QID with a trailing newline ("Q884\\n"), which Python's `$` lets through."""
    r = edit(rel, "mentions", lambda r: r["qid"] is not None,
             lambda r: r.update(qid=r["qid"] + "\n"))
    return Target("mentions", "expect_column_values_to_match_regex(qid)",
                  (r["doc_id"], r["mention_id"]))


def overlapping_mentions(rel: Path, s: Schema) -> Target:
    """A mention starting inside the previous one (text kept consistent)."""
    (path, rows), *_ = read_rows(rel, "mentions")
    first, second = sorted((r for r in rows if r["doc_id"] == rows[0]["doc_id"]),
                           key=lambda r: r["start"])[:2]
    text = doc_text(rel, second["doc_id"])
    second["start"] = first["end"] - 1
    second["text"] = text[second["start"]:second["end"]]
    write_rows(path, rows)
    return Target("mentions", "expect_column_pair_values_a_to_be_greater_than_b(start,mention",
                  (second["doc_id"], second["mention_id"]))


def gpe_role_on_non_gpe(rel: Path, s: Schema) -> Target:
    """A gpe_role on a mention that is not GPE."""
    r = edit(rel, "mentions", lambda r: r["gpe_role"] is None, lambda r: r.update(gpe_role="GOV"))
    return Target("mentions", "expect_column_values_to_be_null(gpe_role)",
                  (r["doc_id"], r["mention_id"]))


def trigger_mismatch(rel: Path, s: Schema) -> Target:
    """An event trigger whose text is not the text at its offsets."""
    r = edit(rel, "events", _any, lambda r: r.update(trigger_text=r["trigger_text"] + "s"))
    return Target("events", "expect_span_to_match_text", (r["doc_id"], r["event_id"]))


def num_arguments_mismatch(rel: Path, s: Schema) -> Target:
    """An event whose num_arguments disagrees with its argument rows."""
    r = edit(rel, "events", _any, lambda r: r.update(num_arguments=r["num_arguments"] + 1))
    return Target("events", "expect_column_pair_values_to_be_equal(num_arguments",
                  (r["doc_id"], r["event_id"]))


def event_argument_swapped(rel: Path, s: Schema) -> Target:
    """An event whose arguments column names another mention than its argument rows."""
    def change(r: dict[str, Any]) -> None:
        r["arguments"][0]["mention_id"] = "M999"
    r = edit(rel, "events", lambda r: bool(r["arguments"]), change)
    return Target("events", "expect_column_pair_values_to_be_equal(arguments.listed",
                  (r["doc_id"], r["event_id"]))


def cue_shifted(rel: Path, s: Schema) -> Target:
    """An attribution cue moved two characters left, its text kept."""
    def change(r: dict[str, Any]) -> None:
        r["cue_start"] -= 2
        r["cue_end"] -= 2
    r = edit(rel, "attributions", lambda r: r["cue_start"] is not None, change)
    return Target("attributions", "expect_span_to_match_text(doc.text,cue_start",
                  (r["doc_id"], r["attribution_id"]))


def source_to_missing_mention(rel: Path, s: Schema) -> Target:
    """An attribution whose source mention M404 does not exist."""
    r = edit(rel, "attributions", _any, lambda r: r.update(source_mention_id="M404"))
    return Target("attributions", "expect_column_values_to_be_in_set(source.found)",
                  (r["doc_id"], r["attribution_id"]))


def sentences_do_not_tile(rel: Path, s: Schema) -> Target:
    """A sentence that loses its first character to no sentence.

    The sentence's own text and tokens stay consistent, so only tiling can catch it."""
    def change(r: dict[str, Any]) -> None:
        r["start"] += 1
        r["text"] = r["text"][1:]
    r = edit(rel, "sentences", lambda r: r["sentence_index"] > 0 and len(r["tokens"][0]) > 1,
             change)
    return Target("sentences", "expect_sentences_to_tile_text",
                  (f"{r['doc_id']}/{r['sentence_index']}",))


def token_outside_sentence(rel: Path, s: Schema) -> Target:
    """A token ending past its sentence."""
    def change(r: dict[str, Any]) -> None:
        r["token_ends"][-1] = r["end"] + 3
    r = edit(rel, "sentences", _any, change)
    return Target("sentences", "expect_tokens_to_match_text",
                  (f"{r['doc_id']}/{r['sentence_index']}",))


def orphan_sentence(rel: Path, s: Schema) -> Target:
    """A sentence of a doc_id the documents config does not have."""
    r = edit(rel, "sentences", _any, lambda r: r.update(doc_id="tsn-0000000000000000"))
    return Target("sentences", "expect_column_values_to_not_be_null(doc.text)",
                  (f"tsn-0000000000000000/{r['sentence_index']}",))


def flat_row_missing(rel: Path, s: Schema) -> Target:
    """A mention dropped from the flat table only.

    One nobody points to, so only the nested-vs-flat comparison can catch it."""
    refs = _referenced(rel)
    for path, rows in read_rows(rel, "mentions"):
        gone = next((r for r in rows if (r["doc_id"], r["mention_id"]) not in refs), None)
        if gone:
            rows.remove(gone)
            write_rows(path, rows)
            return Target("consistency",
                          "expect_column_pair_values_to_be_equal(mentions.nested,mentions.flat)",
                          (gone["doc_id"],))
    raise LookupError("no unreferenced mention")


def nested_span_changed(rel: Path, s: Schema) -> Target:
    """A nested mention that differs from its flat row (same count)."""
    def change(r: dict[str, Any]) -> None:
        r["mentions"][0]["end"] -= 1
        r["mentions"][0]["text"] = r["mentions"][0]["text"][:-1]
    r = edit(rel, "documents", lambda r: bool(r["mentions"]), change)
    return Target("consistency", "expect_column_pair_values_to_be_equal(mentions.nested_digest",
                  (r["doc_id"],))


def parquet_version_mismatch(rel: Path, s: Schema) -> Target:
    """A Parquet file whose metadata says version 0.0.9."""
    path = _files(rel, "documents")[0]
    table = pq.read_table(path)
    meta = dict(table.schema.metadata or {})
    info = json.loads(meta[b"trisec"])
    info["version"] = "0.0.9"
    meta[b"trisec"] = json.dumps(info, sort_keys=True).encode()
    pq.write_table(table.replace_schema_metadata(meta), path, **PARQUET_OPTIONS)
    return Target("release", "expect_column_values_to_be_in_set(parquet.version)",
                  (path.relative_to(rel).as_posix(), "0.0.9"))


def parquet_metadata_missing(rel: Path, s: Schema) -> Target:
    """A Parquet file written without the trisec version metadata."""
    path = _files(rel, "sentences")[-1]
    table = pq.read_table(path)
    meta = {k: v for k, v in (table.schema.metadata or {}).items() if k != b"trisec"}
    pq.write_table(table.replace_schema_metadata(meta), path, **PARQUET_OPTIONS)
    return Target("release", "expect_column_values_to_be_in_set(parquet.version)",
                  (path.relative_to(rel).as_posix(),))


def manifest_version_mismatch(rel: Path, s: Schema) -> Target:
    """manifest.json saying version 9.9.9."""
    m = read_manifest(rel)
    m["version"] = "9.9.9"
    (rel / MANIFEST).write_text(json.dumps(m, indent=2) + "\n", encoding="utf-8")
    return Target("release", "expect_column_values_to_be_in_set(manifest.version)", ("9.9.9",))


def card_version_mismatch(rel: Path, s: Schema) -> Target:
    """The card's YAML saying version 0.0.1."""
    card = rel / "README.md"
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace(f"\nversion: {s.version}\n", "\nversion: 0.0.1\n", 1),
                    encoding="utf-8")
    return Target("release", "expect_column_values_to_be_in_set(card.version)",
                  ("README.md", "0.0.1"))


def tampered_file(rel: Path, s: Schema) -> Target:
    """A Parquet file rewritten after the manifest was written."""
    path = _files(rel, "sentences")[0]
    rows = pq.read_table(path).to_pylist()
    rows[0]["text"] = rows[0]["text"]  # same content, rewritten with other writer options
    pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_schema(path)), path,
                   compression="snappy")
    return Target(OPENER, MANIFEST, (path.relative_to(rel).as_posix(),))


# --- file-level damage: caught by trisec.release.opener before any file is parsed -----------

def _data_file(rel: Path) -> Path:
    return _files(rel, "documents")[0]


def _named(rel: Path, path: Path) -> tuple[str, ...]:
    return (path.relative_to(rel).as_posix(),)


def byte_flipped_parquet(rel: Path, s: Schema) -> Target:
    """One byte flipped in the middle of a data file (a bad disk, a bad copy)."""
    path = _data_file(rel)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return Target(OPENER, "content differs from manifest.json", _named(rel, path))


def truncated_parquet(rel: Path, s: Schema) -> Target:
    """A data file cut to half its length (an interrupted download)."""
    path = _data_file(rel)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return Target(OPENER, "truncated:", _named(rel, path))


def empty_parquet(rel: Path, s: Schema) -> Target:
    """A data file of zero bytes."""
    path = _data_file(rel)
    path.write_bytes(b"")
    return Target(OPENER, "empty: 0 bytes", _named(rel, path))


def missing_parquet(rel: Path, s: Schema) -> Target:
    """A data file the manifest lists, deleted."""
    path = _files(rel, "mentions")[0]
    path.unlink()
    return Target(OPENER, "missing (listed in manifest.json)", _named(rel, path))


def not_parquet(rel: Path, s: Schema) -> Target:
    """A data file replaced by an HTML error page of the same length."""
    path = _data_file(rel)
    size = path.stat().st_size
    path.write_bytes((b"<html><body>502 Bad Gateway</body></html>\n" * size)[:size])
    return Target(OPENER, "content differs from manifest.json", _named(rel, path))


def not_parquet_signed(rel: Path, s: Schema) -> Target:
    """A data file that is not Parquet, listed with its own checksum (a build bug)."""
    path = _data_file(rel)
    path.write_bytes(b"PAR1 this is not a Parquet file PAR1")
    _resign(rel, path)
    return Target(OPENER, "not a readable Parquet file", _named(rel, path))


def extra_unknown_file(rel: Path, s: Schema) -> Target:
    """A file the manifest does not list, dropped into data/."""
    path = rel / "data" / "documents" / "notes.txt"
    path.write_text("kept here by mistake\n", encoding="utf-8")
    return Target(OPENER, "not part of the release", _named(rel, path))


def card_yaml_broken(rel: Path, s: Schema) -> Target:
    """The card's YAML front matter broken (an unclosed bracket), manifest re-signed."""
    card = rel / "README.md"
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("\nlicense:", "\nlicense: [unclosed\nlicense:", 1),
                    encoding="utf-8")
    _resign(rel, card)
    return Target(OPENER, "YAML front matter does not parse", ("README.md",))


def manifest_missing(rel: Path, s: Schema) -> Target:
    """manifest.json deleted."""
    (rel / MANIFEST).unlink()
    return Target(OPENER, "missing: the release's files cannot be checked", (MANIFEST,))


def manifest_edited(rel: Path, s: Schema) -> Target:
    """manifest.json with one file's sha256 changed by hand."""
    m = read_manifest(rel)
    entry = next(f for f in m["files"] if f["path"].endswith(".parquet"))
    entry["sha256"] = "0" * 64
    (rel / MANIFEST).write_text(json.dumps(m, indent=2) + "\n", encoding="utf-8")
    return Target(OPENER, "content differs from manifest.json", (entry["path"],))


def manifest_not_json(rel: Path, s: Schema) -> Target:
    """manifest.json cut off in the middle (not JSON any more)."""
    text = (rel / MANIFEST).read_text(encoding="utf-8")
    (rel / MANIFEST).write_text(text[: len(text) // 2], encoding="utf-8")
    return Target(OPENER, "not JSON", (MANIFEST,))


def _resign(rel: Path, path: Path) -> None:
    """Record a file's new bytes in the manifest without parsing it (what a buggy build that
    signs whatever it wrote would do)."""
    from trisec.release.writer import sha256_file

    m = read_manifest(rel)
    name = path.relative_to(rel).as_posix()
    for f in m["files"]:
        if f["path"] == name:
            f.update(bytes=path.stat().st_size, sha256=sha256_file(path))
    (rel / MANIFEST).write_text(json.dumps(m, indent=2, ensure_ascii=False) + "\n",
                                encoding="utf-8")


def dropped_column(rel: Path, s: Schema) -> Target:
    """A mentions file without its qid column."""
    path = _files(rel, "mentions")[0]
    table = pq.read_table(path)
    pq.write_table(table.drop_columns(["qid"]), path, **PARQUET_OPTIONS)
    return Target("release", "expect_column_pair_values_to_be_equal(columns,schema.columns)",
                  (path.relative_to(rel).as_posix(),))


def file_not_in_card(rel: Path, s: Schema) -> Target:
    """A split file the card does not list.

    load_dataset users would never see it."""
    src = _files(rel, "documents")[0]
    # the first split the release has no file for (a growing corpus fills them one by one)
    extra = next(p for p in (rel / data_path("documents", name)
                             for name in (*s.split_names, "extra")) if not p.exists())
    shutil.copy(src, extra)
    return Target("release", "expect_column_values_to_be_in_set(in_card)",
                  (extra.relative_to(rel).as_posix(),))


def splits_swapped(rel: Path, s: Schema) -> Target:
    """The train and test files of every config swapped (manifest re-signed).

    Each file's rows still carry their own split, so per-row checks pass; load_dataset would
    then refuse the splits for their sizes."""
    swapped = []
    for config in s.configs:
        a, b = (rel / data_path(config, sp) for sp in ("train", "test"))
        if a.is_file() and b.is_file():
            tmp = a.with_suffix(".swap")
            a.rename(tmp)
            b.rename(a)
            tmp.rename(b)
            swapped.append(a)
    if not swapped:
        raise LookupError("no config with both a train and a test file")
    return Target("release", "expect_column_pair_values_to_be_equal(rows.split,split)",
                  (min(p.relative_to(rel).as_posix() for p in swapped),))


def card_split_size_off(rel: Path, s: Schema) -> Target:
    """The card's dataset_info says one example more for the documents train split."""
    card = rel / "README.md"
    head, sep, rest = card.read_text(encoding="utf-8").partition("config_name: documents\n")
    count = int(rest.split("num_examples: ", 1)[1].split("\n", 1)[0])
    rest = rest.replace(f"num_examples: {count}\n", f"num_examples: {count + 1}\n", 1)
    card.write_text(head + sep + rest, encoding="utf-8")
    return Target("release", "expect_column_pair_values_to_be_equal(rows,card.rows)",
                  (data_path("documents", "train"),))
def _split_doc(rel: Path, split: str) -> str:
    for _, rows in read_rows(rel, "documents"):
        for r in rows:
            if r["split"] == split:
                return str(r["doc_id"])
    raise LookupError(f"no {split} document")


def prompt_leaks_test_text(rel: Path, s: Schema) -> Target:
    """A test document's text used as the worked example of a train document's prompt."""
    leaked = _split_doc(rel, "test")
    text = doc_text(rel, leaked)

    def change(r: dict[str, Any]) -> None:
        r["messages"][1]["content"] = "Article:\n" + text
    r = edit(rel, "prompts", lambda r: r["split"] == "train" and len(r["messages"]) == 4,
             change)
    return Target("prompts", "expect_column_values_to_be_empty_lists(prompt.leaks)",
                  (r["doc_id"], leaked))


def example_from_test(rel: Path, s: Schema) -> Target:
    """A prompt whose worked example says it comes from a test document."""
    other = _split_doc(rel, "test")

    def change(r: dict[str, Any]) -> None:
        r["example_doc_ids"] = [other]
    r = edit(rel, "prompts", lambda r: r["split"] == "train", change)
    return Target("prompts", "expect_column_list_items_to_be_in_set(example.splits)",
                  (r["doc_id"],))


def reference_not_gold(rel: Path, s: Schema) -> Target:
    """A prompt's reference with one entity label changed (still valid JSON Schema-wise)."""
    import json

    def change(r: dict[str, Any]) -> None:
        ref = json.loads(r["reference"])
        item = ref["entities"][0]
        item["label"] = next(x for x in s.entity_labels if x != item["label"])
        r["reference"] = json.dumps(ref, ensure_ascii=False)
    r = edit(rel, "prompts", lambda r: r["task"] == "entities" and r["reference"], change)
    return Target("prompts", "expect_column_pair_values_to_be_equal(reference.aligned,gold.items)",
                  (r["doc_id"],))


MUTATIONS: tuple[Mutation, ...] = tuple(
    Mutation(fn.__name__, (fn.__doc__ or "").strip().splitlines()[0], fn)
    for fn in (shifted_offset, unknown_label, duplicate_doc_id, empty_text, tags_tokens_length,
               bio_i_after_o, boilerplate_back, related_news_back, date_without_evidence,
               impossible_date, unknown_provenance, split_not_by_rule,
               argument_to_missing_mention, role_not_allowed, bad_qid, qid_trailing_newline,
               overlapping_mentions,
               gpe_role_on_non_gpe, trigger_mismatch, num_arguments_mismatch,
               event_argument_swapped, cue_shifted,
               source_to_missing_mention, sentences_do_not_tile, token_outside_sentence,
               orphan_sentence, flat_row_missing, nested_span_changed,
               parquet_version_mismatch, parquet_metadata_missing, manifest_version_mismatch,
               card_version_mismatch,
               tampered_file, dropped_column, file_not_in_card,
               byte_flipped_parquet, truncated_parquet, empty_parquet, missing_parquet,
               not_parquet, not_parquet_signed, extra_unknown_file, card_yaml_broken,
               manifest_missing, manifest_edited, manifest_not_json, prompt_leaks_test_text,
               example_from_test, reference_not_gold, splits_swapped,
               card_split_size_off))

# mutations that damage files behind the manifest's back (or the manifest itself)
_KEEP_MANIFEST = {"manifest_version_mismatch", "tampered_file", "byte_flipped_parquet",
                  "truncated_parquet", "empty_parquet", "missing_parquet", "not_parquet",
                  "not_parquet_signed", "extra_unknown_file", "card_yaml_broken",
                  "manifest_missing", "manifest_edited", "manifest_not_json"}


def mutate(good: Path, out: Path, mutation: Mutation, schema: Schema) -> Target:
    """Copy the good release to `out` and break it."""
    shutil.copytree(good, out)
    target = mutation.apply(out, schema)
    if mutation.name not in _KEEP_MANIFEST:
        refresh_manifest(out, schema)
    return target


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="trisec-mutations-"))


@dataclass
class Outcome:
    mutation: Mutation
    target: Target
    caught: bool  # the target expectation failed and its message names every target id
    message: str  # that expectation's problem, or why the mutation was not caught
    failing: list[str]  # every failing suite/expectation


def check_mutation(good: Path, work: Path, mutation: Mutation, schema: Schema,
                   project_dir: Path, suites: list[str] | None = None) -> Outcome:
    """Break a copy of `good` with one mutation and run the gate on it."""
    from trisec.errors import TrisecError
    from trisec.validation.run import run_suites

    broken = work / mutation.name
    target = mutate(good, broken, mutation, schema)
    try:
        report = run_suites(broken, project_dir, schema,
                            suites=suites if suites is None else [*suites, target.suite])
        problems = report.problems()
    except TrisecError as exc:  # the opener refused the folder before any suite ran
        # its problems are located by file path: shown relative to the release, under OPENER
        problems = [Problem(f"{OPENER}/{p.location.replace(f'{broken}/', '')}", p.message,
                            p.fix) for p in exc.problems]
    if target.suite == OPENER:
        hits = [p for p in problems if p.location.startswith(f"{OPENER}/")
                and target.expectation in p.message]
        named = [p for p in hits if all(n in p.location + p.message for n in target.names)]
    else:
        hits = [p for p in problems
                if p.location.startswith(f"{target.suite}/{target.expectation}")]
        named = [p for p in hits if all(n in p.message for n in target.names)]
    if named:
        message = f"{named[0].location}: {named[0].message}"
    elif hits:
        message = f"caught by {hits[0].location} but the message does not name " \
                  f"{', '.join(target.names)}: {hits[0].message}"
    else:
        message = f"{target.suite}/{target.expectation} did not fail"
    return Outcome(mutation, target, bool(named), message, [p.location for p in problems])
