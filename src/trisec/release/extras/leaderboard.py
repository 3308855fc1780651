"""Release extra: the card's benchmark section, scored by the build (never typed by hand).

Every prediction file of the build's corpus (`Corpus.predictions_dir`, in a checkout
`benchmark/predictions/<system>[.<scope>].jsonl`) is checked and scored against the staged
release with `trisec.evaluate` (the code behind `trisec evaluate`), on the scope its name
gives: `test` (the default: the test split), `all` (every document, for systems never trained
on TRISEC) or `folds` (pooled held-out predictions over every document, each line naming the
model that predicted it, none trained on its own document). The inter-annotator agreement on
the test documents (a later pass scored as a system against pass A, for each comparison of
trisec.annotation.agreement) gives reference rows when the passes exist. A release whose test
split has no gold yet gets one line saying so. Never raises: a broken prediction file is shown
as such in the card instead of stopping the build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trisec.baselines.spacy_ner.train import F1_TOLERANCE
from trisec.errors import TrisecError
from trisec.release.card import BuildContext
from trisec.schema import Schema

ORDER = 70
KEY = "60-benchmark"
# file-name suffix -> what the row was scored on (a name without a known suffix: test)
SCOPES = {"test": "test split", "all": "all documents", "folds": "held-out folds"}
COLUMNS = [("entities", "strict", "Entity strict F1"),
           ("events", "trigger_classification", "Trigger F1 (Trig-C)"),
           ("events", "argument_classification", "Argument F1 (Arg-C)")]
FEW_DOCS = 20
FEW = (" With this few documents the bootstrap can only recombine the same few articles: the "
       "interval shows how much they differ from each other and understates the real "
       "uncertainty, so read small differences between systems as noise.")
REPRODUCE = ("`make predictions` retrains them and rewrites every committed prediction file. "
             "Retraining with the same config and seed reproduced these files byte for byte "
             "on the machine that made them; spaCy does not promise bit-identical training on "
             "other CPUs, so `tests/test_train_spacy.py` retrains the test-split model and "
             "accepts entity F1 within {tol} of the committed file (all four schemes).")
HOWTO = ("Score a system with `trisec predict --baseline rules --split test > preds.jsonl` "
         "(or your own model's output in the same JSONL format, docs/BENCHMARK.md) and "
         "`trisec evaluate --predictions preds.jsonl` (`--split all` for a system never "
         "trained on TRISEC, `--folds` for pooled held-out predictions). Train the spaCy "
         "baseline with `trisec train spacy --folds test --folds loo --predict-to DIR`.")


def _cell(m: dict[str, Any], system: bool) -> str:
    if system and m["actual"] == 0 and m["possible"] > 0:
        return "not predicted"  # a system without this layer, not one that gets it all wrong
    lo, hi = m.get("ci95", (0.0, 0.0))
    return f"{m['f1']:.3f} ({lo:.3f}-{hi:.3f})"


def _row(name: str, scope: str, report: dict[str, Any], system: bool = True) -> str:
    return (f"| {name} | {SCOPES[scope]} | "
            + " | ".join(_cell(report[a][b], system) for a, b, _ in COLUMNS) + " |")


def _trained_note(system: str, scope: str, models: dict[str, dict[str, Any]]) -> str | None:
    """What a trained system's row is, from the `model` records on its lines."""
    if not models:
        return None
    records = {str(m.get("fold")): m for m in models.values()}
    sizes = sorted({len(m.get("trained_on", [])) for m in records.values()})
    configs = sorted({f"`{m.get('config')}` (sha256 {str(m.get('config_sha256'))[:12]})"
                      for m in records.values() if m.get("config")})
    seeds = sorted({str(m.get("seed")) for m in records.values() if "seed" in m})
    what = (f"{len(records)} models (one per fold), each trained on" if len(records) > 1
            else "one model trained on")
    how = {"spacy": " (a spaCy NER pipeline trained from scratch by `trisec train spacy`: "
                    "entities only, no pretrained vectors)"}
    kinds = {str(m.get("system")) for m in records.values()}
    return (f"- `{system}`{how.get(kinds.pop(), '') if len(kinds) == 1 else ''}, "
            f"{SCOPES[scope]}: {what} {'/'.join(map(str, sizes))} document(s), scored only on "
            "documents it did not see" + (f"; config {', '.join(configs)}" if configs else "")
            + (f", seed {', '.join(seeds)}" if seeds else "") + ".")


def system_and_scope(path: Path) -> tuple[str, str]:
    """`rules.all.jsonl` -> ("rules", "all"); `rules.jsonl` -> ("rules", "test")."""
    stem = path.name.removesuffix(".jsonl")
    name, _, suffix = stem.rpartition(".")
    return (name, suffix) if name and suffix in SCOPES else (stem, "test")


def comparisons() -> list[tuple[str, str, str, str]]:
    """(first pass, second pass, title, scope) of every agreement figure the project reports
    (trisec.annotation.agreement.COMPARISONS)."""
    from trisec.annotation.agreement import COMPARISONS

    return [(c.first, c.second, c.title, c.scope) for c in COMPARISONS]


def _agreement_report(gold: Any, passes_dir: Path | None, first: str = "a", second: str = "b",
                      scope: str = "document") -> tuple[dict[str, Any] | None, str]:
    """Pass `second` scored against pass `first` on the test documents, like a system."""
    if passes_dir is None:
        return None, ""
    from trisec.annotation.agreement import pass_dir, read_pass_pairs

    a, b = pass_dir(first, passes_dir), pass_dir(second, passes_dir)
    if not any(a.glob("*.json")) or not any(b.glob("*.json")):
        return None, ""
    from trisec.evaluate.score import score
    from trisec.evaluate.views import view_from_annotation

    try:
        pairs = [(x, y) for x, y in read_pass_pairs(a, b, scope=scope)
                 if x.get("doc_id") in gold.texts]
    except TrisecError as exc:
        return None, "; ".join(p.message for p in exc.problems)
    if not pairs:
        return None, "the passes cover no test document"
    return score([view_from_annotation(x) for x, _ in pairs],
                 {str(y["doc_id"]): view_from_annotation(y) for _, y in pairs}), ""


def _unannotated(gold: Any) -> str:
    """The documents no row scores: added to the corpus but without gold annotations yet."""
    if not gold.unannotated:
        return ""
    return (f" {len(gold.unannotated)} document(s) without gold annotations yet are not "
            "scored in any row (" + ", ".join(gold.unannotated) + ").")


def leaderboard_section(release: Path, schema: Schema, predictions_dir: Path | None,
                        passes_dir: Path | None) -> str:
    from trisec.evaluate.benchmark import evaluate_views, maps_for
    from trisec.evaluate.gold import ALL, read_gold
    from trisec.evaluate.predictions import check_folds, load_predictions

    head = "## Benchmark\n\n" + HOWTO + "\n\n"
    try:
        gold = read_gold(release, "test")
    except TrisecError:
        return head + "The release has no test split yet, so there is no leaderboard.\n"
    if not gold.has_gold:
        return head + ("No gold annotations in the test split yet, so there is no leaderboard: "
                       "the build scores the systems in `benchmark/predictions/` here once "
                       "there are.\n")
    everything = read_gold(release, ALL)
    ent_map, ev_map = maps_for(schema, None)
    rows, problems, trained = [], [], []
    files = sorted(Path(predictions_dir).glob("*.jsonl") if predictions_dir else [],
                   key=lambda p: (system_and_scope(p)[0], list(SCOPES).index(
                       system_and_scope(p)[1])))
    for path in files:
        system, scope = system_and_scope(path)
        against = gold if scope == "test" else everything
        try:
            loaded = load_predictions(path, against, ent_map, ev_map, set(schema.all_roles))
            if scope == "folds":
                check_folds(path, loaded, against)
        except TrisecError as exc:
            first = exc.problems[0]
            problems.append(f"- `{path.name}`: prediction file rejected ({len(exc.problems)} "
                            f"problem(s); first: {first.message}). Regenerate it against this "
                            "release.")
            continue
        rows.append(_row(f"`{system}`", scope, evaluate_views(against, loaded, ent_map,
                                                               ev_map)))
        note = _trained_note(system, scope, loaded.models)
        if note:
            trained.append(note)
    skipped = []
    for first, second, title, scope in comparisons():
        iaa, why = _agreement_report(gold, passes_dir, first, second, scope)
        if iaa is not None:
            rows.append(_row(f"inter-annotator agreement: {title} (reference)", "test", iaa,
                             system=False))
        elif why:
            skipped.append(f"{title}: {why}")
    n_docs = len(gold.views)
    n_ment = sum(len(v.entities) for v in gold.views)
    n_all = len(everything.views)
    all_ment = sum(len(v.entities) for v in everything.views)
    out = [head + "Scored by the build from the committed prediction files in "
           "`benchmark/predictions/`. *Scored on* says which documents a row covers: "
           f"**test split** ({n_docs} document(s), {n_ment} gold mentions); **all documents** "
           f"({n_all} document(s), {all_ment} gold mentions), only for systems never trained "
           "on TRISEC (the rule baseline, zero-shot models); **held-out folds**: the same "
           f"{n_all} documents, each predicted by a model trained on the others only (leave "
           "one document out), pooled." + _unannotated(everything) + " Rows of different "
           "scopes are not directly comparable. "
           "*not predicted*: the system does not produce that layer. F1 with its 95% "
           "confidence interval: percentile bootstrap over documents (1000 resamples, seed "
           "0)." + (FEW if n_docs < FEW_DOCS else "") + "\n",
           "| System | Scored on | " + " | ".join(c for _, _, c in COLUMNS) + " |",
           "|---|---|" + "---:|" * len(COLUMNS)]
    out += rows or ["| (no prediction files yet) | |" + " |" * len(COLUMNS)]
    if trained:
        out += ["", "Trained systems (each prediction line names the model that produced it; "
                "the build refuses a file in which a document was predicted by a model "
                "trained on it):", "", *trained, "", REPRODUCE.format(tol=F1_TOLERANCE)]
    if problems:
        out += [""] + problems
    if skipped:
        out += [""] + [f"Inter-annotator agreement not shown ({why})." for why in skipped]
    return "\n".join(out) + "\n"


def extend(release_dir: Path, ctx: BuildContext) -> None:
    ctx.extra[KEY] = leaderboard_section(release_dir, ctx.schema, ctx.corpus.predictions_dir,
                                         ctx.corpus.passes_dir)
