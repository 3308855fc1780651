"""The responses file: JSONL, one line per (document, task) answered by a model.

    {"doc_id": "tsn-...", "task": "entities", "response": "<the model's raw text>"}

`response` is null when the runner got no answer; `error` then says why. `model` may name
the model. Any other key, an unknown doc_id or task, a line that is not a JSON object, or a
(doc_id, task) given twice is an error naming the line and the fix; the whole file is checked
before anything is aligned or written.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError

KEYS = ("doc_id", "task", "response", "error", "model")
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Response:
    line: int
    doc_id: str
    task: str
    response: str | None
    error: str | None = None
    model: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc_id": self.doc_id, "task": self.task,
                               "response": self.response}
        if self.error is not None:
            out["error"] = self.error
        if self.model is not None:
            out["model"] = self.model
        return out


def _check(obj: Any, where: str, doc_ids: Collection[str], tasks: Collection[str],
           problems: list[Problem]) -> Response | None:
    if not isinstance(obj, dict):
        problems.append(Problem(where, f"expected a JSON object, got {type(obj).__name__}",
                                'write {"doc_id": ..., "task": ..., "response": "..."}'))
        return None
    start = len(problems)
    unknown = sorted(set(obj) - set(KEYS))
    if unknown:
        problems.append(Problem(where, f"unknown key(s) {', '.join(map(repr, unknown))}",
                                f"allowed: {', '.join(KEYS)}"))
    doc_id, task, response = obj.get("doc_id"), obj.get("task"), obj.get("response", ...)
    if not isinstance(doc_id, str) or doc_id not in doc_ids:
        problems.append(Problem(where, f"unknown doc_id {doc_id!r}",
                                "use the doc_id of a row of the release's prompts config"))
    if task not in tasks:
        problems.append(Problem(where, f"unknown task {task!r}",
                                f"use one of: {', '.join(tasks)}"))
    if response is ...:
        problems.append(Problem(where, "no response key",
                                'add "response": the model\'s raw text (null if none)'))
    elif response is not None and not isinstance(response, str):
        problems.append(Problem(where, f"response must be a string or null, got "
                                f"{type(response).__name__}",
                                "put the model's raw answer text in a JSON string"))
    for key in ("error", "model"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            problems.append(Problem(where, f"{key} must be a string"))
    if len(problems) > start:
        return None
    return Response(0, str(doc_id), str(task), response, obj.get("error"), obj.get("model"))


def parse_responses(lines: Iterable[str], source: str, doc_ids: Collection[str],
                    tasks: Collection[str]) -> list[Response]:
    """Check every line; raise all problems (at most MAX_PROBLEMS) or return the responses."""
    problems: list[Problem] = []
    out: list[Response] = []
    first: dict[tuple[str, str], int] = {}
    for n, raw in enumerate(lines, start=1):
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem(source, f"stopped after {MAX_PROBLEMS} problems"))
            break
        if not raw.strip():
            continue
        where = f"{source}:{n}"
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(Problem(where, f"not JSON: {exc.msg} (column {exc.colno})",
                                    "one JSON object per line (JSONL); keep the model's "
                                    "answer inside the \"response\" string"))
            continue
        r = _check(obj, where, doc_ids, tasks, problems)
        if r is None:
            continue
        key = (r.doc_id, r.task)
        if key in first:
            problems.append(Problem(where, f"{r.doc_id} {r.task} already on line {first[key]}",
                                    "one line per document and task"))
            continue
        first[key] = n
        out.append(Response(n, r.doc_id, r.task, r.response, r.error, r.model))
    if problems:
        raise TrisecError(problems)
    return out


def read_responses(path: Path, doc_ids: Collection[str], tasks: Collection[str]
                   ) -> list[Response]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TrisecError(Problem(str(path), "responses file not found",
                                  "write it with `trisec run`, or pass the right path")) from exc
    except UnicodeDecodeError as exc:
        raise TrisecError(Problem(f"{path}@byte {exc.start}", "not UTF-8 text",
                                  "write the file as UTF-8 JSONL")) from exc
    return parse_responses(text.splitlines(), str(path), doc_ids, tasks)
