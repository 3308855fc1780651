"""Inter-annotator agreement: pass B scored against pass A with the benchmark's own matching
code (`score.document_counts`), so agreement and system scores are directly comparable.

Input: annotation dicts in the format of docs/ANNOTATION_FORMAT.md (same document, two
independent passes). Figures are micro-averaged over documents (counts summed, then F1).
F1 is symmetric, so which pass plays gold only swaps the A/B item columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.evaluate.bootstrap import DEFAULT_RESAMPLES, DEFAULT_SEED, bootstrap_f1
from trisec.evaluate.score import document_counts, metric, total
from trisec.evaluate.spans import Counts, Span, align
from trisec.evaluate.views import view_from_annotation

# (section, measure) -> metric key of score.document_counts, with the table's wording
MEASURES: list[tuple[str, str, str, str]] = [
    ("mentions", "strict", "entities/strict", "Entity mentions: strict F1 (span + label)"),
    ("mentions", "overlap", "entities/type", "Entity mentions: overlap F1 (any overlap + label)"),
    ("mentions", "span", "entities/exact", "Entity mentions: span-only F1 (exact boundaries)"),
    ("triggers", "strict", "events/trigger_classification",
     "Event triggers: strict F1 (span + type)"),
    ("triggers", "overlap", "events/trigger_overlap",
     "Event triggers: overlap F1 (any overlap + type)"),
    ("arguments", "identification", "events/attached_argument_identification",
     "Arguments: identification F1 (trigger + mention span)"),
    ("arguments", "classification", "events/attached_argument_classification",
     "Arguments: classification F1 (+ role)"),
    ("attribution", "attribution", "attribution/source",
     "Attribution: F1 (content overlap + same source span)"),
    ("attribution", "content_overlap", "attribution/content_overlap",
     "Attribution: content overlap F1"),
    ("attribution", "cue", "attribution/cue", "Attribution: cue F1 (exact span)"),
    ("coreference", "links", "coreference/links",
     "Coreference: pairwise link F1 (mentions matched strictly in both passes)"),
]


def _check_pair(a: Mapping[str, Any], b: Mapping[str, Any]) -> None:
    if a.get("doc_id") != b.get("doc_id"):
        raise TrisecError(Problem(f"{a.get('doc_id')} vs {b.get('doc_id')}",
                                  "the two passes annotate different documents",
                                  "pair the passes by doc_id"))
    sa, sb = a.get("text_sha256"), b.get("text_sha256")
    if sa and sb and sa != sb:
        raise TrisecError(Problem(str(a.get("doc_id")), "the passes were made on different "
                                  "texts (text_sha256 differs)",
                                  "run `trisec annotations reanchor` on the older pass"))


def _linking(a_spans: Sequence[Span], b_spans: Sequence[Span]) -> dict[str, int]:
    """QID and TIMEX tallies over mention pairs that match strictly."""
    t = {"qid_pairs": 0, "qid_agree": 0, "qid_linked_pairs": 0, "qid_linked_agree": 0,
         "timex_pairs": 0, "timex_agree": 0}
    for p in align(a_spans, b_spans, "strict"):
        if p.outcome != "correct" or p.gold is None or p.pred is None:
            continue
        x, y = a_spans[p.gold], b_spans[p.pred]
        t["qid_pairs"] += 1
        t["qid_agree"] += x.qid == y.qid
        if x.qid is not None or y.qid is not None:
            t["qid_linked_pairs"] += 1
            t["qid_linked_agree"] += x.qid == y.qid
        if x.label == "TIMEX":
            t["timex_pairs"] += 1
            t["timex_agree"] += x.timex == y.timex
    return t


def coreference_counts(a: Mapping[str, Any], b: Mapping[str, Any]) -> Counts:
    """Pairwise coreference links (two mentions in one entity) among the mentions both
    passes annotated identically (span + label): links of A are the reference, B's are
    scored against them, so clustering is judged apart from mention detection."""
    def entity_of(ann: Mapping[str, Any]) -> dict[tuple[int, int, str], str]:
        return {(int(m["start"]), int(m["end"]), str(m["label"])): str(m["entity"])
                for m in ann.get("mentions") or []}

    ea, eb = entity_of(a), entity_of(b)
    common = sorted(ea.keys() & eb.keys())

    def links(ent: dict[tuple[int, int, str], str]) -> set[tuple[int, int]]:
        return {(i, j) for i in range(len(common)) for j in range(i + 1, len(common))
                if ent[common[i]] == ent[common[j]]}

    la, lb = links(ea), links(eb)
    both = len(la & lb)
    return Counts(correct=both, missed=len(la) - both, spurious=len(lb) - both)


def _share(k: int, n: int) -> float | None:
    return k / n if n else None


def agreement_corpus(pairs: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]], *,
                     resamples: int = DEFAULT_RESAMPLES,
                     seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Agreement of pass B with pass A over several documents, per layer (JSON-ready)."""
    per_doc: list[dict[str, Counts]] = []
    tallies: dict[str, int] = {}
    for a, b in pairs:
        _check_pair(a, b)
        va, vb = view_from_annotation(a), view_from_annotation(b)
        per_doc.append({**document_counts(va, vb),
                        "coreference/links": coreference_counts(a, b)})
        for k, v in _linking(va.entities, vb.entities).items():
            tallies[k] = tallies.get(k, 0) + v
    totals = total(per_doc)
    keys = [m[2] for m in MEASURES]
    cis = bootstrap_f1(per_doc, keys, resamples=resamples, seed=seed)
    out: dict[str, Any] = {"documents": len(per_doc),
                           "doc_ids": [str(a.get("doc_id")) for a, _ in pairs],
                           "bootstrap": {"resamples": resamples, "seed": seed,
                                         "confidence": 0.95, "unit": "document"}}
    for section, name, key, _ in MEASURES:
        out.setdefault(section, {})[name] = metric(totals.get(key, Counts()), cis[key])
    out["per_label"] = {k.split("/")[2]: metric(c) for k, c in sorted(totals.items())
                        if k.startswith("entities/strict/")}
    g = tallies.get
    out["qid"] = {"pairs": g("qid_pairs", 0), "agree": g("qid_agree", 0),
                  "agreement": _share(g("qid_agree", 0), g("qid_pairs", 0)),
                  "linked_pairs": g("qid_linked_pairs", 0),
                  "linked_agree": g("qid_linked_agree", 0),
                  "linked_agreement": _share(g("qid_linked_agree", 0),
                                             g("qid_linked_pairs", 0))}
    out["timex"] = {"pairs": g("timex_pairs", 0), "agree": g("timex_agree", 0),
                    "accuracy": _share(g("timex_agree", 0), g("timex_pairs", 0))}
    return out


def agreement(pass_a: Mapping[str, Any], pass_b: Mapping[str, Any]) -> dict[str, Any]:
    """Agreement of two passes over the same document."""
    return agreement_corpus([(pass_a, pass_b)])


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def format_agreement_table(result: Mapping[str, Any]) -> str:
    """Markdown table of an `agreement_corpus` result (for the card and the datasheet)."""
    lines = [f"Inter-annotator agreement over {result['documents']} document(s), pass B "
             "scored against pass A with the benchmark's matching code; micro-averaged; "
             "95% CI by bootstrap over documents.", "",
             "| measure | value | 95% CI | items A | items B | matched |",
             "|---|---:|---|---:|---:|---:|"]
    for section, name, _, label in MEASURES:
        m = result[section][name]
        lo, hi = m["ci95"]
        if not m["possible"] and not m["actual"]:  # neither pass has an item: no figure
            lines.append(f"| {label} | n/a |  | 0 | 0 | 0 |")
            continue
        lines.append(f"| {label} | {m['f1']:.3f} | {lo:.3f}-{hi:.3f} | {m['possible']} | "
                     f"{m['actual']} | {m['correct']} |")
    q, t = result["qid"], result["timex"]
    lines.append(f"| Entity linking: QID agreement (strictly matched mentions; NIL = NIL) | "
                 f"{_num(q['agreement'])} |  | {q['pairs']} pairs |  | {q['agree']} |")
    lines.append(f"| Entity linking: QID agreement (pairs where either pass has a QID) | "
                 f"{_num(q['linked_agreement'])} |  | {q['linked_pairs']} pairs |  | "
                 f"{q['linked_agree']} |")
    lines.append(f"| TIMEX value accuracy (strictly matched TIMEX mentions) | "
                 f"{_num(t['accuracy'])} |  | {t['pairs']} pairs |  | {t['agree']} |")
    return "\n".join(lines) + "\n"
