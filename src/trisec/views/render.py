"""Static HTML of a release: one page per article with its gold spans (displaCy, style
"span", which stacks overlapping spans) and an index page with metadata and counts.

Entity mentions, event triggers and attribution content/cues are drawn in one stacked view,
so a trigger is seen next to its arguments; each paragraph is rendered on its own so the
article keeps its paragraphs. Tokens for display are the words of the text, split where a
span starts or ends; an empty token stands for the space after a word, so the text reads as
published (displaCy puts a space after every token otherwise).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trisec.schema import Schema
from trisec.views.palette import CONTENT_COLOR, CUE_COLOR, label_colors

KB_URL = "https://www.wikidata.org/wiki/{}"
CUE = "CUE"
GLUE = "\ue000"  # private-use marker: "no space after this token"
CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.prov { color: #666; font-size: 0.85em; }
.legend span { display: inline-block; padding: 1px 6px; margin: 2px; border-radius: 3px;
               font-size: 0.8em; font-weight: bold; }
.para { margin-bottom: 0.8em; }
.none { color: #a00; }
"""


@dataclass(frozen=True)
class DisplaySpan:
    start: int
    end: int
    label: str
    kb_id: str = ""


def display_spans(row: dict[str, Any]) -> list[DisplaySpan]:
    """Mentions (label), triggers (event type), attribution content (kind) and cues."""
    qid = {e["id"]: e.get("qid") for e in row.get("entities") or []}
    spans = [DisplaySpan(m["start"], m["end"], m["label"], qid.get(m.get("entity")) or "")
             for m in row.get("mentions") or []]
    spans += [DisplaySpan(e["trigger"]["start"], e["trigger"]["end"], e["type"])
              for e in row.get("events") or []]
    for q in row.get("attributions") or []:
        spans.append(DisplaySpan(q["content"]["start"], q["content"]["end"],
                                 f"QUOTE {q.get('kind') or '?'}"))
        if q.get("cue"):
            spans.append(DisplaySpan(q["cue"]["start"], q["cue"]["end"], CUE))
    return spans


def _span_templates() -> dict[str, str]:
    """displaCy's own span templates, made compact (no whitespace around a token, so the
    text keeps its spacing) and tagged with a class and data-label (tests count them)."""
    from spacy.displacy.templates import TPL_SPAN, TPL_SPAN_SLICE, TPL_SPAN_START

    def compact(tpl: str) -> str:  # the layout whitespace of the templates is all newlines
        return re.sub(r"\s*\n\s*", "", tpl)

    start = TPL_SPAN_START.replace("<span style=", '<span class="trisec-span" '
                                   'data-label="{label}" style=', 1)
    # one-line labels ("QUOTE direct", "GPE Q884"): wrapped ones collide with the next slot
    start = start.replace('border-radius: 3px">', 'border-radius: 3px; white-space: nowrap">')
    return {"span": compact(TPL_SPAN), "slice": compact(TPL_SPAN_SLICE),
            "start": compact(start)}


def paragraph_markup(text: str, start: int, spans: list[DisplaySpan],
                     colors: dict[str, str]) -> str:
    """displaCy markup of one paragraph text[start:start+len] with the spans inside it
    (a span crossing the paragraph edge is drawn on the part inside)."""
    from spacy import displacy

    end = start + len(text)
    mine = [(max(s.start, start) - start, min(s.end, end) - start, s)
            for s in spans if s.start < end and s.end > start]
    if not mine:
        return html.escape(text)
    cuts = {c for a, b, _ in mine for c in (a, b)}
    tokens: list[str] = []
    words: list[tuple[int, int, int]] = []  # (char start, char end, token index)
    inside = [False] * len(text)
    for a, b, _ in mine:
        inside[a:b] = [True] * (b - a)
    for m in re.finditer(r"\S+", text):
        bounds = [m.start(), *sorted(c for c in cuts if m.start() < c < m.end()), m.end()]
        for a, b in zip(bounds, bounds[1:], strict=False):
            words.append((a, b, len(tokens)))
            # displaCy writes a space after every token outside a span: mark one glued to
            # the next piece of its word (an opening quote before a mention) to drop it
            glued = b < m.end() and not inside[a]
            tokens.append(text[a:b] + (GLUE if glued else ""))
        if m.end() < len(text):
            tokens.append("")  # the space after the word (rendered as " ")

    def token_range(a: int, b: int) -> tuple[int, int]:
        """Tokens of the words a span covers (a span edge on a space snaps to the word)."""
        covered = [i for s, e, i in words if s < b and e > a]
        return covered[0], covered[-1] + 1
    parsed = {"text": text, "tokens": tokens, "title": None,
              "settings": {"lang": "en", "direction": "ltr"},
              "spans": [{"start_token": token_range(a, b)[0], "end_token": token_range(a, b)[1],
                         "label": s.label, "kb_id": s.kb_id,
                         "kb_url": KB_URL.format(s.kb_id) if s.kb_id else "#"}
                        for a, b, s in mine if text[a:b].strip()]}
    markup = displacy.render([parsed], style="span", manual=True, jupyter=False,
                             options={"colors": colors, "template": _span_templates()})
    return markup.replace(GLUE + " ", "")


def display_colors(schema: Schema) -> dict[str, str]:
    colors = label_colors(schema)
    for kind in [*schema.names("attribution_kinds"), "?"]:
        colors[f"QUOTE {kind}"] = CONTENT_COLOR
    colors[CUE] = CUE_COLOR
    return colors


def _prov(f: dict[str, Any]) -> str:
    """Where a fact came from: [precision, provenance, confidence] and the evidence."""
    bits = [f.get("precision"), f.get("provenance"), f.get("confidence")]
    prov = ", ".join(str(b) for b in bits if b)
    ev = html.escape(str(f.get("evidence") or ""))
    tag = f"[{html.escape(prov)}] " if prov else ""
    return f'<span class="prov">{tag}{ev}</span>'


def _fact(f: dict[str, Any] | None) -> str:
    f = f or {}
    value = ('<span class="none">unknown</span>' if f.get("value") is None
             else html.escape(str(f["value"])))
    return f"{value} {_prov(f)}"


def counts(row: dict[str, Any]) -> dict[str, int]:
    return {k: len(row.get(k) or []) for k in ("mentions", "entities", "events",
                                               "attributions")}


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def document_page(row: dict[str, Any], schema: Schema) -> str:
    colors = display_colors(schema)
    title = (row.get("title") or {}).get("value") or row["doc_id"]
    c = counts(row)
    meta = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in [
        ("doc_id", html.escape(row["doc_id"])), ("split", html.escape(row["split"])),
        ("source file", html.escape(row["source_file"])),
        ("title", _fact(row.get("title"))), ("outlet", _fact(row.get("outlet"))),
        ("published", _fact(row.get("published"))), ("dateline", _fact(row.get("dateline"))),
        ("url", _fact(row.get("url"))),
        ("gold", ", ".join(f"{v} {k}" for k, v in c.items()))])
    used = sorted({s.label for s in display_spans(row)})
    upper = {k.upper(): v for k, v in colors.items()}  # displaCy looks colours up in capitals
    legend = "".join(f'<span style="background:{upper.get(lab.upper(), "#ddd")}">'
                     f"{html.escape(lab)}</span>" for lab in used)
    spans = display_spans(row)
    paras = "\n".join(
        f'<div class="para">{paragraph_markup(m.group(0), m.start(), spans, colors)}</div>'
        for m in re.finditer(r"[^\n]+", row["text"]))
    body = ['<p><a href="index.html">&larr; all articles</a></p>',
            f"<h1>{html.escape(title)}</h1>", f"<table>{meta}</table>"]
    if not spans:
        body.append('<p class="none">No gold annotations for this article yet.</p>')
    else:
        body.append(f'<p class="legend">{legend}</p>')
    body += [f'<div class="text">{paras}</div>', _events_table(row), _attr_table(row)]
    return _page(title, "\n".join(body))


def _events_table(row: dict[str, Any]) -> str:
    events = row.get("events") or []
    if not events:
        return ""
    text = {m["id"]: m["text"] for m in row.get("mentions") or []}
    lines = ["<h2>Events</h2>", "<table><tr><th>id</th><th>type</th><th>trigger</th>"
             "<th>realis</th><th>mode</th><th>arguments</th></tr>"]
    for e in events:
        args = "; ".join(f"{html.escape(a['role'])}: {html.escape(text.get(a['mention'], '?'))}"
                         for a in e.get("arguments") or [])
        lines.append(f"<tr><td>{e['id']}</td><td>{e['type']}</td>"
                     f"<td>{html.escape(e['trigger']['text'])}</td><td>{e.get('realis')}</td>"
                     f"<td>{e.get('mode') or ''}</td><td>{args}</td></tr>")
    return "\n".join([*lines, "</table>"])


def _attr_table(row: dict[str, Any]) -> str:
    attrs = row.get("attributions") or []
    if not attrs:
        return ""
    text = {m["id"]: m["text"] for m in row.get("mentions") or []}
    lines = ["<h2>Attributions</h2>", "<table><tr><th>id</th><th>kind</th><th>source</th>"
             "<th>cue</th><th>content</th></tr>"]
    for q in attrs:
        src = text.get(q.get("source") or "", "")
        cue = (q.get("cue") or {}).get("text") or ""
        lines.append(f"<tr><td>{q['id']}</td><td>{q.get('kind')}</td><td>{html.escape(src)}"
                     f"</td><td>{html.escape(cue)}</td>"
                     f"<td>{html.escape(q['content']['text'])}</td></tr>")
    return "\n".join([*lines, "</table>"])


def index_page(rows: list[dict[str, Any]], version: str) -> str:
    head = ("<tr><th>article</th><th>split</th><th>outlet</th><th>published</th>"
            "<th>mentions</th><th>entities</th><th>events</th><th>attributions</th></tr>")
    lines = []
    totals = dict.fromkeys(("mentions", "entities", "events", "attributions"), 0)
    for r in rows:
        c = counts(r)
        for k in totals:
            totals[k] += c[k]
        title = (r.get("title") or {}).get("value")
        name = html.escape(title) if title else f"<i>{html.escape(r['doc_id'])} (no title)</i>"
        lines.append(
            f'<tr><td><a href="{r["doc_id"]}.html">{name}</a><br><span class="prov">'
            f"{html.escape(r['doc_id'])}</span> {_prov(r.get('title') or {})}</td>"
            f"<td>{r['split']}</td><td>{_fact(r.get('outlet'))}</td>"
            f"<td>{_fact(r.get('published'))}</td>"
            + "".join(f"<td>{c[k]}</td>" for k in totals) + "</tr>")
    lines.append("<tr><th>total</th><td></td><td></td><td></td>"
                 + "".join(f"<th>{v}</th>" for v in totals.values()) + "</tr>")
    body = (f"<h1>TRISEC {html.escape(version)}: {len(rows)} articles</h1>\n"
            f"<table>{head}\n" + "\n".join(lines) + "</table>")
    return _page(f"TRISEC {version}", body)


def render_release(release: Path, out: Path, schema: Schema) -> list[Path]:
    """Write out/index.html and out/<doc_id>.html; returns the paths written. `out` is
    replaced as a whole, and only if it is new, empty or an earlier rendering."""
    from trisec.release.opener import open_release
    from trisec.release.replace import staging_dir, swap_in, write_marker

    opened = open_release(Path(release))
    rows = sorted(opened.read_rows("documents"), key=lambda r: r["doc_id"])
    version = opened.version or schema.version  # the release's own, maybe older than schema/
    names = []
    with staging_dir(out, "render") as tmp:
        for row in rows:
            name = f"{row['doc_id']}.html"
            (tmp / name).write_text(document_page(row, schema), encoding="utf-8")
            names.append(name)
        (tmp / "index.html").write_text(index_page(rows, version), encoding="utf-8")
        write_marker(tmp, "render")
        swap_in(tmp, out)
    return [out / "index.html", *(out / n for n in names)]
