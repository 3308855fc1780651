"""Rows of the `prompts` config: one per (document, task), in chat format. Pure.

Each prompt is a system message (the task's instructions, generated from labels.yaml, with
the JSON Schema of the answer), one worked example as a user/assistant exchange, and the
user message holding the document's own text. The example is an excerpt of a **train**
document with its gold in the response format; documents of other splits never appear in
any prompt but their own (the gate checks it: `prompts` suite, leakage expectations).

Choosing the example: over every train document with gold, every window of whole
consecutive sentences of at most `prompts.example_max_chars` characters in which no gold
item of the task is cut by the window's edges; the window with the most items wins (ties:
smallest doc_id, then earliest window). Deterministic, so builds are byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trisec.evaluate.spans import Span
from trisec.evaluate.views import Argument, Attribution, DocView, Event, view_from_annotation
from trisec.generative.formats import dumps, prompt_version, reference, response_schema, tasks
from trisec.generative.instructions import instructions, user_message
from trisec.schema import Schema

TRAIN = "train"


@dataclass(frozen=True)
class Example:
    doc_id: str
    text: str
    view: DocView  # gold of the excerpt, offsets into `text`
    items: int


def has_gold(row: Mapping[str, Any]) -> bool:
    return any(row.get(k) for k in ("mentions", "events", "attributions"))


def _inside(s: Span | None, lo: int, hi: int) -> bool:
    return s is not None and lo <= s.start and s.end <= hi


def _touches(s: Span | None, lo: int, hi: int) -> bool:
    return s is not None and s.start < hi and s.end > lo


def _shift(s: Span | None, by: int) -> Span | None:
    return None if s is None else Span(s.start - by, s.end - by, s.label)


def excerpt_view(task: str, view: DocView, lo: int, hi: int) -> DocView | None:
    """The task's gold inside text[lo:hi], shifted to the excerpt; None when an item is cut
    by the window (partly inside), which would make the example's gold wrong."""
    out = DocView(view.doc_id)
    if task == "entities":
        for s in view.entities:
            if _inside(s, lo, hi):
                out.entities.append(_shift(s, lo))  # type: ignore[arg-type]
            elif _touches(s, lo, hi):
                return None
    elif task == "events":
        for e in view.events:
            if not _touches(e.trigger, lo, hi):
                continue  # the event is not in the excerpt (an argument alone is an entity)
            spans = [e.trigger, *(Span(a.start, a.end) for a in e.arguments)]
            if not all(_inside(s, lo, hi) for s in spans):
                return None
            trig = _shift(e.trigger, lo)
            assert trig is not None
            out.events.append(Event(trig, tuple(Argument(a.role, a.start - lo, a.end - lo)
                                                 for a in e.arguments)))
    else:
        for q in view.attributions:
            spans = [s for s in (q.content, q.cue, q.source) if s is not None]
            inside = [_inside(s, lo, hi) for s in spans]
            if all(inside):
                content = _shift(q.content, lo)
                assert content is not None
                out.attributions.append(Attribution(content, _shift(q.cue, lo),
                                                    _shift(q.source, lo)))
            elif any(_touches(s, lo, hi) for s in spans):
                return None
    return out


def _items(task: str, v: DocView) -> int:
    if task == "entities":
        return len(v.entities)
    if task == "events":
        return len(v.events) + sum(len(e.arguments) for e in v.events)
    return len(v.attributions)


def choose_example(task: str, train_docs: Iterable[Mapping[str, Any]],
                   sentences: Mapping[str, Sequence[tuple[int, int]]],
                   max_chars: int) -> Example | None:
    """The best excerpt of a train document for `task` (module docstring), or None."""
    best: tuple[int, str, int, int] | None = None
    found: Example | None = None
    for row in sorted(train_docs, key=lambda r: r["doc_id"]):
        if row["split"] != TRAIN or not has_gold(row):
            continue
        view, text = view_from_annotation(row), row["text"]
        sents = sorted(sentences.get(row["doc_id"], ()))
        for i in range(len(sents)):
            for j in range(i, len(sents)):
                lo, hi = sents[i][0], sents[j][1]
                if hi - lo > max_chars:
                    break
                ex = excerpt_view(task, view, lo, hi)
                n = 0 if ex is None else _items(task, ex)
                if ex is None or n == 0:
                    continue
                key = (-n, row["doc_id"], i, j)
                if best is None or key < best:
                    best = key
                    found = Example(row["doc_id"], text[lo:hi], ex, n)
    return found


def messages(task: str, text: str, example: Example | None, schema: Schema
             ) -> list[dict[str, str]]:
    out = [{"role": "system", "content": instructions(task, schema)}]
    if example is not None:
        out += [{"role": "user", "content": user_message(example.text)},
                {"role": "assistant",
                 "content": dumps(reference(task, example.text, example.view))}]
    out.append({"role": "user", "content": user_message(text)})
    return out


def prompt_rows(docs: Sequence[Mapping[str, Any]],
                sentences: Mapping[str, Sequence[tuple[int, int]]],
                schema: Schema) -> Iterator[dict[str, Any]]:
    """The `prompts` rows of `docs` (documents rows of every split, in release order): one
    per document and task. `sentences` maps doc_id -> (start, end) of its sentences.
    `reference` is null for a document without gold annotations."""
    settings = schema.dataset["prompts"]
    version = prompt_version(schema)
    examples = {t: choose_example(t, docs, sentences, int(settings["example_max_chars"]))
                for t in tasks(schema)}
    schemas = {t: dumps(response_schema(t, schema)) for t in tasks(schema)}
    for row in docs:
        view = view_from_annotation(row)
        for task in tasks(schema):
            ex = examples[task]
            yield {"doc_id": row["doc_id"], "split": row["split"], "task": task,
                   "prompt_version": version,
                   "messages": messages(task, row["text"], ex, schema),
                   "response_schema": schemas[task],
                   "reference": (dumps(reference(task, row["text"], view))
                                 if has_gold(row) else None),
                   "example_doc_ids": [] if ex is None else [ex.doc_id]}
