"""`trisec run --base-url URL --model NAME [--split test] [--tasks ...] -o OUT`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from trisec.generative.cache import ResponseCache
    from trisec.generative.client import Settings
    from trisec.generative.responses import Response
    from trisec.generative.runner import RunStats


@click.command("run")
@click.option("--base-url", required=True,
              help="OpenAI-compatible API root, e.g. http://localhost:8000/v1 (vLLM), "
                   "http://localhost:8080/v1 (llama.cpp), http://localhost:11434/v1 (Ollama).")
@click.option("--model", required=True, help="Model name the server expects.")
@click.option("--out", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Responses JSONL to write (the input of `trisec align`).")
@click.option("--split", default="test", show_default=True,
              help="Split whose prompts to send (all: every document).")
@click.option("--tasks", default=None,
              help="Comma-separated tasks (default: every task of the prompts config).")
@click.option("--release", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Release folder with the prompts config (default: dataset/).")
@click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True,
              help="Environment variable holding the API key (never pass a key itself); "
                   "unset: no Authorization header.")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 256),
              help="Requests in flight at once.")
@click.option("--timeout", default=120.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds per request.")
@click.option("--retries", default=4, show_default=True, type=click.IntRange(0, 20),
              help="Retries on 429/5xx, timeouts and connection errors (exponential backoff).")
@click.option("--backoff", default=1.0, show_default=True, type=click.FloatRange(0.0),
              help="First backoff in seconds (doubles per retry).")
@click.option("--temperature", default=0.0, show_default=True, type=float)
@click.option("--max-tokens", default=4096, show_default=True, type=int)
@click.option("--seed", default=0, show_default=True, type=int,
              help="Sampling seed sent to the server (part of the cache key).")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Response cache folder (default: the user cache folder's "
                                 "trisec/).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--predictions", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also align the responses into this prediction JSONL (+ .alignment.json).")
@click.option("--score", is_flag=True, help="Also align and score (trisec evaluate) the "
                                            "responses against --split.")
@click.option("--progress/--no-progress", default=True, show_default=True)
def command(base_url: str, model: str, out: Path, split: str, tasks: str | None,
            release: Path | None, api_key_env: str, concurrency: int, timeout: float,
            retries: int, backoff: float, temperature: float, max_tokens: int, seed: int,
            cache_dir: Path | None, no_cache: bool, predictions: Path | None, score: bool,
            progress: bool) -> None:
    """Send the release's prompts to an OpenAI-compatible chat-completions server and write
    the responses JSONL (cached, resumable, written atomically)."""
    from rich.console import Console

    from trisec.generative.cache import ResponseCache, default_cache_dir
    from trisec.generative.client import Settings
    from trisec.generative.runner import read_prompts, run_prompts, write_responses
    from trisec.paths import DATASET_DIR

    rel = release or DATASET_DIR
    rows = read_prompts(rel, split, [t.strip() for t in tasks.split(",")] if tasks else None)
    settings = Settings(base_url=base_url, model=model,
                        api_key=os.environ.get(api_key_env) or None, timeout=timeout,
                        retries=retries, backoff=backoff,
                        params={"temperature": temperature, "max_tokens": max_tokens,
                                "seed": seed})
    cache = None if no_cache else ResponseCache(cache_dir or default_cache_dir())
    console = Console(stderr=True)
    if progress:
        responses, stats = _with_progress(rows, settings, cache, concurrency, console)
    else:
        responses, stats = run_prompts(rows, settings, cache, concurrency=concurrency)
    write_responses(out, responses)
    console.print(f"{stats.prompts} prompt(s): {stats.cached} from the cache, "
                  f"{stats.answered} answered, {stats.errors} failed; {stats.requests} "
                  f"request(s) ({stats.retries} retries, {stats.fallbacks} without "
                  f"response_format) in {stats.seconds:.1f} s = "
                  f"{stats.requests_per_second:.1f} req/s; wrote {out}")
    for line in stats.failures[:10]:
        console.print(f"[red]failed:[/] {line}", markup=True, highlight=False)
    if predictions or score:
        _align_and_score(out, rel, predictions, score, split, console)


def _with_progress(rows: list[dict[str, Any]], settings: Settings, cache: ResponseCache | None,
                   concurrency: int, console: Console) -> tuple[list[Response], RunStats]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from trisec.generative.runner import run_prompts

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("errors {task.fields[errors]}"),
               TextColumn("{task.fields[rate]:.1f} req/s"), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(settings.model, total=len(rows), errors=0, rate=0.0)

        def update(stats: RunStats) -> None:
            bar.update(task, completed=stats.cached + stats.answered + stats.errors,
                       errors=stats.errors, rate=stats.requests_per_second)

        return run_prompts(rows, settings, cache, concurrency=concurrency, progress=update)


def _align_and_score(responses: Path, release: Path, predictions: Path | None, score: bool,
                     split: str, console: Console) -> None:
    from trisec.generative.account import table
    from trisec.generative.aligner import align_file, default_account_path, write_outputs
    from trisec.schema import load_schema
    from trisec.views.console import print_table

    preds = predictions or responses.with_name(responses.stem + ".predictions.jsonl")
    aligned = align_file(responses, release, load_schema())
    write_outputs(aligned, preds, default_account_path(preds))
    if not score:  # the evaluation report prints the same table
        print_table(console, table(aligned.summary))
    console.print(f"wrote {preds} and {default_account_path(preds)}")
    if score:
        from trisec.commands.evaluate import print_report
        from trisec.evaluate.benchmark import evaluate_file

        print_report(evaluate_file(preds, release, split, alignment=aligned.summary))
