"""Generated blocks of DATASHEET.md (and the card's statistics): tables computed from a
release folder, never typed by hand.

A block sits between `<!-- BEGIN GENERATED: name -->` and `<!-- END GENERATED: name -->`;
`refresh` rewrites every block of a text, `stale_blocks` names those that differ. Each
renderer is a function of (release folder, schema) only, except `agreement`, which reads
the committed annotation passes (corpus/annotations/passes/) like `trisec annotations
agreement` does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.schema import Schema, load_schema

BEGIN = "<!-- BEGIN GENERATED: {name} -->"
END = "<!-- END GENERATED: {name} -->"
_BLOCK = re.compile(r"<!-- BEGIN GENERATED: (?P<name>[\w-]+) -->\n(?P<body>.*?)"
                    r"<!-- END GENERATED: (?P=name) -->", re.S)
LAYERS = load_schema().span_tables  # the flat gold-layer configs, from schema/dataset.yaml


# -- small helpers -------------------------------------------------------------------------
def _cell(value: Any) -> str:
    text = "-" if value is None or value == "" else str(value)
    return " ".join(text.split()).replace("|", "\\|")


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _files(release: Path, config: str) -> list[Path]:
    return sorted((release / "data" / config).glob("*.parquet"))


def read_config(release: Path, config: str, columns: list[str] | None = None
                ) -> list[dict[str, Any]]:
    """Rows of a config across its split files ([] when the config has no file)."""
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    for f in _files(release, config):
        rows += pq.read_table(f, columns=columns).to_pylist()
    return rows


def num_rows(release: Path, config: str) -> Counter[str]:
    """Rows per split, from the Parquet footers (no data read)."""
    import pyarrow.parquet as pq

    out: Counter[str] = Counter()
    for f in _files(release, config):
        out[f.name.split("-", 1)[0]] += pq.ParquetFile(f).metadata.num_rows
    return out


def has_gold(release: Path) -> bool:
    return any(_files(release, layer) for layer in LAYERS)


# -- blocks ----------------------------------------------------------------------------------
def block_version(release: Path, schema: Schema) -> str:
    notes = schema.dataset.get("release_notes") or {}
    lines = [f"Version **{schema.version}** (`schema/dataset.yaml`, the one source of the "
             "version; tag `v" + schema.version + "`)."]
    lines += ["", "| version | release notes |", "|---|---|"]
    lines += [f"| {v} | {_cell(n)} |" for v, n in notes.items()]
    return "\n".join(lines)


def _fact(f: dict[str, Any] | None, with_precision: bool = False) -> str:
    f = f or {}
    if f.get("value") is None:
        return "unknown"
    extra = [x for x in ((f.get("precision") if with_precision else None),
                         f.get("provenance"), f.get("confidence")) if x]
    return f"{f['value']} ({', '.join(extra)})" if extra else str(f["value"])


def block_scheme(release: Path, schema: Schema) -> str:
    """The label sets by name (definitions live in the guidelines and the card)."""
    rows = [[about["title"], len(schema.label_values(key)),
             ", ".join(f"`{n}`" for n in schema.label_values(key))]
            for key, about in schema.label_sets.items()]
    return md_table(["label set", "size", "values"], rows)


def block_sources(release: Path, schema: Schema) -> str:
    docs = read_config(release, "documents", ["doc_id", "split", "source_file", "title",
                                              "outlet", "published", "url", "dateline"])
    docs.sort(key=lambda d: d["source_file"])
    rows = []
    for d in docs:
        url = (d["url"] or {}).get("value")
        host = re.sub(r"^https?://(www\.)?", "", url).split("/")[0] if url else None
        outlet = _fact(d["outlet"])
        if outlet == "unknown" and (d["outlet"] or {}).get("evidence"):
            outlet = f"unknown - {d['outlet']['evidence']}"
        rows.append([f"`{d['doc_id']}`", d["split"], outlet, _fact(d["published"], True),
                     host, _fact(d["title"]), _fact(d["dateline"])])
    notes = ("Each value is followed by its provenance (`crawl_line`: the crawler's date line; "
             "`body`: found in the article text; `external`: a curator's lookup of stored "
             "copies of the public page) and confidence; `unknown` means no value was "
             "established. The evidence for every fact is in the `documents` config.")
    return md_table(["doc_id", "split", "outlet", "published", "URL host", "title",
                     "dateline"], rows) + "\n\n" + notes


def block_counts(release: Path, schema: Schema) -> str:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    splits = schema.split_names
    docs = num_rows(release, "documents")
    sents = num_rows(release, "sentences")
    tokens: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    for f in _files(release, "sentences"):
        col = pq.read_table(f, columns=["tokens"]).column("tokens")
        tokens[f.name.split("-", 1)[0]] += int(pc.sum(pc.list_value_length(col)).as_py() or 0)
    for f in _files(release, "documents"):
        col = pq.read_table(f, columns=["text"]).column("text")
        chars[f.name.split("-", 1)[0]] += int(pc.sum(pc.utf8_length(col)).as_py() or 0)
    layers = {layer: num_rows(release, layer) for layer in LAYERS}
    rows = [["documents", *[docs[s] for s in splits], sum(docs.values())],
            ["sentences", *[sents[s] for s in splits], sum(sents.values())],
            ["tokens", *[tokens[s] for s in splits], sum(tokens.values())],
            ["characters of text", *[chars[s] for s in splits], sum(chars.values())]]
    rows += [[f"gold {layer}", *[c[s] for s in splits], sum(c.values())]
             for layer, c in layers.items()]
    out = md_table(["", *splits, "total"], rows)
    if not has_gold(release):
        out += ("\n\nThis release has no gold annotations yet: the span layers are empty and "
                "the flat span configs are not published.")
    return out


def block_labels(release: Path, schema: Schema) -> str:
    from trisec.release.stats import layer_counts

    counts = layer_counts(release, schema)
    if not any(counts.values()):
        return "No gold annotations in this release yet: no label counts."
    rows = [[title, ", ".join(f"{k} {n}" for k, n in c.items()) or "-",
             sum(c.values())] for title, c in counts.items()]
    return md_table(["layer", "counts (most frequent first)", "total"], rows)


def block_cleaning(release: Path, schema: Schema) -> str:
    docs = read_config(release, "documents", ["doc_id", "removed"])
    n: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    in_docs: dict[str, set[str]] = {}
    for d in docs:
        for r in d["removed"] or []:
            n[r["reason"]] += 1
            chars[r["reason"]] += len(r["text"] or "")
            in_docs.setdefault(r["reason"], set()).add(d["doc_id"])
    rows = [[f"`{reason}`", n[reason], chars[reason], len(in_docs[reason])]
            for reason in schema.vocabulary("removal_reasons") if n[reason]]
    rows.append(["total", sum(n.values()), sum(chars.values()),
                 len({x for s in in_docs.values() for x in s})])
    return md_table(["reason", "removals", "characters removed", "documents"], rows)


@dataclass
class Agreement:
    result: dict[str, Any] | None  # None: not computed, `reason` says why
    reason: str = ""
    identical: list[str] | None = None  # documents whose passes agree exactly (ids aside)


def identical_passes(pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> list[str]:
    """doc_ids where pass B equals pass A in every layer once ids are ignored: a reader
    judging the passes' independence should know how often they coincide exactly."""
    from trisec.release.diff import LAYERS as DIFF_LAYERS
    from trisec.release.diff import diff_layer

    same = []
    for a, b in pairs:
        doc = str(a.get("doc_id"))
        if not any(any(diff_layer(doc, a, b, layer).values()) for layer in DIFF_LAYERS):
            same.append(doc)
    return same


ANNOTATION_PROCESS = """\
Annotators were **AI annotator sessions (LLM-based agents), not human experts**, and **no
human has reviewed the annotations yet**. The protocol, in order (every output is committed
under `corpus/annotations/`):

1. *Guidelines v1.0* were written by one session that read the five articles; their
   hard-case section rules on phrases of these very articles.
2. *Passes A and B*: two further sessions, each instructed to read only the guidelines and
   the cleaned text and not the other pass. Independence was enforced by instruction, not by
   file permissions; the two ran at the same time.
3. *Adjudication round 1*: another session resolved A/B differences and the ambiguities both
   annotators reported, refining the guidelines (v1.1); gold started from pass A.
4. *Blind pass C*: another session annotated from guidelines with the hard-case section and
   every passage quoting the articles removed mechanically (`scripts/blind_guidelines.py`,
   output in `corpus/annotations/blind/`).
5. *Adjudication round 2*: another session reviewed gold item by item against pass C under
   the full guidelines; it kept every gold item (C's differences came from rules its copy
   lacked) and clarified six rules (guidelines v1.2).
6. *Headlines (release 0.2.0)*: headlines entered the published text. Existing spans were
   moved by their quoted text and context (`trisec annotations reanchor --previous`); one
   session annotated the headlines for gold and committed them; then an independent session
   that saw only the guidelines, `schema/labels.yaml`, the format and the raw pages made
   headline pass H (`passes/h/`), compared with gold on the headlines only and adjudicated
   (round 3). Guidelines v1.3 quote only text the release publishes (or mark an example †
   as invented); a test checks every quote against the release.

Every decision of the three rounds is logged in `corpus/annotations/ADJUDICATION.md`. The build
verifies every gold span against the published text (offsets and surface text) and every
label, role and reference against `schema/labels.yaml`.\
"""


AGREEMENT_CAVEAT = """\
Every agreement figure compares two AI sessions; none is agreement with human experts, nor
measures correctness (sessions of the same kind of model can share mistakes). The truth for
new text under the full guidelines lies between the two comparisons: the blind one (a lower
estimate, the headline) and the full-guidelines one (an upper estimate). Pass C also informed
adjudication round 2, so it is compared with the raw pass A, never with the gold it was
checked against.\
"""


def agreement_result(passes_dir: Path | None, first: str = "a",
                     second: str = "b", scope: str = "document") -> Agreement:
    """Agreement of pass `second` against pass `first` (`gold`: the gold folder beside the
    passes). Never raises: missing or incomplete passes (e.g. while annotation is under way)
    give a reason instead. The reason names the passes, never a path: the text lands in the
    card, which must not depend on where the corpus lies."""
    from trisec.annotation.agreement import pass_dir

    if passes_dir is None or not any(pass_dir(first, passes_dir).glob("*.json")) \
            or not any(pass_dir(second, passes_dir).glob("*.json")):
        return Agreement(None, f"the independent passes `{first}` and `{second}` are not in "
                               "this corpus")
    from trisec.annotation.agreement import read_pass_pairs
    from trisec.evaluate.agreement import agreement_corpus

    try:
        pairs = read_pass_pairs(pass_dir(first, passes_dir), pass_dir(second, passes_dir),
                                scope=scope)
    except TrisecError as exc:
        return Agreement(None, "the passes cannot be compared yet: "
                               + "; ".join(p.message for p in exc.problems))
    return Agreement(agreement_corpus(pairs), identical=identical_passes(pairs))


def render_agreement(agreement: Agreement, first: str = "a", second: str = "b",
                     scope: str = "document") -> str:
    if agreement.result is None:
        return f"Agreement is **not computed yet**: {agreement.reason}."
    from trisec.evaluate.agreement import format_agreement_table

    n, same = agreement.result["documents"], agreement.identical or []
    f, s = first.upper(), second.upper()
    where = "" if scope == "document" else f" (cut to pass {s}'s {scope}s)"
    folder = {name: "corpus/annotations/gold" if name == "gold"
              else f"corpus/annotations/passes/{name}" for name in (first, second)}
    option = "" if scope == "document" else f" --scope {scope}"
    table = format_agreement_table(agreement.result).replace(
        "pass B scored against pass A", f"pass {s} scored against pass {f}").replace(
        "| items A | items B |", f"| items {f} | items {s} |")
    return (table.rstrip()
            + f"\n\nPasses {f} and {s} are identical in every layer (ids aside){where} in "
            f"{len(same)} of {n} documents. Recompute with `trisec annotations agreement "
            f"--a {folder[first]} --b {folder[second]}{option}`.")


def render_all_agreements(passes_dir: Path | None) -> str:
    """Every comparison of the agreement protocol (trisec.annotation.agreement.COMPARISONS)."""
    from trisec.annotation.agreement import COMPARISONS

    out = []
    for c in COMPARISONS:
        out.append(f"#### {c.title}\n\n{c.note}\n\n"
                   + render_agreement(agreement_result(passes_dir, c.first, c.second, c.scope),
                                      c.first, c.second, c.scope))
    return "\n\n".join(out)


def block_agreement(release: Path, schema: Schema, passes_dir: Path | None = None) -> str:
    return render_all_agreements(passes_dir)


def block_process(release: Path, schema: Schema) -> str:
    return ANNOTATION_PROCESS


def block_caveat(release: Path, schema: Schema) -> str:
    return AGREEMENT_CAVEAT


def bibtex(schema: Schema) -> str:
    d = schema.dataset
    key = f"{d['name']}_{schema.version.replace('.', '_')}"
    fields = [("title", "{" + d["pretty_name"] + "}"),
              ("author", "{TRISEC maintainers}"),
              ("note", f"Dataset, version {schema.version}"),
              ("version", schema.version)]
    if d.get("homepage"):
        fields.append(("url", d["homepage"]))
    body = ",\n".join(f"  {k:<7} = {{{v}}}" for k, v in fields)
    return f"@misc{{{key},\n{body}\n}}"


def block_citation(release: Path, schema: Schema) -> str:
    return "```bibtex\n" + bibtex(schema) + "\n```"


BLOCKS: dict[str, Callable[[Path, Schema], str]] = {
    "version": block_version,
    "scheme": block_scheme,
    "sources": block_sources,
    "counts": block_counts,
    "labels": block_labels,
    "cleaning": block_cleaning,
    "process": block_process,
    "agreement": block_agreement,
    "caveat": block_caveat,
    "citation": block_citation,
}


# -- marker handling --------------------------------------------------------------------------
def render_blocks(release: Path, schema: Schema, passes_dir: Path | None,
                  names: Iterable[str] | None = None) -> dict[str, str]:
    """Every generated block; the agreement block reads the passes handed in (the corpus
    the release was built from), nothing else outside `release`."""
    from trisec.release.opener import open_release

    open_release(release)
    out = {}
    for n in names or BLOCKS:
        text = (block_agreement(release, schema, passes_dir) if n == "agreement"
                else BLOCKS[n](release, schema))
        out[n] = text.rstrip() + "\n"
    return out


def block_names(text: str) -> list[str]:
    return [m.group("name") for m in _BLOCK.finditer(text)]


def refresh(text: str, blocks: dict[str, str], where: str = "DATASHEET.md") -> str:
    """`text` with the body of every generated block replaced. Unknown block names and
    unclosed markers are errors, so a typo never leaves a block silently stale."""
    problems = []
    for m in re.finditer(r"<!-- BEGIN GENERATED: ([\w-]+) -->", text):
        name = m.group(1)
        if name not in blocks:
            problems.append(Problem(where, f"unknown generated block {name!r}",
                                    f"use one of: {', '.join(blocks)}"))
        elif END.format(name=name) not in text[m.end():]:
            problems.append(Problem(where, f"block {name!r} has no end marker",
                                    f"add `{END.format(name=name)}`"))
    if problems:
        raise TrisecError(problems)
    return _BLOCK.sub(lambda m: f"{BEGIN.format(name=m['name'])}\n{blocks[m['name']]}"
                      f"{END.format(name=m['name'])}", text)


def stale_blocks(text: str, blocks: dict[str, str]) -> list[str]:
    """Names of the blocks whose committed body differs from a fresh rendering."""
    return [m["name"] for m in _BLOCK.finditer(text) if m["body"] != blocks.get(m["name"])]
