"""The one-pass rule baseline (trisec.baselines.rules) predicts exactly what the earlier
implementation did (tests/reference/rules_regex.py: one regular expression per word list
and per trigger word), span for span, on the corpus, the raw fixtures and a synthetic crawl;
and its parts agree with the `re` behaviour they stand in for."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import rules_regex
from speed_texts import texts

from trisec.baselines import gate
from trisec.baselines.phrases import _SPECIAL, Phrases, fold, leftmost_longest
from trisec.baselines.rules import RuleBaseline, load_rules


@pytest.fixture(scope="module")
def baselines() -> tuple[RuleBaseline, rules_regex.RuleBaseline]:
    return RuleBaseline(), rules_regex.RuleBaseline()


def test_predictions_equal_the_regex_implementation(baselines) -> None:
    fast, reference = baselines
    cases = texts()
    assert len(cases) > 150  # the corpus, the fixtures and the synthetic pages
    for name, text in cases:
        assert fast.predict(name, text) == reference.predict(name, text), name


# characters that exercise word edges, case, hyphens, quotes and the special case folds
ALPHABET = st.sampled_from(list("aeiost KSUN.-,'\"\u201c\u201d\n") + list(_SPECIAL)
                           + ["Korea", "South Korea", "U.S.", "said", "told", "fired",
                              "test-fired", "FIRED", "joint exercise", "according to",
                              "Minister", "Kim", "Won-sik", "on Monday", "in Seoul",
                              "2024", "about 1,000 km", "Treaty", "Camp David"])


@settings(max_examples=150, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_predictions_equal_on_generated_text(baselines, text: str) -> None:
    fast, reference = baselines
    assert fast.predict("d", text) == reference.predict("d", text)


def test_case_fold_table_is_what_re_ignorecase_does() -> None:
    """Every non-ASCII character `re.IGNORECASE` matches to an ASCII letter is in the
    fold table, mapped to that letter; str.lower() changes no other offset."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    found = {chr(cp): chr(cp).lower() if chr(cp).lower().isascii() else None
             for cp in range(128, sys.maxunicode + 1) if letter.fullmatch(chr(cp))}
    assert set(found) == set(_SPECIAL)
    for ch, ascii_letter in _SPECIAL.items():
        assert re.fullmatch(ascii_letter, ch, re.IGNORECASE)
        assert len(fold("x" + ch + "y")) == 3 and fold(ch) == ascii_letter


def test_phrases_find_every_occurrence_and_leftmost_longest_is_finditer() -> None:
    words = ["Korea", "South Korea", "Korean", "rea"]
    p = Phrases([(w, i) for i, w in enumerate(words)])
    text = "South Korean ships left South Korea; Korea\U0001f600rea."
    found = sorted((s, e) for s, e, _ in p.find(text))
    expected = sorted((m.start(), m.start() + len(w)) for w in words
                      for m in re.finditer(f"(?={re.escape(w)})", text))
    assert found == expected  # offsets count code points, past the emoji too
    alternation = re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))
    assert leftmost_longest(found) == [m.span() for m in alternation.finditer(text)]


@pytest.mark.parametrize("rule", [r for r in load_rules() if r.regex is not None],
                         ids=lambda r: r.name)
def test_gated_rules_find_what_the_rule_finds(rule) -> None:
    assert rule.gate is not None, "every rule of regex.yaml can be gated"
    for _, text in texts():
        assert gate.spans(rule.regex, rule.gate, text) == \
            [m.span() for m in rule.regex.finditer(text)]


@pytest.mark.parametrize("pattern, gated", [
    (r"\bcat|dog", True), (r"(?<!\w)\d+(?:\.\d+)?", True), (r"x*", False), (r".at", False),
    (r"[^a]b", False), (r"(?:a|)b", True),
])
def test_gate_only_where_the_first_character_is_bounded(pattern: str, gated: bool) -> None:
    rule = re.compile(pattern)
    g = gate.gated(rule)
    assert (g is not None) == gated
    text = "a cat, 3.5 dogs, 12 ab b x..at"
    assert gate.spans(rule, g, text) == [m.span() for m in rule.finditer(text)]


@pytest.mark.parametrize("rule", [r for r in load_rules() if r.openings],
                         ids=lambda r: r.name)
def test_rules_tried_at_their_openings_find_what_the_rule_finds(rule) -> None:
    """A rule tried only where one of its literal openings occurs finds what finditer finds
    (the texts, and each opening planted in odd places)."""
    cases = [t for _, t in texts()]
    cases += [f"{o}{o} x{o}-{o}9 ({o}s)\n{o}" for o in rule.openings]
    for text in cases:
        starts = sorted({m.start() for o in rule.openings
                         for m in re.finditer(f"(?={re.escape(o)})", text)})
        got = gate.spans_at(rule.regex, starts, text)
        assert got == [m.span() for m in rule.regex.finditer(text)]


def test_openings_are_necessary() -> None:
    """Every match of every rule with openings starts with one of them; rules that cannot
    be bounded have none."""
    assert gate.openings(re.compile(r"\d+")) is None
    assert gate.openings(re.compile(r"(?:a\s+)?b")) is None  # a one-character opening
    assert set(gate.openings(re.compile(r"\b(?:new\s+)?(?:foo|bar)s?\b"))) == \
        {"new", "foo", "foos", "bar", "bars"}
    assert set(gate.openings(re.compile(r"(?:19|20)\d{2}"))) == {"19", "20"}
    assert gate.openings(re.compile(r"abc", re.IGNORECASE)) is None
    rules = [r for r in load_rules() if r.openings]
    assert len(rules) >= 8
    for rule in rules:
        for _, text in texts():
            for m in rule.regex.finditer(text):
                assert text.startswith(rule.openings, m.start()), (rule.name, m.group())
