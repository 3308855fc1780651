"""The `prompts` config: one row per (document, task), instructions derived from labels.yaml,
train-only worked examples, references that align back to exactly the gold, no leakage."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest

from trisec.evaluate.views import view_from_annotation
from trisec.generative.align import align_response
from trisec.generative.formats import layer_items, quote, reference, response_schema, tasks
from trisec.generative.instructions import instructions, user_message
from trisec.generative.leakage import LeakIndex, ngrams
from trisec.generative.prompts import choose_example, excerpt_view, has_gold
from trisec.schema import Schema


def _rows(release: Path, config: str) -> list[dict]:
    out: list[dict] = []
    for p in sorted((release / "data" / config).glob("*.parquet")):
        out += pq.read_table(p).to_pylist()
    return out


def test_one_prompt_per_document_and_task(release: Path, schema: Schema) -> None:
    docs = _rows(release, "documents")
    prompts = _rows(release, "prompts")
    assert sorted((p["doc_id"], p["task"]) for p in prompts) == sorted(
        (d["doc_id"], t) for d in docs for t in tasks(schema))
    split = {d["doc_id"]: d["split"] for d in docs}
    text = {d["doc_id"]: d["text"] for d in docs}
    for p in prompts:
        assert p["split"] == split[p["doc_id"]]
        assert p["messages"][0]["role"] == "system"
        assert p["messages"][-1] == {"role": "user", "content": user_message(text[p["doc_id"]])}
        assert all(split[x] == "train" for x in p["example_doc_ids"])
        assert p["prompt_version"] == str(schema.dataset["prompts"]["version"])


def test_every_reference_is_valid_and_aligns_to_exactly_the_gold(release: Path,
                                                                 schema: Schema) -> None:
    docs = {d["doc_id"]: d for d in _rows(release, "documents")}
    checked = 0
    for p in _rows(release, "prompts"):
        doc = docs[p["doc_id"]]
        if not has_gold(doc):
            assert p["reference"] is None
            continue
        sch = json.loads(p["response_schema"])
        jsonschema.validate(json.loads(p["reference"]), sch)
        view, acc = align_response(p["doc_id"], p["task"], doc["text"], p["reference"], schema)
        assert acc.json == "valid" and acc.spans["exact"] == sum(acc.spans.values())
        assert layer_items(p["task"], view) == layer_items(p["task"],
                                                           view_from_annotation(doc))
        checked += 1
    assert checked


def test_instructions_carry_every_label_and_definition_from_labels_yaml(schema: Schema) -> None:
    def one_line(x: object) -> str:
        return " ".join(str(x).split())

    ent = instructions("entities", schema)
    for item in schema.labels["entity_labels"]:
        assert f"- {item['name']}: {one_line(item['definition'])}" in ent
    ev = instructions("events", schema)
    for t in schema.labels["event_types"]:
        assert f"- {t['name']}: {one_line(t['definition'])}" in ev
        for r in t["roles"]:
            assert f"role {r['name']} ({', '.join(r['labels'])}): " \
                   f"{one_line(r['definition'])}" in ev
    att = instructions("attributions", schema)
    for k in schema.labels["attribution_kinds"]:
        assert one_line(k["definition"]) in att
    for task in tasks(schema):
        assert json.dumps(response_schema(task, schema), ensure_ascii=False) in \
            instructions(task, schema)


def test_response_schemas_are_valid_and_closed(schema: Schema) -> None:
    for task in tasks(schema):
        sch = response_schema(task, schema)
        jsonschema.Draft202012Validator.check_schema(sch)
        v = jsonschema.Draft202012Validator(sch)
        assert v.is_valid({task: []})
        assert not v.is_valid({task: [], "extra": 1})
        assert not v.is_valid({})
    v = jsonschema.Draft202012Validator(response_schema("entities", schema))
    assert v.is_valid({"entities": [{"text": "Seoul", "label": "GPE", "occurrence": 2}]})
    assert not v.is_valid({"entities": [{"text": "Seoul", "label": "PERSON"}]})
    assert not v.is_valid({"entities": [{"start": 0, "end": 5, "label": "GPE"}]})


def test_quote_adds_an_occurrence_only_when_the_text_repeats() -> None:
    text = "US troops and US ships near USS Carl Vinson"
    assert quote(text, 0, 2) == {"text": "US", "occurrence": 1}
    assert quote(text, 14, 16) == {"text": "US", "occurrence": 2}
    assert quote(text, 3, 9) == {"text": "troops"}


def test_worked_example_comes_from_train_gold_and_cuts_no_item(release: Path,
                                                               schema: Schema) -> None:
    docs = _rows(release, "documents")
    sents: dict[str, list[tuple[int, int]]] = {}
    for s in _rows(release, "sentences"):
        sents.setdefault(s["doc_id"], []).append((s["start"], s["end"]))
    limit = int(schema.dataset["prompts"]["example_max_chars"])
    for task in tasks(schema):
        ex = choose_example(task, docs, sents, limit)
        assert ex is not None
        src = next(d for d in docs if d["doc_id"] == ex.doc_id)
        assert src["split"] == "train"
        assert len(ex.text) <= limit and ex.text in src["text"]
        # the example's gold is exactly the source's gold inside the excerpt
        lo = src["text"].index(ex.text)
        again = excerpt_view(task, view_from_annotation(src), lo, lo + len(ex.text))
        assert again is not None
        assert layer_items(task, again) == layer_items(task, ex.view)
        # a test document is never an example, even when it is the only one with gold
        test_only = [dict(d, split="test") for d in docs]
        assert choose_example(task, test_only, sents, limit) is None


def test_excerpt_refuses_a_window_that_cuts_an_item(schema: Schema) -> None:
    doc = {"doc_id": "d", "mentions": [{"id": "M1", "start": 4, "end": 15, "text": "South Korea",
                                        "label": "GPE", "entity": "E1"}],
           "entities": [{"id": "E1"}], "events": [], "attributions": []}
    view = view_from_annotation(doc)
    assert excerpt_view("entities", view, 0, 10) is None
    ok = excerpt_view("entities", view, 2, 20)
    assert ok is not None and layer_items("entities", ok) == [(2, 13, "GPE")]


def test_leak_index_finds_another_documents_passage_but_not_shared_stock_phrases() -> None:
    secret = ("Officials said the three countries would hold a trilateral exercise off Jeju "
              "island next month with two destroyers")
    index = LeakIndex({"test-doc": secret}, 10)
    assert index.leaks("train-doc", "unrelated text", ["Article:\n" + secret]) == [
        "test-doc: " + " ".join(sorted(ngrams(secret, 10))[0])]
    assert index.leaks("test-doc", secret, ["Article:\n" + secret]) == []
    # a run the prompt's own document also contains is that document's text, not a leak
    assert index.leaks("other", secret, [secret]) == []
    assert index.leaks("other", "x", ["the three countries would hold a trilateral"]) == []


@pytest.mark.parametrize("task", ["entities", "events", "attributions"])
def test_reference_of_a_document_without_items_is_an_empty_list(task: str) -> None:
    from trisec.evaluate.views import DocView

    assert reference(task, "some text", DocView("d")) == {task: []}
