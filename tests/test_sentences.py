"""Sentences and tokens with document offsets (trisec.documents.sentences)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trisec.documents.clean import clean
from trisec.documents.ingest import decode, read_raw
from trisec.documents.sentences import Sentence, sentence_at, split_sentences


def _texts(text: str) -> list[str]:
    return [text[s.start:s.end] for s in split_sentences(text)]


def assert_tiling(text: str, sents: list[Sentence]) -> None:
    """Sentences are ordered, disjoint, cover every non-space character, and each token is
    a non-empty, space-free slice inside its sentence."""
    covered = [False] * len(text)
    prev_end = 0
    for k, s in enumerate(sents):
        assert s.index == k
        assert prev_end <= s.start < s.end
        assert "\n" not in text[s.start:s.end]  # a paragraph break always ends a sentence
        assert s.token_starts[0] == s.start and s.token_ends[-1] == s.end
        last = s.start
        for a, b in zip(s.token_starts, s.token_ends, strict=True):
            assert last <= a < b and not any(c.isspace() for c in text[a:b])
            last = b
        for i in range(s.start, s.end):
            covered[i] = True
        prev_end = s.end
    assert all(covered[i] for i, c in enumerate(text) if not c.isspace())


def test_run_together_sentences_still_split(clean_fixture):
    doc, _ = clean_fixture("run_together.txt")
    assert _texts(doc.text) == [
        "S. Korea, US, Japan pledge closer defense ties",  # the headline: a sentence of its own
        "The three countries agreed to deepen trilateral security cooperation.",
        "Defense Minister Shin Won-sik said the allies would respond firmly to any "
        "provocation by North Korea.",
        "The ministers also discussed expanding missile warning data sharing."]


def test_abbreviations_do_not_end_sentences():
    text = "The U.S. Forces Korea said Gen. Paul LaCamera met Kim on Monday. He left Seoul."
    assert _texts(text) == ["The U.S. Forces Korea said Gen. Paul LaCamera met Kim on Monday.",
                            "He left Seoul."]


@pytest.mark.parametrize("text, expected", [
    ('after the meeting. "So I look forward," he added.',
     ["after the meeting.", '"So I look forward," he added.']),
    ("\u201cWe face real challenges,\u201d he said. \u201cSo we act.\u201d He left.",
     ["\u201cWe face real challenges,\u201d he said.", "\u201cSo we act.\u201d", "He left."]),
    ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
])
def test_quotes_stay_with_the_sentence_they_open_or_close(text, expected):
    assert _texts(text) == expected


def test_paragraphs_without_final_punctuation_are_their_own_sentences():
    text = "Details\n\nThe drills began on Monday.\n\nWhat preceded"
    assert _texts(text) == ["Details", "The drills began on Monday.", "What preceded"]


def test_tokens_carry_document_offsets():
    text = "Intro line.\n\nSouth Korea's navy sailed."
    sents = split_sentences(text)
    second = sents[1]
    assert [text[a:b] for a, b in zip(second.token_starts, second.token_ends, strict=True)] \
        == ["South", "Korea", "'s", "navy", "sailed", "."]
    assert second.start == text.index("South")


def test_every_fixture_and_article_is_tiled(clean_fixture, repo_corpus):
    docs = [clean_fixture(n)[0] for n in ("run_together.txt", "captions.txt",
                                          "end_terminator_stamp.txt")]
    docs += [clean(r, decode(r)) for r in map(read_raw, repo_corpus.raw_paths())]
    for doc in docs:
        assert_tiling(doc.text, split_sentences(doc.text))


def test_sentence_at_finds_the_containing_sentence():
    text = "One two. Three four five.\n\nSix."
    sents = split_sentences(text)
    for pos, ch in enumerate(text):
        if ch.isspace():
            continue
        k = sentence_at(sents, pos)
        assert sents[k].start <= pos < sents[k].end


def _as_tuples(sents: list) -> list[tuple]:
    return [(s.index, s.start, s.end, tuple(s.token_starts), tuple(s.token_ends))
            for s in sents]


def test_array_sentences_equal_spacys_sentencizer() -> None:
    """The numpy sentence rule gives spaCy's sentencizer output (tests/reference), sentence
    for sentence and token for token, on the corpus, the fixtures and a synthetic crawl."""
    from reference.sentences_spacy import split_sentences as reference
    from speed_texts import texts

    for name, text in texts():
        assert _as_tuples(split_sentences(text)) == _as_tuples(reference(text)), name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(
    ["word", "Word", " ", "  ", "\n", "\n\n", ".", "!", "?", "...", '"', "\u201c", "\u201d",
     "'", "\u00ab", "(", ")", "U.S.", "Mr.", ",", "-", "3.5", "\t", "\u3002", "\u2026"]),
    max_size=40).map("".join))
def test_array_sentences_equal_spacys_sentencizer_on_generated_text(text: str) -> None:
    from reference.sentences_spacy import split_sentences as reference

    assert _as_tuples(split_sentences(text)) == _as_tuples(reference(text))
