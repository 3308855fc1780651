"""`trisec diff`: documents, metadata and span changes between two real builds (release
folders and git revisions), and the semver bump they call for (docs/VERSIONING.md)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import pin

from trisec.cli import main
from trisec.errors import TrisecError
from trisec.pipeline.corpus import Corpus
from trisec.release.build import write_release
from trisec.release.diff import diff_layer, diff_refs, diff_releases, load_release, release_folder
from trisec.schema import Schema

GOLD_FIXTURES = Path(__file__).parent / "fixtures" / "gold"
EDITED = "tsn-dfec04a09cb98e59"      # gold edited between R1 and R2
DROPPED_RAW = "004_fd7d536830c83d2c.txt"
DROPPED = "tsn-8d916232446cf2d2"     # its doc id
META_CHANGED = "tsn-8c452dc6c0717403"


def _corpus(tmp: Path, repo: Corpus) -> Corpus:
    raw, meta, gold = tmp / "raw", tmp / "metadata", tmp / "gold"
    shutil.copytree(repo.raw_dir, raw)
    shutil.copytree(repo.metadata_dir, meta)
    gold.mkdir()
    return Corpus(raw, meta, gold)


def _one_article(tmp: Path, repo: Corpus, doc_id: str) -> Corpus:
    """A corpus of one article of `repo` (its raw file and metadata), empty gold."""
    c = Corpus(tmp / "raw", tmp / "metadata", tmp / "gold")
    for d in (c.raw_dir, c.metadata_dir, c.gold_dir):
        d.mkdir(parents=True)
    [raw] = [p for p in repo.raw_paths() if hashlib.sha256(p.read_bytes()).hexdigest()
             .startswith(doc_id.removeprefix("tsn-"))]
    shutil.copy(raw, c.raw_dir / raw.name)
    shutil.copy(repo.metadata_dir / f"{doc_id}.yaml", c.metadata_dir / f"{doc_id}.yaml")
    return c


def _write(corpus: Corpus, schema: Schema, out: Path) -> Path:
    pin(corpus.raw_dir)  # the corpus as this release has it, pinned like `trisec add` does
    out.mkdir(parents=True)
    write_release(out, corpus, schema)
    return out


def _edit_gold(ann: dict) -> None:
    """Hand-made corrections of the kind a PATCH release carries."""
    by_id = {m["id"]: m for m in ann["mentions"]}
    assert by_id["M12"]["text"] == "leader" and by_id["M12"]["label"] == "TITLE"
    by_id["M12"]["label"] = "PER"                                           # relabel
    ann["mentions"] = [m for m in ann["mentions"] if m["id"] != "M15"]      # "President"
    for e in ann["entities"]:
        if e["name"] == "Russia":
            e["qid"] = None                                                 # QID change
    events = {e["id"]: e for e in ann["events"]}
    events["V4"]["realis"] = "OTHER"                                        # attribute
    events["V1"]["arguments"] = [a for a in events["V1"]["arguments"]
                                 if a["mention"] != "M4"]                   # drop "Jeju"
    ann["attributions"][0]["kind"] = "direct"                               # relabel


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory, fixed_corpus: Corpus,
             schema: Schema) -> dict[str, Path]:
    repo_corpus = fixed_corpus  # exact numbers: a corpus that never grows
    tmp = tmp_path_factory.mktemp("diff")
    # R0: no gold
    c0 = _corpus(tmp / "c0", repo_corpus)
    r0 = _write(c0, schema, tmp / "r0")
    # R1: the hand-made gold of two documents
    for f in GOLD_FIXTURES.glob("*.json"):
        shutil.copy(f, c0.gold_dir / f.name)
    r1 = _write(c0, schema, tmp / "r1")
    # R2: one article dropped, one added, a metadata fact changed, gold corrected
    c2 = _corpus(tmp / "c2", repo_corpus)
    for f in GOLD_FIXTURES.glob("*.json"):
        shutil.copy(f, c2.gold_dir / f.name)
    (c2.raw_dir / DROPPED_RAW).unlink()
    (c2.metadata_dir / f"{DROPPED}.yaml").unlink()
    # a different article (an edited copy of one would be refused as a near-duplicate)
    new_bytes = (Path(__file__).parent / "fixtures" / "new_article" /
                 "005_new_article.txt").read_bytes()
    (c2.raw_dir / "005_added.txt").write_bytes(new_bytes)
    meta_path = c2.metadata_dir / f"{META_CHANGED}.yaml"
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    meta["outlet"]["value"] = "Press TV (Iran)"
    meta_path.write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    gold_path = c2.gold_dir / f"{EDITED}.json"
    ann = json.loads(gold_path.read_text(encoding="utf-8"))
    _edit_gold(ann)
    gold_path.write_text(json.dumps(ann), encoding="utf-8")
    r2 = _write(c2, schema, tmp / "r2")
    added_id = "tsn-" + hashlib.sha256(new_bytes).hexdigest()[:16]
    return {"r0": r0, "r1": r1, "r2": r2, "added_id": Path(added_id)}


def _count(d: dict, layer: str, kind: str) -> int:
    return len(d["layers"][layer][kind])


def test_gold_added_is_a_minor_change(releases: dict[str, Path]) -> None:
    d = diff_releases(load_release(releases["r0"]), load_release(releases["r1"]))
    fixtures = [json.loads(f.read_text(encoding="utf-8")) for f in GOLD_FIXTURES.glob("*.json")]
    assert _count(d, "mentions", "added") == sum(len(a["mentions"]) for a in fixtures)
    assert _count(d, "events", "added") == sum(len(a["events"]) for a in fixtures)
    assert _count(d, "arguments", "added") == sum(len(e["arguments"]) for a in fixtures
                                                  for e in a["events"])
    assert _count(d, "attributions", "added") == sum(len(a["attributions"]) for a in fixtures)
    assert all(_count(d, layer, k) == 0 for layer in d["layers"]
               for k in ("removed", "relabelled", "changed"))
    assert d["documents"] == {"added": [], "removed": [], "changed": []}
    assert d["suggested_bump"] == "minor"  # layers filled for the first time
    assert d["actual_bump"] == "none"      # both builds carry the same schema version
    new_files = {f for f in d["metadata"]["files_added"] if f.startswith("data/")}
    assert new_files == {p.relative_to(releases["r1"]).as_posix()
                         for p in releases["r1"].glob("data/*/*.parquet")} - \
        {p.relative_to(releases["r0"]).as_posix()
         for p in releases["r0"].glob("data/*/*.parquet")}


def test_documents_metadata_and_span_corrections(releases: dict[str, Path]) -> None:
    d = diff_releases(load_release(releases["r1"]), load_release(releases["r2"]))
    assert [x["doc_id"] for x in d["documents"]["added"]] == [str(releases["added_id"])]
    assert [x["doc_id"] for x in d["documents"]["removed"]] == [DROPPED]
    changed = {x["doc_id"]: x for x in d["documents"]["changed"]}
    assert set(changed) == {META_CHANGED}
    outlet = changed[META_CHANGED]["fields"]["outlet"]
    assert outlet["old"]["value"] == "Press TV" and outlet["new"]["value"] == "Press TV (Iran)"
    assert not changed[META_CHANGED]["text_changed"]

    mentions = d["layers"]["mentions"]
    assert [(x["text"], x["old"], x["new"]) for x in mentions["relabelled"]] == \
        [("leader", "TITLE", "PER")]
    assert [(x["text"], x["label"]) for x in mentions["removed"]] == [("President", "TITLE")]
    assert [(x["text"], x["changes"]) for x in mentions["changed"]] == \
        [("Russia", {"qid": ["Q159", None]})]
    assert mentions["added"] == []
    events = d["layers"]["events"]
    assert [(x["text"], x["changes"]) for x in events["changed"]] == \
        [("ratified", {"realis": ["ACTUAL", "OTHER"]})]
    assert events["added"] == events["removed"] == events["relabelled"] == []
    args = d["layers"]["arguments"]
    assert [(x["text"], x["label"]) for x in args["removed"]] == [("exercise -> Jeju", "place")]
    attributions = d["layers"]["attributions"]
    assert [(x["old"], x["new"]) for x in attributions["relabelled"]] == [("indirect", "direct")]
    # the dropped document had no gold, so no span of it is reported
    assert all(x["doc_id"] == EDITED for layer in d["layers"].values()
               for items in layer.values() for x in items)
    assert d["suggested_bump"] == "major"  # an article was removed


def test_same_release_has_no_changes(releases: dict[str, Path]) -> None:
    d = diff_releases(load_release(releases["r2"]), load_release(releases["r2"]))
    assert d["suggested_bump"] == "none" and d["nothing_to_release"]
    assert not any(d["metadata"][k] for k in ("files_added", "files_removed", "files_changed"))
    assert not d["schema"]["changed"] and not d["metadata"]["schema_fingerprint_changed"]
    assert all(r["added"] == r["removed"] == 0 for r in d["configs"].values())
    res = CliRunner().invoke(main, ["diff", str(releases["r2"]), str(releases["r2"])])
    assert res.exit_code == 0 and "nothing to release" in res.output
    assert "version bump" not in res.output


# --- attributions that share a content span ---------------------------------------------------

def test_relabelling_one_of_two_attributions_of_one_quote_is_reported(
        tmp_path: Path, fixed_corpus: Corpus, schema: Schema) -> None:
    """One quote, two speakers: relabelling the second attribution is a change of its own."""
    corpus = _one_article(tmp_path / "c", fixed_corpus, EDITED)
    ann = json.loads((GOLD_FIXTURES / f"{EDITED}.json").read_text(encoding="utf-8"))
    [q1] = ann["attributions"]
    speaker = next(m for m in ann["mentions"] if m["text"] == "United States")
    q2 = {**json.loads(json.dumps(q1)), "id": "Q2", "source": speaker["id"]}
    ann["attributions"].append(q2)
    gold_path = corpus.gold_dir / f"{EDITED}.json"
    gold_path.write_text(json.dumps(ann), encoding="utf-8")
    before = _write(corpus, schema, tmp_path / "before")
    q2["kind"] = "direct" if q1["kind"] != "direct" else "indirect"
    gold_path.write_text(json.dumps(ann), encoding="utf-8")
    after = _write(corpus, schema, tmp_path / "after")

    d = diff_releases(load_release(before), load_release(after))
    assert d["layer_sizes"]["attributions"] == [2, 2]  # two items, not one merged
    [x] = d["layers"]["attributions"]["relabelled"]
    assert (x["old"], x["new"]) == (q1["kind"], q2["kind"])
    assert "'United States'" in x["text"]  # the one whose speaker is the United States
    assert not any(d["layers"]["attributions"][k] for k in ("added", "removed", "changed"))
    assert d["suggested_bump"] == "patch"
    res = CliRunner().invoke(main, ["diff", str(before), str(after)])
    assert f"attributions relabelled: {EDITED}" in res.output
    assert f"{q1['kind']} -> {q2['kind']}" in res.output


def test_shared_keys_never_merge_items() -> None:
    """Two events on one trigger (same key) stay two items; changing one is seen."""
    trig = {"start": 0, "end": 5, "text": "talks"}
    old = {"mentions": [], "entities": [], "attributions": [],
           "events": [{"id": "V1", "type": "MEET", "realis": "ACTUAL", "mode": None,
                       "trigger": trig, "arguments": []},
                      {"id": "V2", "type": "STATEMENT", "realis": "ACTUAL", "mode": None,
                       "trigger": trig, "arguments": []}]}
    new = json.loads(json.dumps(old))
    new["events"][1]["realis"] = "OTHER"
    diff = diff_layer("d", old, new, "events")
    assert len(diff["added"]) == len(diff["removed"]) == 1  # the changed one, not both
    assert diff["removed"][0]["label"] == "STATEMENT"


# --- the schema users load -------------------------------------------------------------------

def _copy(release: Path, tmp: Path) -> Path:
    out = tmp / "copy"
    shutil.copytree(release, out)
    return out


def _resign(release: Path) -> None:
    """Re-list the edited files' checksums in manifest.json (the opener checks them)."""
    from trisec.schema import load_schema
    from trisec.validation.mutations import refresh_manifest

    refresh_manifest(release, load_schema())


def test_a_new_schema_fingerprint_alone_is_not_a_schema_change(releases: dict[str, Path],
                                                               tmp_path: Path) -> None:
    new = _copy(releases["r2"], tmp_path)
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    manifest["schema_sha256"] = "0" * 64  # e.g. a column description was reworded
    (new / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    d = diff_releases(load_release(releases["r2"]), load_release(new))
    assert d["metadata"]["schema_fingerprint_changed"] and not d["schema"]["changed"]
    assert d["suggested_bump"] == "none"


def test_a_retyped_column_is_a_major_change(releases: dict[str, Path], tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    new = _copy(releases["r2"], tmp_path)
    for f in (new / "data" / "mentions").glob("*.parquet"):
        table = pq.read_table(f)
        i = table.schema.get_field_index("start")
        pq.write_table(table.set_column(i, "start", table.column(i).cast(pa.int64())), f)
    _resign(new)
    d = diff_releases(load_release(releases["r2"]), load_release(new))
    assert d["schema"]["changed"] and d["suggested_bump"] == "major"
    assert d["schema"]["columns"]["mentions"]["retyped"] == [
        {"column": "start", "old": "int32", "new": "int64"}]


def test_a_label_added_is_a_major_change(releases: dict[str, Path], tmp_path: Path) -> None:
    new = _copy(releases["r2"], tmp_path)
    meta = json.loads((new / "croissant.json").read_text(encoding="utf-8"))
    labels = next(rs for rs in meta["recordSet"] if rs["@id"] == "entity_labels")
    labels["data"].append({"entity_labels/name": "WEAPON", "entity_labels/definition": "x"})
    (new / "croissant.json").write_text(json.dumps(meta), encoding="utf-8")
    _resign(new)
    d = diff_releases(load_release(releases["r2"]), load_release(new))
    assert d["schema"]["label_sets"] == {"entity_labels": {"added": ["WEAPON"], "removed": [],
                                                           "reordered": False}}
    assert d["suggested_bump"] == "major"


def test_a_new_config_is_compared_like_the_others(releases: dict[str, Path],
                                                  tmp_path: Path) -> None:
    """A config this code has never heard of (say, prompts) is found in data/ and its rows
    are counted; adding it is a minor change, changing its rows a patch."""
    new = _copy(releases["r2"], tmp_path)
    shutil.copytree(new / "data" / "mentions", new / "data" / "novel")
    _resign(new)
    d = diff_releases(load_release(releases["r2"]), load_release(new))
    assert d["schema"]["configs_added"] == ["novel"] and not d["schema"]["changed"]
    assert d["configs"]["novel"]["old"] == 0 and \
        d["configs"]["novel"]["new"] == d["configs"]["mentions"]["new"] > 0
    assert d["suggested_bump"] == "minor"
    newer = tmp_path / "newer"
    shutil.copytree(new, newer)
    import pyarrow.parquet as pq
    f = next((newer / "data" / "novel").glob("*.parquet"))
    table = pq.read_table(f)
    pq.write_table(table.slice(1), f)  # one row fewer
    _resign(newer)
    d = diff_releases(load_release(new), load_release(newer))
    assert d["configs"]["novel"]["removed"] == 1 and d["suggested_bump"] == "patch"


def test_renumbered_ids_are_not_changes() -> None:
    old = {"mentions": [{"id": "M1", "start": 0, "end": 5, "text": "Japan", "label": "GPE",
                         "entity": "E1"},
                        {"id": "M2", "start": 10, "end": 15, "text": "Seoul", "label": "GPE",
                         "entity": "E2"}],
           "entities": [{"id": "E1", "qid": "Q17"}, {"id": "E2", "qid": "Q8684"}],
           "events": [{"id": "V1", "type": "MEET", "realis": "ACTUAL", "mode": "remote",
                       "trigger": {"start": 6, "end": 9, "text": "met"},
                       "arguments": [{"role": "participant", "mention": "M1"}]}],
           "attributions": []}
    new = json.loads(json.dumps(old))
    new["mentions"] = [{**m, "id": "N" + m["id"], "entity": "F" + m["entity"]}
                       for m in reversed(new["mentions"])]
    new["entities"] = [{**e, "id": "F" + e["id"]} for e in new["entities"]]
    new["events"][0]["arguments"][0]["mention"] = "NM1"
    for layer in ("mentions", "events", "arguments", "attributions"):
        assert not any(diff_layer("d", old, new, layer).values()), layer
    new["events"][0]["arguments"][0]["role"] = "place"
    new["events"][0]["mode"] = "in-person"
    assert [x["new"] for x in diff_layer("d", old, new, "arguments")["relabelled"]] == ["place"]
    assert diff_layer("d", old, new, "events")["changed"][0]["changes"] == \
        {"mode": ["remote", "in-person"]}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                    *args], check=True, capture_output=True)


def test_git_revisions_compare_like_folders(releases: dict[str, Path], tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "README").write_text("no release yet\n")
    _git(repo, "add", "README")
    _git(repo, "commit", "-q", "-m", "empty")
    for name in ("r0", "r1"):
        shutil.rmtree(repo / "dataset", ignore_errors=True)
        shutil.copytree(releases[name], repo / "dataset")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", name)
    by_git = diff_refs("HEAD~1", "HEAD", repo)
    by_folder = diff_releases(load_release(releases["r0"]), load_release(releases["r1"]))
    for key in ("documents", "layers", "layer_sizes", "metadata", "suggested_bump"):
        assert by_git[key] == by_folder[key], key
    assert by_git["old"]["ref"] == "HEAD~1"
    # a folder on one side, a revision on the other
    mixed = diff_refs("HEAD~1", str(releases["r1"]), repo)
    assert mixed["layers"] == by_folder["layers"]
    with pytest.raises(TrisecError, match="no dataset/ at this revision"), \
            release_folder("HEAD~2", repo):
        pass
    with pytest.raises(TrisecError, match="neither a folder nor a git revision"), \
            release_folder("no-such-ref", repo):
        pass
    with pytest.raises(TrisecError, match="not a release"):
        load_release(tmp_path)


def test_cli_text_and_json(releases: dict[str, Path]) -> None:
    from trisec.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["diff", str(releases["r1"]), str(releases["r2"]), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["suggested_bump"] == "major"
    assert d["layers"]["mentions"]["relabelled"][0]["old"] == "TITLE"
    res = runner.invoke(main, ["diff", str(releases["r1"]), str(releases["r2"])])
    assert res.exit_code == 0, res.output
    for text in (f"document added: {releases['added_id']}", f"document removed: {DROPPED}",
                 f"document changed: {META_CHANGED}", "'Press TV' -> 'Press TV (Iran)'",
                 "leader", "TITLE -> PER", "realis: ACTUAL -> OTHER", "major version bump",
                 "did not increase"):
        assert text in res.output, text
    bad = runner.invoke(main, ["diff", "no-such-ref", str(releases["r2"])])
    assert bad.exit_code == 1 and "neither a folder nor a git revision" in bad.output


def test_spans_whose_text_only_moved_are_moved_not_added_and_removed() -> None:
    """A headline put before the body moves every span after it: the diff reports them as
    moved (with the old offsets) and lists as added only what is new."""
    body = "South Korea and Japan held talks. Japan said the talks went well."
    head = "Japan, S. Korea meet\n\n"

    def doc(text: str, shift: int, headline: bool) -> dict:
        def m(mid: str, surface: str, start: int, ent: str) -> dict:
            return {"id": mid, "start": start + shift, "end": start + shift + len(surface),
                    "text": surface, "label": "GPE", "mention_type": "NAM", "gpe_role": "GOV",
                    "entity": ent, "timex_value": None}
        ms = [m("M1", "South Korea", 0, "E1"), m("M2", "Japan", 16, "E2"),
              m("M3", "Japan", 34, "E2")]
        if headline:
            ms.append({**m("M4", "Japan", 0, "E2"), "start": 0, "end": 5})
        talks = {"start": 27 + shift, "end": 32 + shift, "text": "talks"}
        said = {"start": 40 + shift, "end": 44 + shift, "text": "said"}
        content = {"start": 45 + shift, "end": 64 + shift, "text": body[45:64]}
        return {"text": text, "mentions": ms,
                "entities": [{"id": "E1", "qid": "Q884"}, {"id": "E2", "qid": "Q17"}],
                "events": [{"type": "MEET", "realis": "ACTUAL", "mode": "in-person",
                            "trigger": talks,
                            "arguments": [{"role": "participant", "mention": "M1"}]}],
                "attributions": [{"kind": "indirect", "content": content, "cue": said,
                                  "source": "M3"}]}

    old, new = doc(body, 0, False), doc(head + body, len(head), True)
    assert new["text"][new["mentions"][2]["start"]:][:5] == "Japan"
    d = {layer: diff_layer("tsn-x", old, new, layer)
         for layer in ("mentions", "events", "arguments", "attributions")}
    assert [x["text"] for x in d["mentions"]["added"]] == ["Japan"]
    assert d["mentions"]["added"][0]["span"] == [0, 5]
    assert len(d["mentions"]["moved"]) == 3 and not d["mentions"]["removed"]
    assert d["mentions"]["moved"][0]["old_span"] == [0, 11]
    for layer in ("events", "arguments", "attributions"):
        assert len(d[layer]["moved"]) == 1, layer
        assert not any(d[layer][k] for k in ("added", "removed", "relabelled", "changed"))


def _without_prompts(release: Path, out: Path) -> Path:
    """A copy of a release as it looked before the prompts config (its files and manifest
    entries gone)."""
    shutil.copytree(release, out)
    shutil.rmtree(out / "data" / "prompts")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = [f for f in manifest["files"] if not f["path"].startswith("data/prompts/")]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return out


def test_a_new_config_is_shown_and_calls_for_a_minor_bump(release: Path, tmp_path: Path) -> None:
    old = load_release(_without_prompts(release, tmp_path / "old"))
    d = diff_releases(old, load_release(release))
    assert d["metadata"]["configs_added"] == ["prompts"]
    assert d["metadata"]["configs_removed"] == [] == d["metadata"]["configs_changed"]
    assert d["metadata"]["vocabularies_changed"] is False
    assert d["suggested_bump"] == "minor"
    # and the other way round, a config removed is a major change
    assert diff_releases(load_release(release), old)["suggested_bump"] == "major"
    res = CliRunner().invoke(main, ["diff", str(tmp_path / "old"), str(release)])
    assert "config added: prompts" in res.output


def test_a_changed_label_set_calls_for_a_major_bump(release: Path, tmp_path: Path,
                                                   schema: Schema) -> None:
    from trisec.validation.mutations import refresh_manifest

    new = tmp_path / "new"
    shutil.copytree(release, new)
    croissant = json.loads((new / "croissant.json").read_text(encoding="utf-8"))
    vocab = next(r for r in croissant["recordSet"] if r["@id"] == "event_types")
    vocab["data"] = vocab["data"][:-1]  # an event type removed
    (new / "croissant.json").write_text(json.dumps(croissant), encoding="utf-8")
    refresh_manifest(new, schema)
    d = diff_releases(load_release(release), load_release(new))
    assert d["metadata"]["vocabularies_changed"] == ["event_types"]
    assert d["suggested_bump"] == "major"
