"""Publish a release to the Hugging Face Hub: a plan, the checks that refuse it, the upload.

One commit per release (every file of dataset/ plus the top-level DATASHEET/CHANGELOG/LICENSE,
and deletions of Hub files the release no longer has), message = the version's changelog entry,
then a tag `v<version>` on that commit so `load_dataset(repo, revision="v0.1.0")` keeps
returning exactly this release. The version comes from schema/dataset.yaml only.

Nothing here reads a token: huggingface_hub finds it in its own login store or HF_TOKEN.
The dry run builds the same plan and runs every check that needs no network; the Hub tag
check is a function argument so tests can stand in for the Hub.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.pipeline.corpus import Corpus
from trisec.release.archive import DOC_FILES, distribution_files
from trisec.release.writer import read_manifest, sha256_file
from trisec.schema import Schema

REPO_TYPE = "dataset"
TAG_PREFIX = "v"
GUARDED = ("dataset", "schema", "corpus")  # must be committed: what the release is built from

RemoteTags = Callable[[str], set[str]]
Validator = Callable[[Path], None]


@dataclass(frozen=True)
class PlannedFile:
    path: str  # path in the Hub repository
    local: Path
    bytes: int
    sha256: str


@dataclass
class Plan:
    repo_id: str
    version: str
    tag: str
    commit_message: str
    commit_description: str | None
    private: bool
    files: list[PlannedFile] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The plan as printed by `trisec publish` (dry run or not)."""
        visibility = "private" if self.private else "public"
        total = sum(f.bytes for f in self.files)
        out = [f"repository: {self.repo_id} (type {REPO_TYPE}, created {visibility} if missing; "
               "an existing repository keeps its visibility)",
               f"version:    {self.version}",
               f"tag:        {self.tag} (on the new commit)",
               f"commit:     {self.commit_message}"]
        out += [f"            {line}" for line in (self.commit_description or "").splitlines()]
        out.append(f"files:      {len(self.files)} ({total} bytes)")
        out += [f"  {f.bytes:>10}  {f.sha256}  {f.path}" for f in self.files]
        out.append("Hub files not listed above are deleted in the same commit "
                   "(.gitattributes is kept).")
        return out


@dataclass
class Check:
    name: str
    problems: list[Problem] = field(default_factory=list)
    skipped: str | None = None  # why the check did not run

    def line(self) -> str:
        if self.skipped:
            return f"  skipped  {self.name}: {self.skipped}"
        return f"  {'REFUSED' if self.problems else 'ok':<7}  {self.name}"


# --- the plan --------------------------------------------------------------------------------
def changelog_entry(changelog: str, version: str) -> str | None:
    """The body of the `## [X.Y.Z]` (or `## X.Y.Z` / `## vX.Y.Z`) section of a Keep a
    Changelog file, without link definitions; None when the version has no entry."""
    head = re.compile(rf"^##[ \t]+\[?v?{re.escape(version)}\]?([ \t].*)?$", re.M)
    m = head.search(changelog)
    if not m:
        return None
    nxt = re.compile(r"^##\s", re.M).search(changelog, m.end())
    body = changelog[m.end():nxt.start() if nxt else len(changelog)]
    lines = [ln for ln in body.strip().splitlines() if not re.match(r"^\[[^\]]+\]:\s*\S+", ln)]
    return "\n".join(lines).strip() or None


def release_notes(root: Path, schema: Schema) -> str | None:
    """CHANGELOG.md's entry for the schema version, else schema/dataset.yaml release_notes."""
    path = root / "CHANGELOG.md"
    if path.is_file():
        entry = changelog_entry(path.read_text(encoding="utf-8"), schema.version)
        if entry:
            return entry
    notes = (schema.dataset.get("release_notes") or {}).get(schema.version)
    return str(notes).strip() if notes else None


def make_plan(repo_id: str, dataset_dir: Path, root: Path, schema: Schema,
              private: bool = False) -> Plan:
    files = [PlannedFile(name, p, p.stat().st_size, sha256_file(p))
             for name, p in distribution_files(dataset_dir, root)]
    return Plan(repo_id, schema.version, TAG_PREFIX + schema.version,
                f"Release {TAG_PREFIX}{schema.version}", release_notes(root, schema), private,
                files)


# --- the checks ------------------------------------------------------------------------------
def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=False)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def check_clean_tree(root: Path, dataset_dir: Path) -> list[Problem]:
    """Uncommitted or untracked changes under dataset/, schema/, corpus/ and the top docs."""
    specs = [_rel(dataset_dir, root), *GUARDED[1:], *DOC_FILES]
    res = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *specs)
    if res.returncode != 0:
        return [Problem(str(root), "not a git checkout: cannot show the release is committed",
                        "publish from a clone of the repository")]
    return [Problem(line[3:], f"uncommitted change ({line[:2].strip()})",
                    "commit or revert it, then publish")
            for line in res.stdout.splitlines() if line.strip()]


def check_local_tag(root: Path, dataset_dir: Path, tag: str) -> list[Problem]:
    """Offline tag check: a git tag of this version that points at a different dataset/
    means the version was already released with other data."""
    if _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}").returncode != 0:
        return []
    diff = _git(root, "diff", "--quiet", tag, "HEAD", "--", _rel(dataset_dir, root))
    if diff.returncode == 0:
        return []
    return [Problem(f"git tag {tag}", f"{tag} is already tagged in git with a different "
                    f"{_rel(dataset_dir, root)}/",
                    "bump `version` in schema/dataset.yaml (and add its release notes)")]


def hub_tags(repo_id: str) -> set[str]:
    """Tags of the dataset repository on the Hub (none when it does not exist yet)."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import RepositoryNotFoundError

    try:
        refs = HfApi().list_repo_refs(repo_id, repo_type=REPO_TYPE)
    except RepositoryNotFoundError:
        return set()
    return {t.name for t in refs.tags}


def _repo_id_problems(plan: Plan) -> list[Problem]:
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(plan.repo_id)
        if plan.repo_id.count("/") != 1:
            raise HFValidationError("no owner")
    except HFValidationError as exc:
        return [Problem(plan.repo_id, f"not a repository id: {exc}",
                        "use --repo-id OWNER/NAME")]
    return []


def _revision_problems(plan: Plan, revision: str | None) -> list[Problem]:
    if revision and revision != plan.tag:
        return [Problem("--revision", f"{revision} != {plan.tag}",
                        "the version comes from schema/dataset.yaml: bump it there")]
    return []


def _notes_problems(plan: Plan) -> list[Problem]:
    if not plan.commit_description:
        return [Problem("CHANGELOG.md", f"no entry for {plan.version} (nor release_notes in "
                        "schema/dataset.yaml)",
                        f"add a `## [{plan.version}]` section to CHANGELOG.md")]
    return []


def _version_problems(plan: Plan, dataset_dir: Path) -> list[Problem]:
    found = read_manifest(dataset_dir).get("version")
    if found != plan.version:
        return [Problem(f"{dataset_dir}/manifest.json", f"version {found} != {plan.version}",
                        "run `trisec build` and commit dataset/")]
    return []


def _stale_problems(dataset_dir: Path, corpus: Corpus, schema: Schema) -> list[Problem]:
    from trisec.release.build import check as stale_check

    try:
        return [Problem(str(dataset_dir), f"stale: {d}", "run `trisec build` and commit dataset/")
                for d in stale_check(dataset_dir, corpus, schema)]
    except TrisecError as exc:  # the corpus does not even build
        return exc.problems


def _validation_problems(validator: Validator | None, dataset_dir: Path) -> list[Problem]:
    if validator is None:
        return [Problem("trisec.validation.gate", "validation gate unavailable: an unvalidated "
                        "release is never published",
                        "install the validation module (trisec.validation.gate)")]
    try:
        validator(dataset_dir)
    except TrisecError as exc:
        return exc.problems
    return []


def _hub_tag(c: Check, plan: Plan, remote_tags: RemoteTags | None) -> None:
    if remote_tags is None:
        c.skipped = "dry run: no network (checked when publishing)"
    elif plan.tag in remote_tags(plan.repo_id):
        c.problems.append(Problem(f"{plan.repo_id}@{plan.tag}", "this version is already "
                                  "published (tags are never moved)",
                                  "bump `version` in schema/dataset.yaml"))


def preflight(plan: Plan, *, revision: str | None, root: Path, dataset_dir: Path,
              corpus: Corpus, schema: Schema, validator: Validator | None,
              remote_tags: RemoteTags | None,
              progress: Callable[[str, int, int], None] | None = None) -> list[Check]:
    """Every reason to refuse this publication, as named checks (cheap ones first).
    `progress(stage, done, total)` hears each check as it starts (the rebuild and the gate
    take most of the time)."""
    def problems(find: Callable[[], list[Problem]]) -> Callable[[Check], None]:
        return lambda c: c.problems.extend(find())

    steps: list[tuple[str, Callable[[Check], None]]] = [
        ("repository id is OWNER/NAME", problems(lambda: _repo_id_problems(plan))),
        (f"revision is {plan.tag} (schema/dataset.yaml version)",
         problems(lambda: _revision_problems(plan, revision))),
        (f"release notes for {plan.version}", problems(lambda: _notes_problems(plan))),
        ("release folder has the schema version",
         problems(lambda: _version_problems(plan, dataset_dir))),
        ("working tree committed (dataset/, schema/, corpus/, top docs)",
         problems(lambda: check_clean_tree(root, dataset_dir))),
        (f"git tag {plan.tag} not used for other data",
         problems(lambda: check_local_tag(root, dataset_dir, plan.tag))),
        ("release is fresh (same bytes as a rebuild)",
         problems(lambda: _stale_problems(dataset_dir, corpus, schema))),
        ("release passes validation", problems(lambda: _validation_problems(validator,
                                                                             dataset_dir))),
        (f"tag {plan.tag} not on the Hub yet", lambda c: _hub_tag(c, plan, remote_tags)),
    ]
    checks: list[Check] = []
    for k, (name, run) in enumerate(steps):
        if progress:
            progress(f"check {k + 1} of {len(steps)}: {name}", k, len(steps))
        c = Check(name)
        run(c)
        checks.append(c)
    return checks


def require_token() -> None:
    """The token comes from huggingface_hub's own store or HF_TOKEN, never from us."""
    from huggingface_hub import get_token

    if not get_token():
        raise TrisecError(Problem("huggingface_hub", "not logged in to the Hugging Face Hub",
                                  "run `hf auth login` or set HF_TOKEN in the environment"))


# --- the upload ------------------------------------------------------------------------------
def upload(plan: Plan, api: Any = None) -> Any:
    """Create the repo if needed, make the one release commit, tag it. Returns CommitInfo."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi

    api = api or HfApi()
    api.create_repo(plan.repo_id, repo_type=REPO_TYPE, private=plan.private or None,
                    exist_ok=True)
    planned = {f.path for f in plan.files}
    remote = api.list_repo_files(plan.repo_id, repo_type=REPO_TYPE)
    ops: list[Any] = [CommitOperationAdd(path_in_repo=f.path, path_or_fileobj=str(f.local))
                      for f in plan.files]
    ops += [CommitOperationDelete(path_in_repo=p) for p in sorted(remote)
            if p not in planned and p != ".gitattributes"]
    info = api.create_commit(plan.repo_id, ops, commit_message=plan.commit_message,
                             commit_description=plan.commit_description, repo_type=REPO_TYPE)
    api.create_tag(plan.repo_id, tag=plan.tag, tag_message=plan.commit_message,
                   revision=info.oid, repo_type=REPO_TYPE)
    return info


def refusals(checks: list[Check]) -> list[Problem]:
    return [p for c in checks for p in c.problems]
