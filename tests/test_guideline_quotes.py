"""Guidelines quote only what is published: every article quote in the guidelines' prose and in
the examples of schema/labels.yaml occurs in the published text of the release (or is marked
† as invented), so cleaning and guidelines cannot drift apart (trisec.annotation.quotes)."""

from __future__ import annotations

import pyarrow.parquet as pq
import yaml

from trisec.annotation.quotes import Quote, label_quotes, occurs, prose_quotes, unpublished
from trisec.paths import DATASET_DIR, ROOT, SCHEMA_DIR


def _release_texts() -> list[str]:
    return [str(t) for t in pq.read_table(DATASET_DIR / "data" / "documents",
                                          columns=["text"]).column("text").to_pylist()]


def test_every_guideline_and_label_example_quote_is_published_text() -> None:
    guidelines = (ROOT / "docs" / "ANNOTATION_GUIDELINES.md").read_text(encoding="utf-8")
    labels = yaml.safe_load((SCHEMA_DIR / "labels.yaml").read_text(encoding="utf-8"))
    quotes = [*prose_quotes(guidelines), *label_quotes(labels)]
    assert len(quotes) > 50  # the extraction found the quotes at all
    missing = unpublished(quotes, _release_texts())
    assert not missing, "quotes in no published text (fix the quote to the text, or mark " \
        "it † as invented):\n" + "\n".join(f"{q.where}: {q.text!r}" for q in missing)


def test_the_checker_catches_unpublished_quotes_and_honours_the_conventions() -> None:
    texts = ["S. Korea, US, Japan discuss defense cooperation\n\nThe talks took place on "
             "Thursday, the ministry said \u201cit was useful\u201d."]
    prose = ('"The [talks] took place"; "the talks ... the ministry said" and "it was '
             'useful"; "Osan Air Base"\u2020; "X said that P"; "s. korea"; "took place on '
             'Friday"; "the ministry ... The talks"\n\n<!-- BEGIN GENERATED -->"not checked"')
    found = {q.text for q in unpublished(prose_quotes(prose), texts)}
    assert found == {"s. korea", "took place on Friday", "the ministry ... The talks"}
    labels = {"event_types": [{"name": "MEET", "positive": [
        "S. Korea, US, Japan [discuss] defense cooperation", "the [talks] (in-person)",
        "a [summit] in Busan \u2020"], "negative": ["discussed / the minister said -> nothing"]}]}
    missing = unpublished(label_quotes(labels), texts)
    assert [q.text for q in missing] == ["discussed", "the minister said"]
    assert all(isinstance(q, Quote) and q.where.startswith("schema/labels.yaml") for q in missing)
    assert occurs("the ministry said \u201cit was useful\u201d", texts)
    assert occurs('the ministry said "it was useful"', texts)  # typography does not count
