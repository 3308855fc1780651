"""Where two annotation passes differ, per layer: the adjudicator's worklist (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Key = tuple[Any, ...]


def _mentions(ann: Mapping[str, Any]) -> dict[Key, dict[str, Any]]:
    return {(m["start"], m["end"], m["label"]): m for m in ann.get("mentions", [])}


def _span_of(ann: Mapping[str, Any], mention_id: str | None) -> Key | None:
    for m in ann.get("mentions", []):
        if m["id"] == mention_id:
            return (m["start"], m["end"])
    return None


def _events(ann: Mapping[str, Any]) -> dict[Key, dict[str, Any]]:
    return {(e["trigger"]["start"], e["trigger"]["end"], e["type"]): e
            for e in ann.get("events", [])}


def _arguments(ann: Mapping[str, Any]) -> set[Key]:
    return {(e["trigger"]["start"], e["trigger"]["end"], e["type"], a["role"],
             _span_of(ann, a["mention"])) for e in ann.get("events", [])
            for a in e.get("arguments") or []}


def _attributions(ann: Mapping[str, Any]) -> set[Key]:
    return {(q["content"]["start"], q["content"]["end"], q["kind"],
             (q["cue"] or {}).get("start"), _span_of(ann, q.get("source")))
            for q in ann.get("attributions", [])}


def _cluster_differences(a: Mapping[str, Any], b: Mapping[str, Any], common: set[Key],
                         show: Any) -> list[str]:
    """Strictly matched mentions whose co-referent partners differ between the passes."""
    def partners(ann: Mapping[str, Any]) -> dict[Key, set[Key]]:
        by_entity: dict[str, set[Key]] = {}
        keys = {m["id"]: (m["start"], m["end"], m["label"]) for m in ann.get("mentions", [])}
        for m in ann.get("mentions", []):
            by_entity.setdefault(m["entity"], set()).add(keys[m["id"]])
        return {keys[m["id"]]: by_entity[m["entity"]] & common for m in ann.get("mentions", [])}

    pa, pb = partners(a), partners(b)
    out = []
    for k in sorted(common):
        if pa[k] != pb[k]:
            only_a = sorted(pa[k] - pb[k])
            only_b = sorted(pb[k] - pa[k])
            out.append(f"cluster of {show(k[0], k[1])[:60]}: with in A only "
                       f"{[f'{x[0]}-{x[1]}' for x in only_a]}, in B only "
                       f"{[f'{x[0]}-{x[1]}' for x in only_b]}")
    return out


def disagreements(a: Mapping[str, Any], b: Mapping[str, Any], text: str) -> dict[str, list[str]]:
    """Human-readable differences of B against A, per layer (empty lists = agreement)."""
    def show(s: int, e: int) -> str:
        return f"{text[s:e]!r} @{s}-{e} (…{text[max(0, s - 30):s]}[{text[s:e]}]{text[e:e + 30]}…)"

    out: dict[str, list[str]] = {}
    ma, mb = _mentions(a), _mentions(b)
    out["mentions"] = ([f"only A: {k[2]} {show(k[0], k[1])}" for k in sorted(ma.keys() - mb.keys())]
                       + [f"only B: {k[2]} {show(k[0], k[1])}"
                          for k in sorted(mb.keys() - ma.keys())])
    ents_a = {e["id"]: e for e in a.get("entities", [])}
    ents_b = {e["id"]: e for e in b.get("entities", [])}
    attr = []
    for k in sorted(ma.keys() & mb.keys()):
        x, y = ma[k], mb[k]
        for f in ("mention_type", "gpe_role", "timex_value"):
            if x.get(f) != y.get(f):
                attr.append(f"{f}: A={x.get(f)!r} B={y.get(f)!r} on {show(k[0], k[1])}")
        qa = ents_a.get(x.get("entity"), {}).get("qid")
        qb = ents_b.get(y.get("entity"), {}).get("qid")
        if qa != qb:
            attr.append(f"qid: A={qa} B={qb} on {show(k[0], k[1])}")
    out["mention attributes and QIDs"] = attr
    out["entity clusters"] = _cluster_differences(a, b, ma.keys() & mb.keys(), show)
    ea, eb = _events(a), _events(b)
    ev = [f"only A: {k[2]} trigger {show(k[0], k[1])}" for k in sorted(ea.keys() - eb.keys())]
    ev += [f"only B: {k[2]} trigger {show(k[0], k[1])}" for k in sorted(eb.keys() - ea.keys())]
    for k in sorted(ea.keys() & eb.keys()):
        for f in ("realis", "mode"):
            if ea[k].get(f) != eb[k].get(f):
                ev.append(f"{f}: A={ea[k].get(f)} B={eb[k].get(f)} on {show(k[0], k[1])}")
    out["events"] = ev

    def arg(k: Key, who: str) -> str:
        span = show(*k[4]) if k[4] else "?"
        return f"only {who}: {k[2]}@{text[k[0]:k[1]]!r} {k[3]} = {span}"

    aa, ab = _arguments(a), _arguments(b)
    out["arguments"] = ([arg(k, "A") for k in sorted(aa - ab, key=str)]
                        + [arg(k, "B") for k in sorted(ab - aa, key=str)])

    def att(k: Key, who: str) -> str:
        src = text[k[4][0]:k[4][1]] if k[4] else None
        return f"only {who}: {k[2]} content {show(k[0], k[1])[:90]} cue@{k[3]} source={src!r}"

    qa_, qb_ = _attributions(a), _attributions(b)
    out["attributions"] = ([att(k, "A") for k in sorted(qa_ - qb_, key=str)]
                           + [att(k, "B") for k in sorted(qb_ - qa_, key=str)])
    return out


def format_disagreements(doc_id: str, result: Mapping[str, list[str]]) -> str:
    lines = [f"## {doc_id}", ""]
    for layer, items in result.items():
        lines.append(f"### {layer} ({len(items)})")
        lines += [f"- {i}" for i in items] or ["- (agree)"]
        lines.append("")
    return "\n".join(lines)
