"""Near-duplicates in the build: the check `trisec add` runs also runs over the whole corpus,
so a near-copy put into raw/ by hand cannot land in another split than its original; a pair a
curator records in corpus/distinct.yaml as two different articles is published."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import copy_corpus, pin

from trisec.document import doc_id_for
from trisec.documents.near_duplicates import NEAR_DUPLICATE, read_distinct
from trisec.documents.pins import read_checksums
from trisec.errors import TrisecError
from trisec.paths import RAW_CHECKSUMS, RAW_DIR
from trisec.pipeline.add import add_files
from trisec.pipeline.corpus import Corpus
from trisec.release.build import write_release
from trisec.schema import Schema

SEED = "004_fd7d536830c83d2c.txt"
SENTENCE = "The two defense officials agr"


def edited_copy(corpus: Corpus, name: str = "zzz_edited.txt") -> Path:
    """The seed with one sentence reworded, put into raw/ by hand and pinned (the README's
    manual step): a re-crawl of an updated page."""
    seed = (RAW_DIR / SEED).read_text(encoding="utf-8")
    assert SENTENCE in seed
    path = corpus.raw_dir / name
    path.write_text(seed.replace(SENTENCE, "Both defense chiefs also agr", 1), encoding="utf-8")
    pin(corpus.raw_dir)
    return path


def build(corpus: Corpus, schema: Schema, out: Path) -> list[str]:
    out.mkdir()
    try:
        write_release(out, corpus, schema)
    except TrisecError as exc:
        return [str(p) for p in exc.problems]
    return []


@pytest.fixture()
def corpus(tmp_path: Path) -> Corpus:
    return copy_corpus(tmp_path / "corpus", [SEED])


def test_a_near_copy_put_in_by_hand_fails_the_build(corpus: Corpus, schema: Schema,
                                                    tmp_path: Path) -> None:
    copy = edited_copy(corpus)
    found = build(corpus, schema, tmp_path / "out")
    assert len(found) == 1, found
    seed_id = doc_id_for(read_checksums(RAW_CHECKSUMS)[SEED])
    assert found[0].startswith(f"{copy}: near-duplicate of raw/{SEED} ({seed_id}): ")
    assert "% of word 5-grams shared" in found[0]
    assert "corpus/distinct.yaml" in found[0] or "distinct.yaml" in found[0]


def test_a_pair_recorded_as_distinct_articles_is_published(corpus: Corpus, schema: Schema,
                                                           tmp_path: Path) -> None:
    copy = edited_copy(corpus)
    ids = sorted(doc_id_for(sha) for sha in read_checksums(corpus.pins_path).values())
    (corpus.raw_dir.parent / "distinct.yaml").write_text(yaml.safe_dump({"distinct": [
        {"doc_ids": ids, "reason": "test: two articles that share most of their words"}]}),
        encoding="utf-8")
    assert build(corpus, schema, tmp_path / "out") == []
    assert copy.exists()


def test_distinct_entries_must_name_corpus_documents_and_say_why(corpus: Corpus,
                                                                 schema: Schema,
                                                                 tmp_path: Path) -> None:
    path = corpus.raw_dir.parent / "distinct.yaml"
    seed_id = doc_id_for(read_checksums(RAW_CHECKSUMS)[SEED])
    path.write_text(yaml.safe_dump({"distinct": [
        {"doc_ids": [seed_id, "tsn-0123456789abcdef"], "reason": "stale"}]}), encoding="utf-8")
    found = build(corpus, schema, tmp_path / "out")
    assert found == [f"{path}:$.distinct[0]: tsn-0123456789abcdef is no document of the "
                     "corpus (fix: remove the entry, or fix the doc_id)"]
    path.write_text(yaml.safe_dump({"distinct": [
        {"doc_ids": [seed_id, seed_id], "reason": ""}]}), encoding="utf-8")
    found = build(corpus, schema, tmp_path / "out2")
    assert any(p.startswith(f"{path}:$.distinct[0].doc_ids") for p in found), found
    assert any(p.startswith(f"{path}:$.distinct[0].reason") for p in found), found


def test_add_with_allow_near_duplicate_records_the_pair(corpus: Corpus, schema: Schema,
                                                       tmp_path: Path) -> None:
    seed = (RAW_DIR / SEED).read_text(encoding="utf-8")
    new = tmp_path / "edited.txt"
    new.write_text(seed.replace(SENTENCE, "Both defense chiefs also agr", 1), encoding="utf-8")
    root = corpus.raw_dir.parent
    assert add_files([new], root).refused  # refused without the flag
    report = add_files([new], root, allow_near_duplicate=True)
    assert [a.raw_path.name for a in report.added] == ["edited.txt"]
    [pair] = read_distinct(root / "distinct.yaml")
    assert set(pair.doc_ids) == {report.added[0].document.doc_id,
                                 doc_id_for(read_checksums(RAW_CHECKSUMS)[SEED])}
    assert "--allow-near-duplicate" in pair.reason
    assert build(corpus, schema, tmp_path / "out") == []


def test_the_corpus_has_no_unrecorded_near_duplicates() -> None:
    """Every pair of corpus articles at or above the threshold is recorded as distinct."""
    from trisec.documents.near_duplicates import NearIndex
    from trisec.paths import CORPUS_DIR
    from trisec.pipeline.local import published_documents
    from trisec.release.build import default_corpus

    distinct = {frozenset(p.doc_ids) for p in read_distinct(CORPUS_DIR / "distinct.yaml")}
    index = NearIndex()
    for doc in published_documents(default_corpus()):
        for other, sim in index.matches(doc.text):
            assert sim < NEAR_DUPLICATE or frozenset((other, doc.doc_id)) in distinct
        index.add(doc.doc_id, doc.text)
