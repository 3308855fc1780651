"""Curated per-article metadata (corpus/metadata/<doc_id>.yaml) and its merge with what
cleaning found. External facts keep their confidence; nothing is upgraded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trisec.document import Document, Fact, doc_id_for
from trisec.documents.dates import resolve_published
from trisec.errors import Problem, TrisecError

FACT_KEYS = ("value", "provenance", "confidence", "evidence")


def load_curated(metadata_dir: Path, doc_id: str) -> dict[str, Any] | None:
    path = metadata_dir / f"{doc_id}.yaml"
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise TrisecError(Problem(where, f"invalid YAML: {exc}", "fix the YAML syntax")) from exc
    if not isinstance(data, dict) or data.get("doc_id") != doc_id:
        raise TrisecError(Problem(str(path), f"expected a mapping with doc_id: {doc_id}",
                                  "regenerate it with `trisec add` or fix doc_id"))
    return data


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
