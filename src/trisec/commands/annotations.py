"""`trisec annotations ...`: tools for annotators and maintainers of the gold layers."""

from __future__ import annotations

import json
from pathlib import Path

import click


def _documents() -> dict[str, object]:
    from trisec.pipeline.local import published_documents
    from trisec.release.build import default_corpus

    return {d.doc_id: d for d in published_documents(default_corpus())}


@click.group("annotations")
def command() -> None:
    """Gold annotation files: texts for annotators, check, reanchor, agreement, stats."""


@command.command("texts")
@click.option("--out", type=click.Path(path_type=Path), required=True)
def texts(out: Path) -> None:
    """Write what an annotator sees: <doc_id>.txt (published text) and <doc_id>.json
    (doc_id, text_sha256, publication date for TIMEX normalisation)."""
    from trisec.annotation.gold import text_sha256

    out.mkdir(parents=True, exist_ok=True)
    for doc_id, doc in sorted(_documents().items()):
        (out / f"{doc_id}.txt").write_text(doc.text, encoding="utf-8")  # type: ignore[attr-defined]
        info = {"doc_id": doc_id, "text_sha256": text_sha256(doc.text),  # type: ignore[attr-defined]
                "published": doc.published.value,  # type: ignore[attr-defined]
                "published_precision": doc.published.precision}  # type: ignore[attr-defined]
        (out / f"{doc_id}.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        click.echo(f"wrote {out / doc_id}.txt")


@command.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Verify annotation FILES against the published text and schema/labels.yaml."""
    from trisec.annotation.gold import read_annotation, verify
    from trisec.errors import Problem, TrisecError
    from trisec.schema import load_schema

    schema, docs, failed = load_schema(), _documents(), 0
    for path in files:
        try:
            ann = read_annotation(path)
            doc = docs.get(str(ann.get("doc_id")))
            if doc is None:
                raise TrisecError(Problem(str(path), f"unknown doc_id {ann.get('doc_id')!r}",
                                          "use a doc_id of a published document"))
            v = verify(ann, doc.text, schema, where=str(path))  # type: ignore[attr-defined]
        except TrisecError as exc:
            failed += 1
            for p in exc.problems:
                click.echo(f"error: {p}", err=True)
            continue
        d = v.data
        click.echo(f"ok {path}: {len(d['mentions'])} mentions, {len(d['entities'])} entities, "
                   f"{len(d['events'])} events, {len(d['attributions'])} attributions")
    if failed:
        raise SystemExit(1)


@command.command("reanchor")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--write", is_flag=True, help="Rewrite the files (only if every span was placed).")
@click.option("--previous", default=None, metavar="REF",
              help="Release the offsets were written against (a folder or a git revision "
                   "holding dataset/, e.g. v0.1.0): its texts give each span's quote context.")
def reanchor_cmd(files: tuple[Path, ...], write: bool, previous: str | None) -> None:
    """Relocate spans by their quoted text onto the current published text."""
    from trisec.annotation.gold import read_annotation, text_sha256, write_annotation
    from trisec.annotation.reanchor import reanchor, reanchor_from

    docs, unresolved = _documents(), 0
    old_texts: dict[str, str] = {}  # text_sha256 -> text of the previous release
    if previous:
        from trisec.paths import ROOT
        from trisec.release.diff import load_release, release_folder

        with release_folder(previous, ROOT) as folder:
            for row in load_release(folder, previous).docs.values():
                old_texts[text_sha256(row["text"])] = row["text"]
    for path in files:
        ann = read_annotation(path)
        doc = docs.get(str(ann.get("doc_id")))
        if doc is None:
            click.echo(f"error: {path}: unknown doc_id {ann.get('doc_id')!r}", err=True)
            unresolved += 1
            continue
        text = doc.text  # type: ignore[attr-defined]
        old = old_texts.get(str(ann.get("text_sha256")))
        new, moves = (reanchor_from(ann, old, text, text_sha256(text)) if old is not None
                      else reanchor(ann, text, text_sha256(text)))
        bad = [m for m in moves if m.status in ("not_found", "ambiguous")]
        moved = [m for m in moves if m.status == "moved"]
        for m in moved + bad:
            click.echo(f"{path}: {m}", err=bool(m in bad))
        click.echo(f"{path}: {len(moves) - len(moved) - len(bad)} kept, {len(moved)} moved, "
                   f"{len(bad)} unresolved")
        unresolved += len(bad)
        if write and not bad and new != ann:  # an unchanged file keeps its bytes
            write_annotation(path, new)
    if unresolved:
        raise SystemExit(1)


@command.command("agreement")
@click.option("--a", "dir_a", type=click.Path(path_type=Path), default=None)
@click.option("--b", "dir_b", type=click.Path(path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True)
@click.option("--scope", type=click.Choice(["document", "headline"]), default="document",
              help="headline: pass B annotated only headlines; both sides are cut to them.")
def agreement_cmd(dir_a: Path | None, dir_b: Path | None, as_json: bool, scope: str) -> None:
    """Inter-annotator agreement of two independent passes (default passes/a vs passes/b)."""
    from trisec.annotation.agreement import corpus_agreement
    from trisec.evaluate.agreement import format_agreement_table

    result = corpus_agreement(dir_a, dir_b, scope=scope)
    click.echo(json.dumps(result, indent=2, sort_keys=True) if as_json
               else format_agreement_table(result))


@command.command("disagreements")
@click.option("--a", "dir_a", type=click.Path(path_type=Path), default=None)
@click.option("--b", "dir_b", type=click.Path(path_type=Path), default=None)
@click.option("--scope", type=click.Choice(["document", "headline"]), default="document",
              help="headline: pass B annotated only headlines; both sides are cut to them.")
def disagreements_cmd(dir_a: Path | None, dir_b: Path | None, scope: str) -> None:
    """Every difference between two passes, per document and layer (Markdown worklist)."""
    from trisec.annotation.agreement import read_pass_pairs
    from trisec.annotation.disagreements import disagreements, format_disagreements

    docs = _documents()
    for a, b in read_pass_pairs(dir_a, dir_b, scope=scope):
        doc = docs[str(a["doc_id"])]
        click.echo(format_disagreements(str(a["doc_id"]),
                                        disagreements(a, b, doc.text)))  # type: ignore[attr-defined]


@command.command("stats")
@click.option("--release", type=click.Path(path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats_cmd(release: Path | None, as_json: bool) -> None:
    """Counts per label, event type, role and attribution kind in a release."""
    from rich.table import Table

    from trisec.paths import DATASET_DIR
    from trisec.release.opener import open_release
    from trisec.release.stats import layer_counts
    from trisec.schema import load_schema
    from trisec.views.console import make_console, print_table

    counts = layer_counts(open_release(release or DATASET_DIR).path, load_schema())
    if as_json:
        click.echo(json.dumps({layer: {str(k): n for k, n in rows.items()}
                               for layer, rows in counts.items()}, indent=2))
        return
    console = make_console()
    for layer, rows in counts.items():
        table = Table(title=layer)
        table.add_column("value")
        table.add_column("count", justify="right")
        for key, n in rows.items():
            table.add_row(str(key), str(n))
        print_table(console, table)
