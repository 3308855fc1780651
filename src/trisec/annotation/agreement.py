"""I/O edge for agreement: read the committed passes and score pass B against pass A with
the same matching code the benchmark uses (trisec.evaluate)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trisec.annotation.gold import read_annotation
from trisec.errors import Problem, TrisecError
from trisec.paths import PASSES_DIR

SCOPES = ("document", "headline")


def pass_dir(name: str, passes_dir: Path = PASSES_DIR) -> Path:
    """Folder of a pass by name: `gold` is the adjudicated gold beside the passes
    (annotations/gold next to annotations/passes), anything else a pass folder."""
    return Path(passes_dir).parent / "gold" if name == "gold" else Path(passes_dir) / name


def headline_end(ann: dict[str, Any]) -> int:
    """End of the headline a headline-scope pass annotated: offsets are offsets into `text`,
    which opens with the headline (docs/CLEANING.md rule 4)."""
    headline = ann.get("headline")
    if not isinstance(headline, str) or not headline:
        raise TrisecError(Problem(str(ann.get("doc_id")), "a headline-scope pass needs the "
                                  "annotated headline string in `headline`",
                                  "add the headline the pass annotated"))
    return len(headline)


def within(ann: dict[str, Any], end: int) -> dict[str, Any]:
    """The part of an annotation that lies in text[0:end]: mentions, triggers and attribution
    contents inside it, arguments whose filler is inside it, entities those mentions use."""
    mentions = [m for m in ann.get("mentions", []) if int(m["end"]) <= end]
    kept = {m["id"] for m in mentions}
    events = [{**e, "arguments": [a for a in e.get("arguments", []) if a["mention"] in kept]}
              for e in ann.get("events", []) if int(e["trigger"]["end"]) <= end]
    atts = [{**q, "source": q.get("source") if q.get("source") in kept else None}
            for q in ann.get("attributions", []) if int(q["content"]["end"]) <= end]
    used = {m["entity"] for m in mentions}
    return {**ann, "mentions": mentions, "events": events, "attributions": atts,
            "entities": [e for e in ann.get("entities", []) if e["id"] in used]}


def read_pass_pairs(dir_a: Path | None = None, dir_b: Path | None = None, *,
                    scope: str = "document") -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Pairs (A, B) by document. Scope `headline`: B annotated only the headlines of its
    documents; both sides are cut to B's headline, and A may cover more documents."""
    a_dir, b_dir = dir_a or PASSES_DIR / "a", dir_b or PASSES_DIR / "b"
    a_files = {p.stem: p for p in sorted(Path(a_dir).glob("*.json"))}
    b_files = {p.stem: p for p in sorted(Path(b_dir).glob("*.json"))}
    if scope == "headline":
        if not b_files or not b_files.keys() <= a_files.keys():
            raise TrisecError(Problem(f"{a_dir} vs {b_dir}", "the headline pass covers "
                                      "documents the reference does not: "
                                      f"{sorted(b_files.keys() - a_files.keys())}",
                                      "compare against a pass that covers every document"))
        pairs = []
        for k in sorted(b_files):
            b = read_annotation(b_files[k])
            end = headline_end(b)
            pairs.append((within(read_annotation(a_files[k]), end), within(b, end)))
        return pairs
    if not a_files or a_files.keys() != b_files.keys():
        raise TrisecError(Problem(f"{a_dir} vs {b_dir}", "passes do not cover the same documents: "
                                  f"only in A {sorted(a_files.keys() - b_files.keys())}, only in "
                                  f"B {sorted(b_files.keys() - a_files.keys())}",
                                  "complete both passes for every document"))
    return [(read_annotation(a_files[k]), read_annotation(b_files[k])) for k in sorted(a_files)]


def corpus_agreement(dir_a: Path | None = None, dir_b: Path | None = None, *,
                     scope: str = "document") -> dict[str, Any]:
    from trisec.evaluate.agreement import agreement_corpus

    return agreement_corpus(read_pass_pairs(dir_a, dir_b, scope=scope))


@dataclass(frozen=True)
class Comparison:
    """One agreement figure the project reports: pass `second` scored against `first`."""

    key: str
    first: str  # pass folder name, or "gold" (corpus/annotations/gold)
    second: str
    title: str
    note: str
    scope: str = "document"  # "headline": only the headlines pass `second` annotated


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
    Comparison("headlines", "gold", "h", "Headline pass H vs gold (headlines only)",
               "Headlines entered the text in release 0.2.0. H annotated only the three "
               "headlines, from the full guidelines and the raw pages, without seeing gold; "
               "gold for the headlines was committed before H was opened. Both sides are cut "
               "to the headline (mentions, triggers and arguments inside it), so the figures "
               "cover few items.", scope="headline"),
)
