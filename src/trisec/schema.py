"""Read schema/ and derive everything else from it: Arrow schema, HF features, label sets.

Nothing outside schema/ types a column name, a column type or a label; this module is the
bridge every other stage goes through.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from trisec.errors import Problem, TrisecError
from trisec.paths import SCHEMA_DIR

# what a row must look like: None (any value), ("struct", {key: shape}) or ("list", shape)
_Shape = tuple[str, Any] | None

_SCALARS = {"string": pa.string(), "int32": pa.int32(), "int64": pa.int64(), "bool": pa.bool_()}


@dataclass(frozen=True)
class Column:
    name: str
    type: Any
    description: str
    labels: str | None = None  # the label set its values come from (labels.yaml label_sets)
    only_when: tuple[str, str] | None = None  # (column, value): null unless that column = value
    required: bool = False  # never null (when only_when is set: whenever its condition holds)
    # `from:` (span tables): the field of a nested `documents` layer this column mirrors, as
    # a path (("events", "trigger", "start")); the row builders and the gold loader read the
    # value through it, so the column's name is the schema's alone
    source: tuple[str, ...] | None = None

    def applies(self, row: Mapping[str, Any]) -> bool:
        """Whether the column may carry a value in `row` (its only_when condition holds)."""
        return self.only_when is None or row.get(self.only_when[0]) == self.only_when[1]


@dataclass(frozen=True)
class Config:
    name: str
    description: str
    columns: tuple[Column, ...]
    default: bool = False
    span_table: bool = False  # flat view of a gold layer (mentions, events, ...)
    whole_release: bool = False  # built from the other configs after them (prompts)
    key: tuple[str, ...] = ()  # the columns that identify a row (dataset.yaml `key`)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise TrisecError(Problem(f"schema/dataset.yaml: configs.{self.name}",
                                  f"no column {name!r}", "use one of: "
                                  + ", ".join(self.column_names)))

    @property
    def rules(self) -> list[Column]:
        """Columns with a label set or a presence rule, in column order."""
        return [c for c in self.columns if c.labels or c.only_when or c.required]

    @property
    def mirrored(self) -> list[Column]:
        """Columns that mirror a field of a nested `documents` layer (`from:`), in order."""
        return [c for c in self.columns if c.source]


@dataclass(frozen=True)
class Mirror:
    """How the rows of a span table mirror a nested layer of the `documents` config, read
    from its columns' `from:` paths: `lists` are the list fields walked to reach one row's
    item (("mentions",), or ("events", "arguments"): one row per argument of each event);
    each column takes the value at `fields` below the item at `depth` of that walk."""

    lists: tuple[str, ...]
    columns: tuple[tuple[str, int, tuple[str, ...]], ...]  # (column, depth >= 1, fields)
    # `rows`, compiled once from the fields above (as dataclasses compiles __init__): nested
    # loops and one assignment per column, since a row is built per gold item in every build
    # and per predicted item in silver
    _rows: Callable[[Mapping[str, Any], dict[str, Any]],
                    Iterator[tuple[tuple[Any, ...], dict[str, Any]]]] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # names and fields enter the code as literals (repr), never as code
        lines, pad, parent = ["def rows(layers, base):"], "    ", "layers"
        for k, name in enumerate(self.lists):
            lines += [f"{pad}l{k} = {parent}.get({name!r})",
                      f"{pad}if l{k} is not None:", f"{pad}    for i{k} in l{k}:"]
            pad, parent = pad + "        ", f"i{k}"
        lines.append(f"{pad}out = dict(base)")
        for name, depth, fields in self.columns:
            lines.append(f"{pad}v = i{depth - 1}.get({fields[0]!r})")
            lines += [f"{pad}v = None if v is None else v.get({f!r})" for f in fields[1:]]
            lines.append(f"{pad}out[{name!r}] = v")
        chain = ", ".join(f"i{k}" for k in range(len(self.lists)))
        lines.append(f"{pad}yield ({chain},), out")
        namespace: dict[str, Any] = {}
        exec("\n".join(lines), namespace)  # noqa: S102
        object.__setattr__(self, "_rows", namespace["rows"])

    def rows(self, layers: Mapping[str, Any], base: Mapping[str, Any] | None = None
             ) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
        """(chain of items, outermost first; the row's mirrored columns after `base`) of
        every row, in order: `layers` is a gold file's data or a `documents` row; a null
        struct on a path gives nulls."""
        return self._rows(layers, dict(base or {}))


@dataclass(frozen=True)
class Schema:
    """The parsed schema/ folder."""

    dataset: dict[str, Any]
    labels: dict[str, Any]
    configs: dict[str, Config] = field(default_factory=dict)
    _shapes: dict[str, _Shape] = field(default_factory=dict, repr=False, compare=False)
    _mirrors: dict[str, Mirror | None] = field(default_factory=dict, repr=False, compare=False)
    # the folder it was read from: files kept beside schema/ (CHANGELOG.md, which dates each
    # version) are read from the same checkout, never from wherever the code runs
    schema_dir: Path | None = field(default=None, repr=False, compare=False)

    # -- identity -------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return str(self.dataset["version"])

    @property
    def name(self) -> str:
        return str(self.dataset["name"])

    def fingerprint(self) -> str:
        """sha256 of the schema that data depends on: changes when any type or label does."""
        return fingerprint_of(self.dataset, self.labels)

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

    @property
    def label_sets(self) -> dict[str, dict[str, str]]:
        """Label set name -> {title, description} (labels.yaml `label_sets`), in order."""
        return {k: dict(v) for k, v in (self.labels.get("label_sets") or {}).items()}

    def label_values(self, name: str) -> list[str]:
        """The names of a label set a column can take (`labels:` in dataset.yaml)."""
        if name == "event_roles":
            return self.all_roles
        if name == "entity_bio":
            return self.entity_bio
        return self.names(name)

    def labelled_columns(self) -> list[tuple[str, Column]]:
        """(config, column) of every span-table column that takes a label set."""
        return [(name, c) for name in self.span_tables for c in self.configs[name].columns
                if c.labels]

    def label_set_columns(self) -> dict[str, tuple[str, Column]]:
        """Each label set -> the first span-table column that takes it (where statistics and
        documentation find the set's values)."""
        out: dict[str, tuple[str, Column]] = {}
        for config, col in self.labelled_columns():
            out.setdefault(str(col.labels), (config, col))
        return out

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

    # -- rows -----------------------------------------------------------------------------
    def check_row(self, config: str, row: Mapping[str, Any]) -> None:
        """A row (or a struct inside it) whose keys differ from its config's columns is a
        located error: pyarrow would silently drop an unknown key and null a missing one."""
        problems = []
        for path, got, want in _key_mismatches(self._row_shape(config), row, config):
            where = f"{config}/{row.get('doc_id', '?')}"
            fix = ("make the row builder (trisec.release.assemble) and schema/dataset.yaml "
                   "name the same columns")
            problems += [Problem(where, f"column {path}.{k} of schema/dataset.yaml is missing "
                                 "from the row", fix) for k in sorted(want - got)]
            problems += [Problem(where, f"the row has {path}.{k}, which schema/dataset.yaml "
                                 "does not declare", fix) for k in sorted(got - want)]
        if problems:
            raise TrisecError(problems)

    def _row_shape(self, config: str) -> _Shape:
        cached = self._shapes.get(config)
        if cached is None:
            cfg = self.configs[config]
            cached = ("struct", {c.name: self._shape(c.type) for c in cfg.columns})
            self._shapes[config] = cached
        return cached

    def _shape(self, spec: Any) -> _Shape:
        spec = self._resolve(spec)
        if isinstance(spec, dict) and "list" in spec:
            inner = self._shape(spec["list"])
            return None if inner is None else ("list", inner)
        if isinstance(spec, dict) and "struct" in spec:
            return ("struct", {k: self._shape(v) for k, v in spec["struct"].items()})
        return None

    def mirror(self, config: str) -> Mirror | None:
        """How a span table's rows mirror a nested `documents` layer (None: no `from:`)."""
        if config not in self._mirrors:
            self._mirrors[config] = _mirror_of(self, self.configs[config])
        return self._mirrors[config]

    def _walk_source(self, path: tuple[str, ...]
                     ) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        """A `from:` path split into its list fields and the fields below the last list, and
        whether it ends on a scalar; ValueError naming the first segment the `documents`
        types do not have."""
        docs = self.configs.get("documents")
        spec: Any = {"struct": {c.name: c.type for c in docs.columns} if docs else {}}
        lists: list[str] = []
        fields: list[str] = []
        for seg in path:
            spec = self._resolve(spec)
            if not (isinstance(spec, dict) and "struct" in spec and seg in spec["struct"]):
                raise ValueError(seg)
            spec = self._resolve(spec["struct"][seg])
            if isinstance(spec, dict) and "list" in spec:
                if fields:
                    raise ValueError(seg)
                lists.append(seg)
                spec = spec["list"]
            else:
                fields.append(seg)
        return tuple(lists), tuple(fields), isinstance(self._resolve(spec), str)

    # -- splits ---------------------------------------------------------------------------
    @property
    def split_names(self) -> list[str]:
        return [b["name"] for b in self.dataset["split"]["buckets"]]


def _key_mismatches(shape: _Shape, value: Any, path: str
                    ) -> Iterator[tuple[str, set[str], set[str]]]:
    """(path, keys found, keys wanted) of every dict in `value` whose keys differ from its
    struct in `shape`; nulls and non-dict values are left to pyarrow's type check."""
    if shape is None or value is None:
        return
    kind, inner = shape
    if kind == "list":
        if isinstance(value, list) and inner is not None:
            for i, item in enumerate(value):
                yield from _key_mismatches(inner, item, f"{path}[{i}]")
        return
    if not isinstance(value, Mapping):
        return
    if value.keys() != inner.keys():
        yield path, set(value), set(inner)
        return
    for key, sub in inner.items():
        if sub is not None:
            yield from _key_mismatches(sub, value[key], f"{path}.{key}")


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


# libyaml's loader when PyYAML was built with it: every command reads the schema first, and
# the pure-Python loader spends ~0.1 s on labels.yaml (tests/test_schema.py: same data)
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
    except FileNotFoundError as exc:
        raise TrisecError(Problem(str(path), "file missing", "restore it from git")) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise TrisecError(Problem(where, f"invalid YAML: {exc}", "fix the YAML syntax")) from exc
    if not isinstance(data, dict):
        raise TrisecError(Problem(str(path), "expected a mapping at top level"))
    return data


# Not part of the fingerprint: the version and its notes (raising the version is not a schema
# change), the column and config descriptions of dataset.yaml (prose for the card) and the
# illustrative examples of labels.yaml (an example fixed to quote the text does not redefine a
# label). Names, types, configs, vocabularies, label definitions and roles stay in.
_NOT_SCHEMA_DATASET = ("version", "release_notes")
# `from:` says where a span-table column's value is taken from (the nested field it mirrors),
# not what the data looks like; the checks hold the mirrored values equal to the nested ones
_NOT_SCHEMA_DESCRIPTIONS = ("description", "from")
_NOT_SCHEMA_LABELS = ("positive", "negative", "examples")


def _without(value: Any, keys: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_without(v, keys) for v in value]
    return value


def fingerprint_of(dataset: dict[str, Any], labels: dict[str, Any]) -> str:
    """sha256 of the parsed schema files without version, release notes and examples."""
    kept = {k: v for k, v in dataset.items() if k not in _NOT_SCHEMA_DATASET}
    blob = json.dumps([{k: _without(v, _NOT_SCHEMA_DESCRIPTIONS) if k == "configs" else v
                        for k, v in kept.items()},
                       _without(labels, _NOT_SCHEMA_LABELS)], sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


def load_schema(schema_dir: Path = SCHEMA_DIR) -> Schema:
    return _load_schema_cached(Path(schema_dir).resolve())


@cache
def _load_schema_cached(schema_dir: Path) -> Schema:
    dataset = _read_yaml(schema_dir / "dataset.yaml")
    labels = _read_yaml(schema_dir / "labels.yaml")
    configs = {}
    for name, spec in dataset["configs"].items():
        cols = tuple(_column(c) for c in spec["columns"])
        configs[name] = Config(name, spec.get("description", ""), cols, bool(spec.get("default")),
                               bool(spec.get("span_table")), bool(spec.get("whole_release")),
                               tuple(str(k) for k in spec.get("key") or ()))
    schema = Schema(dataset=dataset, labels=labels, configs=configs, schema_dir=schema_dir)
    problems = [p for cfg in configs.values() for p in _rule_problems(schema, cfg)]
    for cfg in configs.values():
        try:
            schema.mirror(cfg.name)
        except TrisecError as exc:
            problems += exc.problems
    if problems:
        raise TrisecError(problems)
    return schema


def _column(spec: dict[str, Any]) -> Column:
    when = spec.get("only_when")
    only_when = None
    if when:
        ((col, value),) = dict(when).items()
        only_when = (str(col), str(value))
    source = tuple(str(spec["from"]).split(".")) if spec.get("from") else None
    return Column(spec["name"], spec["type"], spec.get("description", ""), spec.get("labels"),
                  only_when, bool(spec.get("required")), source)


def _mirror_of(schema: Schema, cfg: Config) -> Mirror | None:
    """The Mirror of a config's `from:` columns; TrisecError naming a path the `documents`
    layers do not have, or paths that do not walk one chain of lists."""
    walked = []
    for c in cfg.mirrored:
        where = f"schema/dataset.yaml: configs.{cfg.name}.{c.name}"
        try:
            lists, fields, scalar = schema._walk_source(c.source or ())
        except ValueError as exc:
            raise TrisecError(Problem(where, f"from: {'.'.join(c.source or ())} names no "
                                      f"field {exc} of a nested documents column",
                                      "name a field of the documents config's layers")) from exc
        if not lists or not fields or not scalar:
            raise TrisecError(Problem(where, "from: must name a scalar field of an item of a "
                                      "list column of documents", "e.g. from: mentions.id"))
        walked.append((c.name, lists, fields))
    if not walked:
        return None
    deepest = max((lists for _, lists, _ in walked), key=len)
    for name, lists, _ in walked:
        if deepest[:len(lists)] != lists:
            raise TrisecError(Problem(f"schema/dataset.yaml: configs.{cfg.name}.{name}",
                                      f"from: walks {'.'.join(lists)}, the other columns "
                                      f"{'.'.join(deepest)}", "mirror one nested layer"))
    return Mirror(deepest, tuple((name, len(lists), fields) for name, lists, fields in walked))


def _rule_problems(schema: Schema, cfg: Config) -> Iterator[Problem]:
    """A label set, condition or key that names nothing is a schema error, found at load
    time; so is a config without a key."""
    if not cfg.key:
        yield Problem(f"schema/dataset.yaml: configs.{cfg.name}", "no `key`",
                      "list the columns whose values identify a row")
    for k in cfg.key:
        if k not in cfg.column_names:
            yield Problem(f"schema/dataset.yaml: configs.{cfg.name}.key",
                          f"names no column {k!r} of {cfg.name}", "name a column of the config")
    for c in cfg.rules:
        where = f"schema/dataset.yaml: configs.{cfg.name}.{c.name}"
        if c.labels and c.labels not in schema.label_sets:
            yield Problem(where, f"unknown label set {c.labels!r}",
                          "use one of labels.yaml label_sets: " + ", ".join(schema.label_sets))
        if c.only_when:
            col, value = c.only_when
            other = next((x for x in cfg.columns if x.name == col), None)
            if other is None:
                yield Problem(where, f"only_when names no column {col!r} of {cfg.name}",
                              "name a column of the same config")
            elif other.labels and value not in schema.label_values(other.labels):
                yield Problem(where, f"only_when {col}={value}, but {value!r} is not in "
                              f"label set {other.labels}", "update the rule or labels.yaml")
