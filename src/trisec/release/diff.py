"""What changed between two releases: documents, metadata, every span layer, every config's
rows, and the schema users read (Arrow columns, HF features, label sets).

`load_release` reads a release folder; `diff_releases` is a pure function of two loaded
releases; `release_folder` turns a git revision into a temporary copy of its dataset/ folder.

Span items are matched by a key that identifies them in the document text: a mention by
(start, end), an event by its trigger, an argument by (trigger, filler mention), an
attribution by (content, cue, source mention) - several attributions share a content span
(one quote, two speakers). Same key with another label is "relabelled"; with another
attribute (realis, QID, ...) it is "changed". Should two items of one document still share a
key, the key is extended by label and attributes, so nothing is merged away. Ids (M1, E3,
...) are ignored: renumbering is not a change.

The schema is judged on what users load: each config's Arrow schema (columns and types) and
Hugging Face features (stored in every Parquet file), and the label sets published as
Croissant enumerations. A different schema fingerprint alone (an edited description) is not a
schema change. Configs are discovered from data/<config>/, so a new config is compared like
the others (rows added and removed, by content).
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import io
import json
import subprocess
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.schema import load_schema

_SCHEMA = load_schema()
LAYERS = _SCHEMA.span_tables  # the flat gold-layer configs, from schema/dataset.yaml
# per-document fields compared one by one: every scalar or struct column of `documents` but
# the id and the text (lists - removals, offset map, gold layers - are compared apart)
METADATA_FIELDS = tuple(c.name for c in _SCHEMA.configs["documents"].columns
                        if c.name not in ("doc_id", "text")
                        and not (isinstance(c.type, dict) and "list" in c.type))


@dataclass
class ConfigData:
    """One config of a release as users load it."""

    arrow: dict[str, str] = field(default_factory=dict)  # column -> Arrow type
    features: dict[str, Any] = field(default_factory=dict)  # column -> HF feature (JSON)
    rows: Counter[str] = field(default_factory=Counter)  # row content digest -> count


@dataclass
class Release:
    label: str
    version: str | None
    schema_sha256: str | None
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256 (manifest)
    configs: dict[str, ConfigData] = field(default_factory=dict)
    label_sets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # croissant


def _row_digest(row: dict[str, Any]) -> str:
    blob = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def load_config(tables: Iterable[Any]) -> ConfigData:
    """Arrow columns, HF features and row digests of a config's tables (one per split)."""
    out = ConfigData()
    for table in tables:
        if not out.arrow:
            out.arrow = {x.name: str(x.type) for x in table.schema}
            hf = (table.schema.metadata or {}).get(b"huggingface")
            out.features = json.loads(hf).get("info", {}).get("features", {}) if hf else {}
        out.rows.update(_row_digest(r) for r in table.to_pylist())
    return out


def load_label_sets(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """The enumeration record sets of croissant.json: label set -> rows (name, definition,
    ...), in order. {} for a release without croissant.json."""
    path = folder / "croissant.json"
    if not path.is_file():
        return {}
    meta = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for rs in meta.get("recordSet", []):
        if rs.get("dataType") != "sc:Enumeration":
            continue  # the splits present are compared through the documents
        prefix = f"{rs['@id']}/"
        out[rs["@id"]] = [{k.removeprefix(prefix): v for k, v in row.items()}
                          for row in rs.get("data", [])]
    return out


def load_release(folder: Path, label: str | None = None) -> Release:
    """Read every config (all splits), the manifest and the label sets of a release folder
    (opened through the one way in: checksums hold before anything is parsed)."""
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
        configs={c: load_config(opened.read_table(f) for f in opened.files(c))
                 for c in sorted({f["path"].split("/")[1] for f in manifest.get("files", [])
                                  if f["path"].startswith("data/")
                                  and f["path"].endswith(".parquet")})},
        label_sets=load_label_sets(folder),
    )


# -- span identities --------------------------------------------------------------------------
def _where(s: dict[str, Any] | None) -> tuple[int, int] | None:
    return None if not s else (int(s["start"]), int(s["end"]))


def _unique(pairs: list[tuple[tuple[Any, ...], dict[str, Any]]],
            ) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Keyed items; keys shared by several items of one document are extended by label and
    attributes (then by position), so no item is merged away."""
    seen = Counter(k for k, _ in pairs)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for key, v in pairs:
        if seen[key] > 1:
            key = (*key, v["label"], json.dumps(v["attrs"], sort_keys=True, default=str))
            n = 0
            while (*key, n) in out:
                n += 1
            key = (*key, n)
        out[key] = v
    return out


def layer_items(doc: dict[str, Any], layer: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """{identity: {text, label, attrs}} of one layer of one document row."""
    mentions = {m["id"]: m for m in doc.get("mentions") or []}
    qids = {e["id"]: e.get("qid") for e in doc.get("entities") or []}
    pairs: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    if layer == "mentions":
        for m in mentions.values():
            pairs.append(((m["start"], m["end"]), {
                "text": m["text"], "label": m["label"],
                "attrs": {"mention_type": m.get("mention_type"), "gpe_role": m.get("gpe_role"),
                          "timex_value": m.get("timex_value"),
                          "qid": qids.get(m.get("entity"))}}))
    elif layer == "events":
        for e in doc.get("events") or []:
            pairs.append((_where(e["trigger"]), {  # type: ignore[arg-type]
                "text": e["trigger"]["text"], "label": e["type"],
                "attrs": {"realis": e.get("realis"), "mode": e.get("mode")}}))
    elif layer == "arguments":
        for e in doc.get("events") or []:
            for a in e.get("arguments") or []:
                m = mentions.get(a["mention"])
                if m is None:
                    continue
                pairs.append(((*_where(e["trigger"]), m["start"], m["end"]), {  # type: ignore[misc]
                    "text": f"{e['trigger']['text']} -> {m['text']}", "label": a["role"],
                    "attrs": {"event_type": e["type"]}}))
    elif layer == "attributions":
        for q in doc.get("attributions") or []:
            src = mentions.get(q.get("source") or "")
            cue, source = _where(q.get("cue")), _where(src)
            text = q["content"]["text"]
            if q.get("cue"):
                text += f" | cue {q['cue']['text']!r}"
            if src:
                text += f" | source {src['text']!r}"
            # (content, cue, source): one content span may carry several attributions
            pairs.append(((*_where(q["content"]), *(cue or (None, None)),  # type: ignore[misc]
                           *(source or (None, None))),
                          {"text": text, "label": q["kind"], "attrs": {}}))
    return _unique(pairs)


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
    """Each (start, end) pair of a key at its moved place; a (None, None) pair (no cue, no
    source) and the label/attribute tail of a disambiguated key stay as they are."""
    out: list[Any] = []
    k = 0
    while k < len(key):
        a, b = key[k], key[k + 1] if k + 1 < len(key) else None
        if isinstance(a, int) and isinstance(b, int):
            pair = move(a, b)
            if pair is None:
                return None
            out += pair
            k += 2
        elif a is None and b is None and k + 1 < len(key):
            out += [None, None]
            k += 2
        else:
            out.append(a)
            k += 1
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

    def order(key: tuple[Any, ...]) -> tuple[Any, ...]:  # keys may hold None (no cue)
        return tuple((x is None, x if isinstance(x, int) else str(x)) for x in key)

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
    for key in sorted(b.keys() - a.keys(), key=order):
        out["added"].append(item(key, b[key]))
    for key in sorted(a.keys() - b.keys(), key=order):
        out["removed"].append(item(key, a[key]))
    for key in sorted(a.keys() & b.keys(), key=order):
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


def diff_schema(old: Release, new: Release) -> dict[str, Any]:
    """Configs added or removed; per shared config, columns added, removed or retyped (Arrow)
    and columns whose HF feature changed; label sets whose names changed (order included:
    ClassLabel integers follow it) and label definitions reworded."""
    shared = sorted(old.configs.keys() & new.configs.keys())
    columns: dict[str, dict[str, Any]] = {}
    for c in shared:
        a, b = old.configs[c], new.configs[c]
        change = {
            "added": [k for k in b.arrow if k not in a.arrow],
            "removed": [k for k in a.arrow if k not in b.arrow],
            "retyped": [{"column": k, "old": a.arrow[k], "new": b.arrow[k]}
                        for k in a.arrow if k in b.arrow and a.arrow[k] != b.arrow[k]],
            "features_changed": [k for k in a.features if k in b.features
                                 and a.features[k] != b.features[k]
                                 and a.arrow.get(k) == b.arrow.get(k)],
        }
        if any(change.values()):
            columns[c] = change
    labels: dict[str, dict[str, Any]] = {}
    reworded: dict[str, list[str]] = {}
    if old.label_sets and new.label_sets:  # a release without croissant.json says nothing
        for name in sorted(old.label_sets.keys() | new.label_sets.keys()):
            a_rows, b_rows = old.label_sets.get(name, []), new.label_sets.get(name, [])
            a_names = [r.get("name") for r in a_rows]
            b_names = [r.get("name") for r in b_rows]
            if a_names != b_names:
                labels[name] = {
                    "added": [n for n in b_names if n not in a_names],
                    "removed": [n for n in a_names if n not in b_names],
                    "reordered": [n for n in a_names if n in b_names]
                    != [n for n in b_names if n in a_names]}
            a_by, b_by = ({str(r.get("name")): r for r in rows} for rows in (a_rows, b_rows))
            words = [n for n in a_by.keys() & b_by.keys()
                     if a_by[n].get("definition") != b_by[n].get("definition")]
            if words:
                reworded[name] = sorted(words)
    out = {"configs_added": sorted(new.configs.keys() - old.configs.keys()),
           "configs_removed": sorted(old.configs.keys() - new.configs.keys()),
           "columns": columns, "label_sets": labels, "definitions_reworded": reworded}
    # breaking for code reading the old release: what it loads is gone or different
    out["changed"] = bool(out["configs_removed"] or columns or labels)
    return out


def diff_config_rows(old: Release, new: Release) -> dict[str, dict[str, int]]:
    """Rows per config, and how many were added or removed (matched by content)."""
    out = {}
    for c in sorted(old.configs.keys() | new.configs.keys()):
        a = old.configs[c].rows if c in old.configs else Counter()
        b = new.configs[c].rows if c in new.configs else Counter()
        out[c] = {"old": sum(a.values()), "new": sum(b.values()),
                  "added": sum((b - a).values()), "removed": sum((a - b).values())}
    return out


def suggested_bump(d: dict[str, Any]) -> str:
    """The smallest semver bump docs/VERSIONING.md asks for, given the changes."""
    moved = [x for x in d["documents"]["changed"] if "split" in x["fields"]]
    if d["schema"]["changed"] or d["documents"]["removed"] or moved:
        return "major"
    newly_filled = [layer for layer, s in d["layer_sizes"].items() if s[0] == 0 and s[1] > 0]
    if d["documents"]["added"] or newly_filled or d["schema"]["configs_added"]:
        return "minor"
    rows_changed = any(r["added"] or r["removed"] for r in d["configs"].values())
    if d["documents"]["changed"] or rows_changed or \
            any(any(v.values()) for v in d["layers"].values()):
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
    schema = diff_schema(old, new)
    result: dict[str, Any] = {
        "old": {"ref": old.label, "version": old.version, "documents": len(old.docs)},
        "new": {"ref": new.label, "version": new.version, "documents": len(new.docs)},
        "metadata": {
            "version_changed": old.version != new.version,
            "schema_changed": schema["changed"],
            "schema_fingerprint_changed": (old.schema_sha256 != new.schema_sha256
                                           and None not in (old.schema_sha256,
                                                            new.schema_sha256)),
            "files_added": sorted(files_new.keys() - files_old.keys()),
            "files_removed": sorted(files_old.keys() - files_new.keys()),
            "files_changed": sorted(k for k in files_old.keys() & files_new.keys()
                                    if files_old[k] != files_new[k]),
            # the schema summary by config and label set (details under "schema")
            "configs_added": schema["configs_added"],
            "configs_removed": schema["configs_removed"],
            "configs_changed": sorted(schema["columns"]),
            # None: a release without croissant.json, so label sets cannot be compared
            "vocabularies_changed": (None if not (old.label_sets and new.label_sets)
                                     else sorted(schema["label_sets"]) or False),
        },
        "schema": schema,
        "configs": diff_config_rows(old, new),
        "documents": {"added": [_doc_brief(new.docs[d]) for d in added],
                      "removed": [_doc_brief(old.docs[d]) for d in removed],
                      "changed": changed_docs},
        "layers": layers,
        "layer_sizes": {layer: [sum(len(layer_items(d, layer)) for d in r.docs.values())
                                for r in (old, new)] for layer in LAYERS},
    }
    result["suggested_bump"] = suggested_bump(result)
    result["actual_bump"] = actual_bump(old.version, new.version)
    result["nothing_to_release"] = result["suggested_bump"] == "none"
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
