"""Train the spaCy entity baseline from a release, one model per fold, and predict held out.

The training documents are the project's spaCy export (trisec.annotation.spacy_export.make_doc)
of the release's `documents` rows: the published text with its gold mentions as `doc.ents`.
spaCy's own loop trains them (`init_nlp` + `spacy.training.loop.train`) with the committed
`ner.cfg` and a fixed seed; the model kept is the last step's. Each fold runs in a fresh
process (spawn) so its wall time, CPU time and peak RSS are that model's alone and nothing
(hash-embedding seeds, numpy state) leaks from one fold into the next; progress events come
back over a queue to a rich display. The trained pipeline is saved with its training record
in `meta["trisec"]`, and its predictions of the held-out documents carry the same record.
"""

from __future__ import annotations

import hashlib
import io
import os
import queue as queue_mod
import resource
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.baselines.spacy_ner.folds import Fold
from trisec.baselines.spacy_ner.predict import META_KEY, predict_rows
from trisec.errors import Problem, TrisecError

CONFIG = Path(__file__).with_name("ner.cfg")
SYSTEM = "spacy"
LOGGER = "trisec.step_events.v1"
# spaCy does not promise bit-identical training on another CPU (its BLAS kernels are chosen per
# CPU): a model retrained from the committed config and seed must score within this (entity
# F1, every scheme) of the committed predictions (tests/test_train_spacy.py; the card says so)
F1_TOLERANCE = 0.02
# one thread per model: the figures are per core, and a float summed in a different order
# by a threaded BLAS would make retraining differ from the committed predictions
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS")

StepSink = Callable[[int, "dict[str, Any] | None"], None]
_sink: StepSink | None = None  # where the registered logger sends each step (this process)


@dataclass
class FoldResult:
    fold: Fold
    lines: list[dict[str, Any]]
    steps: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    final_loss: float
    train_sentences: int
    model_dir: str | None = None
    dropped_labels: dict[str, int] = field(default_factory=dict)


def config_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def shown_path(path: Path) -> str:
    """A path as the record shows it: relative to the checkout when inside it."""
    from trisec.paths import ROOT

    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def training_docs(rows: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The spaCy export of release rows: text + gold mentions as doc.ents (sentence starts
    from the `sentences` config's rule)."""
    from trisec.annotation.spacy_export import make_doc

    docs = []
    for r in rows:
        spans = sorted((m["start"], m["end"], m["id"]) for m in r["mentions"])
        for (_, e1, a), (s2, _, b) in zip(spans, spans[1:], strict=False):
            if s2 < e1:  # the scheme is flat; nested mentions would need a spancat
                raise TrisecError(Problem(f"{r['doc_id']}/{a}", f"overlaps {b} (at {s2})",
                                          "the NER config trains the flat layer only: fix "
                                          "the annotation (docs/ANNOTATION_GUIDELINES.md 2.3)"))
        docs.append(make_doc(r["text"], {"mentions": r["mentions"],
                                         "entities": r.get("entities") or []},
                             doc_id=r["doc_id"]))
    return docs


def _register_logger() -> None:
    from spacy.util import registry

    @registry.loggers(LOGGER)
    def step_events() -> Callable[..., Any]:
        def setup(nlp: Any, stdout: Any = None, stderr: Any = None) -> tuple[Any, Any]:
            count = {"step": 0}

            def log_step(info: dict[str, Any] | None) -> None:
                if info is not None:
                    count["step"] = int(info["step"])
                else:
                    count["step"] += 1
                if _sink is not None:
                    _sink(count["step"], info)

            return log_step, lambda: None

        return setup


def train_nlp(docs: Sequence[Any], workdir: Path, *, config: Path = CONFIG, seed: int = 0,
              overrides: Mapping[str, Any] | None = None,
              on_step: StepSink | None = None) -> tuple[Any, int]:
    """A pipeline trained on `docs` with `config` and `seed` (and the train sentence count)."""
    global _sink
    from spacy.tokens import DocBin
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train
    from spacy.util import load_config

    _register_logger()
    data = workdir / "train.spacy"
    DocBin(docs=docs).to_disk(data)
    # dev = the training documents: it only feeds the progress display (training F1); the
    # model kept is the last step's, never one picked on held-out documents
    cfg = load_config(config, overrides={"paths.train": str(data), "paths.dev": str(data),
                                         "system.seed": seed, **(overrides or {})},
                      interpolate=False)
    cfg["training"]["logger"] = {"@loggers": LOGGER}
    nlp = init_nlp(cfg, use_gpu=-1)
    sentences = sum(1 for d in docs for _ in d.sents)
    _sink = on_step
    try:
        nlp, _ = train(nlp, None, stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        _sink = None
    return nlp, sentences


def record(fold: Fold, config: Path, seed: int, overrides: Mapping[str, Any] | None
           ) -> dict[str, Any]:
    """The training record: stored in the pipeline's meta and on every predicted line."""
    out: dict[str, Any] = {"system": SYSTEM, "fold": fold.name, "trained_on": list(fold.train),
                           "config": shown_path(config), "config_sha256": config_sha256(config),
                           "seed": seed}
    if overrides:
        out["overrides"] = dict(sorted(overrides.items()))
    return out


def run_fold(job: Mapping[str, Any], on_step: StepSink | None = None) -> FoldResult:
    """Train one fold's model in this process, save it, predict its held-out documents."""
    fold: Fold = job["fold"]
    rows: Mapping[str, Mapping[str, Any]] = job["rows"]
    load_before = os.getloadavg()
    t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    losses: list[float] = []
    last = {"step": 0}

    def sink(step: int, info: dict[str, Any] | None) -> None:
        last["step"] = step
        if info is not None:
            losses.append(float(info["losses"].get("ner", 0.0)))
        if on_step is not None:
            on_step(step, info)

    with tempfile.TemporaryDirectory(prefix="trisec-train-") as tmp:
        nlp, sentences = train_nlp(training_docs([rows[d] for d in fold.train]), Path(tmp),
                                   config=job["config"], seed=job["seed"],
                                   overrides=job.get("overrides"), on_step=sink)
        steps = last["step"]
    info = record(fold, job["config"], job["seed"], job.get("overrides"))
    nlp.meta[META_KEY] = info
    nlp.meta["name"] = f"trisec_{SYSTEM}_{fold.name.replace('-', '_')}"
    model_dir = job.get("model_dir")
    if model_dir:
        Path(model_dir).mkdir(parents=True, exist_ok=True)
        nlp.to_disk(model_dir)
    lines, dropped = predict_rows(nlp, [rows[d] for d in fold.predict],
                                  set(nlp.get_pipe("ner").labels), info)
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return FoldResult(
        fold, lines, steps, time.perf_counter() - t0,
        (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime),
        r1.ru_maxrss * 1024,  # Linux reports KiB
        load_before, os.getloadavg(), losses[-1] if losses else 0.0, sentences,
        str(model_dir) if model_dir else None, dict(dropped))


def _child(job: Mapping[str, Any], events: Any) -> None:
    """Entry point of a fold's process: progress and the result go back over `events`."""
    try:
        def on_step(step: int, info: dict[str, Any] | None) -> None:
            loss = None if info is None else float(info["losses"].get("ner", 0.0))
            events.put(("step", step, loss))

        events.put(("done", run_fold(job, on_step)))
    except TrisecError as exc:
        events.put(("problems", exc.problems))
    except BaseException as exc:  # report, never hang the parent
        events.put(("crash", f"{type(exc).__name__}: {exc}"))


@contextmanager
def _single_threaded() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in THREAD_VARS}
    os.environ.update({k: "1" for k in THREAD_VARS})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_fold_isolated(job: Mapping[str, Any],
                      on_step: Callable[[int, float | None], None] | None = None) -> FoldResult:
    """run_fold in a fresh single-threaded process; its figures are that model's alone."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    events = ctx.Queue()
    with _single_threaded():
        proc = ctx.Process(target=_child, args=(job, events), daemon=True)
        proc.start()
    try:
        while True:
            try:
                kind, *payload = events.get(timeout=1.0)
            except queue_mod.Empty:
                if not proc.is_alive():
                    raise TrisecError(Problem(f"fold {job['fold'].name}", "the training "
                                              f"process died (exit code {proc.exitcode})",
                                              "look for an out-of-memory kill in the system "
                                              "log; run again")) from None
                continue
            if kind == "step":
                if on_step is not None:
                    on_step(payload[0], payload[1])
            elif kind == "done":
                return payload[0]
            elif kind == "problems":
                raise TrisecError(payload[0])
            else:
                raise TrisecError(Problem(f"fold {job['fold'].name}", f"training failed: "
                                          f"{payload[0]}", "report this with the command run"))
    finally:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.terminate()


def pooled_lines(results: Sequence[FoldResult]) -> list[dict[str, Any]]:
    """Every fold's held-out lines, one per document, sorted by doc_id."""
    lines = sorted((x for r in results for x in r.lines), key=lambda x: x["doc_id"])
    ids = [x["doc_id"] for x in lines]
    if len(ids) != len(set(ids)):  # folds never predict a document twice
        raise TrisecError(Problem("folds", "a document was predicted by two folds",
                                  "report this: trisec.baselines.spacy_ner.folds"))
    return lines


def write_lines(path: Path, lines: Sequence[Mapping[str, Any]]) -> None:
    """JSONL, written atomically (a crash never leaves half a prediction file)."""
    import json

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                   encoding="utf-8")
    tmp.replace(path)
