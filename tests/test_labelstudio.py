"""Label Studio round trip and silver pre-annotation.

Exports are simulated the way Label Studio writes them (labelstud.io/guide/task_format):
the annotator accepts the predictions, so the prediction result becomes an annotation result
(regions keep their ids and gain "origin"), the task lists prediction ids, and the export is
a JSON list of tasks with "annotations".
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import FIXED_SOURCES, copy_fixed_corpus

from trisec.annotation.gold import read_annotation, text_sha256
from trisec.annotation.labelstudio import (
    ATTRIBUTES,
    import_export,
    labeling_config,
    pick_annotation,
    to_task,
)
from trisec.annotation.preannotate import fixed_mention_types, preannotate, silver_annotation
from trisec.cli import main
from trisec.errors import TrisecError
from trisec.paths import CORPUS_DIR, RAW_DIR
from trisec.pipeline.corpus import Corpus
from trisec.pipeline.local import published_documents
from trisec.release.build import write_release
from trisec.schema import Schema

GOLD_FIXTURES = Path(__file__).parent / "fixtures" / "gold"
DOC_A = "tsn-0a03047450b14bf5"  # 2 events, 1 attribution with cue and source
DOC_B = "tsn-dfec04a09cb98e59"


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    corpus = Corpus(RAW_DIR, CORPUS_DIR / "metadata", CORPUS_DIR / "annotations" / "gold")
    return {d.doc_id: d.text for d in published_documents(corpus)}


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    """The fixed corpus with the two hand-made gold fixture files as its gold."""
    r = tmp_path / "corpus"
    gold_dir = copy_fixed_corpus(r).gold_dir
    for f in GOLD_FIXTURES.glob("*.json"):
        shutil.copyfile(f, gold_dir / f.name)
    return r


def gold(doc_id: str) -> dict[str, Any]:
    return read_annotation(GOLD_FIXTURES / f"{doc_id}.json")


def ls_export(tasks: list[dict[str, Any]], drop_text: bool = False,
              shuffle: bool = False) -> list[dict[str, Any]]:
    """What Label Studio's JSON export holds after an annotator accepted every prediction
    (`shuffle`: results in another order, which Label Studio does not promise to keep)."""
    out = []
    for n, task in enumerate(tasks, 1):
        if not task.get("predictions"):  # nobody opened it yet
            out.append({"id": n, "data": task["data"], "annotations": [], "predictions": [],
                        "total_annotations": 0, "total_predictions": 0})
            continue
        pred = task["predictions"][0]
        result = copy.deepcopy(pred["result"])
        for r in result:
            if r["type"] != "relation":
                r["origin"] = "prediction"
                if drop_text and r["type"] == "labels":
                    r["value"].pop("text")  # exports made without saveTextResult
        if shuffle:
            random.Random(n).shuffle(result)
        out.append({
            "id": n, "data": task["data"], "meta": {}, "inner_id": n, "project": 3,
            "created_at": "2025-01-06T09:00:00.000000Z", "updated_by": 1,
            "updated_at": "2025-01-06T10:12:44.000000Z", "file_upload": "tasks.json",
            "total_annotations": 1, "cancelled_annotations": 0, "total_predictions": 1,
            "predictions": [200 + n], "drafts": [],
            "annotations": [{
                "id": 100 + n, "completed_by": 1, "result": result, "was_cancelled": False,
                "ground_truth": False, "created_at": "2025-01-06T10:12:44.000000Z",
                "updated_at": "2025-01-06T10:12:44.000000Z", "lead_time": 512.3,
                "prediction": {"id": 200 + n, "model_version": pred.get("model_version")},
                "result_count": 0, "task": n, "project": 3, "parent_prediction": 200 + n,
                "parent_annotation": None, "last_action": None,
            }],
        })
    return out


def export_cli(root: Path, out: Path, *args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["export", "labelstudio", "--corpus", str(root),
                                       "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def regions(task: dict[str, Any]) -> list[dict[str, Any]]:
    return task["annotations"][0]["result"]


# --- config ---------------------------------------------------------------------------

def test_config_is_generated_from_the_scheme(schema: Schema) -> None:
    root = ET.fromstring(labeling_config(schema))
    labels = {el.get("name"): [lab.get("value") for lab in el.iter("Label")]
              for el in root.iter("Labels")}
    assert labels["entity"] == schema.entity_labels
    assert labels["trigger"] == schema.event_types
    assert labels["attribution"] == ["CONTENT", "CUE"]
    assert all(el.get("toName") == "text" for el in root.iter("Labels"))
    relations = [r.get("value") for r in root.iter("Relation")]
    assert relations == [*schema.all_roles, "source", "cue"]
    per_region = {el.get("name"): el for el in [*root.iter("Choices"), *root.iter("TextArea")]}
    assert set(per_region) == set(ATTRIBUTES)
    assert all(el.get("perRegion") == "true" for el in per_region.values())
    for name, key in [("mention_type", "mention_types"), ("gpe_role", "gpe_roles"),
                      ("realis", "realis"), ("mode", "meet_modes"),
                      ("kind", "attribution_kinds")]:
        assert [c.get("value") for c in per_region[name].iter("Choice")] == schema.names(key)
    # label hints are the definitions from labels.yaml
    hint = next(lab.get("hint") for lab in root.iter("Label") if lab.get("value") == "TIMEX")
    assert hint.startswith("A temporal expression in the sense of TimeML TIMEX3")


# --- the round trip -------------------------------------------------------------------

@pytest.mark.parametrize("drop_text,shuffle", [(False, False), (True, True)])
def test_gold_round_trip_gives_identical_files(root: Path, tmp_path: Path,
                                               drop_text: bool, shuffle: bool) -> None:
    tasks = export_cli(root, tmp_path / "ls" / "tasks.json", "--from", "gold")
    assert (tmp_path / "ls" / "tasks.xml").is_file()
    assert len(tasks) == len(FIXED_SOURCES)  # every published document is a task
    with_pred = {t["data"]["doc_id"] for t in tasks if t.get("predictions")}
    assert with_pred == {DOC_A, DOC_B}
    task_a = next(t for t in tasks if t["data"]["doc_id"] == DOC_A)
    kinds = {(r["type"], r.get("from_name")) for r in task_a["predictions"][0]["result"]}
    assert ("relation", None) in kinds and ("labels", "attribution") in kinds
    relation_labels = {r["labels"][0] for r in task_a["predictions"][0]["result"]
                       if r["type"] == "relation"}
    assert {"participant", "time", "cue", "source"} <= relation_labels

    exported = tmp_path / "export.json"
    exported.write_text(json.dumps(ls_export(tasks, drop_text, shuffle)), encoding="utf-8")
    out = tmp_path / "imported"
    result = CliRunner().invoke(main, ["import", "labelstudio", str(exported), "--out", str(out),
                                       "--corpus", str(root)])

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{DOC_A}.json", f"{DOC_B}.json"])
    for doc_id in (DOC_A, DOC_B):
        assert (out / f"{doc_id}.json").read_bytes() == \
            (GOLD_FIXTURES / f"{doc_id}.json").read_bytes()
    assert result.output.count("skipped task") == len(FIXED_SOURCES) - 2  # nobody annotated


def test_annotator_edits_come_back_with_new_ids(texts: dict[str, str], schema: Schema) -> None:
    ann = gold(DOC_A)
    text = texts[DOC_A]
    [task] = ls_export([to_task(DOC_A, text, ann, "gold")])
    res = regions(task)
    # 1. delete mention M12 ("this summer") and everything hanging on it
    res[:] = [r for r in res if r.get("id") != "M12" and r.get("to_id") != "M12"]
    # 2. draw a new mention with Label Studio's kind of id, typed into cluster E4
    start = text.index("North Korean missile warning")
    span = {"start": start, "end": start + len("North Korean"), "text": "North Korean"}
    rid = "x7Fq2pLm9A"
    res += [
        {"id": rid, "from_name": "entity", "to_name": "text", "type": "labels",
         "origin": "manual", "value": {**span, "labels": ["NORP"]}},
        {"id": rid, "from_name": "mention_type", "to_name": "text", "type": "choices",
         "origin": "manual", "value": {**span, "choices": ["NAM"]}},
        {"id": rid, "from_name": "entity_id", "to_name": "text", "type": "textarea",
         "origin": "manual", "value": {"start": span["start"], "end": span["end"],
                                       "text": ["E4"]}},
    ]
    # 3. the trigger "meeting" (V2) becomes ACTUAL and gains the new mention as participant,
    #    drawn from the mention to the trigger (the importer reads roles, not arrow direction)
    for r in res:
        if r.get("id") == "V2" and r.get("from_name") == "realis":
            r["value"]["choices"] = ["ACTUAL"]
    res.append({"type": "relation", "from_id": rid, "to_id": "V2", "direction": "left",
                "labels": ["participant"]})
    random.Random(7).shuffle(res)  # Label Studio does not promise result order

    [imp], notes = import_export([task], texts, schema)

    new = imp.annotation
    assert notes == []
    assert [m["id"] for m in new["mentions"]] == [f"M{i}" for i in range(1, 12)] + ["M13"]
    m13 = new["mentions"][-1]
    assert (m13["text"], m13["label"], m13["entity"], m13["mention_type"]) == \
        ("North Korean", "NORP", "E4", "NAM")
    assert "E10" not in {e["id"] for e in new["entities"]}  # M12's cluster is gone
    v2 = next(e for e in new["events"] if e["id"] == "V2")
    assert v2["realis"] == "ACTUAL"
    assert v2["arguments"] == [{"role": "participant", "mention": "M3"},
                               {"role": "participant", "mention": "M13"}]
    # untouched layers are exactly the gold
    assert new["attributions"] == ann["attributions"]
    assert new["events"][0] == ann["events"][0]


def reimport(task: dict[str, Any], texts: dict[str, str], schema: Schema) -> list[str]:
    with pytest.raises(TrisecError) as exc:
        import_export([task], texts, schema)
    return [str(p) for p in exc.value.problems]


def exported_task(doc_id: str, texts: dict[str, str]) -> dict[str, Any]:
    return ls_export([to_task(doc_id, texts[doc_id], gold(doc_id), "gold")])[0]


def test_unknown_labels_controls_and_result_types_are_refused(texts: dict[str, str],
                                                              schema: Schema) -> None:
    task = exported_task(DOC_A, texts)
    res = regions(task)
    next(r for r in res if r["id"] == "M5" and r["type"] == "labels")["value"]["labels"] = \
        ["NEWS_AGENCY"]
    next(r for r in res if r["id"] == "V1" and r["type"] == "labels")["from_name"] = "event"
    res.append({"id": "k1", "from_name": "bbox", "to_name": "text", "type": "rectanglelabels",
                "value": {"x": 1, "y": 1, "width": 2, "height": 2, "rectanglelabels": ["PER"]}})

    problems = reimport(task, texts, schema)

    assert any(p.startswith("task 1 (tsn-0a03047450b14bf5)/M5: unknown or missing label "
                            "['NEWS_AGENCY']") for p in problems)
    assert any("/V1: unknown control 'event'" in p for p in problems)
    assert any("/k1: unsupported result type 'rectanglelabels'" in p for p in problems)


def test_offsets_that_do_not_match_the_published_text_are_refused(texts: dict[str, str],
                                                                  schema: Schema) -> None:
    task = exported_task(DOC_A, texts)
    m1 = next(r for r in regions(task) if r["id"] == "M1" and r["type"] == "labels")
    m1["value"]["start"] += 1  # Label Studio's off-by-one on some texts
    m1["value"]["end"] += 1
    problems = reimport(task, texts, schema)
    assert any("/M1: region text 'South Korea' does not match 'outh Korea,'" in p
               for p in problems)

    stale = exported_task(DOC_A, texts)
    stale["data"]["text"] = stale["data"]["text"].replace("video conference", "videoconference")
    assert "differs from the published text" in reimport(stale, texts, schema)[0]


def test_relations_are_checked_against_the_scheme(texts: dict[str, str],
                                                  schema: Schema) -> None:
    task = exported_task(DOC_A, texts)
    res = regions(task)
    res += [
        # MEET has no destination role (labels.yaml): the verifier says so
        {"type": "relation", "from_id": "V1", "to_id": "M4", "direction": "right",
         "labels": ["destination"]},
        # a relation to nowhere, and a mention linked to a mention
        {"type": "relation", "from_id": "V1", "to_id": "gone", "direction": "right",
         "labels": ["participant"]},
        {"type": "relation", "from_id": "M1", "to_id": "M2", "direction": "right",
         "labels": ["participant"]},
        # an argument without a role
        {"type": "relation", "from_id": "V2", "to_id": "M4", "direction": "right", "labels": []},
    ]
    problems = reimport(task, texts, schema)
    assert any("relation V1->gone: relation points to a region that does not exist" in p
               for p in problems)
    assert any("relation M1->M2: unsupported relation 'participant' between two entity" in p
               for p in problems)
    assert any("relation V2->M4: an argument needs a role label" in p for p in problems)

    only_role = exported_task(DOC_A, texts)
    regions(only_role).append({"type": "relation", "from_id": "V1", "to_id": "M4",
                               "direction": "right", "labels": ["destination"]})
    assert any("role 'destination' not allowed for MEET" in p
               for p in reimport(only_role, texts, schema))


def test_attribution_links_are_required_and_unique(texts: dict[str, str],
                                                   schema: Schema) -> None:
    task = exported_task(DOC_A, texts)
    res = regions(task)
    res[:] = [r for r in res if not (r["type"] == "relation" and r["labels"] == ["cue"])]
    res.append({"type": "relation", "from_id": "Q1", "to_id": "M1", "direction": "right",
                "labels": ["source"]})  # a second source
    problems = reimport(task, texts, schema)
    assert any("Q1_cue: CUE region not linked to a CONTENT region" in p for p in problems)
    assert any("attribution has two sources" in p for p in problems)


def test_conflicting_qids_in_a_cluster_are_refused(texts: dict[str, str],
                                                   schema: Schema) -> None:
    task = exported_task(DOC_A, texts)
    m7 = next(r for r in regions(task) if r["id"] == "M7" and r["from_name"] == "qid")
    assert m7["value"]["text"] == ["Q423"]  # M7 "DPRK" is in E4 with M4 "North Korea"
    m7["value"]["text"] = ["Q1"]
    assert any("mentions of E4 give different QIDs ['Q1', 'Q423']" in p
               for p in reimport(task, texts, schema))


def test_only_human_annotations_are_imported(texts: dict[str, str], schema: Schema) -> None:
    pending = to_task(DOC_A, texts[DOC_A], gold(DOC_A), "gold")  # predictions only
    cancelled = exported_task(DOC_B, texts)
    cancelled["annotations"][0]["was_cancelled"] = True
    done, notes = import_export([pending, cancelled], texts, schema)
    assert done == []
    assert len(notes) == 2 and all("predictions are never imported" in n for n in notes)


def test_ground_truth_then_latest_annotation_is_taken() -> None:
    older = {"id": 1, "updated_at": "2025-01-01T00:00:00Z", "result": []}
    newer = {"id": 2, "updated_at": "2025-02-01T00:00:00Z", "result": []}
    truth = {"id": 3, "updated_at": "2024-12-01T00:00:00Z", "ground_truth": True, "result": []}
    assert pick_annotation({"annotations": [older, newer]})["id"] == 2
    assert pick_annotation({"annotations": [older, truth, newer]})["id"] == 3
    assert pick_annotation({"annotations": [{**newer, "was_cancelled": True}, older]})["id"] == 1


def test_import_never_overwrites_a_different_file_without_force(root: Path, tmp_path: Path,
                                                                texts: dict[str, str]) -> None:
    ann = gold(DOC_A)
    ann["events"][0]["realis"] = "OTHER"
    task = ls_export([to_task(DOC_A, texts[DOC_A], ann, "gold")])
    exported = tmp_path / "export.json"
    exported.write_text(json.dumps(task), encoding="utf-8")
    target = root / "annotations" / "gold" / f"{DOC_A}.json"
    before = target.read_bytes()
    args = ["import", "labelstudio", str(exported), "--corpus", str(root)]

    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1 and "exists and differs" in refused.stderr
    assert target.read_bytes() == before

    forced = CliRunner().invoke(main, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert read_annotation(target)["events"][0]["realis"] == "OTHER"


def test_export_overwrites_only_an_earlier_export(root: Path, tmp_path: Path,
                                                  texts: dict[str, str]) -> None:
    """Before: `export labelstudio --out corpus/annotations/gold/<doc_id>.json` replaced the
    gold file with tasks (and wrote an .xml beside it). After: a file that is not an earlier
    export of this command (gold, or a Label Studio export holding the annotators' work) is
    refused before any work; an earlier export is replaced."""
    target = root / "annotations" / "gold" / f"{DOC_A}.json"
    before = target.read_bytes()
    refused = CliRunner().invoke(main, ["export", "labelstudio", "--corpus", str(root),
                                        "--out", str(target)])
    assert refused.exit_code == 1
    assert f"error: {target}: refusing to overwrite this file: it is not an earlier Label " \
        "Studio tasks file and would be lost" in refused.stderr
    assert target.read_bytes() == before
    assert not target.with_suffix(".xml").exists()

    annotated = tmp_path / "from_label_studio.json"
    annotated.write_text(json.dumps(ls_export([to_task(DOC_A, texts[DOC_A], gold(DOC_A),
                                                       "gold")])), encoding="utf-8")
    work = annotated.read_bytes()
    refused = CliRunner().invoke(main, ["export", "labelstudio", "--corpus", str(root),
                                        "--out", str(annotated)])
    assert refused.exit_code == 1 and "refusing to overwrite" in refused.stderr
    assert annotated.read_bytes() == work

    notes = tmp_path / "ls" / "notes.xml"
    notes.parent.mkdir()
    notes.write_text("<notes>mine</notes>\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["export", "labelstudio", "--corpus", str(root),
                                        "--out", str(tmp_path / "ls" / "tasks.json"),
                                        "--config", str(notes)])
    assert refused.exit_code == 1 and "not an earlier labelling config" in refused.stderr
    assert not (tmp_path / "ls" / "tasks.json").exists()

    first = export_cli(root, tmp_path / "ls" / "tasks.json")
    again = export_cli(root, tmp_path / "ls" / "tasks.json", "--from", "gold")
    assert len(first) == len(again) and any(t.get("predictions") for t in again)


# --- silver ------------------------------------------------------------------------------

class PhrasePredictor:
    """A stand-in for a baseline: predicts fixed phrases wherever they occur (prediction
    format of docs/BENCHMARK.md)."""

    PHRASES = [("South Korea", "GPE"), ("Japan", "GPE"), ("Yonhap", "ORG"),
               ("this summer", "TIMEX"), ("General", "TITLE")]

    def __call__(self, doc_id: str, text: str) -> dict[str, Any]:
        ents = []
        for phrase, label in self.PHRASES:
            start = text.find(phrase)
            while start >= 0:
                ents.append({"start": start, "end": start + len(phrase), "label": label,
                             "text": phrase})
                start = text.find(phrase, start + 1)
        trig = text.index("video conference")
        sk = text.index("South Korea")
        return {"doc_id": doc_id, "entities": ents, "attributions": [],
                "events": [{"trigger": {"start": trig, "end": trig + 16}, "type": "MEET",
                            "arguments": [{"role": "participant", "start": sk,
                                           "end": sk + 11},
                                          {"role": "participant", "start": 0, "end": 3}]}]}


def test_silver_fills_only_what_the_scheme_decides(texts: dict[str, str],
                                                   schema: Schema) -> None:
    # labels.yaml: "NORP and EVENT_NAME mentions are always NAM. ... TITLE, TIMEX and NUM
    # mentions are always NOM."
    assert fixed_mention_types(schema) == {"NORP": "NAM", "EVENT_NAME": "NAM", "TITLE": "NOM",
                                           "TIMEX": "NOM", "NUM": "NOM"}
    text = texts[DOC_A]
    ann = silver_annotation(DOC_A, text, PhrasePredictor()(DOC_A, text), schema, "phrases 1")
    assert (ann["pass"], ann["annotator"]) == ("silver", "phrases 1")
    assert ann["text_sha256"] == text_sha256(text)
    by_text = {m["text"]: m for m in ann["mentions"]}
    assert by_text["General"]["mention_type"] == "NOM"  # fixed for TITLE
    assert by_text["Yonhap"]["mention_type"] == "NAM"  # capitalised
    assert by_text["South Korea"]["gpe_role"] == "GOV"  # labels.yaml: "Default for every GPE"
    assert by_text["this summer"]["timex_value"] is None  # only a human can normalise
    sk = [m for m in ann["mentions"] if m["text"] == "South Korea"]
    assert len(sk) > 1 and len({m["entity"] for m in sk}) == 1  # same string, same cluster
    [event] = ann["events"]
    assert event["realis"] is None and event["mode"] == "in-person"  # the MEET default
    # the argument at 0..3 has no mention there: dropped, and said so
    assert event["arguments"] == [{"role": "participant", "mention": sk[0]["id"]}]
    assert any("no entity mention there" in n for n in ann["notes"])


def test_silver_reaches_gold_only_through_a_human(root: Path, tmp_path: Path,
                                                  texts: dict[str, str],
                                                  schema: Schema) -> None:
    shutil.rmtree(root / "annotations" / "gold")
    silver = root / "annotations" / "silver"
    [res] = preannotate({DOC_A: texts[DOC_A]}, silver, PhrasePredictor(), "phrases 1", schema)
    assert res.path == silver / f"{DOC_A}.json"
    assert not (root / "annotations" / "gold").exists()

    # a release built now has no gold spans: silver is not read by the build
    out = tmp_path / "release"
    out.mkdir()
    write_release(out, Corpus(root / "raw", root / "metadata", root / "annotations" / "gold"),
                  schema)
    assert not list((out / "data").glob("mentions/*.parquet")) or \
        pq.read_table(out / "data" / "mentions").num_rows == 0

    tasks = export_cli(root, tmp_path / "tasks.json")  # --from silver is the default
    task = next(t for t in tasks if t["data"]["doc_id"] == DOC_A)
    assert task["predictions"][0]["model_version"] == "phrases 1"
    [accepted] = ls_export([task])
    # accepting the predictions as they are is not enough: realis is the annotator's call
    assert any("unknown realis None" in p for p in reimport(accepted, texts, schema))

    regions(accepted).append({"id": "V1", "from_name": "realis", "to_name": "text",
                              "type": "choices", "value": {"start": 0, "end": 1,
                                                           "choices": ["ACTUAL"]}})
    [imp], _ = import_export([accepted], texts, schema)
    assert imp.annotation["pass"] == "gold" and "annotator" not in imp.annotation
    assert len(imp.annotation["mentions"]) == len(res.annotation["mentions"])


def test_preannotate_cli_runs_the_rule_baseline(root: Path) -> None:
    gold_before = sorted((root / "annotations" / "gold").iterdir())
    result = CliRunner().invoke(main, ["preannotate", DOC_B, "--corpus", str(root)])
    assert result.exit_code == 0, result.output
    assert "has gold: silver kept apart" in result.output
    ann = read_annotation(root / "annotations" / "silver" / f"{DOC_B}.json")
    assert ann["pass"] == "silver" and ann["annotator"].startswith("rules baseline (trisec ")
    assert ann["mentions"], "the rule baseline finds at least the country names"
    assert sorted((root / "annotations" / "gold").iterdir()) == gold_before
    assert read_annotation(root / "annotations" / "gold" / f"{DOC_B}.json") == gold(DOC_B)

    none = CliRunner().invoke(main, ["preannotate", "--corpus", str(root)])
    assert none.exit_code == 1 and "no documents given" in none.stderr


CORPUS_GOLD = sorted((CORPUS_DIR / "annotations" / "gold").glob("*.json"))


@pytest.mark.skipif(not CORPUS_GOLD, reason="no gold annotations in corpus/ yet")
def test_the_corpus_gold_survives_the_round_trip(texts: dict[str, str],
                                                 schema: Schema) -> None:
    golds = {a["doc_id"]: a for a in map(read_annotation, CORPUS_GOLD)}
    tasks = [to_task(d, texts[d], a, "gold") for d, a in golds.items()]
    done, notes = import_export(ls_export(tasks, shuffle=True), texts, schema)
    assert notes == []
    assert {i.doc_id: i.annotation for i in done} == golds
