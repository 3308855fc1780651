"""Score predicted views against gold views: per-document counts, corpus totals, P/R/F1,
macro averages and bootstrap intervals, as one JSON-ready report. Pure.

Metric keys are paths: `entities/strict`, `entities/strict/PER`, `events/trigger_classification`,
`attribution/source`, ... The report nests them (see `report`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from trisec.evaluate.attribution import attribution_counts
from trisec.evaluate.bootstrap import DEFAULT_RESAMPLES, DEFAULT_SEED, bootstrap_f1
from trisec.evaluate.events import event_counts
from trisec.evaluate.spans import OUTCOMES, SCHEMES, Counts, prf
from trisec.evaluate.views import DocView


def document_counts(gold: DocView, pred: DocView) -> dict[str, Counts]:
    """Every metric's counts for one document (pred scored against gold)."""
    from trisec.evaluate.spans import span_counts

    out = span_counts(gold.entities, pred.entities, "entities")
    out.update(event_counts(gold.events, pred.events, "events"))
    out.update(attribution_counts(gold.attributions, pred.attributions, "attribution"))
    return out


def total(per_doc: Iterable[Mapping[str, Counts]]) -> dict[str, Counts]:
    out: dict[str, Counts] = {}
    for d in per_doc:
        for k, c in d.items():
            out[k] = out.get(k, Counts()) + c
    return out


def metric(c: Counts, ci: tuple[float, float] | None = None) -> dict[str, Any]:
    m = prf(c)
    out: dict[str, Any] = {k: getattr(c, k) for k in OUTCOMES}
    out.update(possible=c.possible, actual=c.actual, precision=m.precision, recall=m.recall,
               f1=m.f1)
    if ci is not None:
        out["ci95"] = [ci[0], ci[1]]
    return out


def macro(totals: Mapping[str, Counts], prefix: str) -> dict[str, float]:
    """Unweighted mean of per-label P/R/F1 over the labels present in gold or predictions
    (seqeval's and nervaluate's label set)."""
    per = [prf(c) for k, c in totals.items()
           if k.startswith(prefix + "/") and k.count("/") == prefix.count("/") + 1
           and (c.possible or c.actual)]
    if not per:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "labels": 0}
    n = len(per)
    return {"precision": sum(m.precision for m in per) / n,
            "recall": sum(m.recall for m in per) / n,
            "f1": sum(m.f1 for m in per) / n, "labels": n}


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """`entities/strict/PER` -> {"entities": {"per_label": {"PER": {"strict": ...}}}} and
    `entities/strict` -> {"entities": {"strict": ...}}."""
    out: dict[str, Any] = {}
    for key in sorted(flat):
        parts = key.split("/")
        layer = out.setdefault(parts[0], {})
        if len(parts) == 2:
            layer[parts[1]] = flat[key]
        else:
            group = "per_label" if parts[0] == "entities" else "per_type"
            layer.setdefault(group, {}).setdefault(parts[2], {})[parts[1]] = flat[key]
    return out


def report(per_doc: Sequence[Mapping[str, Counts]], *, resamples: int = DEFAULT_RESAMPLES,
           seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Corpus report: micro metrics with 95% bootstrap CI for every key, macro averages."""
    totals = total(per_doc)
    cis = bootstrap_f1(per_doc, sorted(totals), resamples=resamples, seed=seed)
    out = nest({k: metric(c, cis.get(k)) for k, c in totals.items()})
    ent = out.setdefault("entities", {})
    ent["macro"] = {s: macro(totals, f"entities/{s}") for s in SCHEMES}
    out["bootstrap"] = {"resamples": resamples, "seed": seed, "confidence": 0.95,
                        "unit": "document", "documents": len(per_doc)}
    return out


# the headline figures repeated per document (which articles a system does well or badly on)
PER_DOCUMENT_KEYS = ("entities/strict", "events/trigger_classification",
                     "events/argument_classification", "attribution/source")


def score(gold: Sequence[DocView], pred: Mapping[str, DocView], *,
          resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Score predictions (by doc_id) against gold documents; a gold document without a
    prediction is scored against an empty one."""
    per_doc = [document_counts(g, pred.get(g.doc_id) or DocView(g.doc_id)) for g in gold]
    out = report(per_doc, resamples=resamples, seed=seed)
    out["per_document"] = {g.doc_id: {k: metric(c.get(k, Counts())) for k in PER_DOCUMENT_KEYS}
                           for g, c in zip(gold, per_doc, strict=True)}
    out["documents"] = len(gold)
    out["documents_without_predictions"] = sum(1 for g in gold if g.doc_id not in pred)
    out["gold_items"] = {
        "entities": sum(len(g.entities) for g in gold),
        "events": sum(len(g.events) for g in gold),
        "arguments": sum(len(e.arguments) for g in gold for e in g.events),
        "attributions": sum(len(g.attributions) for g in gold),
    }
    return out
