"""Read schema/ and derive everything else from it: Arrow schema, HF features, label sets.

Nothing outside schema/ types a column name, a column type or a label; this module is the
bridge every other stage goes through.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from trisec.errors import Problem, TrisecError
from trisec.paths import SCHEMA_DIR

_SCALARS = {"string": pa.string(), "int32": pa.int32(), "int64": pa.int64(), "bool": pa.bool_()}


@dataclass(frozen=True)
class Column:
    name: str
    type: Any
    description: str


@dataclass(frozen=True)
class Config:
    name: str
    description: str
    columns: tuple[Column, ...]
    default: bool = False
    span_table: bool = False  # flat view of a gold layer (mentions, events, ...)
    whole_release: bool = False  # built from the other configs after them (prompts)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Schema:
    """The parsed schema/ folder."""

    dataset: dict[str, Any]
    labels: dict[str, Any]
    configs: dict[str, Config] = field(default_factory=dict)

    # -- identity -------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return str(self.dataset["version"])

    @property
    def name(self) -> str:
        return str(self.dataset["name"])

    def fingerprint(self) -> str:
        """sha256 of both schema files' parsed content: changes when any type or label does."""
        blob = json.dumps([self.dataset, self.labels], sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    # -- label sets -------------------------------------------------------------------------
    def names(self, key: str) -> list[str]:
        """Names of a label list in labels.yaml (entity_labels, event_types, realis, ...)."""
        return [str(item["name"]) for item in self.labels.get(key, [])]

    @property
    def entity_labels(self) -> list[str]:
        return self.names("entity_labels")

    @property
    def event_types(self) -> list[str]:
        return self.names("event_types")

    def roles_for(self, event_type: str) -> dict[str, list[str]]:
        """Allowed roles of an event type, each with the entity labels that may fill it."""
        for item in self.labels.get("event_types", []):
            if item["name"] == event_type:
                return {r["name"]: list(r.get("labels") or []) for r in item.get("roles", [])}
        return {}

    def role_labels(self, role: str) -> set[str]:
        """Entity labels that may fill `role` in any event type."""
        return {label for t in self.event_types for label in self.roles_for(t).get(role, [])}

    @property
    def span_tables(self) -> tuple[str, ...]:
        """Configs that are flat one-row-per-item views of a gold layer."""
        return tuple(name for name, c in self.configs.items() if c.span_table)

    @property
    def per_document_configs(self) -> tuple[str, ...]:
        """Configs whose rows come from one document at a time (the streaming writer)."""
        return tuple(name for name, c in self.configs.items() if not c.whole_release)

    @property
    def all_roles(self) -> list[str]:
        seen: dict[str, None] = {}
        for t in self.event_types:
            for role in self.roles_for(t):
                seen.setdefault(role, None)
        return list(seen)

    @property
    def entity_bio(self) -> list[str]:
        """BIO tag names, in the order of entity_labels (the class_label order is stable)."""
        tags = ["O"]
        for label in self.entity_labels:
            tags += [f"B-{label}", f"I-{label}"]
        return tags

    def label_set(self, name: str) -> list[str]:
        if name == "entity_bio":
            return self.entity_bio
        raise TrisecError(Problem("schema/dataset.yaml", f"unknown label set {name!r}",
                                  "use one of: entity_bio"))

    def vocabulary(self, name: str) -> list[str]:
        return list(self.dataset["vocabularies"][name])

    # -- types ----------------------------------------------------------------------------
    def _resolve(self, spec: Any) -> Any:
        if isinstance(spec, dict) and "ref" in spec:
            return self._resolve(self.dataset["types"][spec["ref"]])
        return spec

    def arrow_type(self, spec: Any) -> pa.DataType:
        spec = self._resolve(spec)
        if isinstance(spec, str):
            return _SCALARS[spec]
        if "list" in spec:
            return pa.list_(self.arrow_type(spec["list"]))
        if "struct" in spec:
            return pa.struct([pa.field(k, self.arrow_type(v)) for k, v in spec["struct"].items()])
        if "class_label" in spec:
            return pa.int64()
        raise TrisecError(Problem("schema/dataset.yaml", f"unknown type {spec!r}"))

    def hf_feature(self, spec: Any) -> Any:
        from datasets import ClassLabel, List, Value

        spec = self._resolve(spec)
        if isinstance(spec, str):
            return Value(spec)
        if "list" in spec:
            return List(self.hf_feature(spec["list"]))
        if "struct" in spec:
            return {k: self.hf_feature(v) for k, v in spec["struct"].items()}
        if "class_label" in spec:
            return ClassLabel(names=self.label_set(spec["class_label"]))
        raise TrisecError(Problem("schema/dataset.yaml", f"unknown type {spec!r}"))

    def features(self, config: str) -> Any:
        """datasets.Features of a config (imported lazily: datasets is slow to import)."""
        from datasets import Features

        cols = self.configs[config].columns
        return Features({c.name: self.hf_feature(c.type) for c in cols})

    def arrow_schema(self, config: str) -> pa.Schema:
        """Parquet schema of a config, with the `huggingface` features key and our version."""
        features = self.features(config)
        schema = features.arrow_schema
        meta = dict(schema.metadata or {})
        meta[b"trisec"] = json.dumps(
            {"name": self.name, "version": self.version, "config": config,
             "schema_sha256": self.fingerprint()},
            sort_keys=True,
        ).encode()
        return schema.with_metadata(meta)

    # -- splits ---------------------------------------------------------------------------
    @property
    def split_names(self) -> list[str]:
        return [b["name"] for b in self.dataset["split"]["buckets"]]


def split_of(doc_id: str, schema: Schema) -> str:
    """The split rule: a pure function of doc_id, so adding articles never moves one."""
    rule = schema.dataset["split"]
    digest = hashlib.sha256((rule["salt"] + doc_id).encode()).hexdigest()
    bucket = int(digest[:8], 16) % 100
    for b in rule["buckets"]:
        if bucket < int(b["below"]):
            return str(b["name"])
    raise TrisecError(Problem("schema/dataset.yaml", "split buckets do not cover 0..99",
                              "make the last bucket `below: 100`"))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TrisecError(Problem(str(path), "file missing", "restore it from git")) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise TrisecError(Problem(where, f"invalid YAML: {exc}", "fix the YAML syntax")) from exc
    if not isinstance(data, dict):
        raise TrisecError(Problem(str(path), "expected a mapping at top level"))
    return data


def load_schema(schema_dir: Path = SCHEMA_DIR) -> Schema:
    return _load_schema_cached(Path(schema_dir).resolve())


@cache
def _load_schema_cached(schema_dir: Path) -> Schema:
    dataset = _read_yaml(schema_dir / "dataset.yaml")
    labels = _read_yaml(schema_dir / "labels.yaml")
    configs = {}
    for name, spec in dataset["configs"].items():
        cols = tuple(Column(c["name"], c["type"], c.get("description", ""))
                     for c in spec["columns"])
        configs[name] = Config(name, spec.get("description", ""), cols, bool(spec.get("default")),
                               bool(spec.get("span_table")), bool(spec.get("whole_release")))
    return Schema(dataset=dataset, labels=labels, configs=configs)
