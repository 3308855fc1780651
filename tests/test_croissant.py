"""croissant.json: valid Croissant 1.1 (mlcroissant validate), checksums of every Parquet file,
records read back from the local files without any network access, vocabularies with names."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import build_release

from trisec.pipeline.corpus import Corpus
from trisec.schema import Schema

FLAT = ("mentions", "events", "arguments", "attributions")




@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _s(value: bytes | str) -> str:
    """mlcroissant returns Parquet strings as bytes and inline data as str."""
    return value.decode() if isinstance(value, bytes) else value


def _meta(release: Path) -> dict:
    return json.loads((release / "croissant.json").read_text(encoding="utf-8"))


def _offline_env() -> dict[str, str]:
    # a proxy on a closed local port: any HTTP(S) fetch by the CLI fails instead of going out
    dead = "http://127.0.0.1:9"
    return {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead,
            "https_proxy": dead, "NO_PROXY": "", "no_proxy": "", "HF_HUB_OFFLINE": "1"}


def _mlcroissant_cli() -> list[str]:
    exe = Path(sys.executable).with_name("mlcroissant")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "mlcroissant.scripts.cli"]


@pytest.mark.parametrize("which", ["gold_release", "bare_release"])
def test_mlcroissant_validate_cli_passes_offline(which: str, request: pytest.FixtureRequest
                                                 ) -> None:
    release = request.getfixturevalue(which)
    proc = subprocess.run([*_mlcroissant_cli(), "validate", "--jsonld",
                           str(release / "croissant.json")],
                          capture_output=True, text=True, env=_offline_env(),
                          cwd=release, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # not even a recommendation left unmet (datePublished was one)
    assert "warning" not in (proc.stdout + proc.stderr).lower(), proc.stdout + proc.stderr


def test_labels_are_linked_and_the_release_is_dated(gold_release: Path, schema: Schema,
                                                   no_network: None) -> None:
    """ner_tags references the label record set (a link, not only a description), whose
    keys cover every tag in the data; datePublished is the version's CHANGELOG date."""
    import mlcroissant as mlc

    from trisec.release.changelog import release_date

    meta = _meta(gold_release)
    assert meta["datePublished"] == release_date(schema.version) is not None
    sentences = next(rs for rs in meta["recordSet"] if rs["@id"] == "sentences")
    tags = next(f for f in sentences["field"] if f["name"] == "ner_tags")
    ref = tags["references"]["field"]["@id"]
    assert ref == "entity_bio/index"
    labels = next(rs for rs in meta["recordSet"] if rs["@id"] == ref.split("/")[0])
    assert labels["key"] == {"@id": ref}
    ds = mlc.Dataset(jsonld=str(gold_release / "croissant.json"))
    keys = {int(r[ref]) for r in ds.records(labels["@id"])}
    used = {int(t) for r in ds.records("sentences") for t in r["sentences/ner_tags"]}
    assert used and used <= keys


def test_every_parquet_file_has_its_sha256(gold_release: Path) -> None:
    files = {p.relative_to(gold_release).as_posix(): p
             for p in gold_release.rglob("*.parquet")}
    objects = {d["contentUrl"]: d for d in _meta(gold_release)["distribution"]
               if d["@type"] == "cr:FileObject"}
    assert set(objects) == set(files)
    for rel, path in files.items():
        assert objects[rel]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), rel
        assert objects[rel]["contentSize"] == f"{path.stat().st_size} B"
        assert objects[rel]["encodingFormat"] == "application/x-parquet"


def test_record_set_per_table_present_only_with_files(gold_release: Path,
                                                     bare_release: Path) -> None:
    with_gold = {rs["@id"] for rs in _meta(gold_release)["recordSet"]}
    bare = {rs["@id"] for rs in _meta(bare_release)["recordSet"]}
    assert {"documents", "sentences", *FLAT} <= with_gold
    # without gold the flat span tables have no file, so no record set may point at one
    assert not set(FLAT) & bare
    assert {"documents", "sentences"} <= bare


def test_mlcroissant_reads_every_table_from_local_parquet(gold_release: Path,
                                                          no_network: None) -> None:
    import mlcroissant as mlc

    ds = mlc.Dataset(jsonld=str(gold_release / "croissant.json"))
    # read each record set once: mlcroissant 1.1.1 yields nothing on a second records() call
    # for the same record set of one Dataset
    records = {c: list(ds.records(c)) for c in ("documents", "sentences", *FLAT)}
    for config, recs in records.items():
        table = pq.read_table(gold_release / "data" / config)
        assert len(recs) == table.num_rows, config
        got = sorted(r[f"{config}/doc_id"].decode() for r in recs)
        assert got == sorted(table.column("doc_id").to_pylist()), config
    labels = sorted(r["mentions/label"].decode() for r in records["mentions"])
    assert labels == sorted(pq.read_table(gold_release / "data" / "mentions")
                            .column("label").to_pylist())
    # a struct column comes back with its members
    doc = records["documents"][0]
    assert set(doc["documents/published"]) >= {"documents/published/value",
                                               "documents/published/confidence"}


def test_label_vocabularies_keep_their_names(gold_release: Path, schema: Schema,
                                            no_network: None) -> None:
    import mlcroissant as mlc

    ds = mlc.Dataset(jsonld=str(gold_release / "croissant.json"))
    bio = sorted((int(r["entity_bio/index"]), _s(r["entity_bio/name"]))
                 for r in ds.records("entity_bio"))
    # the integer -> name map HF's automatic Croissant loses for ClassLabel features
    assert [n for _, n in bio] == schema.entity_bio
    assert [i for i, _ in bio] == list(range(len(schema.entity_bio)))
    defs = {_s(r["entity_labels/name"]): _s(r["entity_labels/definition"])
            for r in ds.records("entity_labels")}
    assert set(defs) == set(schema.entity_labels)
    for item in schema.labels["entity_labels"]:
        assert defs[item["name"]] == " ".join(item["definition"].split())
    roles = {(_s(r["event_roles/event_type"]), _s(r["event_roles/name"]))
             for r in ds.records("event_roles")}
    assert roles == {(t, role) for t in schema.event_types for role in schema.roles_for(t)}
    # every label used in the data is a name of its vocabulary
    used = set(pq.read_table(gold_release / "data" / "mentions").column("label").to_pylist())
    assert used <= set(defs)


def test_croissant_is_deterministic(gold_release: Path, fixed_corpus: Corpus, schema: Schema,
                                    tmp_path: Path) -> None:
    again = build_release(tmp_path, fixed_corpus, schema, gold=True)
    assert (again / "croissant.json").read_bytes() == \
        (gold_release / "croissant.json").read_bytes()


def test_events_carry_their_arguments(gold_release: Path, no_network: None) -> None:
    """The events record set has each event's arguments (role, mention_id), read back by
    mlcroissant from the events Parquet, equal to that event's rows of the arguments record
    set in order; every mention_id names a mention of the same document."""
    import mlcroissant as mlc

    ds = mlc.Dataset(jsonld=str(gold_release / "croissant.json"))
    events = list(ds.records("events"))
    rows: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for r in ds.records("arguments"):
        rows.setdefault((_s(r["arguments/doc_id"]), _s(r["arguments/event_id"])), []).append(
            (_s(r["arguments/role"]), _s(r["arguments/mention_id"])))
    mentions = {(_s(r["mentions/doc_id"]), _s(r["mentions/mention_id"]))
                for r in ds.records("mentions")}
    carried = 0
    for e in events:
        key = (_s(e["events/doc_id"]), _s(e["events/event_id"]))
        args = [(_s(a["events/arguments/role"]), _s(a["events/arguments/mention_id"]))
                for a in e["events/arguments"]]
        assert args == rows.get(key, []), key
        assert len(args) == e["events/num_arguments"], key
        assert {(key[0], m) for _, m in args} <= mentions, key
        carried += len(args)
    assert carried == sum(len(v) for v in rows.values()) > 0


def test_record_set_keys_are_the_schema_keys(gold_release: Path, schema: Schema) -> None:
    """Every config's record set is keyed by its `key` in schema/dataset.yaml, and those
    columns do identify the rows of the Parquet files."""
    sets = {rs["@id"]: rs for rs in _meta(gold_release)["recordSet"]}
    configs = [c for c in schema.configs if (gold_release / "data" / c).is_dir()]
    assert {"documents", "sentences", *FLAT} <= set(configs)
    for config in configs:
        key = list(schema.configs[config].key)
        assert sets[config]["key"] == [{"@id": f"{config}/{k}"} for k in key], config
        rows = pq.read_table(gold_release / "data" / config, columns=key).to_pylist()
        assert len({tuple(r.values()) for r in rows}) == len(rows) > 0, config
