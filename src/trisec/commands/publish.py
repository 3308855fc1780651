"""`trisec publish --repo-id OWNER/NAME [--revision vX.Y.Z] [--dry-run] [--private]`."""

from __future__ import annotations

import click


@click.command("publish")
@click.option("--repo-id", required=True, help="Hub dataset repository, OWNER/NAME.")
@click.option("--revision", default=None,
              help="Tag to publish; must be v<version of schema/dataset.yaml> (the default).")
@click.option("--dry-run", is_flag=True,
              help="Print the plan (files, sizes, sha256, tag, message) and run the offline "
                   "checks; no network.")
@click.option("--private", is_flag=True, help="Create the repository private if it is new.")
def command(repo_id: str, revision: str | None, dry_run: bool, private: bool) -> None:
    """Upload the validated dataset/ to the Hugging Face Hub: one commit, one version tag.

    The token comes from `hf auth login` or HF_TOKEN, never from an option or a file here."""
    from trisec.errors import Problem, TrisecError
    from trisec.paths import DATASET_DIR, ROOT
    from trisec.release import build as b
    from trisec.release import publish as p
    from trisec.schema import load_schema

    schema = load_schema()
    plan = p.make_plan(repo_id, DATASET_DIR, ROOT, schema, private)
    click.echo("Publish plan" + (" (dry run: nothing is uploaded)" if dry_run else ""))
    for line in plan.lines():
        click.echo(line)
    if not dry_run:
        p.require_token()
    from trisec.views.console import make_console, stage_progress, with_progress

    try:
        with stage_progress(make_console(stderr=True)) as stage:  # progress on stderr
            checks = p.preflight(plan, revision=revision, root=ROOT, dataset_dir=DATASET_DIR,
                                 corpus=b.default_corpus(), schema=schema,
                                 validator=with_progress(b.default_validator(), stage),
                                 remote_tags=None if dry_run else p.hub_tags, progress=stage)
        click.echo("checks:")
        for c in checks:
            click.echo(c.line())
        problems = p.refusals(checks)
        if problems:
            raise TrisecError(problems)
        if dry_run:
            click.echo("dry run: every offline check passed; nothing was uploaded.")
            return
        info = p.upload(plan)
    except OSError as exc:  # huggingface_hub HTTP and offline-mode errors are OSErrors
        raise TrisecError(Problem(f"hub:{repo_id}", str(exc).splitlines()[0],
                                  "check the network, HF_HUB_OFFLINE and your token's "
                                  "write access")) from exc
    click.echo(f"published {repo_id}@{plan.tag}: {info.commit_url}")
