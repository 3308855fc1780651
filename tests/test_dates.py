"""Publication date resolution (trisec.documents.dates): the order of trust in docs/CLEANING.md."""

from __future__ import annotations

import datetime as dt

from trisec.document import RawArticle
from trisec.documents.clean import clean
from trisec.documents.dates import dateline_day, resolve_published
from trisec.documents.metadata import merge_metadata


def crawl(value: str, precision: str = "day") -> dict:
    return {"value": value, "precision": precision, "provenance": "crawl_line",
            "evidence": f"crawl date line 'date {value}'"}


def stamp(value: str) -> dict:
    return {"value": value, "precision": "day", "provenance": "body",
            "evidence": "outlet date stamp"}


def dateline(month: int, day: int) -> dict:
    return {"month": month, "day": day, "provenance": "body",
            "evidence": f"dateline 'SEOUL, {month}/{day} (Yonhap)'"}


def external(value: str, confidence: str, precision: str | None = "day") -> dict:
    return {"value": value, "precision": precision, "provenance": "external",
            "confidence": confidence, "evidence": "curator lookup"}


def test_nothing_known_gives_an_honest_null():
    d = resolve_published([], None)
    assert (d.value, d.precision, d.provenance, d.confidence) == (None, None, None, None)


def test_external_high_beats_the_outlet_stamp():
    d = resolve_published([stamp("2024-01-02")], external("2024-01-01", "high"))
    assert (d.value, d.provenance, d.confidence) == ("2024-01-01", "external", "high")


def test_outlet_stamp_beats_external_medium_and_the_crawl_line():
    d = resolve_published([crawl("2024-01-05"), stamp("2024-01-02")],
                          external("2024-01-01", "medium"))
    assert (d.value, d.provenance, d.confidence) == ("2024-01-02", "body", "high")


def test_external_medium_beats_the_crawl_line_and_keeps_its_confidence():
    d = resolve_published([crawl("2024-03-20")], external("2024-03-18", "medium"))
    assert (d.value, d.provenance, d.confidence) == ("2024-03-18", "external", "medium")
    # a date later than the crawl contradicts it: flagged, low (tests/test_text_that_lies.py)
    d = resolve_published([crawl("2024-03-20")], external("2024-03-22", "medium"))
    assert (d.value, d.provenance, d.confidence) == ("2024-03-22", "external", "low")


def test_a_consistent_crawl_line_beats_external_low():
    d = resolve_published([crawl("2024-06-27"), dateline(6, 27)],
                          external("2024-06-20", "low"))
    assert (d.value, d.provenance, d.confidence) == ("2024-06-27", "crawl_line", "medium")
    assert "consistent" in d.evidence


def test_a_crawl_line_earlier_than_the_dateline_is_replaced_by_the_dateline_day():
    d = resolve_published([crawl("2024-06-25"), dateline(6, 27)], None)
    # the dateline's day is later than the crawl date: published, but only as low
    assert (d.value, d.precision, d.provenance, d.confidence) == ("2024-06-27", "day", "body",
                                                                  "low")
    assert "2024-06-25" in d.evidence  # says which crawl date it overrode and why
    assert "later than the crawl date line" in d.evidence


def test_the_dateline_day_beats_external_low():
    d = resolve_published([crawl("2024-06-25"), dateline(6, 27)],
                          external("2024-06-28", "low"))
    assert (d.value, d.provenance) == ("2024-06-27", "body")


def test_dateline_year_is_the_one_nearest_the_crawl_date():
    assert dateline_day(dt.date(2025, 1, 2), 12, 30) == dt.date(2024, 12, 30)
    assert dateline_day(dt.date(2024, 12, 30), 1, 2) == dt.date(2025, 1, 2)
    assert dateline_day(dt.date(2023, 3, 1), 2, 29) == dt.date(2024, 2, 29)  # only leap year
    # a Dec 30 dateline crawled on Jan 2 is consistent, not "later"
    d = resolve_published([crawl("2025-01-02"), dateline(12, 30)], None)
    assert (d.value, d.provenance) == ("2025-01-02", "crawl_line")
    # a Jan 2 dateline crawled on Dec 30 means the crawl line is wrong
    d = resolve_published([crawl("2024-12-30"), dateline(1, 2)], None)
    assert d.value == "2025-01-02"


def test_partial_crawl_dates_keep_their_precision():
    d = resolve_published([crawl("2023-06", "month")], None)
    assert (d.value, d.precision, d.provenance) == ("2023-06", "month", "crawl_line")
    d = resolve_published([], external("2023-06", "high", precision=None))
    assert d.precision == "month"


def test_agreement_with_the_crawl_line_is_recorded_but_confidence_is_not_upgraded():
    d = resolve_published([crawl("2025-07-11")], external("2025-07-11", "medium"))
    assert d.confidence == "medium" and "agrees with the crawl date line" in d.evidence


# --- the same rules on raw pages ----------------------------------------------------------

def test_wrong_crawl_date_page_is_dated_by_its_dateline(clean_fixture):
    doc, _ = clean_fixture("date_wrong_dateline.txt")
    d = merge_metadata(doc, None).published
    # Freedom Edge began on Thursday 2024-06-27; the crawl line says 2024-06-25: the two
    # contradict each other, so the dateline's day is published as low
    assert (d.value, d.provenance, d.confidence) == ("2024-06-27", "body", "low")


def test_outlet_stamp_after_end_dates_the_page(clean_fixture):
    doc, _ = clean_fixture("end_terminator_stamp.txt")
    d = merge_metadata(doc, None).published
    assert (d.value, d.provenance, d.confidence) == ("2025-01-06", "body", "high")


def test_stray_token_and_partial_lines_give_crawl_dates(clean_fixture):
    stray, _ = clean_fixture("date_stray_token.txt")
    d = merge_metadata(stray, None).published
    assert (d.value, d.precision, d.provenance) == ("2025-05-08", "day", "crawl_line")
    month, _ = clean_fixture("date_partial_month.txt")
    d = merge_metadata(month, None).published
    assert (d.value, d.precision) == ("2023-06", "month")


def test_pages_without_any_date_stay_undated(clean_fixture):
    for name in ("no_date_line.txt", "related_other_news.txt"):
        doc, _ = clean_fixture(name)
        assert merge_metadata(doc, None).published.value is None, name


def test_a_date_stamp_inside_a_related_block_is_never_used():
    page = ("Allies hold naval drill\n\nSouth Korea, the United States and Japan held a "
            "naval drill off Jeju Island to counter North Korean submarine threats, the navy "
            "said.\n\nOTHER NEWS\n\nMarkets close higher\n\n2023/11/27 09:00 KST\n")
    doc = merge_metadata(clean(RawArticle("r.txt", page.encode()), page), None)
    assert doc.published.value is None
    assert [r.reason for r in doc.removed if "2023/11/27" in r.text] == ["related_news"]
