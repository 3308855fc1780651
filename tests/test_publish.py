"""Publishing: the dry-run plan, every refusal, and the upload sequence (no network).

Each test works in a throwaway git checkout (schema/, corpus/, a built dataset/, CHANGELOG.md)
so the git checks run on real repositories; the Hub is stood in for by plain functions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import pin

from trisec.document import doc_id_for
from trisec.documents.pins import read_checksums
from trisec.errors import Problem, TrisecError
from trisec.paths import METADATA_DIR, RAW_CHECKSUMS, RAW_DIR, SCHEMA_DIR, VALIDATION_DIR
from trisec.pipeline.corpus import Corpus
from trisec.release.build import write_release
from trisec.release.publish import (
    Check,
    Plan,
    changelog_entry,
    make_plan,
    preflight,
    refusals,
    require_token,
    upload,
)
from trisec.release.writer import read_manifest, sha256_file
from trisec.schema import Schema, load_schema
from trisec.validation.mutations import refresh_manifest

CHANGELOG = """# Changelog

## [Unreleased]

## [{v}] - 2026-01-01

The first release, as the test writes it.

### Added
- everything

## [0.0.9] - 2025-12-01

Not this one.

[{v}]: https://example.org/compare/v0.0.9...v{v}
"""


def git(root: Path, *args: str) -> str:
    res = subprocess.run(["git", "-C", str(root), "-c", "user.name=Test",
                          "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false",
                          *args], capture_output=True, text=True, check=True)
    return res.stdout


def checkout_corpus(root: Path) -> Corpus:
    return Corpus(root / "corpus" / "raw", root / "corpus" / "metadata",
                  root / "corpus" / "annotations" / "gold")


def manifest_checksums(release: Path) -> None:
    """A real (small) validator: every file the manifest lists has its recorded sha256."""
    bad = [Problem(f["path"], "checksum differs") for f in read_manifest(release)["files"]
           if sha256_file(release / f["path"]) != f["sha256"]]
    if bad:
        raise TrisecError(bad)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("checkout")
    shutil.copytree(SCHEMA_DIR, root / "schema")
    shutil.copytree(RAW_DIR, root / "corpus" / "raw")
    shutil.copyfile(RAW_CHECKSUMS, root / "corpus" / "raw.sha256")
    shutil.copytree(METADATA_DIR, root / "corpus" / "metadata")
    schema = load_schema(root / "schema")
    # written first: the build dates the release from it (croissant.json datePublished)
    (root / "CHANGELOG.md").write_text(CHANGELOG.format(v=schema.version), encoding="utf-8")
    (root / "dataset").mkdir()
    write_release(root / "dataset", checkout_corpus(root), schema)
    # the committed GX project, so the gate can run in the copy (its results stay there)
    shutil.copytree(VALIDATION_DIR, root / "validation",
                    ignore=shutil.ignore_patterns("uncommitted"))
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "release")
    return root


@pytest.fixture()
def root(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "repo")
    return tmp_path / "repo"


def run_checks(root: Path, plan: Plan | None = None, **kw: Any) -> list[Check]:
    schema = load_schema(root / "schema")
    plan = plan or make_plan("someone/trisec-news", root / "dataset", root, schema)
    args: dict[str, Any] = {"revision": None, "root": root, "dataset_dir": root / "dataset",
                            "corpus": checkout_corpus(root), "schema": schema,
                            "validator": manifest_checksums, "remote_tags": None}
    args.update(kw)
    return preflight(plan, **args)


def refused(checks: list[Check]) -> dict[str, list[Problem]]:
    return {c.name: c.problems for c in checks if c.problems}


def test_dry_run_plan_lists_files_sizes_checksums_tag_and_message(root: Path) -> None:
    schema = load_schema(root / "schema")
    plan = make_plan("someone/trisec-news", root / "dataset", root, schema, private=True)
    expected = sorted([(p.relative_to(root / "dataset").as_posix(), p)
                       for p in (root / "dataset").rglob("*") if p.is_file()]
                      + [("CHANGELOG.md", root / "CHANGELOG.md")])
    assert [(f.path, f.local) for f in plan.files] == expected
    for f in plan.files:
        data = f.local.read_bytes()
        assert (f.bytes, f.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert plan.tag == f"v{schema.version}" and plan.private
    assert plan.commit_message == f"Release v{schema.version}"
    assert plan.commit_description == ("The first release, as the test writes it.\n\n"
                                       "### Added\n- everything")
    text = "\n".join(plan.lines())
    for f in plan.files:
        assert f"{f.bytes:>10}  {f.sha256}  {f.path}" in text
    assert f"tag:        v{schema.version}" in text and "created private" in text
    checks = run_checks(root, plan)
    assert refusals(checks) == []
    assert [c.name for c in checks if c.skipped] == [f"tag v{schema.version} not on the Hub yet"]


def test_dry_run_reports_each_check_as_it_starts(root: Path) -> None:
    """Progress: check N of M, in order, with M the number of checks run."""
    heard: list[tuple[str, int, int]] = []
    checks = run_checks(root, progress=lambda name, done, total: heard.append(
        (name, done, total)))
    assert [n for n, _, _ in heard] == [f"check {i} of {len(checks)}: {c.name}"
                                        for i, c in enumerate(checks, 1)]
    assert [(d, t) for _, d, t in heard] == [(i, len(checks)) for i in range(len(checks))]


def test_release_notes_fall_back_to_the_schema(root: Path) -> None:
    git(root, "rm", "-q", "CHANGELOG.md")
    schema = load_schema(root / "schema")
    shutil.rmtree(root / "dataset")  # rebuilt: without CHANGELOG.md the release is undated
    (root / "dataset").mkdir()
    write_release(root / "dataset", checkout_corpus(root), schema)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "no changelog")
    plan = make_plan("someone/trisec-news", root / "dataset", root, schema)
    assert plan.commit_description == schema.dataset["release_notes"][schema.version].strip()
    assert changelog_entry("## [0.2.0]\n\nlater\n", "0.1.0") is None
    assert changelog_entry("## v0.1.0\nfirst\n## 0.0.1\nold\n", "0.1.0") == "first"
    no_notes = dataclasses.replace(plan, commit_description=None)
    assert list(refused(run_checks(root, no_notes))) == [
        f"release notes for {schema.version}"]


def test_refuses_a_dirty_working_tree(root: Path) -> None:
    meta = sorted((root / "corpus" / "metadata").glob("*.yaml"))[0]
    meta.write_text(meta.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    (root / "corpus" / "raw" / "zzz_new.txt").write_text("not committed\n", encoding="utf-8")
    (root / "scratch.txt").write_text("outside the guarded folders\n", encoding="utf-8")
    problems = refused(run_checks(root))
    dirty = problems.pop("working tree committed (dataset/, schema/, corpus/, top docs)")
    assert sorted(p.location for p in dirty) == [f"corpus/metadata/{meta.name}",
                                                  "corpus/raw/zzz_new.txt"]
    # the new raw file also makes dataset/ stale: both are reported, nothing else
    assert list(problems) == ["release is fresh (same bytes as a rebuild)"]


def test_refuses_a_stale_release(root: Path) -> None:
    card = root / "dataset" / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + "\nhand edit\n", encoding="utf-8")
    # edited behind the manifest's back: damaged, named before any check runs
    with pytest.raises(TrisecError, match="README.md: longer"):
        run_checks(root, validator=None)
    refresh_manifest(root / "dataset", load_schema(root / "schema"))  # consistent but stale
    git(root, "commit", "-qam", "edit the card by hand")
    problems = refused(run_checks(root, validator=None))
    assert [p.message for p in problems["release is fresh (same bytes as a rebuild)"]] == [
        "stale: differs: README.md", "stale: differs: manifest.json"]


def test_refuses_an_invalid_release_or_a_missing_gate(root: Path) -> None:
    def strict(release: Path) -> None:
        raise TrisecError(Problem("data/mentions/train", "label 'FOO' not in the schema"))

    problems = refused(run_checks(root, validator=strict))
    assert problems == {"release passes validation": [
        Problem("data/mentions/train", "label 'FOO' not in the schema")]}
    problems = refused(run_checks(root, validator=None))
    assert list(problems) == ["release passes validation"]
    assert "validation gate unavailable" in problems["release passes validation"][0].message


def test_refuses_a_version_already_tagged_on_the_hub(root: Path) -> None:
    schema = load_schema(root / "schema")
    asked: list[str] = []

    def hub(repo_id: str) -> set[str]:
        asked.append(repo_id)
        return {"v0.0.9", f"v{schema.version}"}

    problems = refused(run_checks(root, remote_tags=hub))
    assert asked == ["someone/trisec-news"]
    assert [p.location for p in problems[f"tag v{schema.version} not on the Hub yet"]] == [
        f"someone/trisec-news@v{schema.version}"]
    assert refused(run_checks(root, remote_tags=lambda repo: {"v0.0.9"})) == {}


def test_refuses_a_local_tag_of_this_version_with_other_data(root: Path) -> None:
    schema = load_schema(root / "schema")
    git(root, "tag", f"v{schema.version}")
    assert refused(run_checks(root)) == {}  # the tag is this very release: fine
    shutil.rmtree(root / "corpus" / "raw")
    shutil.copytree(RAW_DIR, root / "corpus" / "raw",
                    ignore=lambda d, names: sorted(names)[:1])  # one article fewer
    dropped = doc_id_for(read_checksums(RAW_CHECKSUMS)[sorted(p.name for p in
                                                              RAW_DIR.glob("*.txt"))[0]])
    (root / "corpus" / "metadata" / f"{dropped}.yaml").unlink()  # and its curated facts
    pin(root / "corpus" / "raw")
    shutil.rmtree(root / "dataset")
    (root / "dataset").mkdir()
    write_release(root / "dataset", checkout_corpus(root), schema)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "drop an article without a version bump")
    assert list(refused(run_checks(root))) == [f"git tag v{schema.version} not used for other data"]


def test_refuses_a_wrong_revision_or_repo_id_or_no_git(root: Path) -> None:
    schema = load_schema(root / "schema")
    problems = refused(run_checks(root, revision="v9.9.9"))
    assert list(problems) == [f"revision is v{schema.version} (schema/dataset.yaml version)"]
    plan = make_plan("trisec-news", root / "dataset", root, schema)
    assert list(refused(run_checks(root, plan))) == ["repository id is OWNER/NAME"]
    shutil.rmtree(root / ".git")
    problems = refused(run_checks(root))
    assert "not a git checkout" in problems[
        "working tree committed (dataset/, schema/, corpus/, top docs)"][0].message


def test_no_token_is_refused_before_any_upload(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    from huggingface_hub import constants

    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    with pytest.raises(TrisecError, match="not logged in"):
        require_token()
    monkeypatch.setenv("HF_TOKEN", "hf_" + "x" * 34)
    require_token()


class RecordingHub:
    """Stands in for huggingface_hub.HfApi: records calls, holds files of an older release."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def create_repo(self, repo_id: str, **kw: Any) -> None:
        self.calls.append(("create_repo", {"repo_id": repo_id, **kw}))

    def list_repo_files(self, repo_id: str, **kw: Any) -> list[str]:
        return [".gitattributes", "README.md", "data/old/train-00000-of-00001.parquet"]

    def create_commit(self, repo_id: str, operations: list[Any], **kw: Any) -> Any:
        self.calls.append(("create_commit", {"repo_id": repo_id, "operations": operations,
                                             **kw}))
        return type("Info", (), {"oid": "c0ffee", "commit_url": "https://hub/commit/c0ffee"})

    def create_tag(self, repo_id: str, **kw: Any) -> None:
        self.calls.append(("create_tag", {"repo_id": repo_id, **kw}))


def test_upload_is_one_commit_then_a_tag_on_it(root: Path) -> None:
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    schema: Schema = load_schema(root / "schema")
    plan = make_plan("someone/trisec-news", root / "dataset", root, schema, private=True)
    hub = RecordingHub()
    info = upload(plan, api=hub)
    assert info.oid == "c0ffee"
    assert [name for name, _ in hub.calls] == ["create_repo", "create_commit", "create_tag"]
    repo, commit, tag = (kw for _, kw in hub.calls)
    assert repo == {"repo_id": "someone/trisec-news", "repo_type": "dataset", "private": True,
                    "exist_ok": True}
    adds = [op for op in commit["operations"] if isinstance(op, CommitOperationAdd)]
    deletes = [op for op in commit["operations"] if isinstance(op, CommitOperationDelete)]
    assert [op.path_in_repo for op in adds] == [f.path for f in plan.files]
    assert [op.path_in_repo for op in deletes] == ["data/old/train-00000-of-00001.parquet"]
    assert commit["commit_description"] == plan.commit_description
    assert commit["repo_type"] == "dataset"
    assert tag["tag"] == f"v{schema.version}" and tag["revision"] == "c0ffee"


def _dry_run(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRISEC_ROOT": str(root), "HF_HUB_OFFLINE": "1"}
    trisec = Path(sys.executable).with_name("trisec")  # the installed console script
    return subprocess.run([str(trisec), "publish", "--repo-id", "someone/trisec-news",
                           "--dry-run"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_cli_dry_run_of_a_fresh_valid_release_passes_offline(root: Path) -> None:
    res = _dry_run(root)
    schema = load_schema(root / "schema")
    assert "Publish plan (dry run: nothing is uploaded)" in res.stdout
    assert f"tag:        v{schema.version}" in res.stdout
    readme = root / "dataset" / "README.md"
    assert f"{sha256_file(readme)}  README.md" in res.stdout
    assert "skipped  tag" in res.stdout
    assert "REFUSED" not in res.stdout, res.stdout
    assert res.returncode == 0, res.stderr
    # progress on stderr (piped: one line per check)
    n = len(run_checks(root))
    assert f"check 1 of {n}: " in res.stderr and f"check {n} of {n}: " in res.stderr
    assert "dry run: every offline check passed; nothing was uploaded." in res.stdout


def test_cli_dry_run_refuses_a_release_the_gate_cannot_pass(root: Path) -> None:
    shutil.rmtree(root / "validation")  # no GX project: validation cannot pass
    res = _dry_run(root)
    assert "Publish plan (dry run: nothing is uploaded)" in res.stdout
    assert "REFUSED  release passes validation" in res.stdout
    assert res.returncode == 1
    # after the progress lines (one per check), only the refusals
    n = len(run_checks(root))
    errors = res.stderr[res.stderr.index(f"check {n} of {n}: "):].splitlines()[1:]
    assert errors and all(line.startswith("error: ") for line in errors), res.stderr
    assert "Great Expectations" in res.stderr


