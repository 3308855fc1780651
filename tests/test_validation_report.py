"""`trisec validate --report FILE`: one self-contained HTML page of every suite and expectation
(no external URL), checked in headless Chromium like the rendered articles."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from trisec.cli import main
from trisec.paths import VALIDATION_DIR
from trisec.pipeline.corpus import Corpus
from trisec.release.build import default_corpus, write_release
from trisec.validation.mutations import MUTATIONS, mutate
from trisec.validation.suites import copy_project, suite_specs

GOLD_FIXTURE = Path(__file__).parent / "fixtures" / "gold"
CHROMIUM = Path("/usr/bin/chromium")
BROKEN_BY = "unknown_label"  # a mention label outside labels.yaml: one failing expectation
PASS_GREEN, FAIL_RED = "#1b7f3b", "#b3261e"  # the report's CSS colours


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(VALIDATION_DIR, tmp_path_factory.mktemp("gx") / "validation")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory, schema) -> Path:  # type: ignore[no-untyped-def]
    home = default_corpus()
    good = tmp_path_factory.mktemp("good")
    write_release(good, Corpus(home.raw_dir, home.metadata_dir, GOLD_FIXTURE), schema)
    [mutation] = [m for m in MUTATIONS if m.name == BROKEN_BY]
    out = tmp_path_factory.mktemp("broken") / "release"
    mutate(good, out, mutation, schema)
    return out


@pytest.fixture(scope="module")
def written(broken: Path, project: Path, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Path, str]:
    """(the report file, the command's output) of `trisec validate --report` on `broken`."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    res = CliRunner().invoke(main, ["validate", "--release", str(broken), "--project", str(project),
                                    "--report", str(out)])
    assert res.exit_code == 1, res.output  # the broken release fails, and the report says so
    return out, res.output


def test_report_lists_every_suite_and_expectation_and_the_failure(written, schema) -> None:  # type: ignore[no-untyped-def]
    path, output = written
    page = path.read_text(encoding="utf-8")
    import html

    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for spec in suite_specs(schema):
        assert f'id="suite-{spec.name}"' in page, spec.name
        for e in spec.expectations:
            assert e.label in text, (spec.name, e.label)
            assert " ".join(e.notes.split()) in " ".join(text.split()), e.label
    n = sum(len(spec.expectations) for spec in suite_specs(schema))
    assert text.count("passed") + text.count("FAILED") >= n  # a result for each
    assert re.search(r"mentions: +FAILED", text)  # the suite the mutation broke
    assert len(re.findall(r"\bFAILED\b", text)) >= 3  # verdict, suite row, the expectation
    assert "(self-contained HTML)" in output
    n = len(suite_specs(schema))
    assert f"validate: suite 1 of {n} (" in output and f"suite {n} of {n} (" in output


def test_report_is_self_contained(written) -> None:  # type: ignore[no-untyped-def]
    page = written[0].read_text(encoding="utf-8")
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", page, re.I)  # no external URL
    assert "<script" not in page and "<link" not in page and " src=" not in page
    assert not re.search(r'href="(?!#)', page)  # only in-page anchors


def pixels_of(png: Path, hex_color: str) -> int:
    import matplotlib.image as mpimg
    import numpy as np

    img = (mpimg.imread(png)[..., :3] * 255).round().astype(int)
    rgb = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(img - rgb).max(axis=-1) <= 40).sum())


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="Debian chromium not installed at "
                    "/usr/bin/chromium (apt-get install chromium); .ci/run installs it")
def test_chromium_renders_the_report_offline(written, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = written[0].as_uri()
    base = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
            # any request leaving the machine fails: what shows is what the file holds
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
    dom = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "TRISEC validation report" in dom and "FAILED" in dom
    shot = tmp_path / "report.png"
    subprocess.run([*base, "--window-size=1200,1400", f"--screenshot={shot}", url],
                   capture_output=True, text=True, timeout=120, check=True)
    # the inline CSS was applied: coloured verdicts are painted
    assert pixels_of(shot, PASS_GREEN) > 100
    assert pixels_of(shot, FAIL_RED) > 20
