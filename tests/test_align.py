"""Quote-to-offset alignment: exact, normalised, occurrence and context; JSON recovery; the
account; the responses file's located errors; the property that quoting every gold span and
aligning gives back exactly the gold offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trisec.cli import main
from trisec.errors import TrisecError
from trisec.evaluate.views import view_from_annotation
from trisec.generative.align import (
    Locator,
    ResponseAccount,
    align_response,
    first_unused,
    parse_json,
    resolve,
)
from trisec.generative.formats import quote
from trisec.generative.normalise import normalised
from trisec.generative.responses import parse_responses
from trisec.schema import Schema

TEXT = ("South Korea and the US held talks. “We will respond,” the South Korean minister "
        "said — and the US agreed. SOUTH KOREA's navy joined.")


def _resolve(d: dict, text: str = TEXT) -> tuple[tuple[int, int] | None, ResponseAccount]:
    acc = ResponseAccount("d", "entities")
    s = resolve(Locator(text), d, first_unused(set()), acc)
    return (None if s is None else (s.start, s.end)), acc


def test_exact_unique_quote() -> None:
    (span, acc) = _resolve({"text": "talks"})
    assert span is not None and TEXT[span[0]:span[1]] == "talks"
    assert acc.spans["exact"] == 1


def test_occurrence_picks_among_exact_matches() -> None:
    first = TEXT.find("the US")
    second = TEXT.find("the US", first + 1)
    assert _resolve({"text": "the US", "occurrence": 2})[0] == (second, second + 6)
    assert _resolve({"text": "the US", "occurrence": 1})[0] == (first, first + 6)


def test_context_picks_the_nearest_occurrence() -> None:
    second = TEXT.find("the US", TEXT.find("the US") + 1)
    span, acc = _resolve({"text": "the US", "context": "and the US agreed"})
    assert span == (second, second + 6) and acc.spans["exact"] == 1


def test_ambiguous_quote_is_placed_by_rule_and_counted() -> None:
    span, acc = _resolve({"text": "the US"})
    assert span == (TEXT.find("the US"), TEXT.find("the US") + 6)
    assert acc.spans["ambiguous"] == 1


def test_normalised_match_maps_back_to_original_offsets() -> None:
    # straight quotes and hyphen for curly quotes and an em dash; other case and spacing
    span, acc = _resolve({"text": '"we   will RESPOND," the south korean minister said - and'})
    assert span is not None
    assert TEXT[span[0]:span[1]] == "“We will respond,” the South Korean minister said — and"
    assert acc.spans["normalised"] == 1


def test_case_variants_are_distinct_exact_matches_but_one_normalised_class() -> None:
    # 'South Korea' occurs once verbatim (the 'South Korean' prefix aside): exact wins
    exact = [i for i in range(len(TEXT)) if TEXT.startswith("South Korea", i)]
    assert _resolve({"text": "South Korea", "occurrence": 2})[0] == (exact[1], exact[1] + 11)
    span, acc = _resolve({"text": "south korea's navy"})
    assert span is not None and TEXT[span[0]:span[1]] == "SOUTH KOREA's navy"


def test_not_found_and_malformed_are_counted() -> None:
    assert _resolve({"text": "the Republic of Korea"}) == (None, _resolve(
        {"text": "the Republic of Korea"})[1])
    assert _resolve({"text": "the Republic of Korea"})[1].spans["not_found"] == 1
    assert _resolve({"start": 0, "end": 5})[1].malformed_items == 1


def test_normalised_view_keeps_an_origin_per_character() -> None:
    norm, origin = normalised("A\u00a0\u00a0B “ﬁ”")
    assert norm == 'a b "fi"'
    assert [origin[i] for i in range(len(norm))] == [0, 1, 3, 4, 5, 6, 6, 7]


@pytest.mark.parametrize("raw,how", [
    ('{"entities": []}', "valid"),
    ('```json\n{"entities": []}\n```', "recovered"),
    ('Here is the answer:\n{"entities": []}\nHope this helps.', "recovered"),
    ('{"entities": [', "invalid"),
    ('{"entities": [{"text": "a", "label": "PER"}, {"te', "invalid"),  # cut off
    ("I cannot help with that.", "invalid"),
    ('{"events": []}', "valid"),  # valid JSON, wrong shape (checked after parsing)
])
def test_json_is_recovered_from_fences_and_prose(raw: str, how: str) -> None:
    assert parse_json(raw, "entities")[1] == how


def test_bad_answers_predict_nothing_and_say_why(schema: Schema) -> None:
    view, acc = align_response("d", "entities", TEXT, '{"events": []}', schema)
    assert acc.json == "wrong_shape" and not view.entities and not acc.predicts
    view, acc = align_response("d", "entities", TEXT, None, schema, error="timed out")
    assert acc.json == "request_failed" and acc.error == "timed out"
    view, acc = align_response("d", "entities", TEXT, json.dumps({"entities": [
        {"text": "talks", "label": "MEETING"}, {"text": "South Korea", "label": "GPE",
                                                 "occurrence": 1}, "oops"]}), schema)
    assert acc.outside_schema == {"label:MEETING": 1} and acc.malformed_items == 1
    assert [(s.start, s.end, s.label) for s in view.entities] == [(0, 11, "GPE")]


def test_roles_are_checked_against_their_event_type(schema: Schema) -> None:
    etype = schema.event_types[0]
    allowed = list(schema.roles_for(etype))
    not_allowed = next(r for r in schema.all_roles if r not in allowed)
    raw = json.dumps({"events": [{"type": etype, "trigger": {"text": "talks"}, "arguments": [
        {"text": "South Korea", "occurrence": 1, "role": allowed[0]},
        {"text": "the US", "occurrence": 1, "role": not_allowed}]},
        {"type": "PARTY", "trigger": {"text": "held"}, "arguments": []}]})
    view, acc = align_response("d", "events", TEXT, raw, schema)
    assert acc.outside_schema == {f"role:{etype}.{not_allowed}": 1, "type:PARTY": 1}
    assert [(a.role, a.start) for a in view.events[0].arguments] == [(allowed[0], 0)]


def test_cue_and_source_without_a_disambiguator_go_nearest_the_content(schema: Schema) -> None:
    text = "Kim said A. Lee said \u201cB is true.\u201d Park said C."
    raw = json.dumps({"attributions": [{"content": {"text": "\u201cB is true.\u201d"},
                                        "cue": {"text": "said"}, "source": {"text": "Lee"}}]})
    view, acc = align_response("d", "attributions", text, raw, schema)
    q = view.attributions[0]
    assert q.cue is not None and (q.cue.start, q.cue.end) == (16, 20)
    assert acc.spans["ambiguous"] == 1


# --- the property: quoted gold spans align back to exactly the gold offsets ------------------

def _gold_spans(release: Path) -> list[tuple[str, int, int]]:
    out = []
    for p in sorted((release / "data" / "documents").glob("*.parquet")):
        for row in pq.read_table(p).to_pylist():
            v = view_from_annotation(row)
            spans = [*v.entities, *(e.trigger for e in v.events),
                     *(a for q in v.attributions for a in (q.content, q.cue, q.source) if a)]
            spans += [a for e in v.events for a in e.arguments]  # type: ignore[misc]
            out += [(row["text"], s.start, s.end) for s in spans]
    return out


def test_every_gold_span_of_every_document_round_trips(release: Path) -> None:
    spans = _gold_spans(release)
    assert spans
    for text, start, end in spans:
        span, acc = _resolve(quote(text, start, end), text)
        assert span == (start, end) and acc.spans["exact"] == 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_quoting_a_sampled_gold_span_and_aligning_returns_its_offsets(release: Path,
                                                                      data: st.DataObject
                                                                      ) -> None:
    text, start, end = data.draw(st.sampled_from(_gold_spans_cached(release)))
    assert _resolve(quote(text, start, end), text)[0] == (start, end)


_CACHE: dict[Path, list[tuple[str, int, int]]] = {}


def _gold_spans_cached(release: Path) -> list[tuple[str, int, int]]:
    if release not in _CACHE:
        _CACHE[release] = _gold_spans(release)
    return _CACHE[release]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab A\u2019\u2014\n", min_size=1, max_size=40), data=st.data())
def test_quoting_any_span_of_any_text_returns_its_offsets(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    assert _resolve(quote(text, start, end), text)[0] == (start, end)


# --- the responses file ------------------------------------------------------------------------

def test_a_bad_responses_file_names_each_line_and_the_fix() -> None:
    lines = ['{"doc_id": "a", "task": "entities", "response": "{}"}',
             "not json at all",
             '{"doc_id": "nope", "task": "entities", "response": "{}"}',
             '{"doc_id": "a", "task": "relations", "response": "{}"}',
             '{"doc_id": "a", "task": "entities", "response": "{}"}',
             '{"doc_id": "a", "task": "events", "response": 3, "extra": 1}']
    with pytest.raises(TrisecError) as err:
        parse_responses(lines, "r.jsonl", {"a"}, ["entities", "events"])
    text = [str(p) for p in err.value.problems]
    assert text[0].startswith("r.jsonl:2: not JSON") and "JSONL" in text[0]
    assert text[1].startswith("r.jsonl:3: unknown doc_id 'nope'") and "fix:" in text[1]
    assert text[2].startswith("r.jsonl:4: unknown task 'relations'") and "entities" in text[2]
    assert text[3].startswith("r.jsonl:5: a entities already on line 1")
    assert any(t.startswith("r.jsonl:6: unknown key(s) 'extra'") for t in text)
    assert any(t.startswith("r.jsonl:6: response must be a string") for t in text)


def test_align_cli_writes_nothing_for_a_bad_file(release: Path, tmp_path: Path) -> None:
    bad = tmp_path / "responses.jsonl"
    bad.write_text('{"doc_id": "tsn-0000000000000000", "task": "entities", "response": "{}"}\n',
                   encoding="utf-8")
    out = tmp_path / "preds.jsonl"
    res = CliRunner().invoke(main, ["align", "-r", str(bad), "--release", str(release),
                                    "-o", str(out)])
    assert res.exit_code == 1
    assert "responses.jsonl:1: unknown doc_id 'tsn-0000000000000000'" in res.output
    assert not out.exists() and not list(tmp_path.glob("*.alignment.json"))
