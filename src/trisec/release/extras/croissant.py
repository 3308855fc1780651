"""Release extra: croissant.json (MLCommons Croissant 1.1) beside the Parquet files.

Describes only the data files (the card and manifest do not exist yet when extras run):
one FileObject with sha256 per Parquet file, one FileSet and one RecordSet per config that
has files, and the label vocabularies as inline enumeration record sets with their names
and definitions (HF's automatic Croissant keeps ClassLabel integers but drops the names).
Every value comes from schema/, the staged files or the version's CHANGELOG.md date
(`datePublished`); output is deterministic (no clock). `ner_tags` references the
`entity_bio` record set its integers index; the events record set carries each event's
arguments (role, mention_id: the `arguments` column of the events config); each record set's
`key` is its config's `key` in schema/dataset.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trisec.schema import Schema

ORDER = 40  # before card_docs (which only touches the card); needs nothing but the Parquet
FILENAME = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
PARQUET = "application/x-parquet"

# The inline JSON-LD context of Croissant 1.1 (as the reference implementation writes it);
# inline, so reading the file never fetches a remote context.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

_DATA_TYPES = {"string": "sc:Text", "int32": "cr:Int32", "int64": "cr:Int64",
               "bool": "sc:Boolean"}

def _source(fileset: str, column: str, json_path: str | None = None) -> dict[str, Any]:
    src: dict[str, Any] = {"fileSet": {"@id": fileset}, "extract": {"column": column}}
    if json_path:
        src["transform"] = {"jsonPath": json_path}
    return src


def _field(schema: Schema, fid: str, fileset: str, column: str, spec: Any,
           description: str = "", json_path: str | None = None,
           in_list: bool = False) -> dict[str, Any] | None:
    """A Field for a column, or for a struct member reached by `json_path` (applied to each
    element when `in_list`). None for what Croissant readers cannot extract from Parquet
    (a list nested in a list of structs: those layers have their own flat record sets)."""
    spec = schema._resolve(spec)
    field: dict[str, Any] = {"@type": "cr:Field", "@id": fid, "name": fid.rsplit("/", 1)[1]}
    if description:
        field["description"] = description
    if isinstance(spec, str):
        field["dataType"] = _DATA_TYPES[spec]
        field["source"] = _source(fileset, column, json_path)
    elif "list" in spec:
        if in_list:
            return None
        inner = schema._resolve(spec["list"])
        if isinstance(inner, dict) and "struct" in inner:
            subs = [_field(schema, f"{fid}/{k}", fileset, column, v, json_path=k, in_list=True)
                    for k, v in inner["struct"].items()]
            field["subField"] = [x for x in subs if x]
        elif isinstance(inner, dict) and "class_label" in inner:
            field["dataType"] = "cr:Int64"
            field["description"] = (f"{description} Integers indexing the "
                                    f"`{inner['class_label']}` record set (its `name` field).")
            field["source"] = _source(fileset, column, json_path)
            # the link to the label names, not only a description of it
            field["references"] = {"field": {"@id": f"{inner['class_label']}/index"}}
        else:
            field["dataType"] = _DATA_TYPES[inner]
            field["source"] = _source(fileset, column, json_path)
    elif "struct" in spec:
        subs = [_field(schema, f"{fid}/{k}", fileset, column, v,
                       json_path=f"{json_path}.{k}" if json_path else k, in_list=in_list)
                for k, v in spec["struct"].items()]
        field["subField"] = [x for x in subs if x]
    else:
        return None
    if in_list or ("list" in spec):
        field["isArray"] = True
        field["arrayShape"] = "-1"
    return field


def _enumeration(rs_id: str, description: str, rows: list[dict[str, Any]],
                 columns: dict[str, str], key: str = "name") -> dict[str, Any]:
    """An inline record set (Croissant's way to publish a closed vocabulary)."""
    fields = [{"@type": "cr:Field", "@id": f"{rs_id}/{c}", "name": c, "dataType": t}
              for c, t in columns.items()]
    data = [{f"{rs_id}/{c}": row.get(c) for c in columns} for row in rows]
    return {"@type": "cr:RecordSet", "@id": rs_id, "name": rs_id, "description": description,
            "dataType": "sc:Enumeration", "key": {"@id": f"{rs_id}/{key}"},
            "field": fields, "data": data}


def _definition(item: dict[str, Any]) -> str:
    return " ".join(str(item.get("definition") or "").split())


def vocabulary_record_sets(schema: Schema, splits: list[str]) -> list[dict[str, Any]]:
    """Every label set of labels.yaml (with definitions), the BIO tag names by index, the
    cleaning removal reasons, and the splits."""
    text = {"name": "sc:Text", "definition": "sc:Text"}
    out = []
    labels = schema.labels.get("entity_labels", [])
    sets = schema.label_sets
    out.append(_enumeration(
        "entity_labels", sets["entity_labels"]["description"],
        [{"name": x["name"], "definition": _definition(x), "ontonotes": x.get("ontonotes"),
          "ace": x.get("ace")} for x in labels],
        {**text, "ontonotes": "sc:Text", "ace": "sc:Text"}))
    out.append(_enumeration(
        "entity_bio", "Names of the `ner_tags` integers of the sentences config (BIO over "
        "entity_labels, in this order).",
        [{"index": i, "name": n} for i, n in enumerate(schema.entity_bio)],
        {"index": "cr:Int64", "name": "sc:Text"}, key="index"))
    out.append(_enumeration(
        "event_types", sets["event_types"]["description"],
        [{"name": x["name"], "definition": _definition(x), "plover": x.get("plover"),
          "ace": x.get("ace")} for x in schema.labels.get("event_types", [])],
        {**text, "plover": "sc:Text", "ace": "sc:Text"}))
    roles = [{"event_type": t["name"], "name": r["name"], "definition": _definition(r),
              "labels": " ".join(r.get("labels") or [])}
             for t in schema.labels.get("event_types", []) for r in t.get("roles", [])]
    out.append(_enumeration(
        "event_roles", sets["event_roles"]["description"], roles,
        {"event_type": "sc:Text", **text, "labels": "sc:Text"}))
    for key, about in sets.items():
        if key in ("entity_labels", "event_types", "event_roles"):
            continue  # above, with their mappings
        rows = [{"name": x["name"], "definition": _definition(x)}
                for x in schema.labels.get(key, [])]
        out.append(_enumeration(key, about["description"], rows, text))
    out.append(_enumeration(
        "removal_reasons", "Why cleaning removed a piece of the raw page (documents.removed).",
        [{"name": r} for r in schema.vocabulary("removal_reasons")], {"name": "sc:Text"}))
    split_rs = _enumeration("splits", "Splits present in this release.",
                            [{"name": s} for s in splits], {"name": "sc:Text"})
    split_rs["dataType"] = "cr:Split"
    out.append(split_rs)
    return out


def config_record_set(schema: Schema, config: str) -> dict[str, Any]:
    cfg = schema.configs[config]
    fileset = f"parquet-{config}"
    fields = []
    for c in cfg.columns:
        f = _field(schema, f"{config}/{c.name}", fileset, c.name, c.type, c.description)
        if f is None:
            continue
        if c.name == "split":
            f["references"] = {"field": {"@id": "splits/name"}}
        fields.append(f)
    rs: dict[str, Any] = {"@type": "cr:RecordSet", "@id": config, "name": config,
                          "description": cfg.description, "field": fields}
    # what makes a row unique: the config's `key` in schema/dataset.yaml
    rs["key"] = [{"@id": f"{config}/{k}"} for k in cfg.key]
    skipped = [c.name for c in cfg.columns if not any(f["name"] == c.name for f in fields)]
    if skipped:
        rs["description"] += (" Nested layers not described here (" + ", ".join(skipped)
                              + ") are published as the flat record sets (mentions, events, "
                              "arguments, attributions) and in the Parquet file itself.")
    vocab = [f"`{c.name}` takes a `name` of the `{c.labels}` record set"
             for c in cfg.columns if c.labels]
    if vocab:
        rs["description"] += " Label columns: " + "; ".join(vocab) + "."
    return rs


def croissant_metadata(release_dir: Path, schema: Schema) -> dict[str, Any]:
    from trisec.release.writer import sha256_file

    d = schema.dataset
    files = sorted((release_dir / "data").glob("*/*.parquet"))
    configs = [c for c in schema.configs if any(p.parent.name == c for p in files)]
    present_splits = [s for s in schema.split_names
                      if any(p.name.startswith(f"{s}-") for p in files)]
    distribution: list[dict[str, Any]] = []
    for p in files:
        rel = p.relative_to(release_dir).as_posix()
        distribution.append({
            "@type": "cr:FileObject", "@id": rel, "name": rel, "contentUrl": rel,
            "encodingFormat": PARQUET, "contentSize": f"{p.stat().st_size} B",
            "sha256": sha256_file(p)})
    for c in configs:
        distribution.append({
            "@type": "cr:FileSet", "@id": f"parquet-{c}", "name": f"parquet-{c}",
            "description": f"Parquet files of the {c} config (one per split; checksums on the "
                           "FileObjects above).",
            "encodingFormat": PARQUET, "includes": f"data/{c}/*.parquet"})
    from trisec.release.changelog import release_date
    from trisec.release.datasheet import bibtex

    # the CHANGELOG.md of the checkout whose schema/ this is (hermetic: not the code's own)
    released = release_date(schema.version, schema.schema_dir.parent / "CHANGELOG.md"
                            if schema.schema_dir else None)
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": d["name"],
        "alternateName": [d["pretty_name"]],
        "description": (
            "English news articles about US-Japan-South Korea security cooperation and North "
            "Korean military activity: cleaned text with every removal recorded, metadata "
            "with provenance, and gold annotations (entity mentions with Wikidata links, "
            "events with arguments, quote attribution). Label vocabularies are the "
            "enumeration record sets."),
        "conformsTo": CONFORMS_TO,
        "version": schema.version,
        # the version's CHANGELOG.md date (not the clock: builds stay reproducible)
        **({"datePublished": released} if released else {}),
        "license": (f"{d['license']}: {d.get('license_name')} - the article texts belong to "
                    "their publishers (non-commercial research use only); annotations "
                    "CC-BY-4.0; see LICENSE.md"),
        "inLanguage": d["language"],
        **({"url": d["homepage"]} if d.get("homepage") else {}),
        "keywords": ["information extraction", "named entity recognition", "event extraction",
                     "entity linking", "quote attribution", "news", "security"],
        "creator": {"@type": "sc:Organization", "name": "TRISEC maintainers"},
        "citeAs": bibtex(schema),
        "distribution": distribution,
        "recordSet": vocabulary_record_sets(schema, present_splits)
        + [config_record_set(schema, c) for c in configs],
    }


def extend(release_dir: Path, ctx: Any) -> None:
    meta = croissant_metadata(release_dir, ctx.schema)
    (release_dir / FILENAME).write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
