"""The benchmark's I/O edge: a release folder + a prediction file -> a JSON-ready report.

`trisec evaluate` is a thin wrapper around `evaluate_file`; the leaderboard extra uses
`evaluate_views`. Everything below them is pure (score, spans, events, attribution).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trisec.evaluate.bootstrap import DEFAULT_RESAMPLES, DEFAULT_SEED
from trisec.evaluate.gold import ALL, GoldSplit, read_gold
from trisec.evaluate.labelmap import LabelMap, apply_gold, describe, resolve
from trisec.evaluate.predictions import Loaded, check_folds, load_predictions
from trisec.evaluate.score import score
from trisec.schema import Schema, load_schema


def evaluate_views(gold: GoldSplit, loaded: Loaded, entity_map: LabelMap,
                   event_map: LabelMap, *, resamples: int = DEFAULT_RESAMPLES,
                   seed: int = DEFAULT_SEED) -> dict[str, Any]:
    views = [apply_gold(v, entity_map, event_map) for v in gold.views]
    out = score(views, loaded.views, resamples=resamples, seed=seed)
    notes = []
    if not gold.has_gold:
        notes.append(f"the {gold.split!r} split has no gold annotations yet: every score is 0 "
                     "and says nothing about the system")
    if gold.unannotated:
        notes.append(f"{len(gold.unannotated)} document(s) of the split have no gold "
                     "annotations yet and are not scored: "
                     + ", ".join(gold.unannotated))
    if out["documents_without_predictions"]:
        notes.append(f"{out['documents_without_predictions']} document(s) of the split had no "
                     "prediction line and were scored as empty predictions")
    if loaded.other_split:
        notes.append(f"{len(loaded.other_split)} line(s) for documents of other splits were "
                     "ignored")
    for key, n in sorted(loaded.dropped_labels.items()):
        notes.append(f"{n} prediction(s) with {key} are outside the label map and were dropped")
    for lab in entity_map.unscorable:
        notes.append(f"gold {lab} has no counterpart in the {entity_map.name} mapping and is "
                     "left out of the entity scores")
    notes.extend(entity_map.notes)
    out.update(split=gold.split, unannotated=list(gold.unannotated),
               label_map=describe(entity_map),
               event_label_map=describe(event_map), notes=notes)
    if loaded.models:
        out["models"] = models_summary(loaded)
    return out


def models_summary(loaded: Loaded) -> dict[str, Any]:
    """Which model (fold) predicted which documents, from the lines' `model` keys."""
    folds: dict[str, dict[str, Any]] = {}
    for doc_id in sorted(loaded.views):
        m = loaded.models.get(doc_id)
        if m is None:
            continue
        name = str(m.get("fold") or "(unnamed)")
        f = folds.setdefault(name, {"predicted": [], "trained_on": sorted(m.get("trained_on",
                                                                               []))})
        f["predicted"].append(doc_id)
    return folds


def maps_for(schema: Schema, label_map: str | None) -> tuple[LabelMap, LabelMap]:
    return resolve(label_map, schema.labels, schema.entity_labels, schema.event_types)


def evaluate_file(predictions: Path, release: Path, split: str = "test",
                  label_map: str | None = None, *, schema: Schema | None = None,
                  resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                  folds: bool = False, alignment: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
    """Check `predictions` against the release's `split` (`all`: every document) and score
    it. `folds`: pooled cross-validation predictions over every document, each line naming
    the model that predicted it and none predicted by a model trained on it. `alignment`:
    the account of `trisec align` for predictions aligned from model responses, carried into
    the report (key `alignment`) with its failures in the notes."""
    from trisec.release.opener import open_release

    schema = schema or load_schema()
    gold = read_gold(open_release(release).path, ALL if folds else split)
    ent_map, ev_map = maps_for(schema, label_map)
    loaded = load_predictions(predictions, gold, ent_map, ev_map, set(schema.all_roles))
    if folds:
        check_folds(Path(predictions), loaded, gold)
    out = evaluate_views(gold, loaded, ent_map, ev_map, resamples=resamples, seed=seed)
    out["predictions"] = str(predictions)
    out["scope"] = "folds" if folds else ("all" if split == ALL else "split")
    if alignment is not None:
        from trisec.generative.account import notes

        out["alignment"] = alignment
        out["notes"] = [*out["notes"], *notes(alignment)]
    return out

