"""`trisec diff OLD NEW [--json] [--limit N]`."""

from __future__ import annotations

import json
from typing import Any

import click


def _span(item: dict[str, Any]) -> str:
    s = item["span"]  # (start, end) or, for arguments, trigger (start, end) + filler's
    where = f"{s[0]}:{s[1]}" + (f"->{s[2]}:{s[3]}" if len(s) == 4 else "")
    return f"{item['doc_id']} {where} {item['text']!r}"


def print_report(d: dict[str, Any], limit: int) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # data (doc titles, span texts like "92:100") must never be read as markup or emoji
    console = Console(emoji=False, highlight=False, soft_wrap=True)
    old, new, meta = d["old"], d["new"], d["metadata"]
    console.print(f"[bold]{old['ref']}[/] (version {old['version']}, {old['documents']} "
                  f"documents) -> [bold]{new['ref']}[/] (version {new['version']}, "
                  f"{new['documents']} documents)")
    additive = (meta.get("configs_added") and not meta.get("configs_removed")
                and not meta.get("configs_changed") and meta.get("vocabularies_changed") is False)
    if meta["schema_changed"] and additive:
        console.print("schema changed by new configs only: existing configs and label sets "
                      "are unchanged")
    elif meta["schema_changed"]:
        console.print("[red]schema changed[/] (columns, types or label sets): "
                      "code reading the old release may break")
    for key, colour in (("configs_added", "green"), ("configs_removed", "red"),
                        ("configs_changed", "red")):
        for name in meta.get(key) or []:
            console.print(f"[{colour}]config {key.split('_')[1]}[/]: {escape(name)}")
    if meta.get("vocabularies_changed"):
        console.print("[red]label sets changed[/]: " + ", ".join(meta["vocabularies_changed"]))
    for key in ("files_added", "files_removed", "files_changed"):
        if meta[key]:
            console.print(f"{key.replace('_', ' ')}:")
            for path in meta[key]:
                console.print(f"    {escape(path)}")

    docs = d["documents"]
    for kind, colour in (("added", "green"), ("removed", "red")):
        for x in docs[kind]:
            console.print(f"[{colour}]document {kind}[/]: " + escape(
                f"{x['doc_id']} ({x['split']}, {x['source_file']}) {x['title'] or ''}"))
    for x in docs["changed"]:
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
        console.print(f"[yellow]document changed[/]: {x['doc_id']}")
        for w in what:
            console.print(f"    {escape(w)}")

    table = Table(title="span layers")
    kinds_shown = ("added", "removed", "relabelled", "changed", "moved")
    for col in ("layer", "old", "new", *kinds_shown):
        table.add_column(col, justify="left" if col == "layer" else "right")
    for layer, kinds in d["layers"].items():
        sizes = d["layer_sizes"][layer]
        table.add_row(layer, str(sizes[0]), str(sizes[1]),
                      *(str(len(kinds.get(k, []))) for k in kinds_shown))
    console.print(table)
    for layer, kinds in d["layers"].items():
        for kind, items in kinds.items():
            for item in items[:limit]:
                extra = ""
                if kind == "relabelled":
                    extra = f" {item['old']} -> {item['new']}"
                elif kind == "moved":
                    old = item["old_span"]
                    extra = f" {item['label']} (was {old[0]}:{old[1]})"
                elif kind == "changed":
                    extra = " " + ", ".join(f"{k}: {v[0]} -> {v[1]}"
                                            for k, v in item["changes"].items())
                else:
                    extra = f" {item['label']}"
                console.print(escape(f"  {layer} {kind}: {_span(item)}{extra}"))
            if len(items) > limit:
                console.print(f"  ... {len(items) - limit} more {layer} {kind} (use --json)")
    bump, actual = d["suggested_bump"], d["actual_bump"]
    note = ""
    if actual is not None and BUMP_RANK[actual] < BUMP_RANK[bump]:
        note = (" [red]but the version did not increase[/]" if actual == "none"
                else f" [red]but the version only got a {actual} bump[/]")
    console.print(f"changes call for a [bold]{bump}[/] version bump (docs/VERSIONING.md){note}")


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
