"""JSON Schemas of the curated input files, generated from schema/, and the strict reader.

Annotation files (corpus/annotations/**/<doc_id>.json) hold the gold layers whose item types
are the nested columns of the `documents` config; curated metadata files
(corpus/metadata/<doc_id>.yaml) hold the fact columns of that config. Both are validated with
`jsonschema` against a schema derived here, so an unknown key (a typo), a missing key or a
value of the wrong type is a located error (file and JSON path) instead of a value pyarrow
would drop or null. Values: every scalar may be null at this level (whether it must be set is
the loader's rule, from the column's `required`/`only_when`); structs and lists must have
their declared shape exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import yaml

from trisec.document import DOC_ID_PREFIX
from trisec.errors import Problem
from trisec.schema import Schema

# Patterns are matched against the whole value (a trailing newline does not pass, as it
# would with Python's `$`).
DOC_ID = rf"^{re.escape(DOC_ID_PREFIX)}[0-9a-f]{{16}}$"
SHA256 = r"^[0-9a-f]{64}$"
QID = r"^Q[1-9][0-9]*$"
# ids of annotation items and passes: they become row ids, HTML, Label Studio ids and file
# names, so only letters, digits, '-' and '_' (starting with a letter), at most 64 characters
SAFE_ID = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"
# annotation fields that hold an id, by name, and the pattern each must match
ID_FIELDS = {"id": SAFE_ID, "entity": SAFE_ID, "mention": SAFE_ID, "source": SAFE_ID,
             "qid": QID}
LAYERS = ("mentions", "entities", "events", "attributions")
# the facts a curator must state in every metadata file (null with the reason as evidence
# when unknown); the others (dateline) usually come from the page and may be left out
REQUIRED_FACTS = ("title", "outlet", "url", "published")
_SCALAR = {"string": "string", "int32": "integer", "int64": "integer", "bool": "boolean"}


def _type_schema(schema: Schema, spec: Any, field: str | None = None,
                 nullable: bool = True) -> dict[str, Any]:
    """JSON Schema of a schema/dataset.yaml type; struct keys are all required, no others."""
    spec = schema._resolve(spec)
    null = ["null"] if nullable else []
    if isinstance(spec, str):
        out: dict[str, Any] = {"type": [_SCALAR[spec], *null]}
        if spec == "int32":
            out.update(minimum=-(2**31), maximum=2**31 - 1)
        if spec == "string" and field in ID_FIELDS:
            out["pattern"] = ID_FIELDS[field]
        return out
    if "list" in spec:
        return {"type": "array", "items": _type_schema(schema, spec["list"], nullable=False)}
    if "struct" in spec:
        fields = spec["struct"]
        return {"type": ["object", *null],
                "properties": {k: _type_schema(schema, v, k) for k, v in fields.items()},
                "required": list(fields), "additionalProperties": False}
    raise ValueError(f"no JSON type for {spec!r}")


_BUILT: dict[tuple[str, str], dict[str, Any]] = {}  # (kind, schema fingerprint) -> schema


def _annotation_schema(schema: Schema) -> dict[str, Any]:
    docs = schema.configs["documents"]
    props: dict[str, Any] = {
        "doc_id": {"type": "string", "pattern": DOC_ID},
        "text_sha256": {"type": "string", "pattern": SHA256},
        "pass": {"type": "string", "pattern": SAFE_ID},
    }
    required = list(props)
    # optional: who made a pre-annotation (silver) file, and what its predictor could not place;
    # the string a headline-only pass annotated (the start of `text`)
    props["annotator"] = {"type": "string"}
    props["headline"] = {"type": "string"}
    props["notes"] = {"type": "array", "items": {"type": "string"}}
    for layer in LAYERS:
        props[layer] = _type_schema(schema, docs.column(layer).type, nullable=False)
        required.append(layer)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "TRISEC annotation file (docs/ANNOTATION_FORMAT.md)", "type": "object",
            "properties": props, "required": required, "additionalProperties": False}


def annotation_schema(schema: Schema) -> dict[str, Any]:
    """JSON Schema of an annotation file: the gold layers' item types from `documents`."""
    key = ("annotation", schema.fingerprint())
    if key not in _BUILT:
        _BUILT[key] = _annotation_schema(schema)
    return _BUILT[key]


def fact_columns(schema: Schema) -> dict[str, Any]:
    """The `documents` columns typed as a fact (fact, date_fact refs): name -> type spec."""
    facts = {}
    for c in schema.configs["documents"].columns:
        if isinstance(c.type, dict) and c.type.get("ref") in schema.dataset["types"] and \
                "evidence" in schema._resolve(c.type).get("struct", {}):
            facts[c.name] = c.type
    return facts


def _fact_schema(schema: Schema, spec: Any) -> dict[str, Any]:
    out = _type_schema(schema, spec, nullable=False)
    vocab = schema.dataset["vocabularies"]
    for name, prop in out["properties"].items():
        if name in vocab:  # provenance, confidence, precision: their vocabulary or null
            prop["enum"] = [*vocab[name], None]
    return out


def _metadata_schema(schema: Schema) -> dict[str, Any]:
    facts = fact_columns(schema)
    props: dict[str, Any] = {
        "doc_id": {"type": "string", "pattern": DOC_ID},
        "source_file": {"type": "string"},
        "sha256": {"type": "string", "pattern": SHA256},
        **{name: _fact_schema(schema, spec) for name, spec in facts.items()},
        "notes": {"type": "array", "items": {"type": "string"}},
    }
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "TRISEC curated metadata file", "type": "object", "properties": props,
            "required": ["doc_id", "source_file", "sha256", *REQUIRED_FACTS],
            "additionalProperties": False}


def metadata_schema(schema: Schema) -> dict[str, Any]:
    """JSON Schema of a curated metadata file: its facts are the `documents` fact columns."""
    key = ("metadata", schema.fingerprint())
    if key not in _BUILT:
        _BUILT[key] = _metadata_schema(schema)
    return _BUILT[key]


def _whole_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterable[Any]:
    """`pattern` matched against the whole string: Python's `$` also matches before a final
    newline, so "Q884\\n" would pass `^Q[1-9][0-9]*$` with the standard keyword."""
    from jsonschema.exceptions import ValidationError

    if isinstance(instance, str):
        whole = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
        if not re.search(whole, instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _validator_class() -> Any:
    from jsonschema import Draft202012Validator, validators

    return validators.extend(Draft202012Validator, {"pattern": _whole_pattern})


_FIX = {
    "additionalProperties": "remove or rename the key (a typo?); allowed: {allowed}",
    "required": "add the key (null when the value is unknown)",
    "type": "use a value of the type named",
    "pattern": "match the pattern: {pattern_help}",
    "enum": "use one of the values named",
    "minimum": "use an offset in range", "maximum": "use an offset in range",
}


_VALIDATORS: dict[str, Any] = {}
_PATTERN_HELP = {
    DOC_ID: "tsn- and the first 16 hex digits of the raw file's sha256",
    SHA256: "64 lowercase hex digits",
    QID: "Q and digits without a leading zero, nothing else (null for NIL)",
    SAFE_ID: "a letter, then at most 63 letters, digits, '-' or '_'",
}


def strict_problems(instance: Any, json_schema: dict[str, Any], where: str) -> list[Problem]:
    """Every way `instance` breaks `json_schema`, each located at `where:<JSON path>`."""
    key = json.dumps(json_schema, sort_keys=True)
    validator = _VALIDATORS.get(key)
    if validator is None:
        validator = _VALIDATORS[key] = _validator_class()(json_schema)
    problems = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: e.json_path):
        allowed = ", ".join(err.schema.get("properties", {})) if isinstance(err.schema,
                                                                            dict) else ""
        fix = _FIX.get(str(err.validator), "").format(
            allowed=allowed, pattern_help=_PATTERN_HELP.get(str(err.validator_value), "see the "
                                                            "file format's documentation"))
        problems.append(Problem(f"{where}:{err.json_path}", err.message, fix))
    return problems


class _StringsLoader(yaml.SafeLoader):
    """YAML with no implicit types but null: `NO`, `2024-03-22`, `1.0` stay strings (YAML 1.1
    would read them as False, a date and a float, and a published value became 'False').
    A key given twice in one mapping is an error (PyYAML would keep the last silently)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:  # `? - a` makes a list a key: PyYAML's own error, not a crash
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"found a {type(key).__name__} as a key (keys are plain words)",
                    key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"found key {key!r} twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_StringsLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load_yaml_strings(text: str) -> Any:
    """Parse YAML keeping every scalar a string (or None for null / ~ / empty)."""
    return yaml.load(text, Loader=_StringsLoader)  # noqa: S506 - a SafeLoader subclass
