"""The standoff distribution: every release column except article text, plus what a user needs
to rebuild the full release from their own copies of the raw pages (`rehydrate`).

News text belongs to its publishers. The standoff folder carries offsets, labels, ids,
metadata with provenance and the raw files' sha256/URL, but no field that quotes the article:
a field is text when it is named `text`, ends in `_text`, or is `tokens` (the rule is applied
to the schema, so a new text column is dropped without editing this module).

Layout (`trisec standoff --out DIR`):
    README.md                  what this is, the dropped fields, how to rehydrate
    manifest.json              checksums of the standoff files (write_manifest)
    release-manifest.json      the full release's manifest, byte for byte: the rehydrated
                               release must reproduce it exactly
    sources.csv                every raw file the build read: name, sha256, bytes, doc_id, URL
    metadata/<doc_id>.yaml     curated metadata (external facts: title, URL, outlet, date)
    data/<config>/<split>-00000-of-00001.parquet   release tables minus text fields

Rehydration is exact because it re-runs the same build on the verified raw files: text comes
from the deterministic cleaning, gold spans get their surface text back from their offsets,
and `trisec.release.build.write_release` writes the release. The result is checked file by file
against release-manifest.json before it is swapped in.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from trisec.errors import Problem, TrisecError
from trisec.pipeline.corpus import Corpus
from trisec.release.opener import open_release
from trisec.release.replace import check_replaceable
from trisec.release.writer import (
    MANIFEST,
    PARQUET_OPTIONS,
    data_path,
    read_manifest,
    sha256_file,
    staging_dir,
    swap_in,
    write_manifest,
)
from trisec.schema import Schema

SOURCES = "sources.csv"
RELEASE_MANIFEST = "release-manifest.json"
METADATA = "metadata"
LAYERS = ("mentions", "entities", "events", "attributions")


def is_text_field(name: str) -> bool:
    """Fields that quote the article (full text, sentences, tokens, span surfaces, removed
    boilerplate). Titles, entity names and evidence notes are not: they are short
    bibliographic or curator-written values a user needs to find and check their own copy."""
    return name == "text" or name.endswith("_text") or name == "tokens"


# --- the standoff schema: the release features minus text fields --------------------------
def _strip_feature(feature: Any, path: str, dropped: list[str]) -> Any:
    from datasets import List

    if isinstance(feature, dict):
        out = {}
        for k, v in feature.items():
            if is_text_field(k):
                dropped.append(f"{path}.{k}")
            else:
                out[k] = _strip_feature(v, f"{path}.{k}", dropped)
        return out
    if isinstance(feature, List):
        return List(_strip_feature(feature.feature, f"{path}[]", dropped), length=feature.length)
    return feature


def standoff_features(schema: Schema, config: str) -> tuple[Any, list[str]]:
    """(datasets.Features without text fields, the dropped field paths like
    `documents.removed[].text`)."""
    from datasets import Features

    dropped: list[str] = []
    stripped = _strip_feature(dict(schema.features(config)), config, dropped)
    return Features(stripped), dropped


def dropped_fields(schema: Schema) -> list[str]:
    return [d for c in schema.per_document_configs for d in standoff_features(schema, c)[1]]


def standoff_arrow_schema(schema: Schema, config: str) -> pa.Schema:
    features, _ = standoff_features(schema, config)
    arrow = features.arrow_schema
    meta = dict(arrow.metadata or {})
    meta[b"trisec"] = json.dumps(
        {"name": schema.name, "version": schema.version, "config": config,
         "schema_sha256": schema.fingerprint(), "distribution": "standoff"},
        sort_keys=True).encode()
    return arrow.with_metadata(meta)


def strip_value(value: Any) -> Any:
    """A row (or nested value) without its text fields."""
    if isinstance(value, dict):
        return {k: strip_value(v) for k, v in value.items() if not is_text_field(k)}
    if isinstance(value, list):
        return [strip_value(v) for v in value]
    return value


# --- sources: the raw files, pinned by sha256 ----------------------------------------------
@dataclass
class Source:
    source_file: str
    sha256: str
    bytes: int
    doc_id: str
    url: str | None
    duplicate_of: str | None  # source_file of the published copy, for dropped duplicates
    text_sha256: str | None  # sha256 of the published text (None for duplicates)


def write_sources(path: Path, sources: list[Source]) -> None:
    buf = io.StringIO()
    names = [f.name for f in fields(Source)]
    w = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
    w.writeheader()
    for s in sorted(sources, key=lambda s: s.source_file):
        w.writerow({k: "" if v is None else v for k, v in asdict(s).items()})
    path.write_text(buf.getvalue(), encoding="utf-8")


def read_sources(path: Path) -> list[Source]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [Source(r["source_file"], r["sha256"], int(r["bytes"]), r["doc_id"],
                   r["url"] or None, r["duplicate_of"] or None, r["text_sha256"] or None)
            for r in rows]


# --- making a standoff folder from a release -------------------------------------------------
def _check_schema(manifest: dict[str, Any], schema: Schema, where: str, fix: str) -> None:
    if manifest.get("schema_sha256") != schema.fingerprint() or \
            manifest.get("version") != schema.version:
        raise TrisecError(Problem(
            where, f"made with schema {manifest.get('version')} "
            f"({str(manifest.get('schema_sha256'))[:12]}), this checkout has {schema.version} "
            f"({schema.fingerprint()[:12]})", fix))


def _release_files(release_dir: Path, config: str) -> list[Path]:
    return sorted((release_dir / "data" / config).glob("*.parquet"))


def _iter_rows(path: Path, columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
    for batch in pq.ParquetFile(path).iter_batches(columns=columns):
        yield from batch.to_pylist()


def collect_sources(release_dir: Path, corpus: Corpus) -> list[Source]:
    """Every raw file of the corpus with its sha256 and URL, checked against the release: a
    release that does not match the corpus (stale) is refused."""
    from trisec.document import doc_id_for
    from trisec.documents.metadata import load_curated

    raw = {p.name: p for p in corpus.raw_paths()}
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    for path in _release_files(release_dir, "documents"):
        for r in _iter_rows(path, ["source_file", "sha256", "doc_id", "url", "text"]):
            name = r["source_file"]
            if name not in raw:
                problems.append(Problem(f"{corpus.raw_dir}/{name}", "in the release, not in "
                                        "the corpus", "rebuild the release (`trisec build`)"))
                continue
            sources[name] = Source(name, r["sha256"], raw[name].stat().st_size, r["doc_id"],
                                   (r["url"] or {}).get("value"), None,
                                   hashlib.sha256(r["text"].encode("utf-8")).hexdigest())
    for d in read_manifest(release_dir).get("duplicates", []):
        name = d["source_file"]
        if name in raw:
            sha = sha256_file(raw[name])
            url = ((load_curated(corpus.metadata_dir, doc_id_for(sha)) or {}).get("url")
                   or {}).get("value")
            sources[name] = Source(name, sha, raw[name].stat().st_size, doc_id_for(sha), url,
                                   d["duplicate_of"], None)
    for name, path in raw.items():
        if name not in sources:
            problems.append(Problem(str(path), "raw file not in the release",
                                    "rebuild the release (`trisec build`)"))
        elif sha256_file(path) != sources[name].sha256:
            problems.append(Problem(str(path), "raw file changed since the release was built",
                                    "rebuild the release (`trisec build`)"))
    if problems:
        raise TrisecError(problems)
    return [sources[k] for k in sorted(sources)]


def left_out_configs(schema: Schema) -> list[str]:
    """Whole-release configs (prompts) quote the articles throughout and are derived from the
    rest: the standoff folder leaves them out and rehydration rebuilds them."""
    return [c for c in schema.configs if c not in schema.per_document_configs]


def _write_tables(release_dir: Path, out: Path, schema: Schema) -> None:
    for config in schema.per_document_configs:
        arrow = standoff_arrow_schema(schema, config)
        for src in _release_files(release_dir, config):
            dest = out / "data" / config / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            with pq.ParquetWriter(dest, arrow, **PARQUET_OPTIONS) as writer:
                for batch in pq.ParquetFile(src).iter_batches():
                    rows = [strip_value(r) for r in batch.to_pylist()]
                    writer.write_table(pa.Table.from_pylist(rows, schema=arrow))


def standoff_card(schema: Schema, out: Path, sources: list[Source]) -> str:
    """README.md of the standoff folder: loadable configs in the YAML, the rules in the body."""
    configs = []
    for config in schema.configs:
        files = [{"split": sp, "path": data_path(config, sp)} for sp in schema.split_names
                 if (out / data_path(config, sp)).is_file()]
        if files:
            configs.append({"config_name": config, "data_files": files})
    meta = {"pretty_name": f"{schema.dataset['pretty_name']} (standoff)",
            "language": [schema.dataset["language"]], "license": schema.dataset["license"],
            "license_name": schema.dataset.get("license_name"), "version": schema.version,
            "configs": configs}
    dropped = "\n".join(f"- `{d}`" for d in dropped_fields(schema))
    n_docs = sum(1 for s in sources if s.duplicate_of is None)
    return (f"---\n{yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)}---\n\n"
            f"# {schema.dataset['pretty_name']}: standoff distribution, version {schema.version}"
            "\n\nEvery column of the release except the text of the articles: offsets, labels, "
            "ids, entity links, events, attributions, sentence and token offsets, metadata with "
            f"provenance. {n_docs} documents; the raw pages they come from are listed in "
            f"`{SOURCES}` with their sha256 and URL.\n\n"
            "## Fields left out (article text)\n\n" + dropped + "\n\n"
            + "".join(f"Config `{c}` is left out whole: it quotes the articles throughout and "
                      "is rebuilt from the rest by rehydration.\n\n"
                      for c in left_out_configs(schema))
            + "## Rebuild the full release\n\n"
            "Get your own copy of each raw page listed in `sources.csv` (same bytes: the sha256 "
            "is checked), put them in one folder, then in a checkout of the trisec repository at "
            f"tag `v{schema.version}`:\n\n"
            "```\ntrisec rehydrate STANDOFF_DIR --raw YOUR_RAW_DIR --out dataset\n```\n\n"
            "Files are matched by name, or by content when you named them differently. The "
            "result is checked byte for byte against `release-manifest.json`.\n")


def make_standoff(release_dir: Path, corpus: Corpus, out: Path, schema: Schema) -> list[Source]:
    """Write the standoff folder for `release_dir` into `out` (atomically)."""
    manifest = open_release(release_dir).manifest
    _check_schema(manifest, schema, f"{release_dir}/{MANIFEST}",
                  "rebuild the release with `trisec build`")
    check_replaceable(out, "standoff")  # before any work; again under the lock
    sources = collect_sources(release_dir, corpus)
    with staging_dir(out, "standoff") as tmp:
        _write_tables(release_dir, tmp, schema)
        write_sources(tmp / SOURCES, sources)
        for s in sources:
            meta = corpus.metadata_dir / f"{s.doc_id}.yaml"
            if meta.is_file():
                (tmp / METADATA).mkdir(exist_ok=True)
                shutil.copyfile(meta, tmp / METADATA / meta.name)
        shutil.copyfile(release_dir / MANIFEST, tmp / RELEASE_MANIFEST)
        (tmp / "README.md").write_text(standoff_card(schema, tmp, sources), encoding="utf-8")
        write_manifest(tmp, schema, {"distribution": "standoff",
                                     "dropped_fields": dropped_fields(schema)})
        swap_in(tmp, out)
    return sources


# --- rehydration ---------------------------------------------------------------------------
def verify_raw(sources: list[Source], raw_dir: Path) -> dict[str, Path]:
    """source_file -> the user's file with the expected bytes. A file is found by name, else
    by content anywhere under raw_dir; every missing or different file is listed at once."""
    found: dict[str, Path] = {}
    pending: list[tuple[Source, str]] = []
    for s in sources:
        path = raw_dir / s.source_file
        sha = sha256_file(path) if path.is_file() else "missing"
        if sha == s.sha256:
            found[s.source_file] = path
        else:
            pending.append((s, sha))
    if pending:
        by_sha = {sha256_file(p): p for p in sorted(raw_dir.rglob("*")) if p.is_file()}
        problems = []
        for s, sha in pending:
            if s.sha256 in by_sha:
                found[s.source_file] = by_sha[s.sha256]
            else:
                problems.append(Problem(
                    f"{raw_dir}/{s.source_file}", f"expected sha256 {s.sha256}, found {sha}",
                    "use a byte-identical copy of the crawled file (the page was "
                    f"{s.url or 'at an unknown URL'}); a re-downloaded or re-saved page "
                    "differs"))
        if problems:
            raise TrisecError(problems)
    return found


def restore_spans(value: Any, text: str) -> Any:
    """Put the surface text back on every span (a dict with start/end) from its offsets."""
    if isinstance(value, list):
        return [restore_spans(v, text) for v in value]
    if isinstance(value, dict):
        out = {k: restore_spans(v, text) for k, v in value.items()}
        if isinstance(out.get("start"), int) and isinstance(out.get("end"), int):
            out["text"] = text[out["start"]:out["end"]]
        return out
    return value


def _gold_layers(standoff: Path) -> dict[str, dict[str, Any]]:
    layers: dict[str, dict[str, Any]] = {}
    for path in _release_files(standoff, "documents"):
        for r in _iter_rows(path, ["doc_id", *LAYERS]):
            if any(r[k] for k in LAYERS):
                layers[r["doc_id"]] = {k: r[k] for k in LAYERS}
    return layers


def _stage_corpus(standoff: Path, sources: list[Source], files: dict[str, Path], work: Path,
                  schema: Schema, reference: Corpus | None) -> Corpus:
    """raw copies under their published names + gold files rebuilt from the standoff layers,
    after checking that cleaning gives back exactly the published texts."""
    from trisec.annotation.gold import text_sha256, write_annotation
    from trisec.pipeline.local import run
    from trisec.pipeline.stats import Stats
    from trisec.pipeline.steps import Clean, Read

    corpus = Corpus(work / "raw", standoff / METADATA, work / "gold",
                    reference.passes_dir if reference else None,
                    reference.predictions_dir if reference else None)
    corpus.raw_dir.mkdir(parents=True)
    corpus.gold_dir.mkdir(parents=True)
    for s in sources:
        shutil.copyfile(files[s.source_file], corpus.raw_dir / s.source_file)
    expected = {s.doc_id: s for s in sources if s.text_sha256}
    layers = _gold_layers(standoff)
    problems: list[Problem] = []
    for doc in run([Read(), Clean(corpus.metadata_dir)], corpus.raw_paths(), Stats(),
                          problems):
        s = expected.get(doc.doc_id)
        if s is None:
            continue
        if text_sha256(doc.text) != s.text_sha256:
            problems.append(Problem(doc.source_file, "cleaning gives a different text than the "
                                    "published one", f"use trisec {schema.version} (check out "
                                    f"tag v{schema.version}) to rehydrate this standoff"))
        elif doc.doc_id in layers:
            ann = {"doc_id": doc.doc_id, "text_sha256": s.text_sha256, "pass": "gold",
                   **restore_spans(layers[doc.doc_id], doc.text)}
            write_annotation(corpus.gold_dir / f"{doc.doc_id}.json", ann)
    if problems:
        raise TrisecError(problems)
    return corpus


def _compare_release(built: Path, standoff: Path) -> list[str]:
    """Differences between a rebuilt release and the manifest recorded in the standoff."""
    expected = json.loads((standoff / RELEASE_MANIFEST).read_text(encoding="utf-8"))
    want = {f["path"]: f["sha256"] for f in expected["files"]}
    have = {p.relative_to(built).as_posix(): sha256_file(p)
            for p in built.rglob("*") if p.is_file() and p.name != MANIFEST}
    lines = [f"missing: {k}" for k in sorted(want.keys() - have.keys())]
    lines += [f"unexpected: {k}" for k in sorted(have.keys() - want.keys())]
    lines += [f"differs: {k}" for k in sorted(want.keys() & have.keys()) if want[k] != have[k]]
    if not lines and sha256_file(built / MANIFEST) != sha256_file(standoff / RELEASE_MANIFEST):
        lines.append(f"differs: {MANIFEST}")
    return lines


def rehydrate(standoff: Path, raw_dir: Path, out: Path, schema: Schema,
              reference: Corpus | None = None) -> list[Source]:
    """Rebuild the full release from the standoff folder and the user's raw files into `out`.
    The card's agreement and benchmark sections come from the annotation passes and
    prediction files of `reference` (a checkout of the release's tag), which a standoff does
    not carry; without it they say so, and the rebuilt card differs from one built with them.
    Refuses (before writing anything) a damaged standoff, another schema version, missing or
    different raw files, and a rebuilt release that is not byte-identical to the published."""
    from trisec.release.build import write_release

    manifest = open_release(standoff, "standoff").manifest  # a damaged download stops here
    _check_schema(manifest, schema, f"{standoff}/{MANIFEST}",
                  f"check out the trisec tag v{manifest.get('version')} "
                  "and rehydrate from there")
    check_replaceable(out, "release")
    sources = read_sources(standoff / SOURCES)
    files = verify_raw(sources, raw_dir)
    with tempfile.TemporaryDirectory(prefix="trisec-rehydrate-") as work, \
            staging_dir(out) as tmp:
        corpus = _stage_corpus(standoff, sources, files, Path(work), schema, reference)
        write_release(tmp, corpus, schema)
        diffs = _compare_release(tmp, standoff)
        if diffs:
            raise TrisecError([Problem(str(out), f"rebuilt release {d}",
                                       f"use trisec {schema.version} (tag v{schema.version})")
                               for d in diffs])
        swap_in(tmp, out)
    return sources
