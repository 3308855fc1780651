"""`schema/` -> the expectation suites, as plain data; `write_project` turns them into the
Great Expectations file project in validation/ (the only code that writes suite JSON).

Value sets, column lists and vocabularies all come from `trisec.schema.load_schema()`; the
only names typed here are the columns the checks look at and three attribute rules that
docs/ANNOTATION_FORMAT.md states (gpe_role on GPE, timex_value on TIMEX, mode on MEET; the
labels are checked to exist in the schema so a rename fails loudly).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.annotation.gold import QID
from trisec.document import DOC_ID_PREFIX
from trisec.errors import Problem, TrisecError
from trisec.schema import Schema
from trisec.validation.frames import fact_columns

RESULT_ROWS = 20  # failing rows GX keeps per expectation (the messages show the first few)


@dataclass(frozen=True)
class Spec:
    """One expectation: its GX type (snake case), arguments, and why it exists."""

    type: str
    kwargs: dict[str, Any]
    notes: str
    # attribute rule, kept as data so the spec needs no GX: (column, "==" or "!=", value)
    condition: tuple[str, str, str] | None = None

    @property
    def label(self) -> str:
        """Short name used in problem locations: type(columns)."""
        cols = self.kwargs.get("column_list") or [self.kwargs[k] for k in
                                                  ("column", "column_A", "column_B")
                                                  if k in self.kwargs]
        where = ""
        if self.condition:
            where = f" if {self.condition[0]}{self.condition[1]}{self.condition[2]}"
        return f"{self.type}({','.join(cols)}){where}"


@dataclass(frozen=True)
class SuiteSpec:
    name: str  # suite, data asset, validation definition and checkpoint share it
    description: str
    id_columns: tuple[str, ...]  # named in every failing row
    expectations: tuple[Spec, ...] = field(default_factory=tuple)

    @property
    def columns(self) -> list[str]:
        """Every column the suite reads (ids first): frames are cut to these, since GX copies
        the whole frame for each filtered expectation."""
        cols = dict.fromkeys(self.id_columns)
        for e in self.expectations:
            for k in ("column", "column_A", "column_B"):
                if k in e.kwargs:
                    cols.setdefault(e.kwargs[k])
            for c in e.kwargs.get("column_list", []):
                cols.setdefault(c)
            if e.condition:
                cols.setdefault(e.condition[0])
        return list(cols)


# --- small constructors: keep the suite definitions below readable ---------------------------

def not_null(col: str, why: str) -> Spec:
    return Spec("expect_column_values_to_not_be_null", {"column": col}, why)


def in_set(col: str, values: list[Any], why: str) -> Spec:
    return Spec("expect_column_values_to_be_in_set", {"column": col, "value_set": list(values)},
                why)


def unique(cols: list[str], why: str) -> Spec:
    if len(cols) == 1:
        return Spec("expect_column_values_to_be_unique", {"column": cols[0]}, why)
    return Spec("expect_compound_columns_to_be_unique", {"column_list": cols}, why)


def regex(col: str, pattern: str, why: str) -> Spec:
    return Spec("expect_column_values_to_match_regex", {"column": col, "regex": pattern}, why)


def equal(a: str, b: str, why: str) -> Spec:
    return Spec("expect_column_pair_values_to_be_equal", {"column_A": a, "column_B": b}, why)


def greater(a: str, b: str, why: str, or_equal: bool = False) -> Spec:
    return Spec("expect_column_pair_values_a_to_be_greater_than_b",
                {"column_A": a, "column_B": b, "or_equal": or_equal}, why)


def at_least(col: str, low: int, why: str) -> Spec:
    return Spec("expect_column_values_to_be_between", {"column": col, "min_value": low}, why)


def pairs(a: str, b: str, allowed: list[tuple[str, str]], why: str) -> Spec:
    return Spec("expect_column_pair_values_to_be_in_set",
                {"column_A": a, "column_B": b, "value_pairs_set": [list(p) for p in allowed]},
                why)


def null_unless(col: str, cond_col: str, value: str, why: str) -> Spec:
    return Spec("expect_column_values_to_be_null", {"column": col}, why, (cond_col, "!=", value))


def required_if(col: str, cond_col: str, value: str, why: str) -> Spec:
    return Spec("expect_column_values_to_not_be_null", {"column": col}, why,
                (cond_col, "==", value))


def custom(type_: str, why: str, **kwargs: Any) -> Spec:
    return Spec(type_, kwargs, why)


def span(cols: list[str], why: str, **kwargs: Any) -> Spec:
    return custom("expect_span_to_match_text", why, column_list=cols, **kwargs)


def offsets(start: str, end: str, what: str) -> list[Spec]:
    return [at_least(start, 0, f"{what} offsets are not negative"),
            greater(end, start, f"{what} spans are not empty (end > start)"),
            greater("doc.length", end, f"{what} spans end inside the document text",
                    or_equal=True)]


def belongs_to_document() -> list[Spec]:
    return [not_null("doc_id", "every row names its document"),
            not_null("doc.text", "the doc_id exists in the documents config"),
            equal("split", "doc.split", "a row is in the same split as its document")]


# --- the suites ---------------------------------------------------------------------------------

def column_rules(schema: Schema, config: str) -> list[Spec]:
    """The label sets and presence rules schema/dataset.yaml declares on a config's columns."""
    out: list[Spec] = []
    for c in schema.configs[config].rules:
        if c.required and not c.only_when:
            out.append(not_null(c.name, f"{c.name} is required"))
        if c.labels:
            out.append(in_set(c.name, schema.label_values(c.labels),
                              f"{c.name} from label set {c.labels} (schema/labels.yaml)"))
        if c.only_when:
            col, value = c.only_when
            if c.required:
                out.append(required_if(c.name, col, value, f"every row with {col} {value} "
                                       f"has a {c.name}"))
            out.append(null_unless(c.name, col, value, f"{c.name} is set only where {col} is "
                                   f"{value}"))
    return out


def documents_suite(schema: Schema) -> SuiteSpec:
    voc = schema.dataset["vocabularies"]
    exps = [
        Spec("expect_table_row_count_to_be_between", {"min_value": 1},
             "a release publishes at least one document"),
        *[not_null(c, f"{c} is required") for c in
          ("doc_id", "split", "source_file", "sha256", "text", "language")],
        unique(list(schema.configs["documents"].key), "doc ids are unique"),
        regex("doc_id", f"^{re.escape(DOC_ID_PREFIX)}[0-9a-f]{{16}}$",
              "doc ids are well formed (prefix + 16 hex)"),
        regex("sha256", "^[0-9a-f]{64}$", "sha256 of the raw file is 64 hex digits"),
        equal("doc_id", "doc_id.from_sha256", "the doc id is derived from the raw sha256"),
        in_set("split", schema.split_names, "split is one of the schema's splits"),
        equal("split", "split.by_rule",
              "the split follows the split rule (trisec.schema.split_of)"),
        unique(["source_file"], "one document per raw file"),
        regex("text", r"\S", "text is not empty or blank"),
        custom("expect_column_values_to_have_no_boilerplate",
               "no boilerplate marker of the cleaning vocabulary is left in the text",
               column="text"),
        in_set("language", [schema.dataset["language"]], "the release language"),
        custom("expect_column_list_items_to_be_in_set",
               "every removal has a reason from the removal_reasons vocabulary",
               column="removed.reasons", value_set=list(voc["removal_reasons"])),
    ]
    for col, fields in fact_columns(schema).items():
        for f in fields:
            if f in voc:
                exps.append(in_set(f"{col}.{f}", list(voc[f]), f"{col} {f} from the vocabulary"))
        if {"value", "provenance", "confidence", "evidence"} <= set(fields):
            exps.append(custom("expect_fact_to_have_evidence",
                               f"a {col} value carries provenance, confidence and evidence",
                               column_list=[f"{col}.{k}" for k in
                                            ("value", "provenance", "confidence", "evidence")]))
        if "precision" in fields:
            exps.append(custom("expect_date_fact_to_be_valid",
                               f"{col} is an ISO 8601 date, or partial to its precision",
                               column_list=[f"{col}.value", f"{col}.precision"]))
    if "url" in fact_columns(schema):
        exps.append(regex("url.value", r"^https?://\S+$", "url is an http(s) address"))
    return SuiteSpec("documents", "one row per document (facts flattened to col.field)",
                     schema.configs["documents"].key, tuple(exps))


def sentences_suite(schema: Schema) -> SuiteSpec:
    exps = [
        *belongs_to_document(),
        not_null("sentence_index", "sentences are numbered"),
        unique(list(schema.configs["sentences"].key), "one row per sentence number"),
        equal("sentence_index", "sentence.position", "sentences are numbered 0.. in text order"),
        *offsets("start", "end", "sentence"),
        span(["doc.text", "start", "end", "text"], "sentence text is the document text slice"),
        custom("expect_sentences_to_tile_text",
               "sentences tile the document text: no overlap, only whitespace between them",
               column_list=["doc.text", "sentence.prev_end", "start", "end",
                            "sentence.next_start"]),
        custom("expect_list_columns_to_have_equal_lengths",
               "one offset pair and one tag per token (len(tokens) == len(ner_tags))",
               column_list=["tokens", "token_starts", "token_ends", "ner_tags"]),
        custom("expect_tokens_to_match_text",
               "tokens lie inside their sentence and equal the text at their offsets",
               column_list=["doc.text", "start", "end", "tokens", "token_starts",
                            "token_ends"]),
        custom("expect_column_values_to_be_well_formed_bio",
               "ner_tags are ids into the BIO label set, strict IOB2",
               column="ner_tags", tag_names=schema.entity_bio),
        custom("expect_list_columns_to_be_equal",
               "ner_tags are the BIO encoding of the mentions table (trisec.documents.bio)",
               column_list=["ner_tags", "ner_tags.from_mentions"]),
    ]
    return SuiteSpec("sentences", "one row per sentence, joined with its document",
                     schema.configs["sentences"].key, tuple(exps))


def mentions_suite(schema: Schema) -> SuiteSpec:
    exps = [
        *belongs_to_document(),
        *[not_null(c, f"{c} is required") for c in ("mention_id", "entity_id")],
        unique(list(schema.configs["mentions"].key), "mention ids are unique in their document"),
        *column_rules(schema, "mentions"),
        *offsets("start", "end", "mention"),
        span(["doc.text", "start", "end", "text"], "text[start:end] == the mention's surface"),
        greater("start", "mention.prev_end",
                "mentions do not overlap (the entity layer is flat)", or_equal=True),
        regex("qid", QID.pattern, "QIDs are Q + digits; null means NIL"),
        in_set("entity.found", [True], "the mention's entity exists in the document's entities"),
        equal("qid", "entity.qid", "qid is the QID of the mention's entity"),
        not_null("sentence.start", "sentence_index names a sentence of the document"),
        greater("start", "sentence.start", "the mention starts in its sentence", or_equal=True),
        greater("sentence.end", "start", "the mention starts in its sentence"),
    ]
    return SuiteSpec("mentions", "one row per gold mention, joined with its document, "
                     "sentence and entity", schema.configs["mentions"].key, tuple(exps))


def events_suite(schema: Schema) -> SuiteSpec:
    exps = [
        *belongs_to_document(),
        not_null("event_id", "event_id is required"),
        unique(list(schema.configs["events"].key), "event ids are unique in their document"),
        *column_rules(schema, "events"),
        *offsets("trigger_start", "trigger_end", "trigger"),
        span(["doc.text", "trigger_start", "trigger_end", "trigger_text"],
             "the trigger text is the document text slice"),
        not_null("sentence.start", "sentence_index names a sentence of the document"),
        greater("trigger_start", "sentence.start", "the trigger starts in its sentence",
                or_equal=True),
        greater("sentence.end", "trigger_start", "the trigger starts in its sentence"),
        equal("num_arguments", "arguments.rows",
              "num_arguments equals the event's rows in the arguments config"),
        equal("arguments.listed", "arguments.from_rows",
              "the event's arguments (role, mention_id) are its rows in the arguments config, "
              "in order"),
    ]
    return SuiteSpec("events", "one row per gold event, joined with its document, sentence "
                     "and arguments", schema.configs["events"].key, tuple(exps))


def arguments_suite(schema: Schema) -> SuiteSpec:
    allowed_roles = [(t, r) for t in schema.event_types for r in schema.roles_for(t)]
    allowed_labels = [(f"{t}.{r}", lab) for t in schema.event_types
                      for r, labels in schema.roles_for(t).items()
                      for lab in (labels or schema.entity_labels)]
    exps = [
        *belongs_to_document(),
        *[not_null(c, f"{c} is required") for c in ("event_id", "mention_id")],
        unique(list(schema.configs["arguments"].key), "a mention fills a role of an event once"),
        not_null("event.type", "the argument's event exists in the events config"),
        equal("event_type", "event.type", "event_type is the type of the argument's event"),
        *column_rules(schema, "arguments"),
        pairs("event_type", "role", allowed_roles, "the role is allowed for the event type"),
        pairs("role.key", "label", allowed_labels,
              "the mention's label may fill the role (labels.yaml roles[].labels)"),
        not_null("mention.start", "the argument's mention exists in the same document"),
        *[equal(c, f"mention.{c}", f"argument {c} is the mention's {c}")
          for c in ("start", "end", "text", "label")],
        span(["doc.text", "start", "end", "text"], "text[start:end] == the argument's surface"),
    ]
    return SuiteSpec("arguments", "one row per gold argument, joined with its event and "
                     "mention", schema.configs["arguments"].key, tuple(exps))


def attributions_suite(schema: Schema) -> SuiteSpec:
    exps = [
        *belongs_to_document(),
        not_null("attribution_id", "attribution_id is required"),
        unique(list(schema.configs["attributions"].key),
               "attribution ids are unique in their document"),
        *column_rules(schema, "attributions"),
        span(["doc.text", "content_start", "content_end", "content_text"],
             "the content text is the document text slice"),
        span(["doc.text", "cue_start", "cue_end", "cue_text"],
             "the cue, when present, is the document text slice", span_may_be_null=True),
        in_set("source.found", [True], "a source names a mention of the same document"),
        equal("source_text", "source.text", "source_text is the source mention's text"),
        equal("source_entity_id", "source.entity_id",
              "source_entity_id is the source mention's entity"),
    ]
    return SuiteSpec("attributions", "one row per gold attribution, joined with its source "
                     "mention", schema.configs["attributions"].key, tuple(exps))


def consistency_suite(schema: Schema) -> SuiteSpec:
    exps = [at_least("sentences.flat", 1, "every document has sentences")]
    for layer in schema.span_tables:
        exps += [equal(f"{layer}.nested", f"{layer}.flat",
                       f"{layer}: the nested documents column and the flat config agree in "
                       "count"),
                 equal(f"{layer}.nested_digest", f"{layer}.flat_digest",
                       f"{layer}: the nested and flat views hold the same items")]
    if "prompts" in schema.configs:
        n = len(schema.dataset["prompts"]["tasks"])
        exps.append(in_set("prompts.rows", [n], f"every document has one prompt per task ({n})"))
    return SuiteSpec("consistency", "one row per document: nested vs flat views of each layer",
                     ("doc_id",), tuple(exps))


def prompts_suite(schema: Schema) -> SuiteSpec:
    settings = schema.dataset["prompts"]
    exps = [
        *belongs_to_document(),
        *[not_null(c, f"{c} is required") for c in
          ("task", "prompt_version", "messages", "response_schema")],
        in_set("task", list(settings["tasks"]), "task from schema/dataset.yaml prompts.tasks"),
        unique(list(schema.configs["prompts"].key), "one prompt per document and task"),
        in_set("prompt_version", [str(settings["version"])],
               "prompt_version is schema/dataset.yaml's prompts.version"),
        in_set("messages.roles", ["system,user", "system,user,assistant,user"],
               "chat format: instructions, an optional worked example, then the document"),
        in_set("prompt.ends_with_text", [True],
               "the last message holds the document's own text, unchanged"),
        equal("response_schema", "response_schema.expected",
              "the response schema is the one schema/labels.yaml gives "
              "(trisec.generative.formats)"),
        custom("expect_json_to_match_schema",
               "the reference is valid under the response schema, itself a valid JSON Schema",
               column_list=["reference", "response_schema"]),
        equal("reference.aligned", "gold.items",
              "the reference, aligned back to offsets (trisec.generative.align), is exactly the "
              "document's gold layer; null only for a document without gold"),
        custom("expect_column_list_items_to_be_in_set",
               "leakage: worked examples come from train documents only",
               column="example.splits", value_set=["train"]),
        custom("expect_column_values_to_be_empty_lists",
               f"leakage: no run of {settings['leakage_ngram']} words of a document outside "
               "train appears in any prompt but its own (trisec.generative.leakage)",
               column="prompt.leaks"),
    ]
    return SuiteSpec("prompts", "one row per prompt, joined with its document, the gold it "
                     "must reproduce and the other documents' text", schema.configs["prompts"].key,
                     tuple(exps))


def release_suite(schema: Schema) -> SuiteSpec:
    v = [schema.version]
    exps = [
        unique(["path"], "one row per file"),
        in_set("on_disk", [True], "every file the manifest or card lists exists"),
        in_set("in_manifest", [True], "every file is in manifest.json"),
        in_set("in_card", [True], "every Parquet file is listed in the card's configs"),
        equal("sha256", "manifest.sha256", "files match their manifest checksum"),
        equal("rows", "manifest.rows", "Parquet row counts match the manifest"),
        equal("rows.split", "split", "every row of data/<config>/<split>-*.parquet carries that "
              "split (a file swapped with another split's is caught)"),
        equal("rows", "card.rows", "Parquet row counts match the split sizes of the card's "
              "dataset_info (load_dataset refuses a split of another size)"),
        in_set("config", list(schema.configs), "data/<config>/ is a schema config"),
        in_set("split", schema.split_names, "<split>-*.parquet is a schema split"),
        equal("parquet.config", "config", "the file's metadata names its config"),
        equal("columns", "schema.columns", "the file has exactly the schema's columns"),
        in_set("parquet.version", v, "the Parquet metadata version is schema/dataset.yaml's"),
        in_set("manifest.version", v, "manifest.json's version is schema/dataset.yaml's"),
        in_set("card.version", v, "the card's version is schema/dataset.yaml's"),
        equal("parquet.schema_sha256", "manifest.schema_sha256",
              "every file was written with the schema the manifest names"),
    ]
    return SuiteSpec("release", "one row per file of the release folder", ("path",), tuple(exps))


SUITES = (documents_suite, sentences_suite, mentions_suite, events_suite, arguments_suite,
          attributions_suite, prompts_suite, consistency_suite, release_suite)


def suite_specs(schema: Schema) -> list[SuiteSpec]:
    return [make(schema) for make in SUITES]


# --- GX materialisation ------------------------------------------------------------------------

DATASOURCE = "trisec_release"
BATCH = "whole_frame"
COMMITTED = ("great_expectations.yml", "expectations", "validation_definitions", "checkpoints")


def copy_project(src: Path, dest: Path) -> Path:
    """The committed files of a GX project, without uncommitted/: a scratch project whose
    results and Data Docs stay out of the checkout (tests, the mutation catalogue)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COMMITTED:
        if (src / name).is_dir():
            shutil.copytree(src / name, dest / name)
        elif (src / name).exists():
            shutil.copy(src / name, dest / name)
    return dest


def to_gx(spec: Spec) -> Any:
    """The GX expectation object of a spec (custom classes must be registered first)."""
    from great_expectations.expectations.registry import get_expectation_impl
    from great_expectations.expectations.row_conditions import Column

    from trisec.validation import expectations  # noqa: F401  (registers the custom expectations)

    kwargs = dict(spec.kwargs)
    if spec.condition:
        col, op, value = spec.condition
        kwargs["row_condition"] = Column(col) == value if op == "==" else Column(col) != value
    return get_expectation_impl(spec.type)(**kwargs, notes=spec.notes)


def result_format(suite: SuiteSpec) -> dict[str, Any]:
    return {"result_format": "SUMMARY", "partial_unexpected_count": RESULT_ROWS,
            "unexpected_index_column_names": list(suite.id_columns)}


def write_project(project_dir: Path, schema: Schema) -> list[tuple[str, int]]:
    """(Re)generate the GX file project: suites, one data asset + validation definition +
    checkpoint per table. Built in a temporary folder, then the committed files are replaced
    (validation/uncommitted/ is left alone). Returns (suite, expectation count) pairs."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    specs = suite_specs(schema)
    scratch = project_dir / "uncommitted"  # git-ignored; same filesystem for the moves
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="define-", dir=scratch) as tmp:
        ctx = gx.get_context(mode="file", context_root_dir=tmp)
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        sites = ctx.variables.data_docs_sites or {}
        for site in sites.values():  # no "how to" call-outs in our docs
            site["show_how_to_buttons"] = False
        ctx.variables.data_docs_sites = sites
        ctx.variables.save()
        source = ctx.data_sources.add_pandas(DATASOURCE)
        counts = []
        for s in specs:
            batch = source.add_dataframe_asset(s.name).add_batch_definition_whole_dataframe(BATCH)
            suite = gx.ExpectationSuite(s.name, meta={
                "trisec": {"description": s.description, "expectation_count": len(s.expectations),
                           "schema_version": schema.version,
                           "generated_by": "trisec validate --define"}})
            for e in s.expectations:
                suite.add_expectation(to_gx(e))
            suite = ctx.suites.add(suite)
            if len(suite.expectations) != len(s.expectations):
                raise TrisecError(Problem(f"validation/expectations/{s.name}.json",
                                          f"GX kept {len(suite.expectations)} of "
                                          f"{len(s.expectations)} expectations"))
            vd = ctx.validation_definitions.add(
                gx.ValidationDefinition(name=s.name, data=batch, suite=suite))
            ctx.checkpoints.add(gx.Checkpoint(name=s.name, validation_definitions=[vd],
                                              result_format=result_format(s)))
            counts.append((s.name, len(s.expectations)))
        for name in COMMITTED:
            target = project_dir / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            shutil.move(str(Path(tmp) / name), target)
    _pretty_json(project_dir)
    _stable_ids(project_dir)
    return counts


def _pretty_json(project_dir: Path) -> None:
    """GX writes JSON with indent 2 already; make sure key order is stable for diffs."""
    for path in sorted(project_dir.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                        encoding="utf-8")


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NAMESPACE = uuid.UUID("5f0c2d4e-9b1a-4c39-8e57-7a7d3c1e2b90")  # fixed: trisec validation ids


def _stable_ids(project_dir: Path) -> None:
    """Replace GX's random ids by ids derived from what they name (uuid5), so defining twice
    from the same schema writes the same files and a schema change shows as a small diff."""
    import yaml

    mapping: dict[str, str] = {}

    def put(old: Any, key: str) -> None:
        if old:
            mapping[str(old)] = str(uuid.uuid5(_NAMESPACE, key))

    cfg = yaml.safe_load((project_dir / "great_expectations.yml").read_text(encoding="utf-8"))
    put(cfg.get("data_context_id"), "data_context")
    for ds_name, ds in (cfg.get("fluent_datasources") or {}).items():
        put(ds.get("id"), f"datasource:{ds_name}")
        for a_name, asset in (ds.get("assets") or {}).items():
            put(asset.get("id"), f"asset:{ds_name}/{a_name}")
            for b_name, b in (asset.get("batch_definitions") or {}).items():
                put(b.get("id"), f"batch_definition:{ds_name}/{a_name}/{b_name}")
    for path in sorted((project_dir / "expectations").glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        put(d.get("id"), f"suite:{d['name']}")
        for e in d["expectations"]:
            put(e.get("id"), f"expectation:{d['name']}:{e['type']}:"
                             f"{json.dumps(e['kwargs'], sort_keys=True)}")
    for kind in ("validation_definitions", "checkpoints"):
        for path in sorted((project_dir / kind).glob("*.json")):
            d = json.loads(path.read_text(encoding="utf-8"))
            put(d.get("id"), f"{kind}:{d['name']}")
    store_id = project_dir / "expectations" / ".ge_store_backend_id"
    if store_id.is_file():
        for old in _UUID.findall(store_id.read_text(encoding="utf-8")):
            put(old, "expectations_store")
    files = [project_dir / "great_expectations.yml", store_id,
             *sorted(project_dir.glob("*/*.json"))]
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        unknown = sorted(set(_UUID.findall(text)) - mapping.keys())
        if unknown:
            raise TrisecError(Problem(str(path), f"GX wrote ids trisec does not know: {unknown}",
                                      "extend suites._stable_ids for the new GX object"))
        path.write_text(_UUID.sub(lambda m: mapping[m.group(0)], text), encoding="utf-8")
