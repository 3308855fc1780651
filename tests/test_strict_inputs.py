"""Strict annotation and metadata files: a JSON Schema generated from schema/ turns unknown
keys, missing keys and wrong types into located errors (file and JSON path) instead of
silently dropped or nulled values; QIDs and ids match their patterns exactly; metadata YAML
scalars stay strings; an impossible date names its file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import copy_corpus

from trisec.annotation.gold import read_annotation
from trisec.document import doc_id_for
from trisec.documents.metadata import load_curated
from trisec.documents.pins import read_checksums
from trisec.errors import TrisecError
from trisec.paths import ANNOTATIONS_DIR, RAW_CHECKSUMS
from trisec.release.build import write_release
from trisec.schema import Schema

GOLD_DIR = ANNOTATIONS_DIR / "gold"
PINS = read_checksums(RAW_CHECKSUMS)
NAME = sorted(PINS)[0]
DOC = doc_id_for(PINS[NAME])
GOLD = json.loads((GOLD_DIR / f"{DOC}.json").read_text(encoding="utf-8"))


def broken(tmp_path: Path, change: Any) -> Path:
    ann = json.loads(json.dumps(GOLD))
    change(ann)
    path = tmp_path / f"{DOC}.json"
    path.write_text(json.dumps(ann), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(TrisecError) as err:
        read_annotation(path)
    return [str(p) for p in err.value.problems]


def test_every_committed_annotation_file_is_valid() -> None:
    files = sorted(GOLD_DIR.parent.glob("**/*.json"))
    assert files
    for path in files:
        read_annotation(path)  # raises on any problem


def _set(layer: str, i: int, key: str, value: Any) -> Any:
    def change(ann: dict[str, Any]) -> None:
        ann[layer][i][key] = value
    return change


def _drop(layer: str, i: int, key: str) -> Any:
    def change(ann: dict[str, Any]) -> None:
        del ann[layer][i][key]
    return change


@pytest.mark.parametrize("change,where,words", [
    (_set("mentions", 0, "timex_valeu", "2024"), "$.mentions[0]", "'timex_valeu' was unexpected"),
    (_set("events", 0, "moed", "remote"), "$.events[0]", "'moed' was unexpected"),
    (_drop("attributions", 0, "source"), "$.attributions[0]", "'source' is a required property"),
    (_set("mentions", 0, "start", True), "$.mentions[0].start", "True is not of type"),
    (_set("mentions", 0, "end", "11"), "$.mentions[0].end", "'11' is not of type"),
    (_set("events", 0, "trigger", "exercises"), "$.events[0].trigger", "is not of type 'object'"),
    (_set("entities", 0, "qid", "Q884\n"), "$.entities[0].qid", "does not match"),
    (_set("entities", 0, "qid", "Q0884"), "$.entities[0].qid", "does not match"),
    (_set("mentions", 0, "id", "M1<b>"), "$.mentions[0].id", "does not match"),
    (_set("mentions", 0, "entity", "../E1"), "$.mentions[0].entity", "does not match"),
    (lambda ann: ann.pop("events"), "$", "'events' is a required property"),
    (lambda ann: ann.update(doc_id="tsn-xyz"), "$.doc_id", "does not match"),
])
def test_a_bad_annotation_file_is_a_located_error(tmp_path: Path, change: Any, where: str,
                                                  words: str) -> None:
    path = broken(tmp_path, change)
    found = problems_of(path)
    assert any(p.startswith(f"{path}:{where}") and words in p for p in found), found


def test_every_problem_of_a_file_is_listed_at_once(tmp_path: Path) -> None:
    def change(ann: dict[str, Any]) -> None:
        ann["mentions"][0]["timex_valeu"] = None
        ann["mentions"][1]["start"] = False
        ann["extra"] = 1
    assert len(problems_of(broken(tmp_path, change))) == 3


def test_a_bad_annotation_stops_the_build_naming_file_and_path(tmp_path: Path,
                                                               schema: Schema) -> None:
    corpus = copy_corpus(tmp_path / "corpus", [NAME], gold=True)
    path = corpus.gold_dir / f"{DOC}.json"
    ann = json.loads(path.read_text(encoding="utf-8"))
    ann["mentions"][2]["timex_valeu"] = ann["mentions"][2].pop("timex_value")
    path.write_text(json.dumps(ann), encoding="utf-8")
    (tmp_path / "out").mkdir()
    with pytest.raises(TrisecError) as err:
        write_release(tmp_path / "out", corpus, schema)
    assert [p.location for p in err.value.problems] == [f"{path}:$.mentions[2]"] * 2


# --- curated metadata --------------------------------------------------------------------

@pytest.fixture()
def meta_dir(tmp_path: Path) -> Path:
    corpus = copy_corpus(tmp_path / "corpus", [NAME])
    return corpus.metadata_dir


def _meta_problems(meta_dir: Path, text: str) -> list[str]:
    (meta_dir / f"{DOC}.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(TrisecError) as err:
        load_curated(meta_dir, DOC)
    return [str(p) for p in err.value.problems]


def _base() -> dict[str, Any]:
    from trisec.paths import METADATA_DIR

    return yaml.safe_load((METADATA_DIR / f"{DOC}.yaml").read_text(encoding="utf-8"))


def test_every_committed_metadata_file_is_valid() -> None:
    from trisec.paths import METADATA_DIR

    for path in sorted(METADATA_DIR.glob("*.yaml")):
        assert load_curated(METADATA_DIR, path.stem) is not None


@pytest.mark.parametrize("edit,where,words", [
    (lambda d: d.update(titel=d.pop("title")), "$", "'titel' was unexpected"),
    (lambda d: d.pop("url"), "$", "'url' is a required property"),
    (lambda d: d["outlet"].update(moed="x"), "$.outlet", "'moed' was unexpected"),
    (lambda d: d.update(title="A headline"), "$.title", "is not of type 'object'"),
    (lambda d: d["published"].pop("evidence"), "$.published", "'evidence' is a required"),
    (lambda d: d["published"].update(confidence="certain"), "$.published.confidence",
     "'certain' is not one of"),
    (lambda d: d.update(sha256=["x"]), "$.sha256", "is not of type 'string'"),
])
def test_a_bad_metadata_file_is_a_located_error(meta_dir: Path, edit: Any, where: str,
                                                words: str) -> None:
    data = _base()
    edit(data)
    found = _meta_problems(meta_dir, yaml.safe_dump(data, sort_keys=False))
    path = meta_dir / f"{DOC}.yaml"
    assert any(p.startswith(f"{path}:{where}") and words in p for p in found), found


def test_yaml_scalars_stay_strings(meta_dir: Path) -> None:
    data = _base()
    day = data["published"]["value"]
    data["outlet"]["value"], data["published"]["value"] = "OUTLET", "DAY"
    data["title"]["value"] = "TITLE"
    text = yaml.safe_dump(data, sort_keys=False)
    # unquoted YAML 1.1 booleans, numbers and dates, as a curator may type them
    text = text.replace("OUTLET", "NO").replace("DAY", day).replace("TITLE", "1.50")
    assert yaml.safe_load(text)["outlet"]["value"] is False  # what a plain YAML read gives
    (meta_dir / f"{DOC}.yaml").write_text(text, encoding="utf-8")
    curated = load_curated(meta_dir, DOC)
    assert curated is not None
    assert curated["outlet"]["value"] == "NO"
    assert curated["published"]["value"] == day
    assert curated["title"]["value"] == "1.50"


def test_an_impossible_date_names_the_file(meta_dir: Path) -> None:
    data = _base()
    data["published"].update(value="2024-02-30", precision="day")
    found = _meta_problems(meta_dir, yaml.safe_dump(data, sort_keys=False))
    path = meta_dir / f"{DOC}.yaml"
    assert found == [f"{path}:$.published.value: '2024-02-30' is not a valid day-precision ISO "
                     "date (fix: write the date as YYYY-MM-DD, YYYY-MM or YYYY, with the "
                     "matching precision)"]


def test_a_key_given_twice_is_an_error_not_the_last_value(tmp_path: Path,
                                                          meta_dir: Path) -> None:
    path = tmp_path / f"{DOC}.json"
    text = json.dumps(GOLD)
    path.write_text(text.replace('"pass": "gold"', '"pass": "gold", "pass": "a"'),
                    encoding="utf-8")
    assert "given twice" in problems_of(path)[0]
    meta = (meta_dir / f"{DOC}.yaml").read_text(encoding="utf-8")
    found = _meta_problems(meta_dir, meta + "url:\n  value: null\n")
    assert "found key 'url' twice" in found[0] and found[0].startswith(str(meta_dir))


@pytest.mark.parametrize("kind", ["metadata", "pins", "distinct", "gold"])
def test_a_file_that_is_not_utf8_is_located_at_its_byte(tmp_path: Path, kind: str) -> None:
    """Found by fuzzing (tests/test_fuzz.py): a metadata, pins or distinct.yaml file with a
    non-UTF-8 byte raised UnicodeDecodeError (the CLI called it a bug in trisec)."""
    from trisec.documents.near_duplicates import read_distinct

    meta = tmp_path / f"{DOC}.yaml"
    readers = {"metadata": (meta, lambda: load_curated(tmp_path, DOC)),
               "pins": (tmp_path / "raw.sha256", lambda: read_checksums(tmp_path / "raw.sha256")),
               "distinct": (tmp_path / "distinct.yaml",
                            lambda: read_distinct(tmp_path / "distinct.yaml")),
               "gold": (tmp_path / f"{DOC}.json",
                        lambda: read_annotation(tmp_path / f"{DOC}.json"))}
    path, read = readers[kind]
    path.write_bytes(b"doc_id: caf\xe9\n")  # cp1252 e-acute
    with pytest.raises(TrisecError) as err:
        read()
    (problem,) = err.value.problems
    assert problem.location == f"{path}@byte 11"
    assert problem.message == "not valid UTF-8 (byte 0xe9: invalid continuation byte)"
    assert "UTF-8" in problem.fix


@pytest.mark.parametrize("key", ["? - a\n  - b\n: 1\n", "? {a: 1}\n: 1\n"])
def test_a_yaml_key_that_is_a_list_or_mapping_is_a_located_error(tmp_path: Path,
                                                                 key: str) -> None:
    """Found by fuzzing (scripts/fuzz.py): a complex key raised TypeError (unhashable) in the
    duplicate-key check instead of a YAML error at its line."""
    path = tmp_path / f"{DOC}.yaml"
    path.write_text(f"doc_id: {DOC}\n{key}", encoding="utf-8")
    with pytest.raises(TrisecError) as err:
        load_curated(tmp_path, DOC)
    (problem,) = err.value.problems
    assert problem.location == f"{path}:2"
    assert problem.message.startswith("invalid YAML: while constructing a mapping")
    assert "as a key (keys are plain words)" in problem.message
