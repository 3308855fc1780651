"""Entity spans <-> BIO tags (trisec.documents.bio), checked by hand and against seqeval."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities

from trisec.documents.bio import bio_tags, spans_from_bio
from trisec.documents.sentences import split_sentences

TEXT = "South Korea and Japan met the U.S. Forces Korea commander in Seoul."


def _tokens(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    (sent,) = split_sentences(text)
    return sent.token_starts, sent.token_ends


def test_tags_for_aligned_mentions():
    starts, ends = _tokens(TEXT)
    words = [TEXT[s:e] for s, e in zip(starts, ends, strict=True)]
    assert words[:4] == ["South", "Korea", "and", "Japan"]
    spans = [(0, 11, "GPE"), (16, 21, "GPE"), (30, 47, "ORG"), (61, 66, "GPE")]
    assert [TEXT[s:e] for s, e, _ in spans] == ["South Korea", "Japan", "U.S. Forces Korea",
                                               "Seoul"]
    tags, misaligned = bio_tags(starts, ends, spans)
    assert misaligned == 0
    assert list(zip(words, tags, strict=True)) == [
        ("South", "B-GPE"), ("Korea", "I-GPE"), ("and", "O"), ("Japan", "B-GPE"),
        ("met", "O"), ("the", "O"), ("U.S.", "B-ORG"), ("Forces", "I-ORG"),
        ("Korea", "I-ORG"), ("commander", "O"), ("in", "O"), ("Seoul", "B-GPE"), (".", "O")]
    assert spans_from_bio(tags, starts, ends) == spans


def test_a_boundary_inside_a_token_is_counted_and_the_token_still_tagged():
    starts, ends = _tokens(TEXT)
    tags, misaligned = bio_tags(starts, ends, [(0, 9, "GPE")])  # "South Kor"
    assert misaligned == 1
    assert tags[:3] == ["B-GPE", "I-GPE", "O"]


def test_first_mention_wins_where_two_overlap_a_token():
    starts, ends = _tokens(TEXT)
    tags, misaligned = bio_tags(starts, ends, [(0, 8, "GPE"), (6, 11, "LOC")])
    # "South Ko" ends inside "Korea"; "Korea" is aligned but its token is already taken
    assert tags[:2] == ["B-GPE", "I-GPE"] and misaligned == 1


def test_mentions_outside_the_tokens_are_ignored():
    starts, ends = _tokens(TEXT)
    tags, _ = bio_tags(starts, ends, [(500, 510, "GPE")])
    assert set(tags) == {"O"}


LABELS = ["GPE", "ORG", "PER"]


@st.composite
def tag_sequences(draw: st.DrawFn) -> list[str]:
    tag = st.one_of(st.just("O"), st.builds(lambda p, lab: f"{p}-{lab}",
                                            st.sampled_from("BI"), st.sampled_from(LABELS)))
    return draw(st.lists(tag, min_size=0, max_size=20))


@settings(max_examples=200, deadline=None)
@given(tag_sequences())
def test_spans_from_bio_agrees_with_seqeval(tags):
    # one-character tokens separated by a space: token i covers [2i, 2i+1)
    starts = [2 * i for i in range(len(tags))]
    ends = [s + 1 for s in starts]
    ours = spans_from_bio(tags, starts, ends)
    theirs = [(2 * a, 2 * b + 1, label) for label, a, b in get_entities(list(tags))]
    assert sorted(ours) == sorted(theirs)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(1, 3), st.sampled_from(LABELS)),
                max_size=5))
def test_aligned_flat_spans_round_trip(raw_spans):
    starts, ends = _tokens(TEXT)
    taken: set[int] = set()
    spans = []
    for first, n, label in raw_spans:  # flat, token-aligned mentions
        idx = set(range(first, min(first + n, len(starts))))
        if idx & taken:
            continue
        taken |= idx
        spans.append((starts[min(idx)], ends[max(idx)], label))
    tags, misaligned = bio_tags(starts, ends, spans)
    assert misaligned == 0
    assert spans_from_bio(tags, starts, ends) == sorted(spans)
