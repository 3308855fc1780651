"""`trisec diff OLD NEW [--json] [--limit N]`."""

from __future__ import annotations

import json
from typing import Any

import click


def _span(item: dict[str, Any]) -> str:
    """doc_id, the item's key as offsets (start:end pairs; `-` for no cue or source)."""
    key, parts = item["span"], []
    for i in range(0, len(key) - 1, 2):
        a, b = key[i], key[i + 1]
        if isinstance(a, int) and isinstance(b, int):
            parts.append(f"{a}:{b}")
        elif a is None and b is None:
            parts.append("-")
    return f"{item['doc_id']} {'->'.join(parts)} {item['text']!r}"


def _schema_lines(schema: dict[str, Any]) -> list[str]:
    lines = [f"config added: {c}" for c in schema["configs_added"]]
    lines += [f"config removed: {c}" for c in schema["configs_removed"]]
    for config, ch in schema["columns"].items():
        lines += [f"{config}: column added: {c}" for c in ch["added"]]
        lines += [f"{config}: column removed: {c}" for c in ch["removed"]]
        lines += [f"{config}: column retyped: {r['column']} {r['old']} -> {r['new']}"
                  for r in ch["retyped"]]
        lines += [f"{config}: HF feature changed: {c}" for c in ch["features_changed"]]
    for name, ch in schema["label_sets"].items():
        what = [f"added {', '.join(map(str, ch['added']))}" if ch["added"] else "",
                f"removed {', '.join(map(str, ch['removed']))}" if ch["removed"] else "",
                "reordered" if ch["reordered"] else ""]
        lines.append(f"label set {name}: " + "; ".join(w for w in what if w))
    return lines


def _print_header(console: Any, d: dict[str, Any]) -> None:
    """Both releases, then what changed in the schema and in the release files."""
    from rich.markup import escape

    old, new, meta, schema = d["old"], d["new"], d["metadata"], d["schema"]
    console.print(f"[bold]{escape(str(old['ref']))}[/] (version {old['version']}, "
                  f"{old['documents']} documents) -> [bold]{escape(str(new['ref']))}[/] "
                  f"(version {new['version']}, {new['documents']} documents)")
    if schema["changed"]:
        console.print("[red]schema changed[/] (what users load: configs, columns, types, "
                      "features or label sets): code reading the old release may break")
    elif schema["configs_added"]:
        console.print("schema changed by new configs only: existing configs and label sets "
                      "are unchanged")
    for line in _schema_lines(schema):
        console.print(f"    {escape(line)}")
    for name, labels in schema["definitions_reworded"].items():
        console.print(escape(f"label definitions reworded in {name}: {', '.join(labels)} "
                             "(a redefinition that changes what is labelled is a major change)"))
    if meta.get("schema_fingerprint_changed") and not schema["changed"]:
        console.print("schema/ files changed, but not what users load (same columns, types, "
                      "features and label names)")
    for key in ("files_added", "files_removed", "files_changed"):
        if meta[key]:
            console.print(f"{key.replace('_', ' ')}:")
            for path in meta[key]:
                console.print(f"    {escape(path)}")


def _document_changes(x: dict[str, Any]) -> list[str]:
    """What changed in one document kept by both releases, one line each."""
    what = []
    for k, v in x["fields"].items():
        a, b = v["old"], v["new"]
        if isinstance(a, dict) and isinstance(b, dict):  # a fact: name the parts changed
            what += [f"{k}.{sub}: {a.get(sub)!r} -> {b.get(sub)!r}"
                     for sub in b if a.get(sub) != b.get(sub)]
        else:
            what.append(f"{k}: {a!r} -> {b!r}")
    if x["text_changed"]:
        what.append("text changed (length {} -> {}); spans whose text only moved are "
                    "listed as moved".format(*x["text_length"]))
    if x["removals"][0] != x["removals"][1]:
        what.append("cleaning removals {} -> {}".format(*x["removals"]))
    return what


def _print_documents(console: Any, docs: dict[str, Any]) -> None:
    from rich.markup import escape

    for kind, colour in (("added", "green"), ("removed", "red")):
        for x in docs[kind]:
            console.print(f"[{colour}]document {kind}[/]: " + escape(
                f"{x['doc_id']} ({x['split']}, {x['source_file']}) {x['title'] or ''}"))
    for x in docs["changed"]:
        console.print(f"[yellow]document changed[/]: {x['doc_id']}")
        for w in _document_changes(x):
            console.print(f"    {escape(w)}")


def _print_tables(console: Any, d: dict[str, Any]) -> None:
    """Rows per config and items per span layer, old and new."""
    from rich.table import Table

    from trisec.views.console import print_table

    rows = Table(title="rows per config (matched by content)")
    for col in ("config", "old", "new", "added", "removed"):
        rows.add_column(col, justify="left" if col == "config" else "right")
    for config, r in d["configs"].items():
        rows.add_row(config, *(str(r[k]) for k in ("old", "new", "added", "removed")))
    print_table(console, rows)
    table = Table(title="span layers (matched by key; attributions by content, cue and source)")
    kinds_shown = ("added", "removed", "relabelled", "changed", "moved")
    for col in ("layer", "old", "new", *kinds_shown):
        table.add_column(col, justify="left" if col == "layer" else "right")
    for layer, kinds in d["layers"].items():
        sizes = d["layer_sizes"][layer]
        table.add_row(layer, str(sizes[0]), str(sizes[1]),
                      *(str(len(kinds.get(k, []))) for k in kinds_shown))
    print_table(console, table)


def _span_detail(kind: str, item: dict[str, Any]) -> str:
    """What a listed span item adds to its offsets: the relabelling, the old place, ..."""
    if kind == "relabelled":
        return f" {item['old']} -> {item['new']}"
    if kind == "moved":
        old = item["old_span"]
        return f" {item['label']} (was {old[0]}:{old[1]})"
    if kind == "changed":
        return " " + ", ".join(f"{k}: {v[0]} -> {v[1]}" for k, v in item["changes"].items())
    return f" {item['label']}"


def _print_spans(console: Any, layers: dict[str, Any], limit: int) -> None:
    from rich.markup import escape

    for layer, kinds in layers.items():
        for kind, items in kinds.items():
            for item in items[:limit]:
                console.print(escape(f"  {layer} {kind}: {_span(item)}"
                                     f"{_span_detail(kind, item)}"))
            if len(items) > limit:
                console.print(f"  ... {len(items) - limit} more {layer} {kind} (use --json)")


def _print_verdict(console: Any, d: dict[str, Any]) -> None:
    """Nothing to release, or the version bump the changes call for."""
    bump, actual, meta = d["suggested_bump"], d["actual_bump"], d["metadata"]
    if d["nothing_to_release"]:
        files = sum(len(meta[k]) for k in ("files_added", "files_removed", "files_changed"))
        bytes_only = (f" ({files} file(s) differ in bytes only: card, schema fingerprint or "
                      "other metadata)") if files else ""
        console.print("[bold]nothing to release[/]: the data users load is the same"
                      + bytes_only)
        return
    note = ""
    if actual is not None and BUMP_RANK[actual] < BUMP_RANK[bump]:
        note = (" [red]but the version did not increase[/]" if actual == "none"
                else f" [red]but the version only got a {actual} bump[/]")
    console.print(f"changes call for a [bold]{bump}[/] version bump (docs/VERSIONING.md){note}")


def print_report(d: dict[str, Any], limit: int) -> None:
    from trisec.views.console import make_console

    # data (doc titles, span texts like "92:100") must never be read as markup or emoji
    console = make_console(emoji=False, highlight=False, soft_wrap=True)
    _print_header(console, d)
    _print_documents(console, d["documents"])
    _print_tables(console, d)
    _print_spans(console, d["layers"], limit)
    _print_verdict(console, d)


BUMP_RANK = {"none": 0, "patch": 1, "minor": 2, "major": 3}


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.option("--limit", default=20, show_default=True,
              help="Spans listed per layer and kind in the text report.")
def command(old: str, new: str, as_json: bool, limit: int) -> None:
    """Compare two releases: OLD and NEW are release folders or git revisions (whose
    dataset/ folder is compared)."""
    from trisec.paths import ROOT
    from trisec.release.diff import diff_refs

    result = diff_refs(old, new, ROOT)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False, sort_keys=False))
    else:
        print_report(result, limit)
