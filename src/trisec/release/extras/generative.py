"""Release extra: the card's section on scoring generative models, from the staged `prompts`
config (tasks, prompt version, prompt sizes, where the worked examples come from)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from trisec.release.card import BuildContext

ORDER = 65
KEY = "65-generative"


def _rows(release_dir: Path) -> list[dict[str, Any]]:
    folder = release_dir / "data" / "prompts"
    cols = ["doc_id", "split", "task", "prompt_version", "messages", "example_doc_ids"]
    return [r for p in sorted(folder.glob("*.parquet")) for r in pq.read_table(
        p, columns=cols).to_pylist()] if folder.is_dir() else []


def generative_section(release_dir: Path) -> str:
    rows = _rows(release_dir)
    if not rows:
        return ""
    lines = ["## Scoring generative models", "",
             "The `prompts` config holds one chat prompt per document and task, ready for any "
             "OpenAI-compatible chat-completions server: instructions generated from the "
             "label definitions, one worked example (an excerpt of a **train** document with "
             "its gold), then the document. Models answer with quoted text, never offsets; "
             "`response_schema` is the JSON Schema of the answer and `reference` the gold in "
             "that format. `trisec run` sends the prompts (cached, resumable), `trisec align` "
             "turns answers into offset predictions with an account of every formatting "
             "failure, and `trisec evaluate` scores them like any system (docs/BENCHMARK.md, "
             "\"Score a generative model\"). The validation gate checks that every reference "
             "aligns back to exactly the gold and that no text of a document outside train "
             "appears in another document's prompt.", "",
             f"Prompt version {rows[0]['prompt_version']}. Prompt sizes in characters (all "
             "messages):", "",
             "| task | prompts | worked example from | min | median | max |",
             "|---|---:|---|---:|---:|---:|"]
    for task in dict.fromkeys(r["task"] for r in rows):
        mine = [r for r in rows if r["task"] == task]
        sizes = [sum(len(m["content"]) for m in r["messages"]) for r in mine]
        sources = sorted({d for r in mine for d in r["example_doc_ids"]}) or ["(zero-shot)"]
        lines.append(f"| {task} | {len(mine)} | {', '.join(f'`{s}`' for s in sources)} | "
                     f"{min(sizes):,} | {int(statistics.median(sizes)):,} | {max(sizes):,} |")
    lines += ["", "No generative model has been scored on this release yet: none could be run "
              "where it is built, and the leaderboard lists only systems whose predictions are "
              "committed."]
    return "\n".join(lines) + "\n"


def extend(release_dir: Path, ctx: BuildContext) -> None:
    text = generative_section(release_dir)
    if text:
        ctx.extra[KEY] = text
