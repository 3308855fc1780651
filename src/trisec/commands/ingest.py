"""`trisec ingest FILE... [--json]`: parse raw files into clean documents."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--corpus", "root", type=click.Path(path_type=Path), default=None,
              help="Corpus folder whose metadata/ curates the files (default: corpus/).")
def command(files: tuple[Path, ...], as_json: bool, root: Path | None) -> None:
    """Clean raw article FILES with the build's own steps (read -> clean -> dedup), in
    file-name order like the build, so the same copy counts as the first; bad files are
    reported and the others still processed. Prints, per file: its doc_id, each fact with its
    provenance (the date with its evidence), the normalisations counted, each removal with its
    reason; a copy is named a duplicate of the earlier file."""
    from trisec.errors import Problem
    from trisec.paths import CORPUS_DIR
    from trisec.pipeline.local import ingest
    from trisec.pipeline.stats import Stats

    errors: list[Problem] = []
    given = {}  # file name -> the path as the user gave it: every line names files the same way
    for f in files:
        given.setdefault(f.name, f)
    for doc, dup_of in ingest(files, (root or CORPUS_DIR) / "metadata", Stats(), errors):
        path = given.get(doc.source_file, Path(doc.source_file))
        earlier = given.get(dup_of, Path(dup_of)) if dup_of else None
        if as_json:
            out = doc.to_json()
            out.pop("date_clues")
            out["path"] = str(path)
            out["duplicate_of"] = dup_of
            out["duplicate_of_path"] = str(earlier) if earlier else None
            click.echo(json.dumps(out, ensure_ascii=False))
            continue
        for line in describe(doc, path, earlier):
            click.echo(line)
    for p in errors:
        click.echo(f"error: {p}", err=True)
    if errors:
        raise SystemExit(1)


def describe(doc, path: Path, earlier: Path | None) -> list[str]:  # type: ignore[no-untyped-def]
    """What the README promises: the doc_id, the date with its provenance and evidence, the
    other facts with theirs, and each removal with its reason (a duplicate names the earlier
    file it copies: the build reads files in name order and publishes the first)."""
    from trisec.pipeline.add import removal_lines

    out = [f"{path}  {doc.doc_id}  {len(doc.text)} chars"]
    if earlier:
        out.append(f"  duplicate of {earlier} (earlier in file-name order): the build "
                   "publishes that one, not this")
    for name in ("title", "dateline", "outlet", "url"):
        f = getattr(doc, name)
        how = ", ".join(x for x in (f.provenance, f.confidence) if x) or "unknown"
        out.append(f"  {name}: {f.value!r} ({how})")
    pub = doc.published
    how = ", ".join(x for x in (pub.precision, pub.provenance, pub.confidence) if x)
    out.append(f"  published: {pub.value} ({how or 'unknown'})"
               + (f": {pub.evidence}" if pub.evidence else ""))
    if doc.normalizations:  # characters changed, not removed: counted, as `trisec add` says
        out.append("  normalised: " + ", ".join(f"{k}={v}" for k, v in
                                                sorted(doc.normalizations.items())))
    out.append(f"  removed by cleaning ({len(doc.removed)}):")
    out += [f"    {line}" for line in removal_lines(doc)]
    return out
