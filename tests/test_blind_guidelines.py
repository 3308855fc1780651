"""The blind-guidelines filter drops what quotes the articles and keeps general rules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "scripts" / "blind_guidelines.py"
spec = importlib.util.spec_from_file_location("blind_guidelines", SCRIPT)
assert spec and spec.loader
blind = importlib.util.module_from_spec(spec)
spec.loader.exec_module(blind)

ARTICLE = ("Pyongyang justified the missile tests as a countermeasure against the joint "
           "war games. US Defense Secretary Lloyd Austin met Japanese Defense Minister "
           "Yasukazu Hamada in Tokyo.")

GUIDE = """# Guide

## 2. Mentions

- **M1** A mention never starts with a determiner.
- **M2** Example: "Pyongyang justified the missile tests" makes Pyongyang GOV.
- **M3** Titles stand apart: [Defense Secretary] Lloyd Austin met someone.

## 6. Decisions for hard cases

- **H1** anything at all, even text unrelated to the articles.

## 7. Label tables

| `PER` | a person | Kim Jong Un |
"""


def test_drops_article_quotes_and_hard_cases_keeps_general_rules() -> None:
    corpus = blind.Corpus(ARTICLE)
    out, dropped = blind.blind_markdown(GUIDE, corpus)
    assert "**M1** A mention never starts with a determiner." in out
    assert "**M2**" not in out  # quotes a 4-word sequence of the article
    assert "**M3**" not in out  # [markup] is ignored: "Defense Secretary Lloyd Austin met"
    assert "Decisions for hard cases" not in out and "**H1**" not in out
    assert "## 7. Label tables" in out and "Kim Jong Un" in out  # not in the article
    assert dropped == 2


def test_label_examples_from_the_articles_are_dropped() -> None:
    corpus = blind.Corpus(ARTICLE)
    labels = {"entity_labels": [{"name": "PER", "positive": ["Yasukazu Hamada", "Kim Jong Un"],
                                 "negative": ["[Pyongyang] justified the missile tests"]}],
              "event_types": []}
    out, dropped = blind.blind_labels(labels, corpus)
    assert out["entity_labels"][0]["positive"] == ["Kim Jong Un"]
    assert out["entity_labels"][0]["negative"] == []
    assert dropped == 2
