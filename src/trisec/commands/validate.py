"""`trisec validate [--release DIR] [--docs] [--report FILE] [--json] | --define |
--catalogue [--quick] [--json]`."""

from __future__ import annotations

import json
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
@click.option("--json", "as_json", is_flag=True,
              help="Print the outcome (every suite and expectation; with --catalogue every "
                   "mutation) as JSON on stdout instead of tables.")
@click.option("--report", "report_file", type=click.Path(path_type=Path), default=None,
              help="Also write one self-contained HTML page of every suite and expectation "
                   "(no external URL: opens offline).")
def command(path: Path | None, docs: bool, define: bool, catalogue: bool, quick: bool,
            gold: Path | None, suites: tuple[str, ...], project: Path | None, as_json: bool,
            report_file: Path | None) -> None:
    """Run the validation suites on a release folder (default: dataset/); exit 1 on failure.

    Progress (each phase and suite, or mutation N of M) goes to stderr."""
    from rich.markup import escape

    from trisec.paths import DATASET_DIR, ROOT, VALIDATION_DIR
    from trisec.views.console import make_console, print_table, stage_progress

    console = make_console()
    errors = make_console(stderr=True)
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
        _catalogue(console, errors, project, gold or ROOT / "tests" / "fixtures" / "gold",
                   quick, as_json)
        return
    from trisec.validation.gate import run_validation

    with stage_progress(errors) as stage:
        report = run_validation(path or DATASET_DIR, project, docs=docs,
                                suites=list(suites) or None, progress=stage)
    if report_file:
        from trisec.validation.report import write_report

        write_report(report, report_file)
        errors.print(f"report: {report_file} (self-contained HTML)", soft_wrap=True)
    if as_json:
        click.echo(json.dumps(_as_dict(report), indent=2, ensure_ascii=False))
        if not report.success:
            raise SystemExit(1)
        return
    print_table(console, _table(report))
    for p in report.problems():
        console.print(f"[red]error[/]: {escape(str(p))}", highlight=False, soft_wrap=True)
    if report.docs_index:
        console.print(f"Data Docs: {report.docs_index.as_uri()} (styles load from public "
                      "CDNs: offline, use --report FILE)", soft_wrap=True)
    verdict = "[green]passed[/]" if report.success else "[red]FAILED[/]"
    phases = ", ".join(f"{k} {v:.1f}" for k, v in report.phases.items())
    console.print(f"{report.release}: {verdict} "
                  f"({sum(s.expectations for s in report.suites)} expectations, "
                  f"{report.seconds:.1f} s: {phases})", soft_wrap=True)
    if not report.success:
        raise SystemExit(1)


def _as_dict(report):  # type: ignore[no-untyped-def]
    import dataclasses

    return {"release": str(report.release), "success": report.success,
            "seconds": round(report.seconds, 3),
            "suites": [{**{k: v for k, v in dataclasses.asdict(s).items()
                           if k not in ("failures", "checks", "seconds")},
                        "checks": [dataclasses.asdict(c) for c in s.checks],
                        "failures": [dataclasses.asdict(f) for f in s.failures]}
                       for s in report.suites],
            "problems": [str(p) for p in report.problems()]}


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


def _catalogue(console, errors, project: Path, gold: Path, quick: bool,  # type: ignore[no-untyped-def]
               as_json: bool) -> None:
    import shutil

    from rich.markup import escape
    from rich.table import Table

    from trisec.pipeline.corpus import Corpus
    from trisec.release.build import default_corpus, write_release
    from trisec.schema import load_schema
    from trisec.validation import mutations as mu
    from trisec.validation.run import run_suites
    from trisec.validation.suites import copy_project
    from trisec.views.console import print_table, stage_progress

    schema = load_schema()
    work = mu.scratch_dir()
    total = len(mu.MUTATIONS)
    try:
        with stage_progress(errors) as stage:
            stage("catalogue: building the good release", 0, total + 1)
            # a scratch copy: the broken releases' results stay out of validation/uncommitted
            project = copy_project(project, work / "validation")
            # the good release: this checkout's raw texts and metadata with the given gold
            home = default_corpus()
            good = work / "good"
            good.mkdir()
            write_release(good, Corpus(home.raw_dir, home.metadata_dir, gold), schema)
            stage("catalogue: validating the untouched build", 0, total + 1)
            base = run_suites(good, project, schema)
            outcomes = []
            for i, m in enumerate(mu.MUTATIONS, 1):
                stage(f"mutation {i} of {total}: {m.name}", i, total + 1)
                outcomes.append(mu.check_mutation(good, work, m, schema, project,
                                                  [] if quick else None))
        caught = sum(o.caught for o in outcomes)
        if as_json:
            click.echo(json.dumps({
                "good_release": {"gold": str(gold), "passes": base.success,
                                 "failures": sum(len(s.failures) for s in base.suites)},
                "quick": quick, "caught": caught, "total": total,
                "mutations": [{"name": o.mutation.name, "description": o.mutation.description,
                               "caught": o.caught, "failing": o.failing,
                               "target": f"{o.target.suite}/{o.target.expectation}",
                               "message": o.message} for o in outcomes]}, indent=2))
        else:
            table = Table(title=f"mutation catalogue (good release: corpus/ + {gold})")
            for col in ("mutation", "caught", "failing", "caught by (target expectation)"):
                table.add_column(col, overflow="fold")
            table.add_row("(untouched build)",
                          "[green]passes[/]" if base.success else "[red]FAILS[/]",
                          str(sum(len(s.failures) for s in base.suites)), "")
            for o in outcomes:
                table.add_row(o.mutation.name, "[green]yes[/]" if o.caught else "[red]NO[/]",
                              str(len(o.failing)), f"{o.target.suite}/{o.target.expectation}")
            print_table(console, table)
            console.print("\n[bold]what the gate says about each[/]")
            for o in outcomes:
                console.print(f"[bold]{o.mutation.name}[/] ({escape(o.mutation.description)}): "
                              f"{escape(o.message)}", soft_wrap=True, highlight=False)
            console.print(f"{caught}/{total} mutations caught; untouched build "
                          f"{'passes' if base.success else 'FAILS'}"
                          + (" (quick: target suites only)" if quick else ""))
        if caught < total or not base.success:
            raise SystemExit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
