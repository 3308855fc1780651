"""Corpus-level checks that hold for any corpus folder, however many articles it has.

Each check derives what it expects from the corpus it is given (raw files, raw.sha256,
metadata stubs) and never from a count: tests/test_corpus.py runs them on corpus/, and
tests/test_maintainer_path.py on a copy grown by `trisec add`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import yaml
from conftest import assert_accounted

from trisec.document import Document, Removal
from trisec.documents.ingest import decode, read_raw
from trisec.pipeline.corpus import Corpus
from trisec.schema import Schema, split_of

EXTERNAL_FACTS = ("title", "outlet", "url", "published")


def read_checksum_file(path: Path) -> dict[str, str]:
    """file name -> sha256 from `sha256sum` lines."""
    out = {}
    for line in path.read_text(encoding="ascii").splitlines():
        digest, name = line.split()
        out[name] = digest
    return out


def check_raw_pinned(raw_dir: Path, checksums: Path) -> None:
    """raw.sha256 names every raw file once and each digest matches its bytes."""
    sums = read_checksum_file(checksums)
    assert sorted(sums) == sorted(p.name for p in raw_dir.glob("*.txt"))
    for name, digest in sums.items():
        assert hashlib.sha256((raw_dir / name).read_bytes()).hexdigest() == digest, name


def check_metadata(corpus: Corpus) -> None:
    """Every raw file has curated metadata for its bytes; an external fact says so, an
    unknown one (a `trisec add` stub included) stays null with the reason as evidence."""
    for path in corpus.raw_paths():
        raw = read_raw(path)
        meta = yaml.safe_load((corpus.metadata_dir / f"{raw.doc_id}.yaml").read_text())
        assert (meta["doc_id"], meta["source_file"], meta["sha256"]) == (
            raw.doc_id, path.name, raw.sha256)
        for key in EXTERNAL_FACTS:
            fact = meta[key]
            assert fact["provenance"] == ("external" if fact["value"] is not None else None), \
                (path.name, key)
            assert fact["evidence"], (path.name, key)


def release_rows(release: Path, config: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for f in sorted((release / "data" / config).glob("*.parquet")):
        rows += pq.read_table(f).to_pylist()
    return rows


def as_document(row: dict[str, Any]) -> Document:
    return Document(
        doc_id=row["doc_id"], source_file=row["source_file"], sha256=row["sha256"],
        text=row["text"], removed=[Removal(**r) for r in row["removed"]],
        offset_map=[(m["start"], m["raw_start"], m["length"]) for m in row["offset_map"]])


def check_published(release: Path, corpus: Corpus, schema: Schema) -> None:
    """Every raw file is published once (or listed as a duplicate), in the split the rule
    gives, with tidy NFC text whose every character is accounted for in its raw file."""
    docs = {r["source_file"]: r for r in release_rows(release, "documents")}
    duplicates = {d["source_file"] for d in
                  json.loads((release / "manifest.json").read_text())["duplicates"]}
    raw_names = {p.name for p in corpus.raw_paths()}
    assert set(docs) | duplicates == raw_names and not set(docs) & duplicates
    for name, row in docs.items():
        assert row["split"] == split_of(row["doc_id"], schema)
        assert row["doc_id"] == "tsn-" + row["sha256"][:16]
        assert row["language"] == "en"
        assert row["text"].strip(), name
        assert unicodedata.is_normalized("NFC", row["text"]), name
        assert not re.search(r"[ \t]{2,}|\n{3,}| \n|\n ", row["text"]), name
        assert_accounted(as_document(row), decode(read_raw(corpus.raw_dir / name)))
    by_id = {r["doc_id"]: r for r in docs.values()}
    for s in release_rows(release, "sentences"):
        doc = by_id[s["doc_id"]]
        assert s["split"] == doc["split"]
        assert doc["text"][s["start"]:s["end"]] == s["text"]
        assert s["tokens"] == [doc["text"][a:b] for a, b in
                               zip(s["token_starts"], s["token_ends"], strict=True)]
