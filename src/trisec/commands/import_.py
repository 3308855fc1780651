"""`trisec import labelstudio EXPORT.json`: Label Studio annotations -> annotation files."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group("import")
def command() -> None:
    """Bring curated annotations back into corpus/annotations/."""


@command.command("labelstudio")
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for the annotation files (default: corpus/annotations/gold).")
@click.option("--pass", "pass_name", default="gold", show_default=True,
              help='Value of the files\' "pass" field (gold, or a, b for independent passes).')
@click.option("--corpus", "root", type=click.Path(path_type=Path), default=None,
              help="Corpus folder whose published texts the spans must match (default: corpus/).")
@click.option("--force", is_flag=True, help="Replace existing files that differ.")
def labelstudio_cmd(export: Path, out: Path | None, pass_name: str, root: Path | None,
                    force: bool) -> None:
    """Turn a Label Studio JSON export into annotation files. Every span is verified against
    the published text and schema/labels.yaml; on any problem nothing is written."""
    from trisec.annotation.gold import read_annotation, write_annotation
    from trisec.annotation.labelstudio import import_export
    from trisec.errors import Problem, TrisecError
    from trisec.paths import CORPUS_DIR
    from trisec.pipeline.local import published_documents
    from trisec.release.opener import open_corpus
    from trisec.schema import load_schema

    corpus = open_corpus(root or CORPUS_DIR)
    out = out or corpus.gold_dir
    try:
        tasks = json.loads(export.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TrisecError(Problem(f"{export}:{exc.lineno}:{exc.colno}",
                                  f"invalid JSON: {exc.msg}",
                                  "export the project again as JSON")) from exc
    texts = {d.doc_id: d.text for d in published_documents(corpus)}
    done, notes = import_export(tasks, texts, load_schema(), pass_name=pass_name)
    clashes = []
    for item in done:
        path = out / f"{item.doc_id}.json"
        if path.is_file() and read_annotation(path) != item.annotation and not force:
            clashes.append(Problem(str(path), "exists and differs from the imported "
                                   "annotation", "re-run with --force to replace it"))
    if clashes:
        raise TrisecError(clashes)
    for item in done:
        path = out / f"{item.doc_id}.json"
        state = "unchanged" if path.is_file() and read_annotation(path) == item.annotation \
            else "wrote"
        write_annotation(path, item.annotation)
        a = item.annotation
        click.echo(f"{state} {path} from {item.source}: {len(a['mentions'])} mentions, "
                   f"{len(a['entities'])} entities, {len(a['events'])} events, "
                   f"{len(a['attributions'])} attributions")
    for note in notes:
        click.echo(f"skipped {note}")
