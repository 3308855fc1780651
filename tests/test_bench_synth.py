"""The synthetic crawl: deterministic, made of real pieces, with every crawl case and bad file.

Expected values are derived from the generator's own report and from cleaning the pages with
trisec.documents.clean (the pipeline's reading), never copied from a previous run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trisec.bench.synth import (
    BAD_KINDS,
    BAD_REASONS,
    NEAR_DUP_TAIL,
    CrawlReport,
    Pools,
    generate,
    harvest,
)
from trisec.documents.clean import CRAWL_DATE, clean, leftover_boilerplate
from trisec.documents.ingest import decode, read_raw
from trisec.errors import TrisecError
from trisec.paths import RAW_DIR

N = 120


@pytest.fixture(scope="module")
def pools() -> Pools:
    return harvest(RAW_DIR)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory, pools: Pools) -> tuple[Path, CrawlReport]:
    out = tmp_path_factory.mktemp("synth") / "crawl"
    return out, generate(out, N, pools, seed=7, bad_every=60, dup_rate=0.1, near_dup_rate=0.05)


def _read(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_pools_are_real_article_pieces(pools: Pools) -> None:
    raw_text = " ".join(" ".join(decode(read_raw(p)).split()) for p in RAW_DIR.glob("*.txt"))
    assert len(pools.paragraphs) >= 20
    for para in pools.paragraphs:
        assert para in raw_text  # cleaned paragraphs are verbatim raw lines (spaces folded)
    assert {"caption", "related_news", "share", "cookie_notice"} <= pools.boilerplate.keys()


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path, pools: Pools) -> None:
    a = generate(tmp_path / "a", 30, pools, seed=1)
    b = generate(tmp_path / "b", 30, pools, seed=1)
    c = generate(tmp_path / "c", 30, pools, seed=2)
    assert _read(tmp_path / "a") == _read(tmp_path / "b")
    assert a.files == b.files and a.bad == b.bad and a.words == b.words
    assert set(c.files) != set(a.files)


def test_a_smaller_crawl_is_a_prefix_of_a_larger_one(tmp_path: Path, pools: Pools) -> None:
    small = generate(tmp_path / "s", 40, pools, seed=3, bad_every=20)
    large = generate(tmp_path / "l", 60, pools, seed=3, bad_every=20)
    assert large.files[:40] == small.files
    big = _read(tmp_path / "l")
    assert all(big[name] == data for name, data in _read(tmp_path / "s").items())


def test_every_planted_bad_file_fails_the_way_it_should(crawl: tuple[Path, CrawlReport]) -> None:
    folder, report = crawl
    assert sorted(report.bad.values()) == sorted(BAD_KINDS * (N // 60))
    for name, kind in report.bad.items():
        raw = read_raw(folder / name)
        with pytest.raises(TrisecError) as exc:
            clean(raw, decode(raw))
        assert BAD_REASONS[kind] in str(exc.value), (name, kind)


def _cleaned(folder: Path, report: CrawlReport) -> dict[str, object]:
    out = {}
    for name in report.files:
        if name not in report.bad:
            raw = read_raw(folder / name)
            out[name] = clean(raw, decode(raw))
    return out


def test_pages_clean_back_to_real_paragraphs(crawl: tuple[Path, CrawlReport],
                                             pools: Pools) -> None:
    """Cleaning a page leaves only pool paragraphs (or their run-together / updated forms)
    and no boilerplate marker: the wrapper is the crawl's furniture, the body is real text."""
    folder, report = crawl
    known = set(pools.paragraphs)
    glued = {re.sub(r"\s", "", p) for p in pools.paragraphs}
    for name, doc in _cleaned(folder, report).items():
        assert leftover_boilerplate(doc.text) == [], name
        paras = doc.text.split("\n\n")
        if doc.title.value is not None:  # the page's headline opens the text
            assert paras[0] == doc.title.value, name
            paras = paras[1:]
        for para in paras:
            para = para.replace(NEAR_DUP_TAIL.strip(), "").strip()
            assert para in known or re.sub(r"\s", "", para) in glued, (name, para[:80])


def test_crawl_cases_are_all_present(crawl: tuple[Path, CrawlReport]) -> None:
    folder, report = crawl
    data = {n: (folder / n).read_bytes() for n in report.files if n not in report.bad}
    texts = {n: d.decode("utf-8") for n, d in data.items()}
    assert any(b"\r\n" in d for d in data.values())
    assert any(b"\r\n" not in d for d in data.values())
    dates = [m.group(0) for t in texts.values() if (m := CRAWL_DATE.match(t))]
    assert any(re.search(r"\d{4}-\d{2}-\d{2} \d{3}", d) for d in dates)  # stray token
    assert any(re.fullmatch(r"\s*date \d{4}-\d{2}\s*", d) for d in dates)  # month only
    assert any(re.fullmatch(r"\s*date \d{4}-\d{2}-\d{2}\s*", d) for d in dates)
    assert len(dates) < len(texts)  # and pages without a date line
    assert any(re.search(r"[a-z]\.[A-Z][a-z]", t) for t in texts.values())  # run together
    assert any("(END)" in t for t in texts.values())
    assert report.words == sum(len(d.split()) for d in data.values())


def test_duplicates_clean_to_the_same_or_a_longer_body(crawl: tuple[Path, CrawlReport]) -> None:
    folder, report = crawl
    docs = _cleaned(folder, report)
    assert report.exact_duplicates and report.near_duplicates
    for copy, original in report.exact_duplicates.items():
        assert docs[copy].body_sha256 == docs[original].body_sha256  # type: ignore[attr-defined]
        assert (folder / copy).read_bytes() != (folder / original).read_bytes()
    for copy, original in report.near_duplicates.items():
        a, b = docs[copy].text, docs[original].text  # type: ignore[attr-defined]
        assert a != b and a.count(NEAR_DUP_TAIL.strip()) == b.count(NEAR_DUP_TAIL.strip()) + 1
