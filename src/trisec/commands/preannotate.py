"""`trisec preannotate DOC_ID...`: silver spans from a baseline, kept apart from gold."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("preannotate")
@click.argument("doc_ids", nargs=-1)
@click.option("--all", "all_docs", is_flag=True, help="Every published document.")
@click.option("--baseline", default="rules", show_default=True,
              help="Baseline from trisec.baselines (as `trisec predict`).")
@click.option("--corpus", "root", type=click.Path(path_type=Path), default=None,
              help="Corpus folder (default: corpus/); files go to annotations/silver/.")
def command(doc_ids: tuple[str, ...], all_docs: bool, baseline: str, root: Path | None) -> None:
    """Write corpus/annotations/silver/<doc_id>.json ("pass": "silver") from a baseline's
    predictions, for curation in Label Studio. Never touches gold."""
    from trisec.annotation.preannotate import annotator_name, load_baseline, preannotate, silver_dir
    from trisec.errors import Problem, TrisecError
    from trisec.paths import CORPUS_DIR
    from trisec.pipeline.local import published_documents
    from trisec.release.opener import open_corpus
    from trisec.schema import load_schema

    if not doc_ids and not all_docs:
        raise TrisecError(Problem("preannotate", "no documents given",
                                  "pass DOC_IDs (see `trisec ingest corpus/raw/*.txt`) or --all"))
    root = root or CORPUS_DIR
    corpus = open_corpus(root)
    docs = {d.doc_id: d.text for d in published_documents(corpus)}
    unknown = [d for d in doc_ids if d not in docs]
    if unknown:
        raise TrisecError([Problem(d, "not a published document",
                                   "add its raw file with `trisec add` first") for d in unknown])
    chosen = {d: docs[d] for d in (sorted(docs) if all_docs else doc_ids)}
    predict = load_baseline(baseline)
    for r in preannotate(chosen, silver_dir(root), predict, annotator_name(baseline),
                         load_schema()):
        a = r.annotation
        gold = " (has gold: silver kept apart)" if (corpus.gold_dir / r.path.name).is_file() \
            else ""
        click.echo(f"wrote {r.path}: {len(a['mentions'])} mentions, {len(a['events'])} events,"
                   f" {len(a['attributions'])} attributions, {len(a.get('notes', []))} "
                   f"dropped{gold}")
