"""Cleaning rules (documents.clean) on small raw pages, one per crawl case (tests/fixtures/raw).

Expected removals and kept paragraphs are written from reading each fixture, not from the
code's output; every fixture must also satisfy the audit property (conftest.assert_accounted).
"""

from __future__ import annotations

import unicodedata

import pytest
from conftest import FIXTURES_RAW, assert_accounted
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trisec.document import RawArticle
from trisec.documents.clean import RETIRED_REASONS, body_hash, clean
from trisec.documents.ingest import decode
from trisec.documents.metadata import merge_metadata
from trisec.errors import TrisecError

# fixture -> (title, [(reason, exact removed raw text)] in raw order, kept paragraphs given as
# 1-based raw line numbers (whole line kept) or as the exact expected paragraph). The headline
# is article text: when the page has one it is the first kept paragraph.
CASES: dict[str, tuple[str | None, list[tuple[str, str]], list[int | str]]] = {
    "date_partial_month.txt": (
        "US, Japan, South Korea agree to share missile warning data in real time",
        [("crawl_date_line", " date 2023-06 ")],
        ["US, Japan, South Korea agree to share missile warning data in real time", 3, 5]),
    "date_stray_token.txt": (
        "North Korea fires short-range ballistic missiles into East Sea",
        [("crawl_date_line", " date 2025-05-08 403 ")],
        [2, 4, 6]),
    "date_wrong_dateline.txt": (
        "S. Korea, U.S., Japan launch first Freedom Edge multidomain exercise",
        [("crawl_date_line", " date 2024-06-25 "),
         ("dateline", "SEOUL, June 27 (Yonhap) -- ")],
        [2, "South Korea, the United States and Japan launched their first trilateral multidomain "
         "exercise, Freedom Edge, on Thursday, the defense ministry said.", 6, 8]),
    "no_date_line.txt": (
        "Japan, US, South Korea hold trilateral air drill with B-1B bomber",
        [],
        [1, 3, 5]),
    "title_repeated_lower.txt": (
        "S. Korea, US, Japan hold trilateral naval drill near Jeju",
        [("title_duplicate", "s. korea, us, japan hold trilateral naval drill near jeju")],
        [1, 5, 7]),
    "title_truncated.txt": (
        "US, Japan, South Korea condemn North Korea's transfer of ballistic missiles to Russia",
        [("title_duplicate", "US, Japan, South Korea condemn North Korea's transfer of\u2026")],
        [1, 5, 7]),
    "breadcrumb_section_label.txt": (
        "South Korea, US, Japan stage trilateral air exercise after North Korean missile launch",
        [("breadcrumb", "News / Koreas"), ("section_label", "WORLD")],
        [5, 7, 9]),
    "captions.txt": (
        "US, South Korea and Japan warships sail together in Freedom Edge drill",
        [("caption", "Warships from the US, South Korea and Japan sail in formation during the "
                     "Freedom Edge exercise (photo: GettyImages)"),
         ("caption", "South Korean President Yoon Suk-yeol speaks during a trilateral summit "
                     "with US and Japanese leaders at Camp David. (Photo by AFP)")],
        [1, 5, 9]),
    "related_other_news.txt": (
        "Seoul, Washington, Tokyo discuss North Korea's cyber threats",
        [("related_news", "News Related"), ("related_news", "OTHER NEWS"),
         ("related_news", "Taylor Swift announces extra dates for European tour"),
         ("related_news", "The singer added three more shows in London next summer after "
                          "tickets sold out within minutes ... Read more \u00bb"),
         ("related_news", "Stock markets rally as inflation cools"),
         ("related_news", "Wall Street closed higher on Friday as new data showed consumer "
                          "prices rising more slowly than expected ... Read more \u00bb"),
         ("related_news", "Top List in the World")],
        [1, 3, 5]),
    "related_read_also.txt": (
        "Japan to deploy long-range missiles earlier than planned",
        [("related_news", "Read also: China holds large-scale military drills around Taiwan"),
         ("related_news", "Read more \u00bb")],
        [1, 3, 7, 11]),  # a mid-article link list does not cut the article
    "related_dash_list.txt": (
        "US Forces Korea stages live-fire drill with South Korean army",
        [("related_news", "Top Content Trending"), ("related_news", "-"),
         ("related_news", "Ten best beaches to visit in Southeast Asia this winter"),
         ("related_news", "-"),
         ("related_news", "Celebrity chef opens new restaurant in Seoul's Gangnam district")],
        [1, 3, 5]),
    "page_furniture.txt": (
        "South Korea, US, Japan hold first trilateral defense ministers' meeting in Tokyo",
        [("advertisement", "ADVERTISEMENT"),
         ("share", "Share"), ("share", "Tweet"), ("share", "Facebook"), ("share", "WhatsApp"),
         ("advertisement", "ADVERTISEMENT"),
         ("promo", "Download our app on the App Store and Google Play"),
         ("cookie_notice", "We use cookies to improve your experience on our site. By "
                           "continuing to browse you accept our Cookie Policy."),
         ("share", "SHARE THIS ARTICLE"),
         ("mirror_address", "Press TV\u2019s website can also be accessed at the following "
                            "alternate addresses:"),
         ("mirror_address", "www.presstv.co.uk"), ("mirror_address", "www.presstv.tv")],
        [1, 5, 12]),
    "end_terminator_stamp.txt": (
        "N. Korea fires ballistic missile into East Sea as Blinken visits Seoul",
        [("crawl_date_line", " date 2025-01-06 "),
         ("dateline", "SEOUL, Jan. 6 (Yonhap) -- "),
         ("terminator", " (END)"),
         ("date_stamp", "2025/01/06 18:52 KST"),
         ("related_news", "Yoon's lawyers file objection to arrest warrant"),
         ("related_news", "Weather forecast: cold wave to grip central region")],
        ["N. Korea fires ballistic missile into East Sea as Blinken visits Seoul",
         "North Korea fired what appears to be an intermediate-range ballistic missile into the "
         "East Sea on Monday, the Joint Chiefs of Staff said, as U.S. Secretary of State Antony "
         "Blinken was visiting Seoul.",
         "The launch came hours after Blinken held talks with Foreign Minister Cho Tae-yul on "
         "trilateral security cooperation with Japan."]),
    "end_stamp_own_line.txt": (
        "Japan, US, South Korea hold trilateral missile defense drill",
        [("date_stamp", "2025/01/06 18:52 KST")],
        [1, 3, 5]),
    "copyright_footer.txt": (
        "Allies sign pact on sharing drill footage",
        [("copyright_footer", "\u00a9 2024 Yonhap News Agency. All rights reserved."),
         ("copyright_footer", "Copyright (C) The Korea Herald")],
        [1, 3, 5, 7]),  # the body paragraph that starts "Copyright (c) 2024" stays
    "run_together.txt": (
        "S. Korea, US, Japan pledge closer defense ties",
        [],
        [1, 3]),
}


def _expected_text(name: str, body: list[int | str]) -> str:
    lines = (FIXTURES_RAW / name).read_text(encoding="utf-8").splitlines()
    return "\n\n".join(" ".join(lines[b - 1].split()) if isinstance(b, int) else b for b in body)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_crawl_case_keeps_the_article_and_records_what_it_drops(name, clean_fixture,
                                                                   schema):
    title, removals, body = CASES[name]
    doc, decoded = clean_fixture(name)
    assert [(r.reason, r.text) for r in doc.removed] == removals
    assert doc.text == _expected_text(name, body)
    assert doc.title.value == title
    assert {r.reason for r in doc.removed} <= set(schema.vocabulary("removal_reasons"))
    assert_accounted(doc, decoded)


def test_the_fixtures_cover_every_removal_reason(schema):
    seen = {reason for _, removals, _ in CASES.values() for reason, _ in removals}
    assert seen == set(schema.vocabulary("removal_reasons")) - RETIRED_REASONS
    assert set(schema.vocabulary("removal_reasons")) >= RETIRED_REASONS


def test_crawl_date_line_becomes_a_date_clue_with_its_precision(clean_fixture):
    month, _ = clean_fixture("date_partial_month.txt")
    stray, _ = clean_fixture("date_stray_token.txt")
    assert [(c["value"], c["precision"]) for c in month.date_clues
            if c["provenance"] == "crawl_line"] == [("2023-06", "month")]
    crawl = next(c for c in stray.date_clues if c["provenance"] == "crawl_line")
    assert (crawl["value"], crawl["precision"]) == ("2025-05-08", "day")
    assert "403" in crawl["evidence"]  # the stray token is named, not silently eaten
    assert "403" not in stray.text and "403" not in (stray.title.value or "")


def test_no_date_line_means_no_date_clue(clean_fixture):
    doc, _ = clean_fixture("no_date_line.txt")
    assert not [c for c in doc.date_clues if "value" in c]


def test_datelines_become_metadata(clean_fixture):
    seoul, _ = clean_fixture("date_wrong_dateline.txt")
    assert seoul.dateline.value == "SEOUL, June 27 (Yonhap)"
    assert seoul.dateline.provenance == "body"
    assert {"month": 6, "day": 27} in [{k: c[k] for k in ("month", "day")}
                                       for c in seoul.date_clues if "month" in c]
    jan, _ = clean_fixture("end_terminator_stamp.txt")
    assert jan.dateline.value == "SEOUL, Jan. 6 (Yonhap)"


def test_date_stamp_after_end_is_a_clue_but_related_headlines_are_not(clean_fixture):
    doc, _ = clean_fixture("end_terminator_stamp.txt")
    stamps = [c for c in doc.date_clues if c["provenance"] == "body" and "value" in c]
    assert [c["value"] for c in stamps] == ["2025-01-06"]
    assert "Yoon's lawyers" not in doc.text and "Weather forecast" not in doc.text


def test_run_together_sentences_are_not_edited(clean_fixture):
    doc, _ = clean_fixture("run_together.txt")
    assert "cooperation.Defense Minister" in doc.text
    assert "Korea.The ministers" in doc.text


def test_known_title_finds_a_title_the_heuristic_would_keep():
    page = ("Allies vow firm response to North Korea.\n\n"
            "South Korea, the United States and Japan vowed a firm response to any North Korean "
            "provocation after a phone call between their top diplomats on Friday.\n")
    raw = RawArticle("t.txt", page.encode())
    without = clean(raw, page)
    with_title = clean(raw, page, known_title="Allies vow firm response to North Korea")
    # the line is published either way (it is page text); only the known title names it
    assert without.text == with_title.text == "\n\n".join(page.split("\n\n")).strip()
    assert without.title.value is None and without.removed == []
    assert with_title.title.value == "Allies vow firm response to North Korea."
    assert with_title.removed == []


def test_headline_opens_the_text_and_is_not_body_for_duplicate_detection():
    body = ("South Korea, the United States and Japan held a trilateral air exercise over "
            "waters south of Jeju Island on Sunday, the Joint Chiefs of Staff said.")
    with_headline = "WORLD\n\nAllies stage air drill near Jeju\n\n" + body + "\n"
    other_headline = "Trilateral drill held off Jeju\n\n" + body + "\n"
    without = " date 2024-06-27 " + body + "\n"
    a = clean(RawArticle("a.txt", with_headline.encode()), with_headline)
    b = clean(RawArticle("b.txt", other_headline.encode()), other_headline)
    c = clean(RawArticle("c.txt", without.encode()), without)
    assert a.text == "Allies stage air drill near Jeju\n\n" + body
    assert (a.title.value, a.title.provenance) == ("Allies stage air drill near Jeju", "body")
    assert "first paragraph" in (a.title.evidence or "")
    assert c.text == body and c.title.value is None  # no headline: nothing is inserted
    assert a.body_sha256 == b.body_sha256 == c.body_sha256  # the same article
    for doc, page in ((a, with_headline), (b, other_headline), (c, without)):
        assert_accounted(doc, page)


def test_a_truncated_copy_gives_way_to_a_full_one_but_is_published_when_alone():
    full = "US, Japan, South Korea condemn North Korea's transfer of ballistic missiles to Russia"
    cut = "US, Japan, South Korea condemn North Korea's transfer of\u2026"
    body = ("The foreign ministers of the United States, Japan and South Korea condemned the "
            "transfer of North Korean ballistic missiles to Russia in a joint statement.")
    first_cut = f"{cut}\n\n{full.lower()}\n\n{full}\n\n{body}\n"
    doc = clean(RawArticle("t.txt", first_cut.encode()), first_cut, known_title=full)
    assert doc.text == f"{full}\n\n{body}"  # the complete, cased copy is published
    assert [(r.reason, r.text) for r in doc.removed] == [
        ("title_duplicate", cut), ("title_duplicate", full.lower())]
    alone = f"{cut}\n\n{body}\n"
    cut_doc = clean(RawArticle("u.txt", alone.encode()), alone, known_title=full)
    assert cut_doc.text == f"{cut}\n\n{body}"  # never completed from the curated title
    assert cut_doc.title.value == cut
    assert_accounted(cut_doc, alone)
    curated = {"title": {"value": full, "provenance": "external", "confidence": "high",
                         "evidence": "curator lookup"}}
    merged = merge_metadata(cut_doc, curated)
    assert (merged.title.value, merged.title.provenance) == (full, "external")
    assert cut in (merged.title.evidence or "") and merged.text.startswith(cut)


def test_article_lines_that_merely_mention_boilerplate_words_are_kept():
    body = [
        "The allies agreed to share missile warning data in real time and to hold regular "
        "drills, the ministry said.",
        "Details",  # a subheading inside the article
        "A photo released by the ministry showed the three destroyers sailing in formation "
        "off Jeju Island on Monday.",
        "The app store operator was not involved, a spokesperson said, adding that the review "
        "of the contract would continue into next year.",
    ]
    page = "Allies expand missile data sharing\n\n" + "\n\n".join(body) + "\n"
    doc = clean(RawArticle("k.txt", page.encode()), page)
    assert doc.text == "\n\n".join(["Allies expand missile data sharing", *body])
    assert doc.removed == []


# --- normalisations and the offset map -------------------------------------------------

def test_crlf_nbsp_and_whitespace_runs_are_normalised_and_counted(fixtures_raw):
    page = ("Title of the page here\r\n\r\nThe  allies\u00a0agreed to expand\tdrills and to "
            "share data in real time, officials said on Monday.\r\n")
    raw = RawArticle("n.txt", page.encode())
    doc = clean(raw, decode(raw))
    assert doc.text == ("Title of the page here\n\nThe allies agreed to expand drills and to "
                        "share data in real time, officials said on Monday.")
    assert doc.normalizations["crlf"] == 3
    assert doc.normalizations["whitespace_folded"] == 3  # double space, NBSP, tab
    assert_accounted(doc, page)


def test_nfc_composition_keeps_every_later_character_mapped():
    page = ("Talks held at Seoul cafe\u0301 venue\n\nThe envoys met at a cafe\u0301 near the "
            "foreign ministry in Seoul and agreed to meet again next month, officials said.\n")
    doc = clean(RawArticle("nfc.txt", page.encode()), page)
    assert "caf\u00e9 near" in doc.text and unicodedata.is_normalized("NFC", doc.text)
    assert doc.normalizations["nfc"] == 2  # one in the headline, one in the body
    for i, ch in enumerate(doc.text):
        if ch.isspace():
            continue
        r = doc.raw_offset(i)
        if ch == "\u00e9":
            assert page[r:r + 2] == "e\u0301"
        else:
            assert page[r] == ch, (i, ch, page[r])
    assert_accounted(doc, page)


def test_duplicates_share_a_body_hash_but_not_a_doc_id(clean_fixture):
    orig, _ = clean_fixture("dup_original.txt")
    crlf, _ = clean_fixture("dup_crlf.txt")
    other, _ = clean_fixture("dup_other_boilerplate.txt")
    different, _ = clean_fixture("no_date_line.txt")
    assert orig.text == crlf.text == other.text
    assert orig.body_sha256 == crlf.body_sha256 == other.body_sha256
    assert different.body_sha256 != orig.body_sha256
    assert len({orig.doc_id, crlf.doc_id, other.doc_id}) == 3  # ids come from the raw bytes
    assert crlf.normalizations.get("crlf") == 5  # one per line of the 5-line file


def test_body_hash_ignores_case_and_whitespace_only():
    assert body_hash("North  Korea\n\nfired") == body_hash("north korea fired")
    assert body_hash("North Korea fired") != body_hash("North Korea fired.")


def test_a_page_of_boilerplate_only_is_refused(clean_fixture):
    with pytest.raises(TrisecError) as err:
        clean_fixture("boilerplate_only.txt")
    (problem,) = err.value.problems
    assert problem.location == "boilerplate_only.txt"
    assert "no article body left" in problem.message


# --- property: generated pages --------------------------------------------------------

ARTICLE = [
    "South Korea, the United States and Japan held a trilateral air exercise over waters "
    "south of Jeju Island on Sunday, the Joint Chiefs of Staff said.",
    "The drill involved a U.S. B-52H strategic bomber escorted by South Korean KF-16 and "
    "Japanese F-2 fighter jets, according to the ministry.",
    "The delegation met at a caf\u00e9 in Seoul before the talks on missile defense "
    "cooperation began on Monday, officials said.",
    "North Korea has launched dozens of ballistic missiles this year, prompting the allies to "
    "expand their combined drills and share warning data in real time.",
    "\u201cWe will respond firmly to any provocation,\u201d the defense minister told "
    "reporters after the meeting in Tokyo.",
]
TOP = ["ADVERTISEMENT", "News / Koreas", "WORLD"]
MID = ["ADVERTISEMENT", "Share", "Tweet", "Facebook",
       "Troops march during a parade in Pyongyang (photo: GettyImages)", "(Photo by AFP)",
       "We use cookies to improve your experience. Accept all cookies",
       "Download our app on Google Play", "Read also: Markets close higher in Tokyo",
       "Read more \u00bb"]
TAILS = [
    ["OTHER NEWS", "Celebrity wedding draws crowds", "Stocks rally on Friday ... Read more \u00bb"],
    ["(END)", "2025/01/06 18:52 KST", "Weather: cold wave grips the capital"],
    ["Top Content Trending", "-", "Ten beaches to visit this winter", "-", "New phone launched"],
    ["Press TV\u2019s website can also be accessed at the following alternate addresses:",
     "www.presstv.co.uk", "SHARE THIS ARTICLE"],
    ["\u00a9 2024 Yonhap News Agency. All rights reserved."],
    ["OTHER NEWS", "Stocks rally on Friday", "Copyright (c) The Korea Herald",
     "All Rights Reserved"],
    ["Share", "COPYRIGHT \u00a9 2023 THE JAPAN TIMES, ALL RIGHTS RESERVED"],
    [],
]


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, list[str], str | None, str | None]:
    space = st.sampled_from([" ", " ", " ", "  ", "\t", "\u00a0"])
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))

    def spaced(text: str) -> str:
        return "".join(w + (draw(space) if k < len(text.split()) - 1 else "")
                       for k, w in enumerate(text.split()))

    paras = draw(st.lists(st.sampled_from(ARTICLE), min_size=1, max_size=4, unique=True))
    nfd = draw(st.booleans())
    lines: list[str] = []
    date = draw(st.sampled_from([None, " date 2024-06-27 ", " date 2023-06",
                                 " date 2025-05-08 403"]))
    title = draw(st.sampled_from([None, "Allies stage trilateral air drill near Jeju"]))
    top = draw(st.lists(st.sampled_from(TOP), max_size=2, unique=True))
    lines += [t for t in TOP if t in top]  # breadcrumb and section label precede the title
    if title:
        lines.append(title)
    if date:
        lines.insert(0, date + (" " + lines.pop(0) if lines and draw(st.booleans()) else ""))
    dateline = draw(st.sampled_from([None, "SEOUL, June 27 (Yonhap) -- "]))
    for k, p in enumerate(paras):
        text = unicodedata.normalize("NFD", p) if nfd else p
        if k == 0 and dateline:
            text = dateline + text
        lines.append(("  " if draw(st.booleans()) else "") + spaced(text))
        if k < len(paras) - 1:
            lines += draw(st.lists(st.sampled_from(MID), max_size=2))
    tail = draw(st.sampled_from(TAILS))
    if tail and tail[0] == "(END)" and draw(st.booleans()):
        lines[-1] += " (END)"
        tail = tail[1:]
    lines += tail
    blank = eol * draw(st.integers(1, 3))
    return blank.join(lines) + eol, paras, title, dateline


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_generated_pages_keep_every_article_paragraph_and_nothing_else(case):
    page, paras, title, dateline = case
    doc = clean(RawArticle("gen.txt", page.encode()), page)
    assert doc.text == "\n\n".join([title, *paras] if title else paras)
    assert doc.title.value == title
    assert doc.dateline.value == (dateline.split(" --")[0] if dateline else None)
    assert_accounted(doc, page)


def test_copyright_footers_go_only_from_the_end_of_the_page():
    body = ("South Korea, the United States and Japan held a trilateral air exercise on Sunday, "
            "the Joint Chiefs of Staff said.")
    last = ("Copyright infringement cases involving drill footage rose in 2023, the ministry "
            "said.")
    quote = '"All rights reserved," the ministry said of the footage in a statement.'
    for tail in (last, quote):
        page = f"Allies hold air drill\n\n{body}\n\n{tail}\n"
        doc = clean(RawArticle("c.txt", page.encode()), page)
        assert doc.text.endswith(tail), tail  # a sentence, not a footer
    # a footer line inside the body is not at the end of the page: kept
    page = f"Allies hold air drill\n\n{body}\n\n\u00a9 Yonhap\n\n{last}\n\u00a9 Yonhap\n"
    doc = clean(RawArticle("c.txt", page.encode()), page)
    assert [r.text for r in doc.removed if r.reason == "copyright_footer"] == ["\u00a9 Yonhap"]
    assert "\u00a9 Yonhap" in doc.text
    assert_accounted(doc, page)


# --- regressions found by fuzzing (tests/test_fuzz.py) -----------------------------------

def test_conjoining_jamo_compose_into_one_mapped_syllable_and_later_characters_stay_exact():
    """Before: jamo have combining class 0, so the word `각abc` (raw: 3 jamo + abc) became one
    run of 4 characters from raw offset 0, and `abc` pointed at raw `ᅡᆨa`."""
    page = "Talks in \u1100\u1161\u11a8abc on Monday, officials said. \u0b95\u0bc6\u0bbe.\n"
    doc = clean(RawArticle("j.txt", page.encode()), page)
    assert doc.text == "Talks in \uac01abc on Monday, officials said. \u0b95\u0bca."
    # the syllable points to its first jamo
    # then `abc on ... said. க` exactly from raw 12; the Tamil vowel sign (two raw signs, the
    # second of combining class 0) points to its first; the full stop is exact again
    assert doc.offset_map[1:] == [(9, 9, 1), (10, 12, 32), (42, 44, 1), (43, 46, 1)]
    assert doc.raw_offset(doc.text.index("abc")) == page.index("abc")
    assert_accounted(doc, page)


def test_a_combining_mark_after_an_invisible_character_still_composes():
    """Before: the zero-width space split the word into pieces normalised apart, so the text
    kept `e` + U+0301 (not NFC) and marks around a bidi mark kept their raw order."""
    page = "Talks at the cafe\u200b\u0301 in Seoul, \u0300\u200f\u0316x, officials said.\n"
    doc = clean(RawArticle("z.txt", page.encode()), page)
    assert doc.text == "Talks at the caf\u00e9 in Seoul, \u0316\u0300x, officials said."
    assert unicodedata.is_normalized("NFC", doc.text)
    assert doc.normalizations == {"zero_width": 1, "bidi_control": 1, "nfc": 2}
    assert_accounted(doc, page)
