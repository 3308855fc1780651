"""`trisec align`'s library side: a responses file + a release -> prediction lines + account.

Every response is aligned against its document's published `text` (trisec.generative.align)
and the layers of one document are merged into one prediction line in the docs/BENCHMARK.md
format. A document appears in the output as soon as one of its tasks was answered, with an
empty layer for each task whose response predicts nothing; the scorer compares every gold
document of the split anyway, so no failure leaves the denominator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trisec.evaluate.gold import read_rows
from trisec.evaluate.views import DocView, view_to_prediction
from trisec.generative.account import summarise
from trisec.generative.align import ResponseAccount, align_response
from trisec.generative.files import atomic_write_text
from trisec.generative.formats import tasks as schema_tasks
from trisec.generative.responses import Response, read_responses
from trisec.schema import Schema


@dataclass
class Aligned:
    predictions: list[dict[str, Any]]  # one prediction line per document, by doc_id
    accounts: list[ResponseAccount]

    @property
    def summary(self) -> dict[str, Any]:
        return summarise(self.accounts)

    def jsonl(self) -> str:
        return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in self.predictions)


def release_texts(release: Path) -> dict[str, str]:
    return {r["doc_id"]: r["text"] for r in read_rows(release)}


def align_responses(responses: list[Response], texts: dict[str, str], schema: Schema
                    ) -> Aligned:
    views: dict[str, DocView] = {}
    answered: dict[str, set[str]] = {}
    accounts = []
    for r in sorted(responses, key=lambda r: (r.doc_id, schema_tasks(schema).index(r.task))):
        view, acc = align_response(r.doc_id, r.task, texts[r.doc_id], r.response, schema,
                                   error=r.error)
        accounts.append(acc)
        merged = views.setdefault(r.doc_id, DocView(r.doc_id))
        merged.entities += view.entities
        merged.events += view.events
        merged.attributions += view.attributions
        answered.setdefault(r.doc_id, set()).add(r.task)
    lines = []
    for doc_id in sorted(views):
        full = view_to_prediction(views[doc_id])
        lines.append({"doc_id": doc_id, **{t: full[t] for t in schema_tasks(schema)
                                           if t in answered[doc_id]}})
    return Aligned(lines, accounts)


def align_file(responses: Path, release: Path, schema: Schema) -> Aligned:
    """Check the whole responses file against the release, then align it (nothing is
    written here)."""
    texts = release_texts(release)
    return align_responses(read_responses(responses, texts.keys(), schema_tasks(schema)),
                           texts, schema)


def write_outputs(aligned: Aligned, predictions: Path | None, account: Path | None) -> None:
    if predictions is not None:
        atomic_write_text(predictions, aligned.jsonl())
    if account is not None:
        atomic_write_text(account, json.dumps(aligned.summary, indent=2, ensure_ascii=False)
                          + "\n")


def read_account(path: Path) -> dict[str, Any]:
    from trisec.errors import Problem, TrisecError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TrisecError(Problem(str(path), f"cannot read the alignment account: {exc}",
                                  "pass the .alignment.json file `trisec align` wrote")) from exc
    if not isinstance(data, dict) or not {"tasks", "total"} <= data.keys():
        raise TrisecError(Problem(str(path), "not an alignment account (no tasks/total)",
                                  "pass the .alignment.json file `trisec align` wrote"))
    return data


def default_account_path(predictions: Path) -> Path:
    """preds.jsonl -> preds.alignment.json (beside it)."""
    return predictions.with_name(predictions.stem + ".alignment.json")
