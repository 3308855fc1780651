"""`trisec run` + `align` + `evaluate` against a real chat-completions server on 127.0.0.1:
the oracle (answers with each prompt's gold reference) scores exactly 1.0 on every layer; a
degraded oracle scores exactly what the same errors injected as offset predictions score,
with every failure counted; a rerun is answered from the cache; the API key stays in the
request header."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from trisec.cli import main
from trisec.evaluate.benchmark import evaluate_file
from trisec.evaluate.spans import Span
from trisec.evaluate.views import DocView, Event, view_from_annotation, view_to_prediction
from trisec.generative.align import Locator
from trisec.generative.aligner import read_account
from trisec.generative.cache import ResponseCache
from trisec.generative.client import ChatClient, Settings
from trisec.generative.formats import tasks
from trisec.generative.normalise import normalise, normalised
from trisec.generative.oracle import OracleServer
from trisec.generative.runner import read_prompts, run_prompts
from trisec.schema import Schema

SPLIT = "test"
LAYERS = ("entities", "events", "attribution")


def _all_prompts(release: Path) -> list[dict[str, Any]]:
    return [r for p in sorted((release / "data" / "prompts").glob("*.parquet"))
            for r in pq.read_table(p).to_pylist()]


def _docs(release: Path, split: str = SPLIT) -> dict[str, dict[str, Any]]:
    return {r["doc_id"]: r for r in pq.read_table(
        release / "data" / "documents" / f"{split}-00000-of-00001.parquet").to_pylist()}


def _f1s(report: dict[str, Any]) -> dict[str, float]:
    out = {}
    for layer in LAYERS:
        for key, m in report[layer].items():
            if isinstance(m, dict) and "f1" in m:
                out[f"{layer}/{key}"] = m["f1"]
    return out


def _scores(report: dict[str, Any]) -> dict[str, Any]:
    """Every count, P/R/F1 and interval of the three layers (not the notes or paths)."""
    return {layer: report[layer] for layer in LAYERS}


def _cli(*args: str, env: dict[str, str] | None = None) -> Any:
    res = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res


def _run_cli(server: OracleServer, release: Path, tmp: Path, *extra: str,
             env: dict[str, str] | None = None) -> Any:
    return _cli("run", "--base-url", server.base_url, "--model", "oracle", "--release",
                str(release), "--split", SPLIT, "-o", str(tmp / "responses.jsonl"),
                "--cache", str(tmp / "cache"), "--no-progress", "--backoff", "0", *extra,
                env=env)


def test_oracle_scores_exactly_one_on_every_layer_and_reruns_from_the_cache(
        release: Path, tmp_path: Path, schema: Schema) -> None:
    rows = _all_prompts(release)
    with OracleServer(rows) as server:
        _run_cli(server, release, tmp_path, "--concurrency", "3")
        sent = len(server.seen.requests)
        first = (tmp_path / "responses.jsonl").read_bytes()
        # a rerun is answered from the cache: the server sees zero requests
        _run_cli(server, release, tmp_path, "--concurrency", "3")
        assert len(server.seen.requests) == sent
        assert (tmp_path / "responses.jsonl").read_bytes() == first
    n_prompts = sum(1 for r in rows if r["split"] == SPLIT)
    assert sent == n_prompts
    preds = tmp_path / "predictions.jsonl"
    _cli("align", "-r", str(tmp_path / "responses.jsonl"), "--release", str(release),
         "-o", str(preds))
    account = read_account(tmp_path / "predictions.alignment.json")
    report = evaluate_file(preds, release, SPLIT, alignment=account)
    f1 = _f1s(report)
    assert f1 and set(f1.values()) == {1.0}, {k: v for k, v in f1.items() if v != 1.0}
    total = account["total"]
    assert total["responses"] == n_prompts and total["json"]["valid"] == n_prompts
    assert total["spans"]["exact"] == sum(total["spans"].values()) > 0
    assert total["items_kept"] == total["items_answered"]
    assert report["alignment"] == account


# --- the degraded oracle -----------------------------------------------------------------------

def _ref(rows: list[dict[str, Any]], doc_id: str, task: str) -> dict[str, Any]:
    return json.loads(next(r["reference"] for r in rows
                           if r["doc_id"] == doc_id and r["task"] == task))


def _other(value: str, choices: list[str], ok: Any = lambda c: True) -> str:
    return next(c for c in choices if c != value and ok(c))


def test_degraded_oracle_scores_exactly_like_the_same_errors_as_offsets(
        release: Path, tmp_path: Path, schema: Schema) -> None:
    rows = _all_prompts(release)
    docs = _docs(release)
    a, b = sorted(docs)[:2]
    text = {d: docs[d]["text"] for d in docs}
    gold = {d: view_from_annotation(docs[d]) for d in docs}
    expected = {d: DocView(d, list(gold[d].entities), list(gold[d].events),
                           list(gold[d].attributions)) for d in docs}
    script: dict[tuple[str, str], list[tuple[str, Any]]] = {}

    # A entities: an item dropped, a wrong label, a re-cased quote (found after
    # normalisation), a paraphrased quote (not found: dropped), all wrapped in prose + fence
    ref = _ref(rows, a, "entities")
    ents = sorted(gold[a].entities)
    assert len(ref["entities"]) == len(ents)
    items = [dict(x) for x in ref["entities"]]
    wrong = _other(items[1]["label"], schema.entity_labels)
    items[1]["label"] = wrong
    expected[a].entities = [Span(ents[1].start, ents[1].end, wrong)] + [
        s for s in ents[2:]]
    recase = next(i for i in range(2, len(items)) if "occurrence" not in items[i]
                  and items[i]["text"].upper() != items[i]["text"]
                  and items[i]["text"].upper() not in text[a]
                  and normalised(text[a])[0].count(normalise(items[i]["text"])) == 1)
    items[recase]["text"] = items[recase]["text"].upper()
    para = next(i for i in range(2, len(items)) if i != recase and " " in items[i]["text"])
    items[para]["text"] = " ".join(reversed(items[para]["text"].split())) + " (paraphrase)"
    assert Locator(text[a]).candidates(items[para]["text"])[0] == []
    expected[a].entities.remove(ents[para])
    answer = json.dumps({"entities": items[1:]}, ensure_ascii=False)
    script[(a, "entities")] = [("content", f"Here are the entities.\n```json\n{answer}\n```\n"
                                           "Let me know if you need anything else.")]
    # A events: invalid JSON (cut short): predicts nothing for A's events
    cut = json.dumps(_ref(rows, a, "events"))
    script[(a, "events")] = [("content", cut[: len(cut) // 2])]
    expected[a].events = []
    # A attributions: HTTP 500, then the right answer
    script[(a, "attributions")] = [("status", 500)]
    # B entities: every attempt times out: no answer, predicts nothing
    script[(b, "entities")] = [("sleep", 1.5)] * 2
    expected[b].entities = []
    # B events: the first event dropped, the second given another type allowing its roles
    ref = _ref(rows, b, "events")
    evs = sorted(gold[b].events, key=lambda e: (e.trigger.start, e.trigger.end, e.type))
    items = [dict(x) for x in ref["events"]]
    roles = {r["role"] for r in items[1]["arguments"]}
    new_type = _other(items[1]["type"], schema.event_types,
                      lambda t: roles <= set(schema.roles_for(t)))
    items[1]["type"] = new_type
    t = evs[1].trigger
    expected[b].events = [Event(Span(t.start, t.end, new_type), evs[1].arguments), *evs[2:]]
    script[(b, "events")] = [("content", json.dumps({"events": items[1:]}))]
    # B attributions: HTTP 429, then the right answer with prose around it (no fence)
    prose = "Sure. " + next(r["reference"] for r in rows
                            if r["doc_id"] == b and r["task"] == "attributions") + " Done."
    script[(b, "attributions")] = [("status", 429), ("content", prose)]

    with OracleServer(rows, script) as server:
        res = _run_cli(server, release, tmp_path, "--timeout", "0.5", "--retries", "1",
                       "--concurrency", "4")
    assert "1 failed" in res.output and "timed out" in res.output
    preds = tmp_path / "predictions.jsonl"
    _cli("align", "-r", str(tmp_path / "responses.jsonl"), "--release", str(release),
         "-o", str(preds))
    account = read_account(tmp_path / "predictions.alignment.json")
    got = evaluate_file(preds, release, SPLIT, alignment=account)

    injected = tmp_path / "injected.jsonl"
    injected.write_text("".join(json.dumps(view_to_prediction(expected[d])) + "\n"
                                for d in sorted(docs)), encoding="utf-8")
    want = evaluate_file(injected, release, SPLIT)
    assert _scores(got) == _scores(want)
    assert _f1s(got)["entities/strict"] < 1.0

    # every failure is counted in the account and the report's notes
    t = account["total"]
    assert t["json"] == {"valid": 2, "recovered": 2, "invalid": 1, "wrong_shape": 0,
                         "request_failed": 1}
    assert t["spans"]["normalised"] == 1 and t["spans"]["not_found"] == 1
    assert t["spans"]["ambiguous"] == 0
    assert {(f["doc_id"], f["task"], f["json"]) for f in account["not_predicting"]} == {
        (a, "events", "invalid"), (b, "entities", "request_failed")}
    assert any("predict nothing" in n and "invalid 1" in n and "request_failed 1" in n
               for n in got["notes"])
    assert any("1 not found" in n for n in got["notes"])
    assert got["documents"] == len(docs)  # no failure leaves the denominator


# --- runner details ------------------------------------------------------------------------------

def _rows(release: Path) -> list[dict[str, Any]]:
    return read_prompts(release, SPLIT)


def test_server_refusing_response_format_gets_plain_prompts(release: Path,
                                                            tmp_path: Path) -> None:
    rows = _all_prompts(release)
    with OracleServer(rows, refuse_structured=True) as server:
        responses, stats = run_prompts(_rows(release), Settings(server.base_url, "m"),
                                       None, concurrency=1)
        with_format = [r for r in server.seen.requests if "response_format" in r]
    assert all(r.response is not None for r in responses)
    assert stats.fallbacks == 1 and stats.plain_prompts and len(with_format) == 1
    assert with_format[0]["response_format"]["type"] == "json_schema"


def test_concurrency_is_bounded_and_requests_carry_the_schema(release: Path) -> None:
    rows = _all_prompts(release)
    with OracleServer(rows, delay=0.15) as server:
        _, stats = run_prompts(_rows(release), Settings(server.base_url, "m"), None,
                               concurrency=2)
        assert 1 < server.seen.max_in_flight <= 2
        body = server.seen.requests[0]
    assert stats.requests == len(_rows(release)) and stats.errors == 0
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema == json.loads(next(r["response_schema"] for r in rows
                                     if r["messages"] == body["messages"]))


def test_interrupted_run_resumes_from_the_cache(release: Path, tmp_path: Path) -> None:
    rows = _all_prompts(release)
    todo = _rows(release)
    broken = {(r["doc_id"], r["task"]): [("status", 503)] for r in todo[::2]}
    cache = ResponseCache(tmp_path / "cache")
    settings = Settings("", "m", retries=0, backoff=0)
    with OracleServer(rows, broken) as server:
        settings.base_url = server.base_url
        responses, stats = run_prompts(todo, settings, cache)
        assert stats.errors == len(broken) and stats.answered == len(todo) - len(broken)
        assert all(r.error and "HTTP 503" in r.error for r in responses if r.response is None)
        before = len(server.seen.requests)
        responses, stats = run_prompts(todo, settings, cache)
        # only what had failed is asked again
        assert len(server.seen.requests) - before == len(broken)
    assert stats.cached == len(todo) - len(broken) and stats.errors == 0


def test_api_key_goes_in_the_header_and_nowhere_else(release: Path, tmp_path: Path) -> None:
    secret = "sk-test-4f9a0c1e-never-write-me"
    rows = _all_prompts(release)
    with OracleServer(rows, {(rows[0]["doc_id"], rows[0]["task"]): [("status", 401)]}) as s:
        res = _run_cli(s, release, tmp_path, "--api-key-env", "TRISEC_TEST_KEY", "--score",
                       env={"TRISEC_TEST_KEY": secret})
        assert set(s.seen.authorization) == {f"Bearer {secret}"}
    assert secret not in res.output
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    client = ChatClient(Settings("http://127.0.0.1:9", "m", api_key=secret))
    assert secret not in client._safe(f"invalid key {secret} given")


def test_run_refuses_a_split_without_prompts(release: Path) -> None:
    res = CliRunner().invoke(main, ["run", "--base-url", "http://127.0.0.1:9/v1", "--model",
                                    "m", "-o", "x.jsonl", "--release", str(release),
                                    "--split", "nosuch", "--no-cache"])
    assert res.exit_code == 1 and "no prompts for split 'nosuch'" in res.output


def test_tasks_are_the_schemas(schema: Schema, release: Path) -> None:
    assert {r["task"] for r in _all_prompts(release)} == set(tasks(schema))


def test_a_run_killed_midway_writes_no_output_and_keeps_what_it_got(release: Path,
                                                                    tmp_path: Path) -> None:
    rows = _all_prompts(release)
    todo = _rows(release)
    cache = ResponseCache(tmp_path / "cache")

    class Killed(Exception):
        pass

    def kill_after_two(stats: Any) -> None:
        if stats.answered >= 2:
            raise Killed

    with OracleServer(rows, delay=0.05) as server:
        settings = Settings(server.base_url, "m")
        with pytest.raises(Killed):
            run_prompts(todo, settings, cache, concurrency=1, progress=kill_after_two)
        kept = len(list((tmp_path / "cache").rglob("*.json")))
        assert kept >= 2
        before = len(server.seen.requests)
        _, stats = run_prompts(todo, settings, cache, concurrency=1)
        assert stats.cached == kept and len(server.seen.requests) - before == len(todo) - kept
    assert not (tmp_path / "responses.jsonl").exists()


def test_default_cache_is_the_user_cache_folder(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    import sys

    from trisec.generative.cache import default_cache_dir

    if sys.platform in ("win32", "darwin"):
        pytest.skip("XDG rule: Linux and other Unix")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "trisec"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert default_cache_dir() == Path.home() / ".cache" / "trisec"
