"""Label tables of docs/ANNOTATION_GUIDELINES.md, generated from schema/labels.yaml.

The guidelines never hand-type a label: the block between BEGIN_MARKER and END_MARKER is
produced by render_label_tables() and kept in sync by refresh_guidelines(). Both are pure
functions of the parsed labels.yaml dict and the attribute sections the schema declares
(attribute_sections: which column takes which label set, and when).
`python -m trisec.annotation.guidelines` rewrites the block in place;
`python -m trisec.annotation.guidelines --check` exits 1 when it is stale.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from trisec.schema import Schema

BEGIN_MARKER = "<!-- BEGIN GENERATED: label tables -->"
END_MARKER = "<!-- END GENERATED: label tables -->"

# label sets with tables of their own; every other set a column takes is an "attribute"
OWN_TABLES = frozenset({"entity_labels", "event_types", "event_roles"})


def attribute_sections(schema: Schema) -> list[tuple[str, str]]:
    """(label set, section title) of the attribute vocabularies, in column order, each titled
    with the column that takes it and the condition schema/dataset.yaml puts on it."""
    out: dict[str, str] = {}
    for config, col in schema.labelled_columns():
        key = str(col.labels)
        if key in OWN_TABLES or key in out:
            continue
        title = schema.label_sets[key]["title"]
        cond = f", {col.only_when[1]} {config} only" if col.only_when else ""
        out[key] = f"{title[0].upper()}{title[1:]} (`{col.name}`{cond})"
    return list(out.items())


def _cell(value: Any) -> str:
    """One Markdown table cell: lists joined by '; ', None as '-', pipes escaped."""
    if value is None:
        text = "-"
    elif isinstance(value, (list, tuple)):
        text = "; ".join(_cell(v) for v in value) if value else "-"
    else:
        text = str(value)
    return " ".join(text.split()).replace("|", "\\|")


def _code(values: Iterable[Any]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _items(labels: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return list(labels.get(key) or [])


def _examples(title: str, note: str, key: str, items: list[Mapping[str, Any]]) -> list[str]:
    """A section of positive and negative (look-alike) examples per item."""
    return ["", f"### {title}", "", note, "", *_table(
        [key, "Positive", "Negative (look-alikes)"],
        [[f"`{x['name']}`", x.get("positive"), x.get("negative")] for x in items])]


def _entity_tables(labels: Mapping[str, Any], entities: list[Mapping[str, Any]]) -> list[str]:
    out: list[str] = [
        f"_Generated from `schema/labels.yaml` (scheme version "
        f"{labels.get('scheme_version', '?')}) by `python -m trisec.annotation.guidelines`; "
        "edit the YAML, never this block._",
        "",
        "### Entity labels",
        "",
        "BIO tags follow this order: "
        + _code(["O"] + [f"{p}-{e['name']}" for e in entities for p in ("B", "I")])
        + ".",
        "",
    ]
    out += _table(
        ["#", "Label", "Definition", "OntoNotes 5", "ACE 2005"],
        [
            [i, f"`{e['name']}`", e.get("definition"), e.get("ontonotes"), e.get("ace")]
            for i, e in enumerate(entities, 1)
        ],
    )
    out += _examples("Entity label examples", "`[...]` marks the span when the example shows "
                     "more context; `->` says what a look-alike is instead.", "Label", entities)
    return out


def _attribute_tables(labels: Mapping[str, Any], attributes: Sequence[tuple[str, str]]
                      ) -> list[str]:
    out: list[str] = []
    for key, title in attributes:
        items = _items(labels, key)
        if not items:
            continue
        with_examples = any(item.get("examples") for item in items)
        headers = ["Value", "Definition"] + (["Examples"] if with_examples else [])
        rows = [
            [f"`{item['name']}`", item.get("definition")]
            + ([item.get("examples")] if with_examples else [])
            for item in items
        ]
        out += ["", f"### {title}", ""] + _table(headers, rows)
    return out


def _event_tables(events: list[Mapping[str, Any]]) -> list[str]:
    out: list[str] = []
    out += ["", "### Event types", ""]
    out += _table(
        ["Type", "Definition", "PLOVER/POLECAT", "ACE 2005", "Roles"],
        [
            [
                f"`{t['name']}`",
                t.get("definition"),
                t.get("plover"),
                t.get("ace"),
                _code(r["name"] for r in t.get("roles") or []),
            ]
            for t in events
        ],
    )
    out += ["", "### Event roles", ""]
    out += _table(
        ["Type", "Role", "Entity labels", "Definition"],
        [
            [f"`{t['name']}`", f"`{r['name']}`", _code(r.get("labels") or []), r.get("definition")]
            for t in events
            for r in t.get("roles") or []
        ],
    )
    used_by: dict[str, list[str]] = {}
    for t in events:
        for r in t.get("roles") or []:
            used_by.setdefault(str(r["name"]), []).append(str(t["name"]))
    out += ["", "### Role inventory", ""]
    out += _table(["Role", "Used by"], [[f"`{r}`", _code(ts)] for r, ts in used_by.items()])
    out += _examples("Event examples", "`[...]` marks the trigger; `(OTHER)` etc. gives the "
                     "realis when it is not ACTUAL.", "Type", events)
    return out


def render_label_tables(labels: Mapping[str, Any],
                        attributes: Sequence[tuple[str, str]] = ()) -> str:
    """Markdown tables of entity labels, attributes (label set, title: attribute_sections)
    and event types with their roles."""
    out = _entity_tables(labels, _items(labels, "entity_labels"))
    out += _attribute_tables(labels, attributes)
    out += _event_tables(_items(labels, "event_types"))
    return "\n".join(out) + "\n"


def _marker_positions(text: str) -> tuple[int, int]:
    """Start of BEGIN_MARKER's line end and start of END_MARKER; ValueError when malformed."""
    for marker in (BEGIN_MARKER, END_MARKER):
        count = text.count(marker)
        if count != 1:
            raise ValueError(f"expected exactly one {marker!r} in the guidelines, found {count}")
    begin = text.index(BEGIN_MARKER) + len(BEGIN_MARKER)
    end = text.index(END_MARKER)
    if end < begin:
        raise ValueError(f"{END_MARKER!r} comes before {BEGIN_MARKER!r}")
    return begin, end


def refresh_guidelines(labels: Mapping[str, Any], text: str,
                       attributes: Sequence[tuple[str, str]] = ()) -> str:
    """`text` with the marker block's content replaced by render_label_tables."""
    begin, end = _marker_positions(text)
    return (text[:begin] + "\n\n" + render_label_tables(labels, attributes) + "\n"
            + text[end:])


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite the block in docs/ANNOTATION_GUIDELINES.md (--check: only report staleness)."""
    from trisec.paths import ROOT, SCHEMA_DIR
    from trisec.schema import load_schema

    args = list(sys.argv[1:] if argv is None else argv)
    labels_path = SCHEMA_DIR / "labels.yaml"
    doc_path = ROOT / "docs" / "ANNOTATION_GUIDELINES.md"
    text = doc_path.read_text(encoding="utf-8")
    schema = load_schema(SCHEMA_DIR)
    fresh = refresh_guidelines(schema.labels, text, attribute_sections(schema))
    if fresh == text:
        print(f"{doc_path}: label tables up to date")
        return 0
    if "--check" in args:
        print(f"{doc_path}: label tables are stale; run `python -m trisec.annotation.guidelines`")
        return 1
    doc_path.write_text(fresh, encoding="utf-8")
    print(f"{doc_path}: label tables refreshed from {labels_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
