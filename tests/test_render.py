"""`trisec render` (HTML pages with displaCy spans, checked in headless Chromium) and
`trisec plot` (label-distribution PNG)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner

from trisec.annotation.gold import read_annotation
from trisec.cli import main
from trisec.paths import CORPUS_DIR, RAW_DIR
from trisec.pipeline.corpus import Corpus
from trisec.release.build import write_release
from trisec.release.stats import layer_counts
from trisec.schema import Schema, load_schema
from trisec.views.palette import label_colors
from trisec.views.plot import figure, write_plot
from trisec.views.render import DisplaySpan, display_colors, paragraph_markup, render_release

GOLD_FIXTURES = Path(__file__).parent / "fixtures" / "gold"
DOC_A = "tsn-0a03047450b14bf5"
NO_GOLD = "tsn-8c452dc6c0717403"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory, schema: Schema) -> Path:
    """A release of the real corpus with the two hand-made gold fixtures as its gold."""
    base = tmp_path_factory.mktemp("render")
    gold = base / "gold"
    shutil.copytree(GOLD_FIXTURES, gold)
    out = base / "release"
    out.mkdir()
    write_release(out, Corpus(RAW_DIR, CORPUS_DIR / "metadata", gold), schema)
    return out


@pytest.fixture(scope="module")
def site(release: Path, tmp_path_factory: pytest.TempPathFactory, schema: Schema) -> Path:
    out = tmp_path_factory.mktemp("site")
    render_release(release, out, schema)
    return out


def published_ids(release: Path) -> set[str]:
    return {r["doc_id"] for r in pq.read_table(release / "data" / "documents",
                                                columns=["doc_id"]).to_pylist()}


class VisibleText(HTMLParser):
    """Text a reader sees, without displaCy's span labels; plus the labels drawn."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.labels: list[str] = []
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self._label_depth:
            self._label_depth += 1
        elif a.get("class") == "trisec-span":
            self.labels.append(str(a.get("data-label")))
            self._label_depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self._label_depth:
            self._label_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._label_depth:
            self.text.append(data)

    def words(self) -> str:
        return " ".join("".join(self.text).split())


def visible(markup: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(markup)
    return parser


def gold_labels(ann: dict[str, Any]) -> Counter[str]:
    """The labels a page must draw for an annotation file, one per span."""
    labels = Counter(m["label"] for m in ann["mentions"])
    labels.update(e["type"] for e in ann["events"])
    labels.update(f"QUOTE {q['kind']}" for q in ann["attributions"])
    labels.update("CUE" for q in ann["attributions"] if q.get("cue"))
    return labels


def test_overlapping_spans_are_stacked_and_the_text_reads_as_published(
        schema: Schema) -> None:
    text = "Kim said: “Seoul is ready,” in Tokyo on Monday."
    q0, q1 = text.index("Seoul"), text.index("ready,") + len("ready,")
    spans = [DisplaySpan(0, 3, "PER"), DisplaySpan(4, 8, "CUE"),
             DisplaySpan(q0, q1, "QUOTE direct"),  # the quote holds a mention
             DisplaySpan(q0, q0 + 5, "GPE", "Q8684"),
             DisplaySpan(text.index("Tokyo"), text.index("Tokyo") + 5, "GPE")]

    markup = paragraph_markup(text, 0, spans, display_colors(schema))

    seen = visible(markup)
    assert sorted(seen.labels) == sorted(s.label for s in spans)
    assert seen.words() == text  # no space inserted after “ or before the comma
    assert 'href="https://www.wikidata.org/wiki/Q8684"' in markup
    assert label_colors(schema)["GPE"] in markup


def test_a_span_crossing_paragraphs_is_drawn_in_each(schema: Schema) -> None:
    text = "First paragraph ends here.\n\nSecond one starts."
    span = DisplaySpan(6, text.index("starts"), "QUOTE indirect")
    first = paragraph_markup(text[:26], 0, [span], display_colors(schema))
    second = paragraph_markup(text[28:], 28, [span], display_colors(schema))
    assert visible(first).labels == ["QUOTE indirect"]
    assert visible(second).labels == ["QUOTE indirect"]
    assert visible(second).words() == "Second one starts."


def test_pages_show_every_gold_span_and_the_index_lists_metadata(site: Path,
                                                                release: Path) -> None:
    assert sorted(p.name for p in site.iterdir()) == sorted(
        [".trisec-output", "index.html",
         *(f"{doc_id}.html" for doc_id in published_ids(release))])
    for path in GOLD_FIXTURES.glob("*.json"):
        ann = read_annotation(path)
        page = visible((site / f"{ann['doc_id']}.html").read_text(encoding="utf-8"))
        assert Counter(page.labels) == gold_labels(ann)
        assert f"{len(ann['mentions'])} mentions, {len(ann['entities'])} entities" in \
            page.words()
    empty = (site / f"{NO_GOLD}.html").read_text(encoding="utf-8")
    assert "No gold annotations for this article yet." in empty
    assert visible(empty).labels == []

    index = (site / "index.html").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in
            re.finditer(r'<tr><td><a href="(tsn-[0-9a-f]{16})\.html">.*?</tr>', index)}
    assert set(rows) == published_ids(release)  # every published article, once
    ann = read_annotation(GOLD_FIXTURES / f"{DOC_A}.json")
    counts = [len(ann[k]) for k in ("mentions", "entities", "events", "attributions")]
    assert rows[DOC_A].endswith("".join(f"<td>{n}</td>" for n in counts) + "</tr>")
    assert rows[NO_GOLD].endswith("<td>0</td>" * 4 + "</tr>")
    meta = yaml.safe_load((CORPUS_DIR / "metadata" / f"{NO_GOLD}.yaml").read_text())
    assert f"{meta['outlet']['value']} <span class=\"prov\">[external, " \
           f"{meta['outlet']['confidence']}]" in rows[NO_GOLD]
    assert f"{meta['published']['value']} <span class=\"prov\">[day, external" in rows[NO_GOLD]
    assert "<th>total</th>" in index


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)


def pixels_of(png: Path, hex_color: str) -> int:
    import matplotlib.image as mpimg

    img = (mpimg.imread(png)[..., :3] * 255).round().astype(int)
    rgb = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(img - rgb).max(axis=-1) <= 2).sum())


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="Debian chromium not installed at "
                    "/usr/bin/chromium (apt-get install chromium); .ci/run installs it")
def test_chromium_shows_the_spans(site: Path, tmp_path: Path, schema: Schema) -> None:
    ann = read_annotation(GOLD_FIXTURES / f"{DOC_A}.json")
    url = (site / f"{DOC_A}.html").as_uri()

    dom = chromium("--dump-dom", url, profile=tmp_path / "profile").stdout
    page = visible(dom)
    assert Counter(page.labels) == gold_labels(ann)
    for m in ann["mentions"]:
        assert m["text"] in page.words()

    colors = label_colors(schema)
    shot = tmp_path / "page.png"
    chromium("--window-size=1200,1400", f"--screenshot={shot}", url,
             profile=tmp_path / "profile")
    # the browser painted the span bars: GPE (9 mentions) and MEET (2 triggers) colours
    assert pixels_of(shot, colors["GPE"]) > 500
    assert pixels_of(shot, colors["MEET"]) > 100

    bare = tmp_path / "bare.png"
    chromium("--window-size=1200,1400", f"--screenshot={bare}",
             (site / f"{NO_GOLD}.html").as_uri(), profile=tmp_path / "profile")
    assert pixels_of(bare, colors["GPE"]) == 0  # no gold, no span colours


# --- plot ----------------------------------------------------------------------------

def test_plot_bars_are_the_release_counts(release: Path) -> None:
    counts = layer_counts(release, load_schema())
    fig = figure(counts)
    panels = {ax.get_title(loc="left"): ax for ax in fig.axes if ax.get_visible()}
    assert len(panels) == len(counts)
    for title, values in counts.items():
        ax = panels[f"{title} ({sum(values.values())})"]
        bars = {t.get_text(): p.get_width()
                for t, p in zip(ax.get_yticklabels(), ax.patches, strict=True)}
        assert bars == values, title
    # the gold fixtures have GPE as their most frequent label: it is the top bar
    mentions = panels[next(t for t in panels if t.startswith("entity labels"))]
    assert mentions.get_yticklabels()[-1].get_text() == "GPE"


def test_plot_of_a_release_without_gold_says_so(tmp_path: Path) -> None:
    fig = figure({"entity labels": {}, "event types": {"MEET": 2}})
    empty = next(ax for ax in fig.axes if ax.get_title(loc="left") == "entity labels (0)")
    assert [t.get_text() for t in empty.texts] == ["no gold annotations"]
    assert not empty.patches


def test_plot_cli_writes_the_same_png_twice(release: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    result = CliRunner().invoke(main, ["plot", "--release", str(release), "--out", str(a)])
    assert result.exit_code == 0, result.output
    write_plot(layer_counts(release, load_schema()), b)
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert a.read_bytes() == b.read_bytes()  # no timestamp: an unchanged release, same file
