"""Any spaCy pipeline -> prediction lines (docs/BENCHMARK.md): `doc.ents` become `entities`.

A pipeline trained by `trisec train spacy` carries `meta["trisec"]` (its fold, the documents it
was trained on, config and seed); every line it predicts repeats that as the line's `model`,
so `trisec evaluate` can refuse a document scored by a model that saw it. Labels: without a
label map every predicted label must be a schema label; with one (`ontonotes` for pretrained
English pipelines, `ace`, or a file) the labels are kept as predicted, those outside the map
are dropped and counted, and the file is scored with the same `--label-map`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError

META_KEY = "trisec"


def load_pipeline(name: str) -> Any:
    """spacy.load of a pipeline folder or an installed package, with a located error."""
    import spacy

    path = Path(name)
    if path.is_dir() and not (path / "config.cfg").is_file():
        inside = sorted(p.parent.name for p in path.glob("*/config.cfg"))
        if inside:  # a training output folder, or models/spacy/ holding one model per fold
            raise TrisecError(Problem(name, "a folder of pipelines, not a pipeline (it holds "
                                      f"{', '.join(inside)})", f"pass {path / inside[0]}"))
    try:
        return spacy.load(name)
    except (OSError, ValueError) as exc:  # E050 (no package or folder), E053 (no config)
        what = ("a folder without a spaCy pipeline (no config.cfg)" if path.is_dir()
                else "neither a pipeline folder nor an installed spaCy package")
        raise TrisecError(Problem(name, f"spaCy pipeline not found: {what}",
                                  "train one with `trisec train spacy` (folders under "
                                  "models/spacy/), or pass the name of an installed pipeline "
                                  "package")) from exc


def model_info(nlp: Any) -> dict[str, Any] | None:
    """The training record `trisec train spacy` stores in the pipeline's meta, if any."""
    info = nlp.meta.get(META_KEY)
    return dict(info) if isinstance(info, dict) else None


def entity_labels(nlp: Any) -> set[str]:
    """Labels the pipeline's entity components (ner, entity_ruler, ...) can set."""
    return {str(lab) for name in nlp.pipe_names
            if nlp.get_pipe_meta(name).factory in ("ner", "beam_ner", "entity_ruler",
                                                   "span_ruler")
            for lab in getattr(nlp.get_pipe(name), "labels", ())}


def check_labels(nlp: Any, allowed: Iterable[str], label_map: str | None) -> list[str]:
    """The pipeline's entity labels outside `allowed` (schema labels, or the map's labels)."""
    labels = entity_labels(nlp)
    if not labels:
        raise TrisecError(Problem(nlp.meta.get("name", "pipeline"), "the pipeline sets no "
                                  f"entities (components: {', '.join(nlp.pipe_names)})",
                                  "pass a pipeline with an entity recogniser (ner)"))
    outside = sorted(labels - set(allowed))
    if outside and label_map is None:
        raise TrisecError(Problem(nlp.meta.get("name", "pipeline"), "labels outside "
                                  f"TRISEC's set: {', '.join(outside)}",
                                  "pass --label-map ontonotes (pretrained English pipelines), "
                                  "ace, or a YAML/JSON file {label: schema label}"))
    return outside


def predict_line(nlp: Any, doc_id: str, text: str, allowed: set[str],
                 dropped: Counter[str], model: Mapping[str, Any] | None = None
                 ) -> dict[str, Any]:
    """One prediction line; labels outside `allowed` are dropped and counted."""
    entities = []
    for ent in nlp(text).ents:
        if ent.label_ not in allowed:
            dropped[ent.label_] += 1
            continue
        entities.append({"start": ent.start_char, "end": ent.end_char, "label": ent.label_,
                         "text": ent.text})
    line: dict[str, Any] = {"doc_id": doc_id, "entities": entities}
    if model is not None:
        line["model"] = dict(model)
    return line


def predict_rows(nlp: Any, rows: Iterable[Mapping[str, Any]], allowed: set[str],
                 model: Mapping[str, Any] | None = None) -> tuple[list[dict[str, Any]],
                                                                  Counter[str]]:
    """Lines for `rows` (doc_id, text), sorted by doc_id, and the dropped label counts."""
    dropped: Counter[str] = Counter()
    lines = [predict_line(nlp, r["doc_id"], r["text"], allowed, dropped, model)
             for r in sorted(rows, key=lambda r: r["doc_id"])]
    return lines, dropped
