"""Curated per-article metadata (corpus/metadata/<doc_id>.yaml) and its merge with what
cleaning found. External facts keep their confidence; nothing is upgraded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from trisec.document import Document, Fact, RawArticle, doc_id_for
from trisec.documents.dates import date_problem, later_than, precision_of, resolve_published
from trisec.errors import Problem, TrisecError, read_utf8
from trisec.file_schemas import fact_columns, load_yaml_strings, metadata_schema, strict_problems
from trisec.schema import Schema, load_schema

FACT_KEYS = ("value", "provenance", "confidence", "evidence")


def load_curated(metadata_dir: Path, doc_id: str, raw: RawArticle | None = None,
                 schema: Schema | None = None) -> dict[str, Any] | None:
    """The curated facts of a document, or None. The file is read strictly: every scalar a
    string (or null), checked against the JSON Schema generated from schema/
    (trisec.file_schemas.metadata_schema), dates real. With `raw`, the file must name that
    raw file and its sha256 (facts copied from another article's file are refused)."""
    path = metadata_dir / f"{doc_id}.yaml"
    if not path.is_file():
        return None
    try:
        data = load_yaml_strings(read_utf8(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise TrisecError(Problem(where, f"invalid YAML: {exc}", "fix the YAML syntax")) from exc
    schema = schema or load_schema()
    problems = strict_problems(data, metadata_schema(schema), str(path))
    if problems:
        raise TrisecError(problems)
    if data.get("doc_id") != doc_id:
        raise TrisecError(Problem(f"{path}:$.doc_id", f"doc_id is {data.get('doc_id')!r}, "
                                  f"but the file is named for {doc_id}",
                                  "regenerate it with `trisec add` or fix doc_id"))
    problems = [p for name in fact_columns(schema) if (p := _date_problem(data.get(name),
                                                                          f"{path}:$.{name}"))]
    if problems:
        raise TrisecError(problems)
    if raw is not None:
        wrong = [Problem(str(path), f"{key} is {data.get(key)!r}, but this doc_id is "
                         f"raw/{raw.source_file} with sha256 {raw.sha256}",
                         f"set {key}: {want} (facts copied from another article's file must "
                         "be checked against this article)")
                 for key, want in (("source_file", raw.source_file), ("sha256", raw.sha256))
                 if data.get(key) != want]
        if wrong:
            raise TrisecError(wrong)
    return data


def published_after(doc: Document, metadata_dir: Path | None, day: dt.date) -> Problem | None:
    """A publication date after `day` (the build day) is impossible: nothing is published
    from the future. Only the pass/fail of a build depends on `day`, never its bytes."""
    fact = doc.published
    if not later_than(fact, day):
        return None
    msg = (f"published {fact.value} is later than the build day {day.isoformat()} "
           f"({fact.provenance}: {fact.evidence})")
    if fact.provenance == "external" and metadata_dir is not None:
        return Problem(f"{metadata_dir / f'{doc.doc_id}.yaml'}:$.published.value", msg,
                       "correct the curated date (a typo in the year?)")
    return Problem(doc.source_file, msg, "the page's own date is wrong: record the right "
                   f"date in metadata/{doc.doc_id}.yaml (provenance external, confidence high, "
                   "with its evidence), which takes precedence")


def _date_problem(fact: dict[str, Any] | None, where: str) -> Problem | None:
    """A date fact's value must be a real ISO 8601 date of its precision."""
    if not fact or "precision" not in fact or fact.get("value") is None:
        return None
    value = fact["value"]
    why = date_problem(value, fact.get("precision") or precision_of(value))
    return Problem(f"{where}.value", why, "write the date as YYYY-MM-DD, YYYY-MM or YYYY, "
                   "with the matching precision") if why else None


def _fact(d: dict[str, Any] | None) -> Fact:
    d = d or {}
    return Fact(*(None if d.get(k) is None else str(d[k]) for k in FACT_KEYS))


def _cut_short(page: str, full: str) -> bool:
    """The page's headline is a truncated copy of the curated title (`... transfer of…`)."""
    stem = page.rstrip().removesuffix("…").removesuffix("...").rstrip().casefold()
    return stem != page.casefold() and len(stem) < len(full) and \
        full.casefold().startswith(stem)


def merge_metadata(doc: Document, curated: dict[str, Any] | None) -> Document:
    """Pure: raw-derived facts first, curated external facts where the page says nothing."""
    cur = curated or {}
    ext_title = _fact(cur.get("title"))
    if doc.title.value:
        page = doc.title.value
        if ext_title.value and ext_title.value.casefold() == page.casefold():
            doc.title.evidence = f"{doc.title.evidence}; matches the page title found externally"
        elif ext_title.value and _cut_short(page, ext_title.value):
            # the page's headline is cut short: the text publishes it as it stands, the title
            # fact takes the curator's full title (never completed into the text)
            doc.title = Fact(ext_title.value, ext_title.provenance, ext_title.confidence,
                             f"{ext_title.evidence}; the page's headline is truncated "
                             f"({page!r}, {doc.title.evidence})")
    elif ext_title.value or ext_title.evidence:
        doc.title = ext_title
    if not doc.dateline.value and cur.get("dateline"):
        doc.dateline = _fact(cur["dateline"])
    doc.outlet = _fact(cur.get("outlet"))
    doc.url = _fact(cur.get("url"))
    doc.published = resolve_published(doc.date_clues, cur.get("published"))
    return doc


def seed_to_curated(source_file: str, sha256: str, seed: dict[str, Any]) -> dict[str, Any]:
    """One seed-provenance.yaml record -> curated metadata, every fact marked external.

    The lookup rated only the date; its url/outlet/title were found by the same lookup, so
    they carry the same confidence. "unconfirmed" values stay null with the words as evidence.
    """
    pub = dict(seed.get("published") or {})
    conf = pub.get("confidence")
    src = "curator lookup of stored copies of the public page (shared/seed-provenance.yaml)"
    notes = seed.get("notes") or []

    def ext(value: Any, what: str) -> dict[str, Any]:
        if value is None or str(value).lower().startswith("unconfirmed"):
            ev = f"{what}: {value}" if value else f"no {what} found by the {src}"
            return {"value": None, "provenance": None, "confidence": None, "evidence": ev}
        return {"value": str(value), "provenance": "external", "confidence": conf,
                "evidence": src}

    title = ext(seed.get("title"), "title")
    if seed.get("title") is None and seed.get("slug_title"):
        title["evidence"] = (f"no title in the raw text or the lookup; the page slug reads "
                             f"{seed['slug_title']!r} (not used as a title)")
    out: dict[str, Any] = {
        "doc_id": doc_id_for(sha256), "source_file": source_file, "sha256": sha256,
        "title": title, "outlet": ext(seed.get("outlet"), "outlet"),
        "url": ext(seed.get("url"), "url"),
        "published": {"value": pub.get("value"), "precision": pub.get("precision", "day"),
                      "provenance": "external", "confidence": conf,
                      "evidence": pub.get("evidence")},
    }
    if seed.get("dateline"):
        out["dateline"] = ext(seed["dateline"], "dateline")
    if notes:
        out["notes"] = list(notes)
    return out
