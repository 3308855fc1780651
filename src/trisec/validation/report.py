"""One self-contained HTML page summarising a validation run: every suite, every expectation
(why it exists, passed or failed, failing rows). `trisec validate --report FILE` writes it.

Great Expectations' Data Docs load their styles and scripts from public CDNs, so offline they
render unstyled; this page needs nothing but itself: inline CSS, no script, no external URL,
no file beside it. Every value is escaped (span texts and notes are data, not markup).
"""

from __future__ import annotations

import html
from pathlib import Path

from trisec.validation.run import Failure, Report

CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1d1d1f; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d0d5; padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f2f2f5; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td { overflow-wrap: anywhere; } td.x { font-family: ui-monospace, monospace; font-size: 13px; }
.pass { color: #1b7f3b; font-weight: 600; } .fail { color: #b3261e; font-weight: 600; }
.rows { font-family: ui-monospace, monospace; font-size: 13px; white-space: pre-wrap; }
.verdict { font-size: 1.2rem; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _status(ok: bool) -> str:
    return '<span class="pass">passed</span>' if ok else '<span class="fail">FAILED</span>'


def _failure_cell(f: Failure | None) -> str:
    if f is None:
        return ""
    if f.error:
        return _e(f"could not be evaluated: {f.error}")
    lines = list(f.rows)
    if f.unexpected is not None and f.unexpected > len(lines):
        lines.append(f"(+{f.unexpected - len(lines)} more)")
    return f'<div class="rows">{_e(chr(10).join(lines))}</div>'


def html_report(report: Report, title: str = "TRISEC validation report") -> str:
    """The page as a string (deterministic: the same report gives the same bytes)."""
    n_exp = sum(s.expectations for s in report.suites)
    n_fail = sum(len(s.failures) for s in report.suites)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{_e(title)}</title>", f"<style>{CSS}</style></head><body>",
           f"<h1>{_e(title)}</h1>",
           f'<p class="verdict">{_e(report.release)}: {_status(report.success)} '
           f"({n_exp} expectations in {len(report.suites)} suites, {n_fail} failed)</p>",
           "<table><tr><th>suite</th><th>expectations</th><th>rows checked</th>"
           "<th>failed</th><th>result</th></tr>"]
    for s in report.suites:
        out.append(f'<tr><td><a href="#suite-{_e(s.name)}">{_e(s.name)}</a></td>'
                   f'<td class="n">{s.expectations}</td><td class="n">{s.rows}</td>'
                   f'<td class="n">{len(s.failures)}</td><td>{_status(not s.failures)}</td></tr>')
    out.append("</table>")
    for s in report.suites:
        failures = {f.expectation: f for f in s.failures}
        out.append(f'<h2 id="suite-{_e(s.name)}">{_e(s.name)}: {_status(not s.failures)}</h2>')
        rows_col = "<th>failing rows</th>" if failures else ""  # only where something failed
        out.append("<table><tr><th>#</th><th>expectation</th><th>why it exists</th>"
                   f"<th>result</th>{rows_col}</tr>")
        for i, c in enumerate(s.checks, 1):
            counts = ""
            if c.unexpected is not None and c.total is not None:
                counts = f" ({c.unexpected} of {c.total} rows)" if not c.success else \
                    f" ({c.total} rows)"
            rows = f"<td>{_failure_cell(failures.get(c.expectation))}</td>" if failures else ""
            out.append(f'<tr><td class="n">{i}</td><td class="x">{_e(c.expectation)}</td>'
                       f"<td>{_e(c.notes)}</td><td>{_status(c.success)}{_e(counts)}</td>"
                       f"{rows}</tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_report(report: Report, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html_report(report), encoding="utf-8")
    return path
