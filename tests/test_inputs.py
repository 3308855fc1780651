"""What a build trusts (trisec.pipeline.inputs): raw files match raw.sha256, no gold, pass or
metadata file is orphaned, metadata names its raw file, gold was made on the published text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import copy_corpus

from trisec.document import doc_id_for
from trisec.documents.pins import read_checksums
from trisec.errors import TrisecError
from trisec.paths import RAW_CHECKSUMS
from trisec.pipeline.corpus import Corpus
from trisec.release.build import write_release
from trisec.schema import Schema

PINS = read_checksums(RAW_CHECKSUMS)
NAMES = sorted(PINS)[:2]  # two real articles keep each build short
IDS = [doc_id_for(PINS[n]) for n in NAMES]


@pytest.fixture()
def corpus(tmp_path: Path) -> Corpus:
    return copy_corpus(tmp_path / "corpus", NAMES, gold=True)


def problems(corpus: Corpus, schema: Schema, out: Path) -> list[str]:
    out.mkdir()
    with pytest.raises(TrisecError) as err:
        write_release(out, corpus, schema)
    return [str(p) for p in err.value.problems]


def test_the_copied_corpus_builds(corpus: Corpus, schema: Schema, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    result = write_release(tmp_path / "out", corpus, schema)
    assert result.stats.counters["annotate"]["gold_documents"] == len(
        list(corpus.gold_dir.glob("*.json")))


def test_a_raw_file_changed_after_pinning_fails_the_build_naming_it(
        corpus: Corpus, schema: Schema, tmp_path: Path) -> None:
    victim = corpus.raw_dir / NAMES[0]
    victim.write_bytes(victim.read_bytes() + b"\n")  # one appended newline: a new doc_id
    found = problems(corpus, schema, tmp_path / "out")
    # one problem, at the file: its gold and metadata are not also called orphans
    assert len(found) == 1, found
    assert found[0].startswith(f"{victim}: changed since it was pinned in raw.sha256")
    assert "restore the raw file from git" in found[0]


def test_a_pinned_raw_file_refused_when_read_is_one_problem(corpus: Corpus, schema: Schema,
                                                            tmp_path: Path) -> None:
    """Before: a pinned raw file too large to read got, after its own error, "raw.sha256 lists
    it, which does not exist" and each of its metadata, gold and pass files called an orphan
    with the fix "delete this file". After: the one problem, at the file."""
    from trisec.documents.ingest import MAX_RAW_BYTES

    victim = corpus.raw_dir / NAMES[0]
    victim.write_bytes(victim.read_bytes() + b"x" * MAX_RAW_BYTES)
    assert list(corpus.gold_dir.glob(f"{IDS[0]}.json"))  # it has curated files to lose
    found = problems(corpus, schema, tmp_path / "out")
    assert len(found) == 1, found
    assert found[0].startswith(f"{victim}: ")
    assert "over the 1,048,576-byte limit for one raw page" in found[0]


def test_unpinned_missing_and_absent_pins_are_errors(corpus: Corpus, schema: Schema,
                                                     tmp_path: Path) -> None:
    extra = corpus.raw_dir / "zzz_unpinned.txt"
    extra.write_text("A new page\n\nSouth Korea and Japan held talks in Seoul on Friday, the "
                     "ministry said in a statement to reporters.\n", encoding="utf-8")
    with corpus.pins_path.open("a", encoding="utf-8") as f:
        f.write(f"{'0' * 64}  gone.txt\n")
    found = problems(corpus, schema, tmp_path / "out")
    assert any(p.startswith(f"{extra}: not pinned in raw.sha256") for p in found), found
    assert any(p.startswith(f"{corpus.pins_path}: lists raw/gone.txt, which does not exist")
               for p in found), found

    corpus.pins_path.unlink()
    found = problems(corpus, schema, tmp_path / "out2")
    assert found[0].startswith(f"{corpus.pins_path}: missing: every raw file must be pinned")


def test_orphaned_gold_pass_and_metadata_files_are_named(corpus: Corpus, schema: Schema,
                                                         tmp_path: Path) -> None:
    orphan = "tsn-0123456789abcdef"
    gold = corpus.gold_dir / f"{orphan}.json"
    shutil.copyfile(corpus.gold_dir / f"{IDS[0]}.json", gold)
    pass_file = corpus.passes_dir / "a" / f"{orphan}.json"
    pass_file.parent.mkdir(parents=True)
    shutil.copyfile(gold, pass_file)
    meta = corpus.metadata_dir / f"{orphan}.yaml"
    shutil.copyfile(corpus.metadata_dir / f"{IDS[0]}.yaml", meta)
    yml = corpus.metadata_dir / f"{IDS[1]}.yml"
    shutil.copyfile(corpus.metadata_dir / f"{IDS[1]}.yaml", yml)

    found = problems(corpus, schema, tmp_path / "out")

    for path, what in ((gold, "gold"), (pass_file, "pass"), (meta, "metadata")):
        assert f"{path}: {what} file for {orphan}, which matches no raw file in the corpus" \
            in "\n".join(found), (path, found)
    assert any(p.startswith(f"{yml}: curated metadata must be named <doc_id>.yaml")
               for p in found)
    assert len(found) == 4


def test_gold_of_a_duplicate_that_is_not_published_is_an_error(corpus: Corpus, schema: Schema,
                                                               tmp_path: Path) -> None:
    from conftest import pin

    copy = corpus.raw_dir / "zzz_copy.txt"  # sorts after the original: the copy is dropped
    copy.write_bytes((corpus.raw_dir / NAMES[0]).read_bytes() + b"\n\n")
    pin(corpus.raw_dir)
    copy_id = doc_id_for(read_checksums(corpus.pins_path)[copy.name])
    gold = corpus.gold_dir / f"{copy_id}.json"
    ann = json.loads((corpus.gold_dir / f"{IDS[0]}.json").read_text(encoding="utf-8"))
    gold.write_text(json.dumps({**ann, "doc_id": copy_id}), encoding="utf-8")
    found = problems(corpus, schema, tmp_path / "out")
    assert found == [f"{gold}: gold file of {copy_id}, a duplicate that is not published: "
                     "these annotations would be dropped (fix: move them to the published "
                     "copy's doc_id (then `trisec annotations reanchor`) or delete the file)"]


@pytest.mark.parametrize("key", ["source_file", "sha256"])
def test_metadata_naming_another_raw_file_is_an_error(corpus: Corpus, schema: Schema,
                                                      tmp_path: Path, key: str) -> None:
    path = corpus.metadata_dir / f"{IDS[0]}.yaml"
    other = {"source_file": NAMES[1], "sha256": PINS[NAMES[1]]}[key]
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    path.write_text(text.replace(f"{key}: {data[key]}", f"{key}: {other}"), encoding="utf-8")
    found = problems(corpus, schema, tmp_path / "out")
    assert found == [f"{path}: {key} is {other!r}, but this doc_id is raw/{NAMES[0]} with "
                     f"sha256 {PINS[NAMES[0]]} (fix: set {key}: "
                     f"{ {'source_file': NAMES[0], 'sha256': PINS[NAMES[0]]}[key] } (facts "
                     "copied from another article's file must be checked against this "
                     "article))"]


def test_gold_made_on_another_text_names_reanchor(corpus: Corpus, schema: Schema,
                                                  tmp_path: Path) -> None:
    path = corpus.gold_dir / f"{IDS[0]}.json"
    ann = json.loads(path.read_text(encoding="utf-8"))
    ann["text_sha256"] = "f" * 64  # every span still matches: only the hash tells
    path.write_text(json.dumps(ann), encoding="utf-8")
    found = problems(corpus, schema, tmp_path / "out")
    assert len(found) == 1, found
    assert "annotations/gold/" in found[0] and f"text_sha256 '{'f' * 64}'" in found[0]
    assert "run `trisec annotations reanchor FILE --previous REF --write`" in found[0]
