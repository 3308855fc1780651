"""The real corpus: immutable raw inputs, curated metadata, and honest published documents.

Every fact asserted about an article below was checked by reading its raw file (line numbers
are 1-based lines of corpus/raw/<file>) and shared/seed-provenance.yaml, not copied from the
build's output.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from conftest import assert_accounted
from corpus_checks import (
    as_document,
    check_metadata,
    check_published,
    check_raw_pinned,
    release_rows,
)

from trisec.documents.clean import clean
from trisec.documents.ingest import decode, read_raw
from trisec.documents.metadata import merge_metadata
from trisec.paths import RAW_CHECKSUMS, RAW_DIR, ROOT

SHARED_RAW = ROOT.parent / "shared" / "raw-articles"

# raw lines that are the article (everything else on the page is boilerplate or metadata)
ARTICLE_LINES = {
    "000_983addbeba9461a4.txt": [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23],  # + rest of line 1
    "001_5490b7e65b2fff38.txt": [7, 9, 11, 13, 15, 17, 19, 21, 23, 25],
    "002_c37bc291a6e8c48a.txt": [5, 9, 13],  # + rest of line 1 after "(MENAFN)"
    "003_e71573b21affb5a2.txt": [7, 9, 11, 13, 15, 17, 19, 21, 23],
    "004_fd7d536830c83d2c.txt": [9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31],
}
# page furniture seen in these files; none may survive into any published text
BOILERPLATE = ["OTHER NEWS", "News Related", "Top List in the World", "Read more",
               "We use cookies", "Cookie Policy", "SHARE THIS ARTICLE",
               "can also be accessed at the following alternate addresses", "presstv.co.uk",
               "ADVERTISEMENT", "Roku", "(photo: GettyImages)", "(Photo by AFP)",
               "Jimmy Carter", "Cyber Monday", "date 2025-07-11", "date 2024-11-14"]


def test_raw_files_match_their_checksums():
    check_raw_pinned(RAW_DIR, RAW_CHECKSUMS)


@pytest.mark.skipif(not SHARED_RAW.is_dir(), reason="no shared/raw-articles beside the repo")
def test_raw_files_are_byte_identical_to_the_shared_crawl():
    shared = {p.name: p.read_bytes() for p in SHARED_RAW.glob("*.txt")}
    assert shared
    for name, data in shared.items():
        assert (RAW_DIR / name).read_bytes() == data, name


def test_each_raw_file_has_curated_metadata_for_its_bytes(repo_corpus):
    check_metadata(repo_corpus)


# --- the published documents --------------------------------------------------------------

@pytest.fixture(scope="module")
def documents(release) -> dict[str, dict]:
    return {r["source_file"]: r for r in release_rows(release, "documents")}


def test_every_raw_file_is_published_once_in_its_split(release, repo_corpus, schema, documents):
    assert set(ARTICLE_LINES) <= set(documents)
    check_published(release, repo_corpus, schema)


@pytest.mark.parametrize("name", sorted(ARTICLE_LINES))
def test_every_article_line_is_kept_and_every_raw_char_accounted_for(name, documents):
    row = documents[name]
    decoded = decode(read_raw(RAW_DIR / name))
    lines = decoded.splitlines()
    for n in ARTICLE_LINES[name]:
        assert " ".join(lines[n - 1].split()) in row["text"], (name, n)
    for marker in BOILERPLATE:
        assert marker.casefold() not in row["text"].casefold(), (name, marker)
    assert unicodedata.is_normalized("NFC", row["text"])
    assert not re.search(r"[ \t]{2,}|\n{3,}| \n|\n ", row["text"])
    assert_accounted(as_document(row), decoded)


def test_001_date_is_external_medium_not_its_other_news_block(documents, repo_corpus):
    row = documents["001_5490b7e65b2fff38.txt"]
    pub = row["published"]
    assert (pub["value"], pub["precision"], pub["provenance"], pub["confidence"]) == (
        "2024-03-22", "day", "external", "medium")
    # the page itself carries no date: without the curated lookup it stays undated, so the
    # late-November-2023 OTHER NEWS block (lines 29-58) is never used as a date source
    raw = read_raw(RAW_DIR / "001_5490b7e65b2fff38.txt")
    alone = merge_metadata(clean(raw, decode(raw)), None)
    assert alone.published.value is None
    block = [r for r in row["removed"] if r["reason"] == "related_news"]
    assert block[0]["text"] == "News Related" and block[-1]["text"] == "Top List in the World"
    assert row["text"].endswith("called on the army to intensify preparations for war.")
    # headline from raw line 1 opens the text; its lower-cased copy (line 3) and the photo
    # caption (line 5) go
    headline = ("S. Korea, US, Japan discuss defense cooperation against backdrop of threats "
                "from North Korea")
    assert row["title"]["value"] == headline and row["title"]["provenance"] == "body"
    assert row["text"].startswith(headline + "\n\nRepresentatives of the defense ministries")
    assert [r["reason"] for r in row["removed"][:2]] == ["title_duplicate", "caption"]
    # the outlet is unconfirmed: no value is invented, the lookup's words are the evidence
    assert row["outlet"]["value"] is None and "unconfirmed" in row["outlet"]["evidence"]
    assert (row["url"]["provenance"], row["url"]["confidence"]) == ("external", "medium")


def test_000_has_no_title_and_its_crawl_date_agrees(documents):
    row = documents["000_983addbeba9461a4.txt"]
    assert row["title"]["value"] is None  # no title line; the URL slug is not a title
    assert "slug" in row["title"]["evidence"]
    assert row["text"].startswith("South Korea, the United States, and Japan are conducting")
    assert row["text"].endswith("which is a record.")
    assert [(r["reason"], r["text"]) for r in row["removed"]] == [
        ("crawl_date_line", " date 2025-07-11 ")]
    pub = row["published"]
    assert (pub["value"], pub["provenance"], pub["confidence"]) == ("2025-07-11", "external",
                                                                    "high")
    assert "agrees with the crawl date line" in pub["evidence"]
    assert row["outlet"]["value"] == "UNN (Ukrainian National News), English edition"


def test_002_agency_tag_is_metadata(documents):
    row = documents["002_c37bc291a6e8c48a.txt"]
    assert row["dateline"]["value"] == "(MENAFN)"
    assert row["text"].startswith("South Korea, the United States, and Japan have launched")
    assert row["published"]["value"] == "2024-11-14"
    assert row["title"]["provenance"] == "external"  # the page has no title line


def test_003_press_tv_furniture_is_gone_and_the_quote_is_kept(documents):
    row = documents["003_e71573b21affb5a2.txt"]
    assert row["title"]["value"] == "US, Japan, South Korea vow to step up joint work against North"
    reasons = [r["reason"] for r in row["removed"]]
    assert reasons == ["breadcrumb", "caption", "mirror_address", "mirror_address", "share",
                       "promo"]
    assert row["text"].startswith(row["title"]["value"] + "\n\nThe United States and its")
    assert '"So I look forward to deepening the bonds of cooperation' in row["text"]
    assert row["text"].endswith("including missiles that could reach as far as the US mainland.")
    assert (row["published"]["value"], row["published"]["confidence"]) == ("2022-11-13", "high")


def test_004_dateline_is_ankara_found_in_the_page(documents):
    row = documents["004_fd7d536830c83d2c.txt"]
    assert row["dateline"]["value"] == "ANKARA"
    assert row["dateline"]["provenance"] == "body"  # raw line 7, not only the lookup
    assert row["title"]["value"] == ("US, Japan to enhance trilateral military cooperation "
                                     "with South Korea")
    assert row["text"].startswith(row["title"]["value"] + "\n\nThe US and Japan on Thursday "
                                  "agreed")
    assert row["text"].endswith("Global Times quoted the spokesperson as saying.")
    assert [r["reason"] for r in row["removed"]] == [
        "advertisement", "section_label", "dateline", "cookie_notice", "related_news"]
    pub = row["published"]
    # the Austin-Hamada meeting was on Thursday 2023-06-01 ("on Thursday" in line 9)
    assert (pub["value"], pub["provenance"], pub["confidence"]) == ("2023-06-01", "external",
                                                                    "high")
