"""The maintainer's path on a grown corpus: copy corpus/, add an invented page with
`trisec add`, build through the validation gate, and the corpus-level checks still hold.

The page (tests/fixtures/new_article/) is written for the tests and never published; its
metadata stays the stub `trisec add` writes (every external fact null, `url: null`
included), which the README calls a valid state for a new article.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import NEW_PAGE, without_new_page
from corpus_checks import (
    EXTERNAL_FACTS,
    check_metadata,
    check_published,
    check_raw_pinned,
    release_rows,
)

from trisec.cli import main
from trisec.documents.ingest import read_raw
from trisec.paths import CORPUS_DIR
from trisec.pipeline.add import NOT_LOOKED_UP, corpus_at
from trisec.pipeline.corpus import Corpus
from trisec.release.build import build, default_validator
from trisec.release.standoff import make_standoff, rehydrate
from trisec.schema import Schema
from trisec.views.render import render_release


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Corpus, str]:
    """(corpus folder, its Corpus, what `trisec add` printed) after adding NEW_PAGE."""
    root = tmp_path_factory.mktemp("grown") / "corpus"
    without_new_page(shutil.copytree(CORPUS_DIR, root))  # it is new to the copy
    res = CliRunner().invoke(main, ["add", "--corpus", str(root), str(NEW_PAGE)])
    assert res.exit_code == 0, res.output
    return root, corpus_at(root), res.output


@pytest.fixture(scope="module")
def grown_release(grown: tuple[Path, Corpus, str], tmp_path_factory: pytest.TempPathFactory,
                  ) -> Path:
    target = tmp_path_factory.mktemp("grown-release") / "dataset"
    validator = default_validator()
    assert validator is not None, "the validation gate must run on the grown corpus"
    build(target, corpus=grown[1], validator=validator)  # raises if the gate rejects it
    return target


def test_add_pins_the_page_and_writes_a_null_stub(grown: tuple[Path, Corpus, str]) -> None:
    root, corpus, output = grown
    doc_id = read_raw(NEW_PAGE).doc_id
    assert f"added {root / 'raw' / NEW_PAGE.name}  {doc_id}" in output
    assert (root / "raw" / NEW_PAGE.name).read_bytes() == NEW_PAGE.read_bytes()
    stub = yaml.safe_load((corpus.metadata_dir / f"{doc_id}.yaml").read_text(encoding="utf-8"))
    for key in EXTERNAL_FACTS:
        assert stub[key] == {**stub[key], "value": None, "provenance": None,
                             "evidence": NOT_LOOKED_UP}
    assert stub["url"]["value"] is None


def test_corpus_level_checks_hold_on_the_grown_corpus(grown: tuple[Path, Corpus, str],
                                                      grown_release: Path,
                                                      schema: Schema) -> None:
    root, corpus, _ = grown
    check_raw_pinned(corpus.raw_dir, root / "raw.sha256")
    check_metadata(corpus)
    check_published(grown_release, corpus, schema)
    rows = {r["doc_id"]: r for r in release_rows(grown_release, "documents")}
    before = {r["doc_id"] for r in release_rows(CORPUS_DIR.parent / "dataset", "documents")}
    new_id = read_raw(NEW_PAGE).doc_id
    assert set(rows) == before | {new_id}  # nothing else moved in or out
    row = rows[new_id]
    assert row["url"]["value"] is None and row["url"]["provenance"] is None
    assert row["outlet"]["evidence"] == NOT_LOOKED_UP
    assert row["title"]["provenance"] == "body"  # facts the page carries still come through


def test_a_null_stub_is_valid_downstream(grown: tuple[Path, Corpus, str], grown_release: Path,
                                         schema: Schema, tmp_path: Path) -> None:
    """The standoff distribution (sources with `url: null`) round-trips, and the rendered
    pages show the unknown facts as unknown."""
    _, corpus, _ = grown
    new_id = read_raw(NEW_PAGE).doc_id
    sources = make_standoff(grown_release, corpus, tmp_path / "standoff", schema)
    [src] = [s for s in sources if s.doc_id == new_id]
    assert src.url is None
    rehydrate(tmp_path / "standoff", corpus.raw_dir, tmp_path / "rehydrated", schema)
    pages = render_release(grown_release, tmp_path / "site", schema)
    assert tmp_path / "site" / f"{new_id}.html" in pages
