"""The prediction format (docs/BENCHMARK.md): load a JSONL file and check every line.

One JSON object per line: `doc_id` plus any of
  entities:     [{start, end, label}]
  events:       [{trigger: {start, end}, type, arguments: [{role, start, end}]}]
  attributions: [{content: {start, end}, cue: {start, end} | null, source: {start, end} | null}]
Offsets are character offsets (end exclusive) into the published `text`. Any span may also
carry its `text`, which is then checked (the quickest way to catch an offset bug). A line may
say which model produced it: `model: {"fold": name, "trained_on": [doc ids], ...}`; a line
whose document is in its own model's `trained_on` is refused (a trained system is never
scored on its training data), and `--folds` scoring requires the key on every line. Every
problem is reported with the file, line number, item and a fix; nothing is scored until the
file is clean.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.evaluate.gold import GoldSplit
from trisec.evaluate.labelmap import LabelMap
from trisec.evaluate.spans import Span
from trisec.evaluate.views import Argument, Attribution, DocView, Event

LAYERS = ("entities", "events", "attributions")
MODEL = "model"  # optional provenance of a line: which fold/model predicted the document
MAX_PROBLEMS = 50


@dataclass
class Loaded:
    views: dict[str, DocView]
    other_split: list[str] = field(default_factory=list)  # doc ids of other splits, skipped
    dropped_labels: Counter[str] = field(default_factory=Counter)  # outside the label map
    models: dict[str, dict[str, Any]] = field(default_factory=dict)  # doc id -> `model`


@dataclass
class _Line:
    where: str
    text: str
    problems: list[Problem]

    def bad(self, item: str, message: str, fix: str = "") -> None:
        self.problems.append(Problem(self.where, f"{item}: {message}" if item else message, fix))

    def span(self, d: Any, item: str, label: str = "") -> Span | None:
        if not isinstance(d, dict) or not all(k in d for k in ("start", "end")):
            self.bad(item, "needs start and end", 'write {"start": S, "end": E}')
            return None
        s, e = d["start"], d["end"]
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (s, e)):
            self.bad(item, f"start and end must be integers, got {s!r} and {e!r}")
            return None
        if not 0 <= s < e <= len(self.text):
            self.bad(item, f"offsets {s}..{e} out of range (need 0 <= start < end <= "
                     f"{len(self.text)})", "offsets are character offsets into the published "
                     "`text`, end exclusive")
            return None
        if "text" in d and d["text"] != self.text[s:e]:
            self.bad(item, f"text {d['text']!r} does not match {self.text[s:e]!r} at {s}..{e}",
                     "recompute the offsets against the published `text`")
            return None
        return Span(s, e, label)


def _label(line: _Line, item: str, value: Any, lm: LabelMap, what: str,
           dropped: Counter[str]) -> str | None:
    if lm.identity:
        if value not in lm.pred:
            line.bad(item, f"unknown {what} {value!r}", f"use one of: {', '.join(lm.pred)} "
                     "(schema/labels.yaml), or score through --label-map")
            return None
        return str(value)
    if value not in lm.pred:
        dropped[f"{what}:{value}"] += 1
        return None
    return lm.pred[value]


def _list(line: _Line, obj: Mapping[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        line.bad(key, f"must be a list, got {type(value).__name__}")
        return []
    return value


def _check(obj: Mapping[str, Any], line: _Line, doc_id: str, entity_map: LabelMap,
           event_map: LabelMap, roles: set[str], dropped: Counter[str]) -> DocView:
    view = DocView(doc_id)
    for i, x in enumerate(_list(line, obj, "entities")):
        item = f"entities[{i}]"
        s = line.span(x, item)
        lab = _label(line, item, x.get("label") if isinstance(x, dict) else None, entity_map,
                     "label", dropped)
        if s and lab:
            view.entities.append(Span(s.start, s.end, lab))
    for i, x in enumerate(_list(line, obj, "events")):
        item = f"events[{i}]"
        if not isinstance(x, dict):
            line.bad(item, "must be an object with trigger, type and arguments")
            continue
        trig = line.span(x.get("trigger"), f"{item}.trigger")
        etype = _label(line, item, x.get("type"), event_map, "event type", dropped)
        args = []
        for j, a in enumerate(_list(line, x, "arguments")):
            aitem = f"{item}.arguments[{j}]"
            s = line.span(a, aitem)
            role = a.get("role") if isinstance(a, dict) else None
            if role not in roles:
                line.bad(aitem, f"unknown role {role!r}",
                         f"use one of: {', '.join(sorted(roles))}")
            elif s:
                args.append(Argument(str(role), s.start, s.end))
        if trig and etype:
            view.events.append(Event(Span(trig.start, trig.end, etype), tuple(args)))
    for i, x in enumerate(_list(line, obj, "attributions")):
        item = f"attributions[{i}]"
        if not isinstance(x, dict):
            line.bad(item, "must be an object with content, cue and source")
            continue
        content = line.span(x.get("content"), f"{item}.content", "content")
        cue = None if x.get("cue") is None else line.span(x["cue"], f"{item}.cue", "cue")
        src = (None if x.get("source") is None
               else line.span(x["source"], f"{item}.source", "source"))
        if content:
            view.attributions.append(Attribution(content, cue, src))
    return view


def _model(obj: Mapping[str, Any], where: str, doc_id: str, known: Mapping[str, str],
           problems: list[Problem]) -> dict[str, Any] | None:
    """Check a line's `model` provenance; None when the line has none."""
    model = obj.get(MODEL)
    if model is None:
        return None
    if not isinstance(model, dict):
        problems.append(Problem(where, f"{MODEL}: must be an object",
                                'write {"fold": "loo-<doc_id>", "trained_on": [doc ids]}'))
        return None
    trained_on = model.get("trained_on", [])
    if not isinstance(trained_on, list) or not all(isinstance(d, str) for d in trained_on):
        problems.append(Problem(where, f"{MODEL}.trained_on: must be a list of doc ids"))
        return None
    fold = model.get("fold")
    unknown = [d for d in trained_on if d not in known]
    if unknown:
        problems.append(Problem(where, f"{MODEL}.trained_on: doc id(s) not in this release: "
                                f"{', '.join(unknown)}", "the release changed since the model "
                                "was trained: retrain and predict again (make predictions)"))
    if doc_id in trained_on:
        problems.append(Problem(where, f"{doc_id} was predicted by a model trained on it"
                                + (f" (fold {fold!r})" if fold else ""),
                                "predict each document with a model whose training data "
                                "leaves it out (trisec train spacy --folds loo)"))
    return dict(model)


def load_predictions(path: Path, gold: GoldSplit, entity_map: LabelMap, event_map: LabelMap,
                     roles: set[str]) -> Loaded:
    """Parse and check a prediction file against the gold split; raise every problem."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise TrisecError(Problem(str(path), "prediction file not found")) from exc
    except UnicodeDecodeError as exc:
        raise TrisecError(Problem(str(path), f"not UTF-8 text ({exc.reason} at byte "
                                  f"{exc.start})", "write the file as UTF-8 JSONL")) from exc
    out = Loaded({})
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for n, raw in enumerate(lines, start=1):
        if len(problems) >= MAX_PROBLEMS:
            break
        where = f"{path}:{n}"
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(Problem(where, f"invalid JSON: {exc.msg} (column {exc.colno})",
                                    "write one JSON object per line"))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(where, "expected a JSON object with doc_id"))
            continue
        doc_id = obj.get("doc_id")
        unknown = sorted(set(obj) - {"doc_id", MODEL, *LAYERS})
        if unknown:
            problems.append(Problem(where, f"unknown key(s) {', '.join(map(repr, unknown))}",
                                    f"allowed: doc_id, {', '.join(LAYERS)}, {MODEL}"))
        if not isinstance(doc_id, str) or doc_id not in gold.split_of:
            problems.append(Problem(where, f"unknown doc_id {doc_id!r}",
                                    "use the doc_id column of the release's documents"))
            continue
        if doc_id in first_line:
            problems.append(Problem(where, f"doc_id {doc_id!r} already on line "
                                    f"{first_line[doc_id]}", "one line per document"))
            continue
        first_line[doc_id] = n
        model = _model(obj, where, doc_id, gold.split_of, problems)
        if model is not None:
            out.models[doc_id] = model
        if doc_id not in gold.texts:
            out.other_split.append(doc_id)
            continue
        line = _Line(where, gold.texts[doc_id], problems)
        out.views[doc_id] = _check(obj, line, doc_id, entity_map, event_map, roles,
                                   out.dropped_labels)
    if problems:
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem(str(path), f"stopped after {MAX_PROBLEMS} problems"))
        raise TrisecError(problems)
    return out


def check_folds(path: Path, loaded: Loaded, gold: GoldSplit) -> None:
    """Pooled cross-validation predictions: every scored document of `gold` has a line (one
    without gold yet has no held-out model), and every line names the model that predicted
    it (load_predictions already refused a document in its own model's training data)."""
    problems = [Problem(f"{path}: {doc_id}", "no prediction line",
                        "a folds file predicts every document, each by its held-out model")
                for doc_id in sorted(v.doc_id for v in gold.views)
                if doc_id not in loaded.views]
    problems += [Problem(f"{path}: {doc_id}", f"no `{MODEL}` key saying which fold predicted "
                         "the document", 'add "model": {"fold": ..., "trained_on": [...]} '
                         "(trisec train spacy --folds loo writes it)")
                 for doc_id in sorted(loaded.views) if "trained_on" not in
                 loaded.models.get(doc_id, {})]
    if problems:
        raise TrisecError(problems)
