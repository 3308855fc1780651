"""Annotation files <-> spaCy Docs, and DocBin files per split (how many users train).

A Doc carries every gold span:
  doc.ents                          entity mentions (flat layer; kb_id_ = QID, id_ = mention id)
  doc.spans["mentions"]             the same mentions as a span group (for spancat)
  doc.spans["triggers"]             event triggers, label = event type, id_ = event id
  doc.spans["attribution_content"]  attribution content, label = kind, id_ = attribution id
  doc.spans["attribution_cue"]      attribution cues, label CUE, id_ = attribution id
  doc.user_data["trisec"]           the non-span fields (mention attributes, entities, realis,
                                    mode, arguments, sources) keyed by id, so `doc_to_annotation`
                                    rebuilds the annotation file exactly
Tokens come from spaCy's blank English tokenizer, further split wherever a span starts or ends
inside a token ("US" in "US-led"), so every span aligns to tokens and none is lost; sentence
starts come from trisec.documents.sentences (the `sentences` config's rule).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from trisec.annotation.gold import text_sha256
from trisec.errors import Problem, TrisecError

CUE_LABEL = "CUE"
NO_KIND = "ATTRIBUTION"  # label of an attribution whose kind is not set (silver)


def span_bounds(ann: dict[str, Any]) -> set[int]:
    cuts: set[int] = set()
    spans = [*ann.get("mentions", []), *(e["trigger"] for e in ann.get("events", []))]
    for q in ann.get("attributions", []):
        spans += [q["content"], *([q["cue"]] if q.get("cue") else [])]
    for s in spans:
        cuts.update((s["start"], s["end"]))
    return cuts


def words_and_spaces(text: str, cuts: set[int]) -> tuple[list[str], list[bool]]:
    """spaCy tokens split at every cut that falls inside one; joins back to `text` exactly."""
    from trisec.documents.sentences import nlp

    words: list[str] = []
    spaces: list[bool] = []
    for tok in nlp().tokenizer(text):
        start, end = tok.idx, tok.idx + len(tok.text)
        inner = sorted(c for c in cuts if start < c < end)
        bounds = [start, *inner, end]
        for k, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
            words.append(text[a:b])
            spaces.append(bool(tok.whitespace_) and k == len(bounds) - 2)
    return words, spaces


def make_doc(text: str, ann: dict[str, Any] | None, *, doc_id: str = "",
             extra: dict[str, Any] | None = None) -> Any:
    """A spaCy Doc of `text` carrying every span of `ann` (None: no annotation)."""
    from spacy.tokens import Doc

    from trisec.documents.sentences import nlp, split_sentences

    ann = ann or {"mentions": [], "entities": [], "events": [], "attributions": []}
    words, spaces = words_and_spaces(text, span_bounds(ann))
    starts = {s.start for s in split_sentences(text)}
    offsets, pos = [], 0
    for w, sp in zip(words, spaces, strict=True):
        offsets.append(pos)
        pos += len(w) + sp
    sent_starts = [pos in starts or (k == 0) for k, pos in enumerate(offsets)]
    doc = Doc(nlp().vocab, words=words, spaces=spaces, sent_starts=sent_starts)
    if doc.text != text:
        raise TrisecError(Problem(doc_id or "spacy", "tokenisation does not reproduce the text",
                                  "report this: trisec.annotation.spacy_export.words_and_spaces"))
    where = doc_id or str(ann.get("doc_id", ""))

    def span(s: dict[str, Any], label: str, sid: str, kb: str | None = None) -> Any:
        out = doc.char_span(s["start"], s["end"], label=label, kb_id=kb or "", span_id=sid)
        if out is None or out.text != s["text"]:
            raise TrisecError(Problem(f"{where}/{sid}", f"span {s['start']}..{s['end']} "
                                      f"{s['text']!r} does not fit the text",
                                      "run `trisec annotations check` on the file"))
        return out

    qid = {e["id"]: e.get("qid") for e in ann.get("entities", [])}
    mentions = [span(m, m["label"], m["id"], qid.get(m.get("entity")))
                for m in ann.get("mentions", [])]
    doc.ents = sorted(mentions, key=lambda s: s.start)
    doc.spans["mentions"] = mentions
    doc.spans["triggers"] = [span(e["trigger"], e["type"], e["id"])
                             for e in ann.get("events", [])]
    doc.spans["attribution_content"] = [span(q["content"], q.get("kind") or NO_KIND, q["id"])
                                        for q in ann.get("attributions", [])]
    doc.spans["attribution_cue"] = [span(q["cue"], CUE_LABEL, q["id"])
                                    for q in ann.get("attributions", []) if q.get("cue")]
    doc.user_data["doc_id"] = doc_id or ann.get("doc_id")
    doc.user_data["text_sha256"] = text_sha256(text)
    doc.user_data["trisec"] = {
        "pass": ann.get("pass"),
        "mentions": {m["id"]: {k: m.get(k) for k in ("mention_type", "gpe_role", "entity",
                                                      "timex_value")}
                     for m in ann.get("mentions", [])},
        "entities": [dict(e) for e in ann.get("entities", [])],
        "events": {e["id"]: {"realis": e.get("realis"), "mode": e.get("mode"),
                             "arguments": [dict(a) for a in e.get("arguments") or []]}
                   for e in ann.get("events", [])},
        "attributions": {q["id"]: {"kind": q.get("kind"), "source": q.get("source")}
                         for q in ann.get("attributions", [])},
    }
    doc.user_data.update(extra or {})
    return doc


def _sp(span: Any) -> dict[str, Any]:
    return {"start": span.start_char, "end": span.end_char, "text": span.text}


def doc_to_annotation(doc: Any) -> dict[str, Any]:
    """Inverse of make_doc: spans from doc.ents / doc.spans, the rest from user_data."""
    info = doc.user_data.get("trisec") or {}
    ents = {e.id_: e for e in doc.ents}
    mentions = []
    for mid, attrs in info.get("mentions", {}).items():
        e = ents[mid]
        mentions.append({"id": mid, **_sp(e), "label": e.label_,
                         "mention_type": attrs.get("mention_type"),
                         "gpe_role": attrs.get("gpe_role"), "entity": attrs.get("entity"),
                         "timex_value": attrs.get("timex_value")})
    triggers = {s.id_: s for s in doc.spans.get("triggers", [])}
    events = [{"id": vid, "type": triggers[vid].label_, "realis": a.get("realis"),
               "mode": a.get("mode"), "trigger": _sp(triggers[vid]),
               "arguments": [dict(x) for x in a.get("arguments", [])]}
              for vid, a in info.get("events", {}).items()]
    content = {s.id_: s for s in doc.spans.get("attribution_content", [])}
    cues = {s.id_: s for s in doc.spans.get("attribution_cue", [])}
    attributions = []
    for qid, a in info.get("attributions", {}).items():
        kind = content[qid].label_
        attributions.append({"id": qid, "kind": None if kind == NO_KIND else kind,
                             "content": _sp(content[qid]),
                             "cue": _sp(cues[qid]) if qid in cues else None,
                             "source": a.get("source")})
    return {"doc_id": doc.user_data.get("doc_id"), "text_sha256": text_sha256(doc.text),
            "pass": info.get("pass"), "mentions": mentions,
            "entities": [dict(e) for e in info.get("entities", [])], "events": events,
            "attributions": attributions}


def write_docbins(out: Path, docs: Iterable[tuple[str, Any]]) -> dict[str, int]:
    """(split, Doc) pairs -> out/<split>.spacy; returns documents per split. `out` is replaced
    as a whole, and only if it is new, empty or an earlier export."""
    from spacy.tokens import DocBin

    from trisec.release.replace import staging_dir, swap_in, write_marker

    bins: dict[str, Any] = {}
    for split, doc in docs:
        bins.setdefault(split, DocBin(store_user_data=True)).add(doc)
    with staging_dir(out, "spacy export") as tmp:
        for split, db in bins.items():
            db.to_disk(tmp / f"{split}.spacy")
        write_marker(tmp, "spacy export")
        swap_in(tmp, out)
    return {split: len(db) for split, db in bins.items()}
