"""Standoff distribution: no article text in it, and rehydration rebuilds the release exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from trisec.annotation.gold import text_sha256, write_annotation
from trisec.documents.ingest import read_raw
from trisec.errors import TrisecError
from trisec.paths import METADATA_DIR, RAW_DIR
from trisec.pipeline.corpus import Corpus
from trisec.pipeline.stats import Stats
from trisec.pipeline.steps import Clean
from trisec.release.build import write_release
from trisec.release.standoff import (
    RELEASE_MANIFEST,
    SOURCES,
    dropped_fields,
    make_standoff,
    read_sources,
    rehydrate,
)
from trisec.release.writer import compare_folders, read_manifest
from trisec.schema import load_schema

GOLD_FILE = "000_983addbeba9461a4.txt"


def published_text(raw_dir: Path, name: str) -> tuple[str, str]:
    """(doc_id, text) as the pipeline publishes it, so offsets below are computed, not typed."""
    doc = next(Clean(METADATA_DIR)([read_raw(raw_dir / name)], Stats(), []))
    return doc.doc_id, doc.text


def hand_gold(gold_dir: Path) -> dict:
    """A small gold file for one article: 4 mentions, an event, a quote with cue and source."""
    doc_id, text = published_text(RAW_DIR, GOLD_FILE)

    def span(s: str, start: int) -> dict:
        return {"start": start, "end": start + len(s), "text": s}

    def mention(mid: str, s: str, start: int, label: str, ent: str) -> dict:
        return {"id": mid, **span(s, start), "label": label, "mention_type": "NAM",
                "gpe_role": "GOV" if label == "GPE" else None, "entity": ent,
                "timex_value": None}

    quote = text.index("Our focus")
    quote_end = text.index(" - said Caine")
    ann = {
        "doc_id": doc_id, "text_sha256": text_sha256(text), "pass": "gold",
        "mentions": [
            mention("M1", "South Korea", text.index("South Korea"), "GPE", "E1"),
            mention("M2", "United States", text.index("United States"), "GPE", "E2"),
            mention("M3", "Japan", text.index("Japan"), "GPE", "E3"),
            mention("M4", "Caine", text.index("Caine", quote_end), "PER", "E4"),
        ],
        "entities": [{"id": "E1", "name": "South Korea", "qid": "Q884"},
                     {"id": "E2", "name": "United States", "qid": "Q30"},
                     {"id": "E3", "name": "Japan", "qid": "Q17"},
                     {"id": "E4", "name": "Dan Caine", "qid": None}],
        "events": [{"id": "V1", "type": "EXERCISE", "realis": "ACTUAL", "mode": None,
                    "trigger": span("exercises", text.index("exercises")),
                    "arguments": [{"role": "participant", "mention": m}
                                  for m in ("M1", "M2", "M3")]}],
        "attributions": [{"id": "Q1", "kind": "direct",
                          "content": span(text[quote:quote_end], quote),
                          "cue": span("said", text.index("said Caine")), "source": "M4"}],
    }
    write_annotation(gold_dir / f"{doc_id}.json", ann)
    return ann


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("standoff")
    gold = base / "gold"
    hand_gold(gold)
    schema = load_schema()
    corpus = Corpus(RAW_DIR, METADATA_DIR, gold)
    (base / "release").mkdir()
    write_release(base / "release", corpus, schema)
    make_standoff(base / "release", corpus, base / "standoff", schema)
    return {"base": base, "release": base / "release", "standoff": base / "standoff"}


def test_rehydrate_from_corpus_raw_is_byte_identical(built: dict[str, Path],
                                                     tmp_path: Path) -> None:
    out = tmp_path / "rehydrated"
    rehydrate(built["standoff"], RAW_DIR, out, load_schema())
    assert compare_folders(built["release"], out) == []
    # the round trip carried the gold layers: surface texts came back from offsets alone
    mentions = pq.read_table(out / "data" / "mentions").to_pylist()
    assert sorted(m["text"] for m in mentions) == ["Caine", "Japan", "South Korea",
                                                   "United States"]
    quote = pq.read_table(out / "data" / "attributions").to_pylist()[0]
    assert quote["content_text"].startswith("Our focus") and quote["cue_text"] == "said"


def test_standoff_carries_no_article_text(built: dict[str, Path]) -> None:
    release, standoff = built["release"], built["standoff"]
    dropped = set(dropped_fields(load_schema()))
    assert {"documents.text", "documents.removed[].text", "sentences.text", "sentences.tokens",
            "mentions.text", "documents.attributions[].content.text",
            "attributions.content_text"} <= dropped
    # every sentence of at least 30 characters and every removed passage (captions, related
    # headlines) must be absent from every file of the standoff folder, Parquet included.
    # Headlines stay by design (the `title` value, to find one's own copy), so the headline
    # (a sentence of its own since 0.2.0) and its removed copies are the one exception.
    docs = pq.read_table(release / "data" / "documents").to_pylist()
    titles = {(d["title"] or {}).get("value") for d in docs}
    quotes = {s["text"] for s in pq.read_table(release / "data" / "sentences").to_pylist()
              if len(s["text"]) >= 30 and s["text"] not in titles}
    for doc in docs:
        quotes |= {r["text"] for r in doc["removed"] if len(r["text"]) >= 30
                   and r["reason"] not in ("title", "title_duplicate")}
    assert len(quotes) > 50
    blobs = []
    for path in sorted(p for p in standoff.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            blobs.append(json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False))
        else:
            blobs.append(path.read_text(encoding="utf-8"))
    everything = "\n".join(blobs)
    leaked = [q for q in quotes if q in everything]
    assert leaked == []
    # ...while offsets, labels and provenance stay
    doc = pq.read_table(standoff / "data" / "documents").to_pylist()[0]
    assert doc["offset_map"] and "text" not in doc and doc["published"]["provenance"]
    mention = pq.read_table(standoff / "data" / "mentions").to_pylist()[0]
    assert {"start", "end", "label", "qid"} <= mention.keys() and "text" not in mention


def test_sources_pin_every_raw_file(built: dict[str, Path]) -> None:
    sources = read_sources(built["standoff"] / SOURCES)
    assert [s.source_file for s in sources] == sorted(p.name for p in RAW_DIR.glob("*.txt"))
    import hashlib
    for s in sources:
        data = (RAW_DIR / s.source_file).read_bytes()
        assert s.sha256 == hashlib.sha256(data).hexdigest() and s.bytes == len(data)
        # the curated URL, or null while nobody has looked it up (a `trisec add` stub)
        path = METADATA_DIR / f"{s.doc_id}.yaml"
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
        assert s.url == (meta.get("url") or {}).get("value")
        assert s.url is None or s.url.startswith("http")
    assert (built["standoff"] / RELEASE_MANIFEST).read_bytes() == \
        (built["release"] / "manifest.json").read_bytes()


def test_rehydrate_refuses_mismatches_with_a_list(built: dict[str, Path],
                                                  tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    edited = sorted(raw.glob("*.txt"))[1]
    edited.write_bytes(edited.read_bytes().replace(b"the", b"teh", 1))
    missing = sorted(raw.glob("*.txt"))[2]
    missing.unlink()
    out = tmp_path / "out"
    with pytest.raises(TrisecError) as err:
        rehydrate(built["standoff"], raw, out, load_schema())
    by_file = {Path(p.location).name: p.message for p in err.value.problems}
    assert set(by_file) == {edited.name, missing.name}
    expected = {s.source_file: s.sha256 for s in read_sources(built["standoff"] / SOURCES)}
    import hashlib
    assert by_file[edited.name] == (f"expected sha256 {expected[edited.name]}, found "
                                    f"{hashlib.sha256(edited.read_bytes()).hexdigest()}")
    assert by_file[missing.name] == f"expected sha256 {expected[missing.name]}, found missing"
    assert not out.exists()


def test_rehydrate_finds_renamed_copies_by_content(built: dict[str, Path],
                                                   tmp_path: Path) -> None:
    raw = tmp_path / "my-downloads" / "nested"
    raw.mkdir(parents=True)
    for i, p in enumerate(sorted(RAW_DIR.glob("*.txt"))):
        shutil.copyfile(p, raw / f"page-{i}.html.txt")
    out = tmp_path / "out"
    rehydrate(built["standoff"], raw.parent, out, load_schema())
    assert compare_folders(built["release"], out) == []


def test_damaged_or_foreign_standoff_is_refused(built: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "damaged"
    shutil.copytree(built["standoff"], bad)
    sources = bad / SOURCES
    sources.write_text(sources.read_text(encoding="utf-8").replace("https", "http", 1),
                       encoding="utf-8")
    with pytest.raises(TrisecError) as err:
        rehydrate(bad, RAW_DIR, tmp_path / "out", load_schema())
    assert [Path(p.location).name for p in err.value.problems] == [SOURCES]

    other = tmp_path / "other-schema"
    shutil.copytree(built["standoff"], other)
    manifest = read_manifest(other)
    manifest["schema_sha256"] = "0" * 64
    (other / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(TrisecError, match="made with schema"):
        rehydrate(other, RAW_DIR, tmp_path / "out", load_schema())


def test_outputs_never_replace_a_foreign_folder(built: dict[str, Path], tmp_path: Path) -> None:
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "todo.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(TrisecError, match="refusing to replace"):
        rehydrate(built["standoff"], RAW_DIR, mine, load_schema())
    with pytest.raises(TrisecError, match="refusing to replace"):  # a full release is not ours
        make_standoff(built["release"], Corpus(RAW_DIR, METADATA_DIR, built["base"] / "gold"),
                      built["release"], load_schema())
    assert (mine / "todo.txt").read_text(encoding="utf-8") == "keep me"
    assert (built["release"] / "data" / "documents").is_dir()


def test_standoff_refuses_a_release_that_does_not_match_the_corpus(built: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    extra = raw / "zzz_new_article.txt"
    shutil.copyfile(sorted(raw.glob("*.txt"))[0], extra)
    extra.write_bytes(extra.read_bytes() + b"\nA new closing paragraph about the drills.\n")
    gone = sorted(raw.glob("*.txt"))[0]
    gone.unlink()
    with pytest.raises(TrisecError) as err:
        make_standoff(built["release"], Corpus(raw, METADATA_DIR, built["base"] / "gold"),
                      tmp_path / "so", load_schema())
    names = sorted(Path(p.location).name for p in err.value.problems)
    assert names == sorted([gone.name, extra.name])


def test_duplicates_are_pinned_and_round_trip(tmp_path: Path) -> None:
    """A dropped duplicate is recorded in the release manifest, so rehydration needs it too."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    original = sorted(raw.glob("*.txt"))[2]
    (raw / "zzz_copy.txt").write_bytes(original.read_bytes() + b"\n\n")
    schema = load_schema()
    corpus = Corpus(raw, METADATA_DIR, tmp_path / "gold")
    (tmp_path / "release").mkdir()
    result = write_release(tmp_path / "release", corpus, schema)
    assert [d.source_file for d in result.duplicates] == ["zzz_copy.txt"]
    make_standoff(tmp_path / "release", corpus, tmp_path / "so", schema)
    dup = {s.source_file: s for s in read_sources(tmp_path / "so" / SOURCES)}["zzz_copy.txt"]
    assert dup.duplicate_of == original.name and dup.text_sha256 is None
    rehydrate(tmp_path / "so", raw, tmp_path / "out", schema)
    assert compare_folders(tmp_path / "release", tmp_path / "out") == []


def test_cli_rehydrate_lists_mismatches_and_writes_nothing(built: dict[str, Path],
                                                          tmp_path: Path) -> None:
    from click.testing import CliRunner

    from trisec.cli import main

    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    victim = sorted(raw.glob("*.txt"))[0]
    victim.write_bytes(victim.read_bytes() + b" ")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["rehydrate", str(built["standoff"]), "--raw", str(raw),
                                    "--out", str(out)])
    assert res.exit_code == 1 and not out.exists()
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and victim.name in errors[0] and "expected sha256" in errors[0]
    shutil.copyfile(RAW_DIR / victim.name, victim)
    bare = tmp_path / "checkout-without-passes"  # `built` was made without passes/predictions
    bare.mkdir()
    res = CliRunner().invoke(main, ["rehydrate", str(built["standoff"]), "--raw", str(raw),
                                    "--out", str(out), "--checkout", str(bare)])
    assert res.exit_code == 0, res.output
    assert compare_folders(built["release"], out) == []
