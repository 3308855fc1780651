"""I/O edge for agreement: read the committed passes and score pass B against pass A with
the same matching code the benchmark uses (trisec.evaluate)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trisec.annotation.gold import read_annotation
from trisec.errors import Problem, TrisecError
from trisec.paths import PASSES_DIR


def read_pass_pairs(dir_a: Path | None = None,
                    dir_b: Path | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    a_dir, b_dir = dir_a or PASSES_DIR / "a", dir_b or PASSES_DIR / "b"
    a_files = {p.stem: p for p in sorted(Path(a_dir).glob("*.json"))}
    b_files = {p.stem: p for p in sorted(Path(b_dir).glob("*.json"))}
    if not a_files or a_files.keys() != b_files.keys():
        raise TrisecError(Problem(f"{a_dir} vs {b_dir}", "passes do not cover the same documents: "
                                  f"only in A {sorted(a_files.keys() - b_files.keys())}, only in "
                                  f"B {sorted(b_files.keys() - a_files.keys())}",
                                  "complete both passes for every document"))
    return [(read_annotation(a_files[k]), read_annotation(b_files[k])) for k in sorted(a_files)]


def corpus_agreement(dir_a: Path | None = None, dir_b: Path | None = None) -> dict[str, Any]:
    from trisec.evaluate.agreement import agreement_corpus

    return agreement_corpus(read_pass_pairs(dir_a, dir_b))


@dataclass(frozen=True)
class Comparison:
    """One agreement figure the project reports: pass `second` scored against `first`."""

    key: str
    first: str
    second: str
    title: str
    note: str


# The agreement protocol, in one place (card, datasheet and leaderboard read it).
COMPARISONS = (
    Comparison("blind", "a", "c", "Blind pass C vs pass A",
               "C worked from guidelines with the hard-case rulings and every passage quoting "
               "the articles removed (corpus/annotations/blind/); A from the full guidelines. "
               "The filter also removed general rules whose examples quote the articles, so "
               "this is a lower estimate of agreement under the full rules on new text."),
    Comparison("full", "a", "b", "Pass B vs pass A (full guidelines)",
               "Both worked from guidelines whose hard-case rulings were drafted from these "
               "same articles: near-perfect agreement here is an upper estimate, consistency "
               "under those rulings rather than how hard the annotation is."),
)
