"""`trisec export labelstudio|spacy`: the corpus in the formats annotators and trainers use."""

from __future__ import annotations

import json
from pathlib import Path

import click

CORPUS_HELP = "Corpus folder holding raw/, metadata/ and annotations/ (default: corpus/)."


@click.group("export")
def command() -> None:
    """Write the corpus for Label Studio (curation) or spaCy (training)."""


@command.command("labelstudio")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Tasks JSON file to import into a Label Studio project.")
@click.option("--config", "config_out", type=click.Path(path_type=Path), default=None,
              help="Labelling config XML (default: next to --out, with .xml).")
@click.option("--from", "source", type=click.Choice(["silver", "gold"]), default="silver",
              show_default=True, help="Which annotation files become the tasks' predictions.")
@click.option("--corpus", "root", type=click.Path(path_type=Path), default=None, help=CORPUS_HELP)
@click.argument("doc_ids", nargs=-1)
def labelstudio_cmd(out: Path, config_out: Path | None, source: str, root: Path | None,
                    doc_ids: tuple[str, ...]) -> None:
    """Tasks (published text + pre-annotations as predictions) and the labelling config
    generated from schema/labels.yaml, for DOC_IDS (default: every published document)."""
    from trisec.annotation.gold import read_annotation, verify
    from trisec.annotation.labelstudio import labeling_config, to_task
    from trisec.errors import Problem, TrisecError
    from trisec.paths import CORPUS_DIR
    from trisec.pipeline.local import published_documents
    from trisec.release.opener import open_corpus
    from trisec.release.replace import check_overwritable
    from trisec.schema import load_schema

    root = root or CORPUS_DIR
    config_out = config_out or out.with_suffix(".xml")
    if config_out.absolute() == out.absolute():
        raise TrisecError(Problem(str(out), "the tasks and the labelling config would be the "
                                  "same file", "give --config another name"))
    check_overwritable(out, "Label Studio tasks file", _is_tasks)  # before any work
    check_overwritable(config_out, "labelling config", _is_config)
    schema = load_schema()
    docs = {d.doc_id: d for d in published_documents(open_corpus(root))}
    unknown = [d for d in doc_ids if d not in docs]
    if unknown:
        raise TrisecError([Problem(d, "not a published document", "see `trisec ingest`")
                           for d in unknown])
    folder = root / "annotations" / source
    tasks, with_pred = [], 0
    for doc_id in doc_ids or sorted(docs):
        doc = docs[doc_id]
        path = folder / f"{doc_id}.json"
        ann, version = None, None
        if path.is_file():
            ann = read_annotation(path)
            if source == "gold":  # gold must verify; silver may still lack realis etc.
                verify(ann, doc.text, schema, where=str(path))
            version = str(ann.get("annotator") or source)
            with_pred += 1
        tasks.append(to_task(doc_id, doc.text, ann, version,
                             extra={"title": doc.title.value, "split": _split(doc_id)}))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    config_out.write_text(labeling_config(schema), encoding="utf-8")
    click.echo(f"wrote {out}: {len(tasks)} tasks, {with_pred} with {source} predictions")
    click.echo(f"wrote {config_out}: paste it into Settings > Labeling Interface > Code")


def _is_tasks(text: str) -> bool:
    """An earlier `export labelstudio` tasks file: a JSON list of tasks with a doc_id and no
    annotations (a file exported from Label Studio holds the annotators' work: never ours)."""
    try:
        tasks = json.loads(text)
    except ValueError:
        return False
    return isinstance(tasks, list) and all(
        isinstance(t, dict) and isinstance(t.get("data"), dict) and "doc_id" in t["data"]
        and "annotations" not in t for t in tasks)


def _is_config(text: str) -> bool:
    """An earlier labelling config written by `export labelstudio`."""
    return text.startswith("<View>") and "TRISEC annotation" in text


def _split(doc_id: str) -> str:
    from trisec.schema import load_schema, split_of

    return split_of(doc_id, load_schema())


@command.command("spacy")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Folder for <split>.spacy DocBin files.")
@click.option("--corpus", "root", type=click.Path(path_type=Path), default=None, help=CORPUS_HELP)
def spacy_cmd(out: Path, root: Path | None) -> None:
    """DocBin files per split of the documents with gold annotations (doc.ents = entity
    mentions; doc.spans groups for mentions, triggers and attribution content/cues)."""
    from trisec.annotation.gold import load_gold
    from trisec.annotation.spacy_export import make_doc, write_docbins
    from trisec.paths import CORPUS_DIR
    from trisec.pipeline.local import published_documents
    from trisec.release.opener import open_corpus
    from trisec.release.replace import check_replaceable
    from trisec.schema import load_schema, split_of

    corpus = open_corpus(root or CORPUS_DIR)
    check_replaceable(out, "spacy export")  # before any work; checked again under the lock
    schema = load_schema()
    pairs, skipped = [], 0
    for doc in published_documents(corpus):
        gold = load_gold(corpus.gold_dir, doc.doc_id, doc.text, schema)
        if gold is None:  # an unannotated document would teach "no entities here"
            skipped += 1
            continue
        split = split_of(doc.doc_id, schema)
        pairs.append((split, make_doc(doc.text, gold.data, doc_id=doc.doc_id,
                                      extra={"split": split, "title": doc.title.value})))
    counts = write_docbins(out, pairs)
    for split in schema.split_names:
        if split in counts:
            click.echo(f"wrote {out / split}.spacy: {counts[split]} documents")
    click.echo(f"{skipped} documents without gold annotations left out")
