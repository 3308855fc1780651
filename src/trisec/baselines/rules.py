"""The rule/gazetteer baseline: a ruler over spaCy's blank English tokens and sentences.

Every pattern comes from the data files in `patterns/` (README.md there says where each list
came from); none is derived from the gold annotations it is scored on. Steps, each a small
pure function over the text:
1. entities: regex rules (`regex.yaml`) and gazetteers (`*.txt`, case-sensitive, whole
   words) propose candidate spans; the longest wins, then the earlier rule;
2. people: title-case tokens right after a TITLE, or next to a reporting verb, are PER;
3. events: trigger words (`triggers.yaml`) outside entity spans; arguments are the nearest
   entities of the sentence whose label the role allows (place after in/at/near, destination
   after to/into, origin after from, agents before the trigger, targets after);
4. attributions: quoted text or the clause after a reporting verb (`cues.txt`), with the
   nearest PER/ORG/GPE before or after the cue as source.

Speed: a silver corpus runs this over whole crawls, so every word list (gazetteers, cues,
triggers) is matched in one Aho-Corasick pass per document (`phrases.Phrases`) instead of a
regular expression per list or per word, overlaps are resolved with sorted interval sets,
and per-schema lookups are made once. The results are the same spans as matching each list
with its own regular expression (tests/test_baseline_equivalence.py compares both, span for
span, on the corpus and a synthetic crawl).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from trisec.baselines import gate
from trisec.baselines.gate import gated
from trisec.baselines.phrases import Phrases, Taken, leftmost_longest
from trisec.errors import Problem, TrisecError
from trisec.schema import Schema, load_schema

PATTERNS = Path(__file__).parent / "patterns"
GAZETTEERS = ["organizations", "regions", "countries", "cities", "demonyms", "titles"]
# attribution sources: a heuristic of this baseline (NORP adjectives rarely speak)
SPEAKERS = {"PER", "ORG", "GPE"}
PREPOSITIONS = {"place": {"in", "at", "near", "off", "over", "around", "inside", "across"},
                "destination": {"to", "into", "toward", "towards"},
                "origin": {"from"}}
NAME_TOKEN = re.compile(r"^[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?\.?$|^[A-Z]\.$")
QUOTE = re.compile(r"[\"“]([^\"”]{12,}?)[\"”]")
# whole words: gazetteer entries and cues between (?<![\w.]) and (?![\w]); trigger words
# (case-insensitive) between (?<![\w-]) and (?![\w-])
ENTRY_BEFORE, ENTRY_AFTER = re.compile(r"[\w.]"), re.compile(r"\w")
TRIGGER_EDGE = re.compile(r"[\w-]")


@dataclass(frozen=True)
class Rule:
    """A regex rule (`regex` set, searched through `gate`) or a gazetteer (`entries` set,
    matched by `Lexicon`)."""

    name: str
    label: str
    regex: re.Pattern[str] | None
    source: str
    entries: tuple[str, ...] = ()
    gate: re.Pattern[str] | None = None
    openings: tuple[str, ...] | None = None  # literal strings every match starts with


def read_list(path: Path) -> tuple[str, list[str], str]:
    """A gazetteer file: `# label: X` and `# source:` header comments, one entry per line."""
    label, source, entries = "", [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            body = line.lstrip("# ").rstrip()
            if body.startswith("label:"):
                label = body.split(":", 1)[1].strip()
            else:
                source.append(body.removeprefix("source:").strip())
        elif line.strip():
            entries.append(line.strip())
    return label, entries, " ".join(source)


@cache
def load_rules(folder: Path = PATTERNS) -> tuple[Rule, ...]:
    """Regex rules first (in file order), then the gazetteers (GAZETTEERS order)."""
    rules = []
    for r in yaml.safe_load((folder / "regex.yaml").read_text(encoding="utf-8")):
        regex = re.compile(r["regex"].strip())
        rules.append(Rule(r["name"], r["label"], regex, r["source"], gate=gated(regex),
                          openings=gate.openings(regex)))
    for name in GAZETTEERS:
        label, entries, source = read_list(folder / f"{name}.txt")
        rules.append(Rule(name, label, None, source, tuple(entries)))
    return tuple(rules)


@cache
def load_triggers(folder: Path = PATTERNS) -> tuple[tuple[str, str], ...]:
    """(word, event type), longest word first (a multiword trigger beats its parts); ties
    keep the file's order."""
    path = folder / "triggers.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = [(w, t) for t, words in data.items() for w in words]
    for w, t in pairs:
        if not w.isascii():  # the one-pass matcher folds case for ASCII only (phrases.fold)
            raise TrisecError(Problem(f"{path}: {t}", f"trigger {w!r} is not ASCII",
                                      "write the trigger in ASCII letters"))
    pairs.sort(key=lambda p: len(p[0]), reverse=True)  # multiword first
    return tuple(pairs)


@cache
def load_cues(folder: Path = PATTERNS) -> tuple[str, ...]:
    _, entries, _ = read_list(folder / "cues.txt")
    return tuple(entries)


# -- the one-pass matchers -----------------------------------------------------------------
Cand = tuple[int, int, str]
CUES = -1  # list number of the cues in a Lexicon
OPENING = 1 << 20  # + rank: a literal opening of regex rule `rank`


@dataclass
class Found:
    """One document's phrase matches: per gazetteer rank, the spans `re.finditer` over its
    alternation would give; and every cue occurrence with whole-word edges."""

    gazetteers: dict[int, list[tuple[int, int]]]
    cues: list[tuple[int, int, bool]]  # start, end, a word character follows
    rule_starts: dict[int, list[int]]  # per regex rule with openings: where it may match


class Lexicon:
    """Gazetteers and cues (case-sensitive) in one automaton, triggers (case-insensitive)
    in another; built once per baseline."""

    def __init__(self, rules: tuple[Rule, ...], cues: tuple[str, ...],
                 triggers: tuple[tuple[str, str], ...], schema: Schema) -> None:
        # one automaton: gazetteer entries and cues (value: rank, whole words only), and
        # the literal openings of regex rules (value: OPENING + rank, anywhere): a regex
        # rule with openings is tried only where one occurs
        words: list[tuple[str, int]] = [(e, rank) for rank, r in enumerate(rules)
                                        for e in r.entries]
        words += [(c, CUES) for c in cues]
        words += [(o, OPENING + rank) for rank, r in enumerate(rules)
                  if r.regex is not None and r.openings for o in r.openings]
        self.entries = Phrases(words)
        # a trigger of a type without roles makes no event: it is not matched at all
        self.triggers = Phrases([(w, k) for k, (w, t) in enumerate(triggers)
                                 if schema.roles_for(t)], fold=True)
        self.trigger_types = [t for _, t in triggers]
        self.plans = {t: role_plans(schema, t) for t in set(self.trigger_types)}

    def find(self, text: str) -> Found:
        per_rank: dict[int, list[tuple[int, int]]] = {}
        cues: list[tuple[int, int, bool]] = []
        starts: dict[int, set[int]] = {}
        n = len(text)
        for s, e, values in self.entries.find(text):
            whole: bool | None = None  # s is a word start (computed when a list needs it)
            word_after = False
            for v in values:
                if v >= OPENING:
                    starts.setdefault(v - OPENING, set()).add(s)
                    continue
                if whole is None:
                    whole = not (s and ENTRY_BEFORE.match(text, s - 1))
                    word_after = e < n and ENTRY_AFTER.match(text, e) is not None
                if not whole:
                    continue
                if v == CUES:
                    cues.append((s, e, word_after))
                elif not word_after:
                    per_rank.setdefault(v, []).append((s, e))
        return Found({r: leftmost_longest(v) for r, v in per_rank.items()}, sorted(cues),
                     {r: sorted(v) for r, v in starts.items()})

    def trigger_hits(self, text: str) -> list[tuple[int, int, int]]:
        """(priority, start, end): for each trigger word the spans `re.finditer` of
        `(?<![\\w-])word(?![\\w-])` (IGNORECASE) gives, ordered by priority then start."""
        per_word: dict[int, list[tuple[int, int]]] = {}
        n = len(text)
        for s, e, words in self.triggers.find(text):
            if (s and TRIGGER_EDGE.match(text, s - 1)) or (e < n and TRIGGER_EDGE.match(text, e)):
                continue
            for k in words:
                per_word.setdefault(k, []).append((s, e))
        return [(k, s, e) for k in sorted(per_word) for s, e in leftmost_longest(per_word[k])]


# -- 1. entities ---------------------------------------------------------------------------
def candidates(text: str, rules: tuple[Rule, ...],
               found: Found) -> list[tuple[int, int, str, int]]:
    out = []
    for rank, rule in enumerate(rules):
        if rule.regex is None:
            spans = found.gazetteers.get(rank, ())
        elif rule.openings:
            spans = gate.spans_at(rule.regex, found.rule_starts.get(rank, []), text)
        else:
            spans = gate.spans(rule.regex, rule.gate, text)
        for s, e in spans:
            while e > s and text[e - 1] in " ,;:":  # trailing separators from optional parts
                e -= 1
            if e > s:
                out.append((s, e, rule.label, rank))
    return out


def resolve(cands: list[tuple[int, int, str, int]]) -> list[Cand]:
    """Non-overlapping spans: longest first, then the earlier rule, then the earlier start."""
    taken = Taken()
    out: list[Cand] = []
    for s, e, label, _ in sorted(cands, key=lambda c: (-(c[1] - c[0]), c[3], c[0])):
        if taken.add_if_free(s, e):
            out.append((s, e, label))
    return sorted(out)


# -- 2. people -----------------------------------------------------------------------------
def join_hyphens(text: str, starts: np.ndarray, ends: np.ndarray
                 ) -> tuple[list[int], list[int]]:
    """Re-join words the tokenizer split at a hyphen (Won-sik, Myung-soo) so a name is one
    token again: a token glued to the previous one joins it when it is "-" or the previous
    one ends with "-"."""
    if len(starts) < 2:
        return starts.tolist(), ends.tolist()
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)  # code points
    hyphen = chars[ends[:-1] - 1] == ord("-")  # the previous token ends with "-"
    alone = (chars[starts[1:]] == ord("-")) & (ends[1:] - starts[1:] == 1)  # this one is "-"
    glued = (ends[:-1] == starts[1:]) & (alone | hyphen)
    first = np.concatenate(([True], ~glued))
    last = np.concatenate((~glued, [True]))
    return starts[first].tolist(), ends[last].tolist()


def people(text: str, starts: list[int], ends: list[int], ents: list[Cand],
           cues: list[tuple[int, int]]) -> list[Cand]:
    """Title-case token runs after a TITLE span, or right before/after a reporting verb."""
    covered = Taken([(s, e) for s, e, _ in ents])

    def run_from(i: int, step: int) -> tuple[int, int] | None:
        idx = []
        while 0 <= i < len(starts) and len(idx) < 4:
            s, e = starts[i], ends[i]
            if not (NAME_TOKEN.match(text[s:e]) and not covered.overlaps(s, e)):
                break
            idx.append(i)
            i += step
        if not idx:
            return None
        lo, hi = min(idx), max(idx)
        return starts[lo], ends[hi]

    def token_ending(e: int) -> int | None:
        i = bisect_left(ends, e)
        return i if i < len(ends) and ends[i] == e else None

    def token_starting(s: int) -> int | None:
        i = bisect_left(starts, s)
        return i if i < len(starts) and starts[i] == s else None

    found: list[Cand] = []
    for _, e, label in ents:
        i = token_ending(e) if label == "TITLE" else None
        if i is not None:
            span = run_from(i + 1, +1)
            if span:
                found.append((*span, "PER"))
    for cs, ce in cues:
        i = token_starting(cs)
        if i is not None:
            span = run_from(i - 1, -1)
            if span and span[1] - span[0] > 2:
                found.append((*span, "PER"))
        i = token_ending(ce)
        if i is not None:
            span = run_from(i + 1, +1)
            if span and span[1] - span[0] > 2:
                found.append((*span, "PER"))
    out: list[Cand] = []
    for c in sorted(set(found)):
        if all(c[1] <= o[0] or c[0] >= o[1] for o in out):
            out.append(c)
    return out


# -- 3. events -----------------------------------------------------------------------------
PREV_WORD = re.compile(r"(\w+)\W*(?:the\s+)?$")


@lru_cache(maxsize=4096)  # every event of a sentence asks about the same entities
def _prev_word(text: str, pos: int) -> str:
    m = PREV_WORD.search(text[max(0, pos - 30):pos])
    return m.group(1).lower() if m else ""


@dataclass(frozen=True)
class RolePlan:
    """How one role of an event type is filled (computed once per type, not per event)."""

    role: str
    labels: frozenset[str]
    kind: str  # "preposition", "agent" (before the trigger), "patient" (after), "nearest"


def role_plans(schema: Schema, event_type: str) -> tuple[RolePlan, ...]:
    agents = schema.role_labels("agent")
    plans, first_agent = [], True
    for role, labels in schema.roles_for(event_type).items():
        if role in PREPOSITIONS:
            kind = "preposition"
        elif set(labels) & agents:
            kind = "agent" if first_agent else "patient"
            first_agent = False
        else:
            kind = "nearest"
        plans.append(RolePlan(role, frozenset(labels), kind))
    return tuple(plans)


def events(text: str, sentences: list[tuple[int, int]], ents: list[Cand],
           lexicon: Lexicon) -> list[dict[str, Any]]:
    """Trigger matches taken by priority (longest word first, then earlier start), each
    only if it overlaps no entity and no trigger taken before."""
    out = []
    taken = Taken([(s, e) for s, e, _ in ents])
    sent_starts = [a for a, _ in sentences]
    ent_starts = [c[0] for c in ents]
    ent_ends = [c[1] for c in ents]
    for k, s, e in lexicon.trigger_hits(text):
        if not taken.add_if_free(s, e):
            continue
        j = bisect_right(sent_starts, s) - 1
        sent = sentences[j] if j >= 0 and s < sentences[j][1] else (s, e)
        lo = bisect_left(ent_starts, sent[0])
        local = ents[lo:max(lo, bisect_right(ent_ends, sent[1]))]
        etype = lexicon.trigger_types[k]
        out.append({"trigger": {"start": s, "end": e, "text": text[s:e]}, "type": etype,
                    "arguments": arguments(text, (s, e), local, lexicon.plans[etype])})
    return sorted(out, key=lambda ev: ev["trigger"]["start"])


def arguments(text: str, trig: tuple[int, int], local: list[Cand],
              plans: tuple[RolePlan, ...]) -> list[dict[str, Any]]:
    """Per role, the first fitting entity of its pool, nearest to the trigger first (ties in
    the sentence's order): the entities are sorted once and each pool is that order filtered
    (what sorting each pool on its own gives, sorting being stable), and a pool is read only
    up to its first fit."""
    args: list[dict[str, Any]] = []
    if not local:
        return args
    t0, t1 = trig
    nearest = [c for _, _, c in sorted((min(abs(c[0] - t1), abs(t0 - c[1])), i, c)
                                       for i, c in enumerate(local))]
    taken: set[tuple[int, int]] = set()
    for p in plans:
        if p.kind == "agent":
            pool = (c for c in nearest if c[1] <= t0)
        elif p.kind == "patient":
            pool = (c for c in nearest if c[0] >= t1)
        else:
            pool = iter(nearest)
        labels, prepositions = p.labels, PREPOSITIONS.get(p.role)
        for c in pool:
            if c[2] not in labels or (c[0], c[1]) in taken:
                continue
            if p.kind == "preposition" and _prev_word(text, c[0]) not in prepositions:
                continue
            taken.add((c[0], c[1]))
            args.append({"role": p.role, "start": c[0], "end": c[1], "text": text[c[0]:c[1]]})
            break
    return args


# -- 4. attributions -----------------------------------------------------------------------
def first_cue(cues: list[tuple[int, int, bool]], a: int, b: int) -> tuple[int, int] | None:
    """What `cue_regex.search(text, a, b)` finds: the leftmost cue inside [a, b), the longest
    there; at `b` the search's end counts as a word edge."""
    best: tuple[int, int] | None = None
    for s, e, word_after in cues[bisect_left(cues, (a, -1, False)):]:
        if best is not None and s > best[0]:
            break
        if e <= b and (e == b or not word_after) and (best is None or e > best[1]):
            best = (s, e)
        if s >= b:
            break
    return best


def attributions(text: str, sentences: list[tuple[int, int]], ents: list[Cand],
                 cues: list[tuple[int, int, bool]]) -> list[dict[str, Any]]:
    out = []

    def span(s: int, e: int) -> dict[str, Any]:
        return {"start": s, "end": e, "text": text[s:e]}

    for a, b in sentences:
        cue = first_cue(cues, a, b)
        if cue is None:
            continue
        cue_s, cue_e = cue
        speakers = [c for c in ents if a <= c[0] and c[1] <= b and c[2] in SPEAKERS]
        source = min(speakers, key=lambda c: min(abs(c[0] - cue_e), abs(cue_s - c[1])),
                     default=None)
        quote = QUOTE.search(text, a, b)
        if quote:
            cs, ce = quote.span(1)
        elif text[cue_s:cue_e] == "according to":
            cs, ce = a, cue_s
        else:
            cs = cue_e
            m = re.match(r"\s*(?:that\s+)?", text[cs:b])
            cs += m.end() if m else 0
            ce = b
        while ce > cs and text[ce - 1] in " .,;:\"”":
            ce -= 1
        while cs < ce and text[cs] in " ,":
            cs += 1
        if ce - cs < 12:
            continue
        out.append({"content": span(cs, ce), "cue": span(cue_s, cue_e),
                    "source": None if source is None else span(source[0], source[1])})
    return out


class RuleBaseline:
    """`predict(doc_id, text)` -> one prediction line (docs/BENCHMARK.md)."""

    name = "rules"

    def __init__(self, schema: Schema | None = None) -> None:
        self.schema = schema or load_schema()
        self.rules = load_rules()
        self.lexicon = Lexicon(self.rules, load_cues(), load_triggers(), self.schema)

    def entities(self, text: str, starts: np.ndarray, ends: np.ndarray,
                 found: Found) -> list[Cand]:
        ents = resolve(candidates(text, self.rules, found))
        cues = leftmost_longest([(s, e) for s, e, word_after in found.cues if not word_after])
        return sorted(ents + people(text, *join_hyphens(text, starts, ends), ents, cues))

    def predict(self, doc_id: str, text: str) -> dict[str, Any]:
        from trisec.documents.sentences import tokenize

        toks = tokenize(text)
        bounds = toks.sentence_spans()
        found = self.lexicon.find(text)
        ents = self.entities(text, toks.starts, toks.ends, found)
        return {
            "doc_id": doc_id,
            "entities": [{"start": s, "end": e, "label": lab, "text": text[s:e]}
                         for s, e, lab in ents],
            "events": events(text, bounds, ents, self.lexicon),
            "attributions": attributions(text, bounds, ents, found.cues),
        }
