"""Reference: the rule baseline as it was before the one-pass matcher (trisec.baselines.rules
at that time), one compiled regular expression per word list and per trigger word.
tests/test_baseline_equivalence.py checks the fast baseline gives the same predictions.

Original description: a ruler over spaCy's blank English tokens and sentences.

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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

import trisec.baselines
from trisec.schema import Schema, load_schema

PATTERNS = Path(trisec.baselines.__file__).parent / "patterns"
GAZETTEERS = ["organizations", "regions", "countries", "cities", "demonyms", "titles"]
# attribution sources: a heuristic of this baseline (NORP adjectives rarely speak)
SPEAKERS = {"PER", "ORG", "GPE"}
PREPOSITIONS = {"place": {"in", "at", "near", "off", "over", "around", "inside", "across"},
                "destination": {"to", "into", "toward", "towards"},
                "origin": {"from"}}
NAME_TOKEN = re.compile(r"^[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?\.?$|^[A-Z]\.$")
QUOTE = re.compile(r"[\"“]([^\"”]{12,}?)[\"”]")


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    regex: re.Pattern[str]
    source: str


def _phrase_regex(entries: list[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(e) for e in sorted(set(entries), key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alts})(?![\w])")


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
    rules = [Rule(r["name"], r["label"], re.compile(r["regex"].strip()), r["source"])
             for r in yaml.safe_load((folder / "regex.yaml").read_text(encoding="utf-8"))]
    for name in GAZETTEERS:
        label, entries, source = read_list(folder / f"{name}.txt")
        rules.append(Rule(name, label, _phrase_regex(entries), source))
    return tuple(rules)


@cache
def load_triggers(folder: Path = PATTERNS) -> tuple[tuple[re.Pattern[str], str], ...]:
    data = yaml.safe_load((folder / "triggers.yaml").read_text(encoding="utf-8"))
    pairs = [(w, t) for t, words in data.items() for w in words]
    pairs.sort(key=lambda p: len(p[0]), reverse=True)  # multiword first
    return tuple((re.compile(rf"(?<![\w-]){re.escape(w)}(?![\w-])", re.IGNORECASE), t)
                 for w, t in pairs)


@cache
def load_cues(folder: Path = PATTERNS) -> re.Pattern[str]:
    _, entries, _ = read_list(folder / "cues.txt")
    return _phrase_regex(entries)


# -- 1. entities ---------------------------------------------------------------------------
Cand = tuple[int, int, str]


def candidates(text: str, rules: tuple[Rule, ...]) -> list[tuple[int, int, str, int]]:
    out = []
    for rank, rule in enumerate(rules):
        for m in rule.regex.finditer(text):
            s, e = m.span()
            while e > s and text[e - 1] in " ,;:":  # trailing separators from optional parts
                e -= 1
            if e > s:
                out.append((s, e, rule.label, rank))
    return out


def resolve(cands: list[tuple[int, int, str, int]]) -> list[Cand]:
    """Non-overlapping spans: longest first, then the earlier rule, then the earlier start."""
    taken: list[Cand] = []
    for s, e, label, _ in sorted(cands, key=lambda c: (-(c[1] - c[0]), c[3], c[0])):
        if all(e <= ts or s >= te for ts, te, _ in taken):
            taken.append((s, e, label))
    return sorted(taken)


# -- 2. people -----------------------------------------------------------------------------
def join_hyphens(text: str, tokens: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Re-join words the tokenizer split at a hyphen (Won-sik, Myung-soo) so a name is one
    token again."""
    out: list[tuple[int, int]] = []
    for s, e in tokens:
        if out and out[-1][1] == s and (text[s:e] == "-" or text[out[-1][0]:out[-1][1]]
                                         .endswith("-")):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def people(text: str, tokens: list[tuple[int, int]], ents: list[Cand],
           cues: re.Pattern[str]) -> list[Cand]:
    """Title-case token runs after a TITLE span, or right before/after a reporting verb."""
    covered = [(s, e) for s, e, _ in ents]

    def free(s: int, e: int) -> bool:
        return all(e <= cs or s >= ce for cs, ce in covered)

    def run_from(i: int, step: int) -> tuple[int, int] | None:
        idx = []
        while 0 <= i < len(tokens) and len(idx) < 4:
            s, e = tokens[i]
            if not (NAME_TOKEN.match(text[s:e]) and free(s, e)):
                break
            idx.append(i)
            i += step
        if not idx:
            return None
        lo, hi = min(idx), max(idx)
        return tokens[lo][0], tokens[hi][1]

    starts = {s: i for i, (s, _) in enumerate(tokens)}
    ends = {e: i for i, (_, e) in enumerate(tokens)}
    found: list[Cand] = []
    for _, e, label in ents:
        if label == "TITLE" and e in ends:
            span = run_from(ends[e] + 1, +1)
            if span:
                found.append((*span, "PER"))
    for m in cues.finditer(text):
        if m.start() in starts:
            span = run_from(starts[m.start()] - 1, -1)
            if span and span[1] - span[0] > 2:
                found.append((*span, "PER"))
        if m.end() in ends:
            span = run_from(ends[m.end()] + 1, +1)
            if span and span[1] - span[0] > 2:
                found.append((*span, "PER"))
    out: list[Cand] = []
    for c in sorted(set(found)):
        if all(c[1] <= o[0] or c[0] >= o[1] for o in out):
            out.append(c)
    return out


# -- 3. events -----------------------------------------------------------------------------
def _prev_word(text: str, pos: int) -> str:
    m = re.search(r"(\w+)\W*(?:the\s+)?$", text[max(0, pos - 30):pos])
    return m.group(1).lower() if m else ""


def events(text: str, sentences: list[tuple[int, int]], ents: list[Cand],
           schema: Schema) -> list[dict[str, Any]]:
    out = []
    used: list[tuple[int, int]] = []
    for pattern, etype in load_triggers():
        roles = schema.roles_for(etype)
        if not roles:
            continue
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(not (e <= es or s >= ee) for es, ee, _ in ents) or \
                    any(not (e <= us or s >= ue) for us, ue in used):
                continue
            used.append((s, e))
            sent = next(((a, b) for a, b in sentences if a <= s < b), (s, e))
            local = [x for x in ents if sent[0] <= x[0] and x[1] <= sent[1]]
            out.append({"trigger": {"start": s, "end": e, "text": text[s:e]}, "type": etype,
                        "arguments": arguments(text, (s, e), local, roles,
                                               schema.role_labels("agent"))})
    return sorted(out, key=lambda ev: ev["trigger"]["start"])


def arguments(text: str, trig: tuple[int, int], local: list[Cand],
              roles: dict[str, list[str]], agents: set[str]) -> list[dict[str, Any]]:
    args: list[dict[str, Any]] = []
    taken: set[tuple[int, int]] = set()

    def add(role: str, c: Cand) -> None:
        taken.add((c[0], c[1]))
        args.append({"role": role, "start": c[0], "end": c[1], "text": text[c[0]:c[1]]})

    def dist(c: Cand) -> int:
        return min(abs(c[0] - trig[1]), abs(trig[0] - c[1]))

    before = sorted((c for c in local if c[1] <= trig[0]), key=dist)
    after = sorted((c for c in local if c[0] >= trig[1]), key=dist)
    nearest = sorted(local, key=dist)
    first_agent = True
    for role, labels in roles.items():
        fits = [c for c in nearest if c[2] in labels and (c[0], c[1]) not in taken]
        if role in PREPOSITIONS:
            fits = [c for c in fits if _prev_word(text, c[0]) in PREPOSITIONS[role]]
            if fits:
                add(role, fits[0])
        elif set(labels) & agents and first_agent:
            first_agent = False
            pool = [c for c in before if c[2] in labels and (c[0], c[1]) not in taken]
            if pool:
                add(role, pool[0])
        elif set(labels) & agents:
            pool = [c for c in after if c[2] in labels and (c[0], c[1]) not in taken]
            if pool:
                add(role, pool[0])
        elif fits:
            add(role, fits[0])
    return args


# -- 4. attributions -----------------------------------------------------------------------
def attributions(text: str, sentences: list[tuple[int, int]], ents: list[Cand],
                 cues: re.Pattern[str]) -> list[dict[str, Any]]:
    out = []

    def span(s: int, e: int) -> dict[str, Any]:
        return {"start": s, "end": e, "text": text[s:e]}

    for a, b in sentences:
        cue = next(iter(cues.finditer(text, a, b)), None)
        if cue is None:
            continue
        speakers = [c for c in ents if a <= c[0] and c[1] <= b and c[2] in SPEAKERS]
        source = min(speakers, key=lambda c: min(abs(c[0] - cue.end()),
                                                 abs(cue.start() - c[1])), default=None)
        quote = QUOTE.search(text, a, b)
        if quote:
            cs, ce = quote.span(1)
        elif cue.group() == "according to":
            cs, ce = a, cue.start()
        else:
            cs = cue.end()
            m = re.match(r"\s*(?:that\s+)?", text[cs:b])
            cs += m.end() if m else 0
            ce = b
        while ce > cs and text[ce - 1] in " .,;:\"”":
            ce -= 1
        while cs < ce and text[cs] in " ,":
            cs += 1
        if ce - cs < 12:
            continue
        out.append({"content": span(cs, ce), "cue": span(*cue.span()),
                    "source": None if source is None else span(source[0], source[1])})
    return out


class RuleBaseline:
    """`predict(doc_id, text)` -> one prediction line (docs/BENCHMARK.md)."""

    name = "rules"

    def __init__(self, schema: Schema | None = None) -> None:
        self.schema = schema or load_schema()
        self.rules = load_rules()
        self.cues = load_cues()

    def entities(self, text: str, tokens: list[tuple[int, int]]) -> list[Cand]:
        ents = resolve(candidates(text, self.rules))
        return sorted(ents + people(text, join_hyphens(text, tokens), ents, self.cues))

    def predict(self, doc_id: str, text: str) -> dict[str, Any]:
        from reference.sentences_spacy import split_sentences

        sents = split_sentences(text)
        tokens = [t for s in sents for t in zip(s.token_starts, s.token_ends, strict=True)]
        bounds = [(s.start, s.end) for s in sents]
        ents = self.entities(text, tokens)
        return {
            "doc_id": doc_id,
            "entities": [{"start": s, "end": e, "label": lab, "text": text[s:e]}
                         for s, e, lab in ents],
            "events": events(text, bounds, ents, self.schema),
            "attributions": attributions(text, bounds, ents, self.cues),
        }
