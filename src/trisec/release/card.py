"""The dataset card (dataset/README.md): YAML from datasets/huggingface_hub utilities, body
from small section functions over a BuildContext. Every table is generated, never typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from trisec.pipeline.corpus import Corpus
from trisec.release.writer import SplitCounts, data_path
from trisec.schema import Schema


@dataclass
class BuildContext:
    """What the card sections may draw on: schema, row counts, the corpus, extra sections."""

    schema: Schema
    counts: SplitCounts
    corpus: Corpus  # what the build was given: extras read passes and predictions from it
    stats: dict[str, Any] = field(default_factory=dict)  # label distribution etc.
    extra: dict[str, str] = field(default_factory=dict)  # generated sections from other stages


def _type_name(schema: Schema, spec: Any) -> str:
    spec = schema._resolve(spec)
    if isinstance(spec, str):
        return spec
    if "list" in spec:
        return f"list<{_type_name(schema, spec['list'])}>"
    if "struct" in spec:
        return "struct{" + ", ".join(spec["struct"]) + "}"
    if "class_label" in spec:
        return f"class_label({spec['class_label']})"
    return str(spec)


def present_splits(ctx: BuildContext, config: str) -> list[str]:
    """Splits of a config that have rows (empty ones are not published)."""
    return [sp for sp in ctx.schema.split_names if ctx.counts.rows.get((config, sp), 0) > 0]


def card_yaml(ctx: BuildContext) -> dict[str, Any]:
    """Card metadata the Hub expects; dataset_info comes from datasets.DatasetInfo."""
    from datasets import DatasetInfo, SplitDict, SplitInfo

    s = ctx.schema
    infos = []
    for name in s.configs:
        if not present_splits(ctx, name):
            continue
        splits = SplitDict()
        total = 0
        for split in present_splits(ctx, name):
            n = ctx.counts.nbytes.get((name, split), 0)
            total += n
            splits.add(SplitInfo(name=split, num_bytes=n,
                                 num_examples=ctx.counts.rows.get((name, split), 0)))
        info = DatasetInfo(features=s.features(name), config_name=name, splits=splits,
                           dataset_size=total)
        infos.append(info._to_yaml_dict())
    configs = []
    for name, cfg in s.configs.items():
        present = present_splits(ctx, name)
        if not present:
            continue
        entry: dict[str, Any] = {"config_name": name}
        if cfg.default:
            entry["default"] = True
        entry["data_files"] = [{"split": sp, "path": data_path(name, sp)} for sp in present]
        configs.append(entry)
    n_docs = sum(ctx.counts.rows.get(("documents", sp), 0) for sp in s.split_names)
    meta = {
        "pretty_name": s.dataset["pretty_name"],
        "language": [s.dataset["language"]],
        "license": s.dataset["license"],
        "license_name": s.dataset.get("license_name"),
        "license_link": "LICENSE.md",
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": ["n<1K"] if n_docs < 1000 else ["1K<n<10K"],
        "tags": ["information-extraction", "event-extraction", "entity-linking",
                 "quote-attribution", "news", "security", "north-korea"],
        "version": s.version,
        "configs": configs,
        "dataset_info": infos,
    }
    return meta


def section_summary(ctx: BuildContext) -> str:
    s = ctx.schema
    n = {sp: ctx.counts.rows.get(("documents", sp), 0) for sp in s.split_names}
    return (f"# {s.dataset['pretty_name']}\n\n"
            f"Version **{s.version}**. English news articles about US-Japan-South Korea security "
            "cooperation and North Korean military activity, cleaned from a web crawl with every "
            "removal recorded, each metadata value carrying its provenance, and gold annotations "
            "for named entities (with Wikidata links), events with arguments, and quote "
            "attribution. It is a benchmark for extraction models.\n\n"
            f"Documents per split: {', '.join(f'{k} {v}' for k, v in n.items())}.\n")


def section_load(ctx: BuildContext) -> str:
    return """## How to load

```python
from datasets import load_dataset

docs = load_dataset("path/to/dataset", "documents")      # one row per article
sents = load_dataset("path/to/dataset", "sentences")     # tokens + BIO ner_tags
tags = sents["train"].features["ner_tags"].feature.names # label names come back
```

```python
import pandas as pd, duckdb
mentions = pd.read_parquet("dataset/data/mentions/")     # every split, one row per mention
duckdb.sql("SELECT label, count(*) FROM 'dataset/data/mentions/*.parquet' GROUP BY label")
```
"""


def section_structure(ctx: BuildContext) -> str:
    s = ctx.schema
    out = ["## Structure\n"]
    for name, cfg in s.configs.items():
        out.append(f"### `{name}`{' (default)' if cfg.default else ''}\n\n{cfg.description}\n")
        out.append("| column | type | description |\n|---|---|---|")
        for c in cfg.columns:
            out.append(f"| `{c.name}` | {_type_name(s, c.type)} | {c.description} |")
        out.append("")
    return "\n".join(out)


def section_splits(ctx: BuildContext) -> str:
    s = ctx.schema
    rule = s.dataset["split"]
    ranges, lo = [], 0
    for b in rule["buckets"]:
        ranges.append(f"`{b['name']}` for buckets {lo}-{int(b['below']) - 1}")
        lo = int(b["below"])
    rows = ["| config | " + " | ".join(s.split_names) + " |",
            "|---|" + "---|" * len(s.split_names)]
    for name in s.configs:
        rows.append(f"| {name} | " + " | ".join(str(ctx.counts.rows.get((name, sp), 0))
                                                 for sp in s.split_names) + " |")
    return ("## Splits\n\nBy document, decided by the document id alone, so adding articles "
            "never moves one: `bucket = int(sha256(\"" + rule["salt"] + "\" + doc_id)[:8], 16)"
            " % 100`; " + "; ".join(ranges) + ". A split with no document yet is published "
            "as soon as its first document arrives; until then it has no file.\n\n"
            + "\n".join(rows) + "\n")


def section_extra(ctx: BuildContext) -> str:
    return "\n".join(ctx.extra[k] for k in sorted(ctx.extra))


CARD_SECTIONS: list[Callable[[BuildContext], str]] = [
    section_summary, section_load, section_structure, section_splits, section_extra,
]


def render_card(ctx: BuildContext) -> str:
    """The whole README.md (YAML front matter + body), deterministic."""
    from huggingface_hub import DatasetCardData

    data = DatasetCardData(**card_yaml(ctx))
    front = data.to_yaml()
    # the Hub's own serialiser decides key order; re-dump for stable quoting
    front = yaml.safe_dump(yaml.safe_load(front), sort_keys=False, allow_unicode=True,
                           width=100)
    body = "\n".join(sec(ctx).rstrip() + "\n" for sec in CARD_SECTIONS if sec(ctx).strip())
    return f"---\n{front}---\n\n{body}"
