"""`trisec validate [--release DIR] [--docs] | --define | --catalogue [--quick]`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("validate")
@click.option("--release", "path", type=click.Path(path_type=Path), default=None,
              help="Release folder to validate (default: dataset/).")
@click.option("--docs", is_flag=True,
              help="Also build Data Docs HTML (validation/uncommitted/data_docs/local_site/).")
@click.option("--define", is_flag=True,
              help="Regenerate the suites from schema/ into validation/ (then commit them).")
@click.option("--catalogue", is_flag=True,
              help="Break a good release in every catalogued way and show what catches each.")
@click.option("--quick", is_flag=True,
              help="With --catalogue: run only the suite each mutation targets.")
@click.option("--gold", type=click.Path(path_type=Path), default=None,
              help="With --catalogue: gold folder of the good release "
                   "(default: tests/fixtures/gold).")
@click.option("--suite", "suites", multiple=True,
              help="Run only this suite (repeatable); the build always runs all of them.")
@click.option("--project", type=click.Path(path_type=Path), default=None,
              help="Great Expectations project (default: validation/).")
def command(path: Path | None, docs: bool, define: bool, catalogue: bool, quick: bool,
            gold: Path | None, suites: tuple[str, ...], project: Path | None) -> None:
    """Run the validation suites on a release folder (default: dataset/); exit 1 on failure."""
    from rich.console import Console
    from rich.markup import escape

    from trisec.paths import DATASET_DIR, ROOT, VALIDATION_DIR

    console = Console()
    project = project or VALIDATION_DIR
    if define:
        from trisec.validation.gate import define_suites

        counts = define_suites(project)
        for name, n in counts:
            console.print(f"{name:13} {n:3} expectations")
        console.print(f"wrote {project} ({sum(n for _, n in counts)} expectations); "
                      "commit it with the schema change")
        return
    if catalogue:
        _catalogue(console, project, gold or ROOT / "tests" / "fixtures" / "gold", quick)
        return
    from trisec.validation.gate import run_validation

    report = run_validation(path or DATASET_DIR, project, docs=docs,
                            suites=list(suites) or None)
    console.print(_table(report))
    for p in report.problems():
        console.print(f"[red]error[/]: {escape(str(p))}", highlight=False, soft_wrap=True)
    if report.docs_index:
        console.print(f"Data Docs: {report.docs_index.as_uri()}", soft_wrap=True)
    verdict = "[green]passed[/]" if report.success else "[red]FAILED[/]"
    phases = ", ".join(f"{k} {v:.1f}" for k, v in report.phases.items())
    console.print(f"{report.release}: {verdict} "
                  f"({sum(s.expectations for s in report.suites)} expectations, "
                  f"{report.seconds:.1f} s: {phases})")
    if not report.success:
        raise SystemExit(1)


def _table(report):  # type: ignore[no-untyped-def]
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"validation of {report.release}")
    for col in ("suite", "expectations", "rows", "failed", "first failing rows", "s"):
        table.add_column(col, overflow="fold")
    for s in report.suites:
        first = ""
        if s.failures:
            f = s.failures[0]
            first = escape(f"{f.expectation}: {'; '.join(f.rows[:2]) or f.error or f.notes}")
        table.add_row(s.name, str(s.expectations), str(s.rows),
                      f"[red]{len(s.failures)}[/]" if s.failures else "0", first,
                      f"{s.seconds:.2f}")
    return table


def _catalogue(console, project: Path, gold: Path, quick: bool) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from rich.markup import escape
    from rich.table import Table

    from trisec.pipeline.corpus import Corpus
    from trisec.release.build import default_corpus, write_release
    from trisec.schema import load_schema
    from trisec.validation import mutations as mu
    from trisec.validation.run import run_suites
    from trisec.validation.suites import copy_project

    schema = load_schema()
    work = mu.scratch_dir()
    try:
        # a scratch copy: 33 broken releases' results stay out of validation/uncommitted
        project = copy_project(project, work / "validation")
        # the good release: this checkout's raw texts and metadata with the given gold
        home = default_corpus()
        good = work / "good"
        good.mkdir()
        write_release(good, Corpus(home.raw_dir, home.metadata_dir, gold), schema)
        base = run_suites(good, project, schema)
        table = Table(title=f"mutation catalogue (good release: corpus/ + {gold})")
        for col in ("mutation", "caught", "failing", "caught by (target expectation)"):
            table.add_column(col, overflow="fold")
        table.add_row("(untouched build)", "[green]passes[/]" if base.success else "[red]FAILS[/]",
                      str(sum(len(s.failures) for s in base.suites)), "")
        caught, messages = 0, []
        with console.status("mutating") as status:
            for m in mu.MUTATIONS:
                status.update(f"mutating: {m.name}")
                o = mu.check_mutation(good, work, m, schema, project, [] if quick else None)
                caught += o.caught
                table.add_row(m.name, "[green]yes[/]" if o.caught else "[red]NO[/]",
                              str(len(o.failing)), f"{o.target.suite}/{o.target.expectation}")
                messages.append(f"[bold]{m.name}[/] ({escape(m.description)}): "
                                f"{escape(o.message)}")
        console.print(table)
        console.print("\n[bold]what the gate says about each[/]")
        for line in messages:
            console.print(line, soft_wrap=True, highlight=False)
        console.print(f"{caught}/{len(mu.MUTATIONS)} mutations caught; untouched build "
                      f"{'passes' if base.success else 'FAILS'}"
                      + (" (quick: target suites only)" if quick else ""))
        if caught < len(mu.MUTATIONS) or not base.success:
            raise SystemExit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
