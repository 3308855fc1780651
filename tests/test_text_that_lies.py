"""Text that lies: invisible format characters (bidi overrides, zero-width characters) are
removed from the published text and counted in `normalizations`; a publication date later
than the crawl date is flagged, and one later than the build day stops the build."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
import yaml
from conftest import assert_accounted, copy_corpus

from trisec.document import RawArticle
from trisec.documents.clean import INVISIBLE, clean, leftover_boilerplate
from trisec.documents.dates import resolve_published
from trisec.documents.sentences import split_sentences
from trisec.errors import TrisecError
from trisec.release.build import write_release
from trisec.schema import Schema

BODY = ("The defense ministers of South Korea, the United States and Japan met in To\u200bkyo"
        "\u202e on Sunday and agreed to expand their trilateral drills, officials said.")


def cleaned(page: str):  # type: ignore[no-untyped-def]
    raw = RawArticle("lies.txt", page.encode("utf-8"))
    return clean(raw, page)


def test_invisible_is_exactly_the_unicode_format_characters() -> None:
    """Every format character of this Python's Unicode database, and nothing else (the set is
    Unicode 15's: Egyptian format controls added there are unassigned in older Pythons)."""
    everything = "".join(map(chr, range(0x110000)))
    cf = {ch for ch in everything if unicodedata.category(ch) == "Cf"}
    matched = set(INVISIBLE.findall(everything))
    assert cf <= matched
    assert {unicodedata.category(ch) for ch in matched - cf} <= {"Cn"}


def test_zero_width_and_bidi_characters_never_reach_text_or_tokens() -> None:
    page = "Allies meet in Tokyo\n\n" + BODY + "\n"
    doc = cleaned(page)
    assert "Tokyo on Sunday" in doc.text
    assert not INVISIBLE.search(doc.text)
    assert doc.normalizations["zero_width"] == 1
    assert doc.normalizations["bidi_control"] == 1
    tokens = [doc.text[a:b] for s in split_sentences(doc.text)
              for a, b in zip(s.token_starts, s.token_ends, strict=True)]
    assert "Tokyo" in tokens
    assert_accounted(doc, page)  # every published character maps to its raw character


@pytest.mark.parametrize("junk", ["\u200b", "\u2066\u2069", "\ufeff", "\u00ad", "\u200d"])
def test_a_word_of_invisible_characters_leaves_one_space(junk: str) -> None:
    page = ("Allies meet in Tokyo\n\nThe ministers met in Tokyo " + junk + " on Sunday and "
            "agreed to expand their trilateral drills, officials said.\n")
    doc = cleaned(page)
    assert "Tokyo on Sunday" in doc.text
    assert sum(doc.normalizations.get(k, 0) for k in ("zero_width", "bidi_control")) == \
        len(junk)
    assert_accounted(doc, page)


def test_the_gate_finds_an_invisible_character_put_back() -> None:
    assert leftover_boilerplate("Talks in Seoul.") == []
    [found] = leftover_boilerplate("Talks in Se\u200boul.")
    assert found.startswith("invisible_character: ")


# --- dates later than the crawl ---------------------------------------------------------

def crawl(value: str) -> dict:
    return {"value": value, "precision": "day", "provenance": "crawl_line",
            "evidence": f"crawl date line 'date {value}'"}


def external(value: str, confidence: str) -> dict:
    return {"value": value, "precision": "day", "provenance": "external",
            "confidence": confidence, "evidence": "curator lookup"}


def test_a_date_later_than_the_crawl_is_flagged_not_medium() -> None:
    d = resolve_published([crawl("2024-03-20")], external("2024-03-22", "medium"))
    assert (d.value, d.provenance, d.confidence) == ("2024-03-22", "external", "low")
    assert "later than the crawl date line 2024-03-20" in d.evidence


def test_an_outlet_stamp_later_than_the_crawl_is_flagged() -> None:
    stamp = {"value": "2024-03-25", "precision": "day", "provenance": "body",
             "evidence": "outlet date stamp"}
    d = resolve_published([crawl("2024-03-20"), stamp], None)
    assert d.confidence == "low" and "later than the crawl date line" in d.evidence


def test_a_date_on_or_before_the_crawl_keeps_its_confidence() -> None:
    for day in ("2024-03-18", "2024-03-20"):
        d = resolve_published([crawl("2024-03-20")], external(day, "medium"))
        assert (d.value, d.confidence) == (day, "medium")
    d = resolve_published([crawl("2024-03-20")], external("2024-03", "high"))
    assert d.confidence == "high"  # a month that contains the crawl day is not later


# --- dates later than the build day -----------------------------------------------------

def _future_metadata(corpus_root: Path, day: str) -> Path:
    [path] = sorted((corpus_root / "metadata").glob("*.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["published"].update(value=day, precision="day", provenance="external",
                             confidence="high", evidence="test: a date in the future")
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_publication_date_after_the_build_day_stops_the_build(tmp_path: Path,
                                                                schema: Schema) -> None:
    corpus = copy_corpus(tmp_path / "corpus", ["004_fd7d536830c83d2c.txt"])
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    path = _future_metadata(tmp_path / "corpus", tomorrow)
    (tmp_path / "out").mkdir()
    with pytest.raises(TrisecError) as err:
        write_release(tmp_path / "out", corpus, schema)
    [problem] = err.value.problems
    assert problem.location == f"{path}:$.published.value"
    assert f"published {tomorrow} is later than the build day" in problem.message


def test_the_build_day_never_changes_a_valid_release(tmp_path: Path, schema: Schema) -> None:
    """Valid data gives the same bytes whatever the clock says: the build day only decides
    whether an impossible date is refused."""
    from trisec.pipeline.steps import Clean

    corpus = copy_corpus(tmp_path / "corpus", ["004_fd7d536830c83d2c.txt"])
    raws = sorted(corpus.raw_dir.glob("*.txt"))
    from trisec.documents.ingest import read_raw
    from trisec.pipeline.stats import Stats

    days = [dt.date(2026, 12, 5), dt.date(2099, 1, 1)]
    docs = []
    for day in days:
        errors: list = []
        docs.append([d.to_json() for d in Clean(corpus.metadata_dir, today=day)(
            (read_raw(p) for p in raws), Stats(), errors)])
        assert errors == []
    assert docs[0] == docs[1]
