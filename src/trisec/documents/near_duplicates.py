"""Near-duplicate articles: word 5-gram Jaccard similarity of cleaned bodies, and the curated
list of pairs that are different articles all the same (corpus/distinct.yaml).

`trisec add` refuses a new page that nearly duplicates one in the corpus, and every build runs
the same check over the whole corpus (a near-copy put into raw/ by hand would otherwise be
published twice, possibly in train and in test). A pair above the threshold is an error unless
a curator records in corpus/distinct.yaml that the two are distinct articles, and why.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trisec.errors import Problem, TrisecError, read_utf8

# Word 5-gram Jaccard similarity at or above which two bodies count as the same article
# (a re-crawl with a changed caption or an extra sentence); exact duplicates are 1.0.
NEAR_DUPLICATE = 0.8
SHINGLE = 5
DISTINCT_FILE = "distinct.yaml"
DISTINCT_HEADER = (
    "# Pairs of corpus articles whose cleaned bodies share at least 80% of their word 5-grams\n"
    "# (near-duplicates) but that a curator has checked are different articles (not a\n"
    "# re-crawl or an edited copy of one page). The build refuses any other near-duplicate\n"
    "# pair. One entry per pair: doc_ids (two) and the reason they are distinct.\n"
)


def shingles(text: str, n: int = SHINGLE) -> frozenset[str]:
    """Word n-grams of the casefolded body (punctuation kept out), for near-duplicates."""
    words = re.findall(r"\w+", text.casefold())
    if len(words) < n:
        return frozenset([" ".join(words)])
    return frozenset(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass
class NearIndex:
    """Shingle sets of the documents seen so far, with an inverted index so a new document
    is compared only with those it shares a shingle with."""

    sets: dict[str, frozenset[str]] = field(default_factory=dict)
    postings: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, text: str) -> None:
        mine = shingles(text)
        self.sets[key] = mine
        for s in mine:
            self.postings.setdefault(s, []).append(key)

    def matches(self, text: str) -> list[tuple[str, float]]:
        """Earlier documents sharing a shingle with `text`, most similar first (ties: the
        earlier one)."""
        mine = shingles(text)
        shared: Counter[str] = Counter()
        for s in mine:
            shared.update(self.postings.get(s, ()))
        order = {k: i for i, k in enumerate(self.sets)}
        sims = [(k, n / (len(mine) + len(self.sets[k]) - n)) for k, n in shared.items()]
        return sorted(sims, key=lambda ks: (-ks[1], order[ks[0]]))


@dataclass(frozen=True)
class DistinctPair:
    doc_ids: tuple[str, str]
    reason: str


_DISTINCT_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "properties": {"distinct": {"type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["doc_ids", "reason"],
        "properties": {
            "doc_ids": {"type": "array", "minItems": 2, "maxItems": 2, "uniqueItems": True,
                        "items": {"type": "string", "pattern": r"^tsn-[0-9a-f]{16}$"}},
            "reason": {"type": "string", "minLength": 1, "pattern": r"\S"}}}}}}


def read_distinct(path: Path) -> list[DistinctPair]:
    """The curated pairs (none when the file does not exist); strict, located errors."""
    from trisec.file_schemas import load_yaml_strings, strict_problems

    if not path.is_file():
        return []
    try:
        data = load_yaml_strings(read_utf8(path)) or {}
    except yaml.YAMLError as exc:
        raise TrisecError(Problem(str(path), f"invalid YAML: {exc}", "fix the YAML")) from exc
    problems = strict_problems(data, _DISTINCT_SCHEMA, str(path))
    if problems:
        raise TrisecError(problems)
    return [DistinctPair((e["doc_ids"][0], e["doc_ids"][1]), e["reason"])
            for e in data.get("distinct") or []]


def record_distinct(path: Path, a: str, b: str, reason: str) -> None:
    """Add a pair (kept sorted, so the file diffs well); an existing pair is left as it is."""
    pairs = read_distinct(path)
    if any(set(p.doc_ids) == {a, b} for p in pairs):
        return
    pairs.append(DistinctPair(tuple(sorted((a, b))), reason))  # type: ignore[arg-type]
    pairs.sort(key=lambda p: p.doc_ids)
    body = {"distinct": [{"doc_ids": list(p.doc_ids), "reason": p.reason} for p in pairs]}
    path.write_text(DISTINCT_HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True,
                                                     width=100), encoding="utf-8")


@dataclass
class NearCheck:
    """The build's near-duplicate check: documents come in file-name order; a document
    nearly duplicating an earlier one is a problem unless the pair is recorded."""

    raw_dir: Path
    distinct_path: Path
    errors: list[Problem]
    index: NearIndex = field(default_factory=NearIndex)
    names: dict[str, str] = field(default_factory=dict)  # doc_id -> source_file
    pairs: list[DistinctPair] = field(default_factory=list)

    def __post_init__(self) -> None:
        try:
            self.pairs = read_distinct(self.distinct_path)
        except TrisecError as exc:
            self.errors.extend(exc.problems)
        self._recorded = {frozenset(p.doc_ids) for p in self.pairs}

    def check(self, doc_id: str, source_file: str, text: str) -> None:
        for other, sim in self.index.matches(text):
            if sim < NEAR_DUPLICATE:
                break
            if frozenset((other, doc_id)) not in self._recorded:
                self.errors.append(Problem(
                    str(self.raw_dir / source_file),
                    f"near-duplicate of raw/{self.names[other]} ({other}): {sim:.0%} of word "
                    f"{SHINGLE}-grams shared", "a re-crawl or an edited copy of one page: "
                    "remove this file and its line in raw.sha256; two different articles: "
                    f"record the pair in {self.distinct_path.name} beside raw/ (see "
                    "docs/CLEANING.md, Duplicates)"))
        self.index.add(doc_id, text)
        self.names[doc_id] = source_file

    def finish(self, known_ids: set[str]) -> None:
        """Every recorded pair names two documents of the corpus (a stale pair would
        silently excuse a later file that reuses nothing of it)."""
        for k, p in enumerate(self.pairs):
            for doc_id in p.doc_ids:
                if doc_id not in known_ids:
                    self.errors.append(Problem(
                        f"{self.distinct_path}:$.distinct[{k}]", f"{doc_id} is no document of "
                        "the corpus", "remove the entry, or fix the doc_id"))
