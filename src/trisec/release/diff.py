"""What changed between two releases: documents, metadata and every span layer.

`load_release` reads a release folder (the `documents` config holds every layer, so it is
the one table compared); `diff_releases` is a pure function of two loaded releases;
`release_folder` turns a git revision into a temporary copy of its dataset/ folder.

Spans are identified by their offsets in the document text: a mention by (start, end), an
event by its trigger, an argument by (trigger, filler mention), an attribution by its
content span. Same identity with another label is "relabelled"; with another attribute
(realis, QID, cue, ...) it is "changed". Ids (M1, E3, ...) are ignored: renumbering is not
a change.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.schema import load_schema

LAYERS = load_schema().span_tables  # the flat gold-layer configs, from schema/dataset.yaml
METADATA_FIELDS = ("split", "source_file", "sha256", "title", "dateline", "published",
                   "outlet", "url", "language")


@dataclass
class Release:
    label: str
    version: str | None
    schema_sha256: str | None
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256 (manifest)
    # config -> its Hugging Face features (Parquet `huggingface` metadata), as JSON text
    configs: dict[str, str] = field(default_factory=dict)
    # label vocabularies as croissant.json publishes them (None: no croissant.json)
    vocabularies: dict[str, Any] | None = None


def _config_features(folder: Path) -> dict[str, str]:
    import pyarrow.parquet as pq

    out: dict[str, str] = {}
    for f in sorted((folder / "data").glob("*/*.parquet")):
        meta = pq.read_schema(f).metadata or {}
        features = json.loads(meta.get(b"huggingface", b"{}")).get("info", {}).get("features")
        out.setdefault(f.parent.name, json.dumps(features, sort_keys=True))
    return out


def _vocabularies(folder: Path) -> dict[str, Any] | None:
    path = folder / "croissant.json"
    if not path.is_file():
        return None
    meta = json.loads(path.read_text(encoding="utf-8"))
    # `splits` lists the splits that have documents: a first validation document is new
    # data (MINOR), not a changed label set
    return {r["@id"]: r["data"] for r in meta.get("recordSet", [])
            if "data" in r and r["@id"] != "splits"}


def load_release(folder: Path, label: str | None = None) -> Release:
    """Read the documents config (all splits) and the manifest of a release folder."""
    from trisec.release.opener import open_release

    opened = open_release(folder)
    docs: dict[str, dict[str, Any]] = {}
    meta: dict[str, Any] = {}
    for f in opened.files("documents"):
        table = opened.read_table(f)
        raw = (table.schema.metadata or {}).get(b"trisec")
        meta = meta or (json.loads(raw) if raw else {})
        for row in table.to_pylist():
            docs[row["doc_id"]] = row
    manifest = opened.manifest
    return Release(
        label=label or str(folder),
        version=manifest.get("version") or meta.get("version"),
        schema_sha256=manifest.get("schema_sha256") or meta.get("schema_sha256"),
        docs=docs,
        files={f["path"]: f["sha256"] for f in manifest.get("files", [])},
        configs=_config_features(folder),
        vocabularies=_vocabularies(folder),
    )


# -- span identities --------------------------------------------------------------------------
def _where(s: dict[str, Any] | None) -> tuple[int, int] | None:
    return None if not s else (int(s["start"]), int(s["end"]))


def layer_items(doc: dict[str, Any], layer: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """{identity: {text, label, attrs}} of one layer of one document row."""
    mentions = {m["id"]: m for m in doc.get("mentions") or []}
    qids = {e["id"]: e.get("qid") for e in doc.get("entities") or []}
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    if layer == "mentions":
        for m in mentions.values():
            out[(m["start"], m["end"])] = {
                "text": m["text"], "label": m["label"],
                "attrs": {"mention_type": m.get("mention_type"), "gpe_role": m.get("gpe_role"),
                          "timex_value": m.get("timex_value"),
                          "qid": qids.get(m.get("entity"))}}
    elif layer == "events":
        for e in doc.get("events") or []:
            out[_where(e["trigger"])] = {"text": e["trigger"]["text"], "label": e["type"],
                                         "attrs": {"realis": e.get("realis"),
                                                   "mode": e.get("mode")}}
    elif layer == "arguments":
        for e in doc.get("events") or []:
            for a in e.get("arguments") or []:
                m = mentions.get(a["mention"])
                if m is None:
                    continue
                out[(*_where(e["trigger"]), m["start"], m["end"])] = {  # type: ignore[misc]
                    "text": f"{e['trigger']['text']} -> {m['text']}", "label": a["role"],
                    "attrs": {"event_type": e["type"]}}
    elif layer == "attributions":
        for q in doc.get("attributions") or []:
            src = mentions.get(q.get("source") or "")
            out[_where(q["content"])] = {
                "text": q["content"]["text"], "label": q["kind"],
                "attrs": {"cue": _where(q.get("cue")), "source": _where(src)}}
    return out


def text_mapper(old: str, new: str) -> Callable[[int, int], tuple[int, int] | None]:
    """(start, end) in `old` -> (start, end) in `new` when the span's characters are unchanged
    text that only moved (difflib's matching blocks), else None. A changed text (a headline
    put before the body) moves every span after the change: those spans are the same spans."""
    blocks = difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks()

    def move(start: int, end: int) -> tuple[int, int] | None:
        for a, b, size in blocks:
            if a <= start and end <= a + size and end > start:
                return start - a + b, end - a + b
        return None
    return move


def _moved_key(key: tuple[Any, ...], move: Callable[[int, int], tuple[int, int] | None]
               ) -> tuple[Any, ...] | None:
    out: list[Any] = []
    for k in range(0, len(key), 2):
        pair = move(int(key[k]), int(key[k + 1]))
        if pair is None:
            return None
        out += pair
    return tuple(out)


def _moved_attrs(attrs: dict[str, Any], move: Callable[[int, int], tuple[int, int] | None]
                 ) -> dict[str, Any]:
    """Position-valued attributes (attribution cue and source) follow the text too."""
    return {k: (_moved_key(tuple(v), move) if isinstance(v, tuple) and len(v) == 2 else v)
            for k, v in attrs.items()}


def diff_layer(doc_id: str, old: dict[str, Any] | None, new: dict[str, Any] | None,
               layer: str) -> dict[str, list[dict[str, Any]]]:
    a = layer_items(old, layer) if old else {}
    b = layer_items(new, layer) if new else {}
    out: dict[str, list[dict[str, Any]]] = {"added": [], "removed": [], "relabelled": [],
                                            "changed": [], "moved": []}

    def item(key: tuple[Any, ...], v: dict[str, Any]) -> dict[str, Any]:
        return {"doc_id": doc_id, "span": list(key), "text": v["text"], "label": v["label"]}

    if old and new and old.get("text") != new.get("text"):
        # compare each old span at the place its unchanged text moved to
        move = text_mapper(str(old.get("text") or ""), str(new.get("text") or ""))
        moved: dict[tuple[Any, ...], dict[str, Any]] = {}
        for key, v in a.items():  # every old span at once: old positions may be reused
            to = _moved_key(key, move) or key
            if to != key and to in b:
                out["moved"].append({**item(to, b[to]), "old_span": list(key)})
            moved[to] = {**v, "attrs": _moved_attrs(v["attrs"], move)} if to != key else v
        a = moved
    for key in sorted(b.keys() - a.keys()):
        out["added"].append(item(key, b[key]))
    for key in sorted(a.keys() - b.keys()):
        out["removed"].append(item(key, a[key]))
    for key in sorted(a.keys() & b.keys()):
        x, y = a[key], b[key]
        if x["label"] != y["label"]:
            out["relabelled"].append({**item(key, y), "old": x["label"], "new": y["label"]})
        changes = {k: [x["attrs"].get(k), y["attrs"].get(k)] for k in y["attrs"]
                   if x["attrs"].get(k) != y["attrs"].get(k)}
        if changes:
            out["changed"].append({**item(key, y), "changes": changes})
    return out


# -- the whole diff --------------------------------------------------------------------------
def _doc_brief(d: dict[str, Any]) -> dict[str, Any]:
    return {"doc_id": d["doc_id"], "split": d["split"], "source_file": d["source_file"],
            "title": (d.get("title") or {}).get("value")}


def suggested_bump(d: dict[str, Any]) -> str:
    """The smallest semver bump docs/VERSIONING.md asks for, given the changes."""
    meta = d["metadata"]
    vocab = meta["vocabularies_changed"]  # a list, False, or None (cannot tell)
    if d["documents"]["removed"] or meta["configs_removed"] or meta["configs_changed"] or vocab:
        return "major"
    if meta["schema_changed"] and (not meta["configs_added"] or vocab is None):
        return "major"  # schema/ changed in a way the files do not show: assume the worst
    newly_filled = [layer for layer, s in d["layer_sizes"].items() if s[0] == 0 and s[1] > 0]
    if d["documents"]["added"] or newly_filled or meta["configs_added"]:
        return "minor"
    if d["documents"]["changed"] or any(any(v.values()) for v in d["layers"].values()):
        return "patch"
    return "none"


def actual_bump(old: str | None, new: str | None) -> str | None:
    try:
        a = [int(x) for x in str(old).split(".")[:3]]
        b = [int(x) for x in str(new).split(".")[:3]]
    except ValueError:
        return None
    if b <= a:
        return "none"
    return "major" if b[0] > a[0] else "minor" if b[1] > a[1] else "patch"


def diff_releases(old: Release, new: Release) -> dict[str, Any]:
    """Everything a user needs before upgrading from `old` to `new` (plain data)."""
    added = sorted(new.docs.keys() - old.docs.keys())
    removed = sorted(old.docs.keys() - new.docs.keys())
    changed_docs = []
    layers: dict[str, dict[str, list[dict[str, Any]]]] = {
        layer: {"added": [], "removed": [], "relabelled": [], "changed": [], "moved": []}
        for layer in LAYERS}
    for doc_id in sorted(old.docs.keys() | new.docs.keys()):
        a, b = old.docs.get(doc_id), new.docs.get(doc_id)
        for layer in LAYERS:
            for kind, items in diff_layer(doc_id, a, b, layer).items():
                layers[layer][kind] += items
        if a is None or b is None:
            continue
        fields = {k: {"old": a.get(k), "new": b.get(k)} for k in METADATA_FIELDS
                  if a.get(k) != b.get(k)}
        text_changed = a["text"] != b["text"]
        removals = [len(a.get("removed") or []), len(b.get("removed") or [])]
        if fields or text_changed or removals[0] != removals[1]:
            changed_docs.append({"doc_id": doc_id, "fields": fields,
                                 "text_changed": text_changed,
                                 "text_length": [len(a["text"]), len(b["text"])],
                                 "removals": removals})
    files_old, files_new = old.files, new.files
    result: dict[str, Any] = {
        "old": {"ref": old.label, "version": old.version, "documents": len(old.docs)},
        "new": {"ref": new.label, "version": new.version, "documents": len(new.docs)},
        "metadata": {
            "version_changed": old.version != new.version,
            "schema_changed": (old.schema_sha256 != new.schema_sha256
                               and None not in (old.schema_sha256, new.schema_sha256)),
            "files_added": sorted(files_new.keys() - files_old.keys()),
            "files_removed": sorted(files_old.keys() - files_new.keys()),
            "files_changed": sorted(k for k in files_old.keys() & files_new.keys()
                                    if files_old[k] != files_new[k]),
            "configs_added": sorted(new.configs.keys() - old.configs.keys()),
            "configs_removed": sorted(old.configs.keys() - new.configs.keys()),
            "configs_changed": sorted(k for k in old.configs.keys() & new.configs.keys()
                                      if old.configs[k] != new.configs[k]),
            # None: a release without croissant.json, so label sets cannot be compared
            "vocabularies_changed": (None if old.vocabularies is None or new.vocabularies is None
                                     else sorted(k for k in old.vocabularies.keys()
                                                 | new.vocabularies.keys()
                                                 if old.vocabularies.get(k)
                                                 != new.vocabularies.get(k)) or False),
        },
        "documents": {"added": [_doc_brief(new.docs[d]) for d in added],
                      "removed": [_doc_brief(old.docs[d]) for d in removed],
                      "changed": changed_docs},
        "layers": layers,
        "layer_sizes": {layer: [sum(len(layer_items(d, layer)) for d in r.docs.values())
                                for r in (old, new)] for layer in LAYERS},
    }
    result["suggested_bump"] = suggested_bump(result)
    result["actual_bump"] = actual_bump(old.version, new.version)
    return result


# -- release folders from git revisions --------------------------------------------------------
def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)


@contextlib.contextmanager
def release_folder(ref: str, repo: Path, subdir: str = "dataset") -> Iterator[Path]:
    """`ref` itself when it is a folder; else the `subdir` of git revision `ref`, extracted
    into a temporary folder that is removed afterwards."""
    path = Path(ref)
    if path.is_dir():
        yield path
        return
    rev = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if rev.returncode != 0:
        raise TrisecError(Problem(ref, "neither a folder nor a git revision",
                                  "pass a release folder (e.g. dataset/) or a revision "
                                  "(e.g. v0.1.0, HEAD~1)"))
    commit = rev.stdout.decode().strip()
    archive = _git(repo, "archive", "--format=tar", commit, f"{subdir}/")
    if archive.returncode != 0:
        raise TrisecError(Problem(f"{ref}:{subdir}/", f"no {subdir}/ at this revision "
                                  f"({archive.stderr.decode().strip()})",
                                  "pick a revision where the release was committed"))
    with tempfile.TemporaryDirectory(prefix="trisec-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / subdir


def schema_fingerprint_at(ref: str, repo: Path) -> str | None:
    """Fingerprint of the schema/ the release `ref` was built from, computed by this code:
    the working tree's for the repository's own dataset/ folder, the revision's for a git
    revision, None for any other folder. (A stored fingerprint may come from an older
    fingerprint function, so two releases are compared by recomputing both.)"""
    import yaml

    from trisec.schema import fingerprint_of

    path = Path(ref)
    try:
        if path.is_dir():
            if path.resolve() != (repo / "dataset").resolve():
                return None
            read = [(repo / "schema" / f).read_text(encoding="utf-8")
                    for f in ("dataset.yaml", "labels.yaml")]
        else:
            shown = [_git(repo, "show", f"{ref}:schema/{f}") for f in ("dataset.yaml",
                                                                        "labels.yaml")]
            if any(r.returncode != 0 for r in shown):
                return None
            read = [r.stdout.decode("utf-8") for r in shown]
        dataset, labels = (yaml.safe_load(t) for t in read)
        return fingerprint_of(dataset, labels)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def diff_refs(old: str, new: str, repo: Path) -> dict[str, Any]:
    with release_folder(old, repo) as a, release_folder(new, repo) as b:
        x, y = load_release(a, old), load_release(b, new)
    fx, fy = schema_fingerprint_at(old, repo), schema_fingerprint_at(new, repo)
    if fx is not None and fy is not None:
        x.schema_sha256, y.schema_sha256 = fx, fy
    return diff_releases(x, y)
