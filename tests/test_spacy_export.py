"""`trisec export spacy`: DocBin files per split that keep every gold span."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import spacy
from click.testing import CliRunner
from conftest import FIXED_SOURCES, copy_fixed_corpus
from spacy.tokens import DocBin

from trisec.annotation.gold import read_annotation, text_sha256
from trisec.annotation.spacy_export import doc_to_annotation, make_doc
from trisec.cli import main
from trisec.documents.sentences import split_sentences
from trisec.paths import CORPUS_DIR, RAW_DIR
from trisec.pipeline.corpus import Corpus
from trisec.pipeline.local import published_documents
from trisec.schema import Schema, split_of

GOLD_FIXTURES = Path(__file__).parent / "fixtures" / "gold"


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    corpus = Corpus(RAW_DIR, CORPUS_DIR / "metadata", CORPUS_DIR / "annotations" / "gold")
    return {d.doc_id: d.text for d in published_documents(corpus)}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("corpus")
    gold_dir = copy_fixed_corpus(root).gold_dir
    for f in GOLD_FIXTURES.glob("*.json"):
        shutil.copyfile(f, gold_dir / f.name)
    out = root / "spacy"
    result = CliRunner().invoke(main, ["export", "spacy", "--corpus", str(root),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def spans_of(ann: dict[str, Any]) -> dict[str, set[tuple[int, int, str]]]:
    """Every span of an annotation file, per layer, as (start, end, label)."""
    return {
        "mentions": {(m["start"], m["end"], m["label"]) for m in ann["mentions"]},
        "triggers": {(e["trigger"]["start"], e["trigger"]["end"], e["type"])
                     for e in ann["events"]},
        "attribution_content": {(q["content"]["start"], q["content"]["end"], q["kind"])
                                for q in ann["attributions"]},
        "attribution_cue": {(q["cue"]["start"], q["cue"]["end"], "CUE")
                            for q in ann["attributions"] if q.get("cue")},
    }


def read_docs(folder: Path) -> dict[str, Any]:
    vocab = spacy.blank("en").vocab
    docs = {}
    for path in sorted(folder.glob("*.spacy")):
        for doc in DocBin().from_disk(path).get_docs(vocab):
            docs[doc.user_data["doc_id"]] = (path.stem, doc)
    return docs


def test_docbins_per_split_hold_only_gold_documents(exported: tuple[Path, str],
                                                    schema: Schema) -> None:
    out, output = exported
    gold_ids = {p.stem for p in GOLD_FIXTURES.glob("*.json")}
    docs = read_docs(out)
    assert set(docs) == gold_ids
    for doc_id, (split, doc) in docs.items():
        assert split == split_of(doc_id, schema) == doc.user_data["split"]
    assert {p.stem for p in out.glob("*.spacy")} == {split_of(d, schema) for d in gold_ids}
    without = len(FIXED_SOURCES) - len(gold_ids)
    assert f"{without} documents without gold annotations left out" in output


def test_every_gold_span_survives_the_docbin(exported: tuple[Path, str],
                                             texts: dict[str, str]) -> None:
    for doc_id, (_, doc) in read_docs(exported[0]).items():
        ann = read_annotation(GOLD_FIXTURES / f"{doc_id}.json")
        assert doc.text == texts[doc_id]
        expected = spans_of(ann)
        assert {(e.start_char, e.end_char, e.label_) for e in doc.ents} == expected["mentions"]
        for group in ("mentions", "triggers", "attribution_content", "attribution_cue"):
            got = {(s.start_char, s.end_char, s.label_) for s in doc.spans[group]}
            assert got == expected[group], group
        qid = {e["id"]: e["qid"] for e in ann["entities"]}
        assert {e.id_: e.kb_id_ for e in doc.ents} == \
            {m["id"]: qid[m["entity"]] or "" for m in ann["mentions"]}
        # and the whole annotation file comes back (attributes from user_data)
        assert doc_to_annotation(doc) == ann
        assert doc.user_data["text_sha256"] == text_sha256(doc.text) == ann["text_sha256"]


def test_sentence_starts_follow_the_release_rule(exported: tuple[Path, str],
                                                 texts: dict[str, str]) -> None:
    for doc_id, (_, doc) in read_docs(exported[0]).items():
        starts = [s.start for s in split_sentences(texts[doc_id])]
        assert [s.start_char for s in doc.sents if s.text.strip()] == starts


def test_a_span_inside_a_token_is_kept_by_splitting_the_token() -> None:
    text = "Seoul joined the U.S.-led drills off Jeju on Monday."
    start = text.index("U.S.")
    blank = spacy.blank("en")(text)
    assert "U.S.-led" in [t.text for t in blank]  # spaCy keeps it one token...
    assert blank.char_span(start, start + 4) is None  # ...so "U.S." alone would be lost
    ann = {"doc_id": "tsn-handmade", "text_sha256": text_sha256(text), "pass": "gold",
           "mentions": [{"id": "M1", "start": start, "end": start + 4, "text": "U.S.",
                         "label": "GPE", "mention_type": "NAM", "gpe_role": "GOV",
                         "entity": "E1", "timex_value": None}],
           "entities": [{"id": "E1", "name": "United States", "qid": "Q30"}],
           "events": [{"id": "V1", "type": "EXERCISE", "realis": "ACTUAL", "mode": None,
                       "trigger": {"start": text.index("drills"),
                                   "end": text.index("drills") + 6, "text": "drills"},
                       "arguments": [{"role": "participant", "mention": "M1"}]}],
           "attributions": []}
    doc = make_doc(text, ann)
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [("U.S.", "GPE", "Q30")]
    assert [t.text for t in doc][3:5] == ["U.S.", "-led"]
    assert doc.text == text
    assert doc_to_annotation(doc) == ann


CORPUS_GOLD = sorted((CORPUS_DIR / "annotations" / "gold").glob("*.json"))


@pytest.mark.skipif(not CORPUS_GOLD, reason="no gold annotations in corpus/ yet")
def test_the_corpus_gold_survives_the_docbin(texts: dict[str, str], tmp_path: Path) -> None:
    from trisec.annotation.spacy_export import write_docbins

    golds = [read_annotation(p) for p in CORPUS_GOLD]
    write_docbins(tmp_path, [("all", make_doc(texts[a["doc_id"]], a)) for a in golds])
    docs = list(DocBin().from_disk(tmp_path / "all.spacy").get_docs(spacy.blank("en").vocab))
    for ann, doc in zip(golds, docs, strict=True):
        assert {(e.start_char, e.end_char, e.label_) for e in doc.ents} == \
            spans_of(ann)["mentions"]
        assert doc_to_annotation(doc) == ann
