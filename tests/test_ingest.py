"""Reading and decoding raw files (trisec.documents.ingest) and the `trisec ingest` command."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import pin

from trisec.cli import main
from trisec.document import RawArticle
from trisec.documents.ingest import decode, read_raw
from trisec.errors import TrisecError
from trisec.pipeline.stats import Stats
from trisec.pipeline.steps import Read

BAD = {  # fixture -> words the one-line problem must contain
    "empty.txt": "empty file",
    "whitespace_only.txt": "empty file",
    "not_utf8.txt": "not valid UTF-8",
    "binary_nul.txt": "binary data",
    "boilerplate_only.txt": "no article body left",
}


def _problem(path: Path) -> str:
    raw = read_raw(path)
    with pytest.raises(TrisecError) as err:
        decode(raw, str(path))
    (problem,) = err.value.problems
    return str(problem)


def test_decode_refuses_empty_and_whitespace_only(fixtures_raw):
    assert (fixtures_raw / "empty.txt").stat().st_size == 0
    for name in ("empty.txt", "whitespace_only.txt"):
        line = _problem(fixtures_raw / name)
        assert line.startswith(str(fixtures_raw / name) + ":")
        assert "empty file" in line


def test_decode_names_the_byte_offset_of_bad_utf8(fixtures_raw):
    path = fixtures_raw / "not_utf8.txt"
    data = path.read_bytes()
    bad = data.index(b"\x92")  # the cp1252 apostrophe of "Seoul's"
    data[:bad].decode("utf-8")  # everything before it is fine
    line = _problem(path)
    assert f"{path}@byte {bad}:" in line and "0x92" in line
    assert "iconv" in line  # the fix says how to re-encode


def test_decode_refuses_binary_at_the_first_nul(fixtures_raw):
    path = fixtures_raw / "binary_nul.txt"
    line = _problem(path)
    assert f"@byte {path.read_bytes().index(0)}:" in line and "binary data" in line


def test_decode_strips_a_utf8_bom_only():
    raw = RawArticle("bom.txt", "\ufeffSeoul\u2019s drills".encode())
    assert decode(raw) == "Seoul\u2019s drills"


def test_missing_file_is_a_located_problem(tmp_path):
    with pytest.raises(TrisecError) as err:
        read_raw(tmp_path / "nope.txt")
    assert str(tmp_path / "nope.txt") in str(err.value) and "cannot read" in str(err.value)


def test_the_read_step_reads_in_file_name_order_and_goes_on_past_a_bad_path(tmp_path):
    for name in ("b.txt", "a.txt", "c.txt"):
        (tmp_path / name).write_text(name)
    errors: list = []
    paths = [*tmp_path.iterdir(), tmp_path / "0-missing.txt"]
    raws = list(Read()(paths, Stats(), errors))
    assert [r.source_file for r in raws] == ["a.txt", "b.txt", "c.txt"]
    assert len(errors) == 1 and "0-missing.txt" in errors[0].location


def test_doc_id_comes_from_the_raw_bytes_only(fixtures_raw, tmp_path):
    data = (fixtures_raw / "no_date_line.txt").read_bytes()
    renamed = tmp_path / "renamed.txt"
    renamed.write_bytes(data)
    a, b = read_raw(fixtures_raw / "no_date_line.txt"), read_raw(renamed)
    assert a.doc_id == b.doc_id == "tsn-" + hashlib.sha256(data).hexdigest()[:16]
    assert read_raw(fixtures_raw / "dup_crlf.txt").doc_id != a.doc_id


# --- the command ------------------------------------------------------------------------

def _ingest(*args: str | Path) -> object:
    return CliRunner().invoke(main, ["ingest", *map(str, args)])


def test_ingest_reports_each_bad_file_on_one_line_and_processes_the_others(fixtures_raw,
                                                                           tmp_path):
    good = [fixtures_raw / "no_date_line.txt", fixtures_raw / "captions.txt"]
    bad = [fixtures_raw / n for n in BAD]
    args = [bad[0], good[0], *bad[1:], good[1], "--corpus", tmp_path]
    result = _ingest(*args)
    assert result.exit_code == 1
    err_lines = result.stderr.strip().splitlines()
    assert len(err_lines) == len(bad)
    # file-name order, whatever the order of the arguments (as the build reads them)
    for path, line in zip(sorted(bad, key=lambda p: p.name), err_lines, strict=True):
        assert line.startswith("error: ") and path.name in line and BAD[path.name] in line
    assert "Traceback" not in result.output
    heads = [ln for ln in result.stdout.strip().splitlines() if not ln.startswith(" ")]
    # one block per good file, headed by the path as given, in file-name order
    assert [ln.split()[0] for ln in heads] == [str(p) for p in sorted(good,
                                                                      key=lambda p: p.name)]
    not_utf8 = next(ln for ln in err_lines if "not_utf8.txt" in ln)
    offset = (fixtures_raw / "not_utf8.txt").read_bytes().index(b"\x92")
    assert f"@byte {offset}" in not_utf8


def test_ingest_json_has_the_documented_fields(fixtures_raw, tmp_path):
    path = fixtures_raw / "date_wrong_dateline.txt"
    result = _ingest(path, "--json", "--corpus", tmp_path)
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.strip().splitlines()
    doc = json.loads(line)
    data = path.read_bytes()
    assert doc["sha256"] == hashlib.sha256(data).hexdigest()
    assert doc["doc_id"] == "tsn-" + doc["sha256"][:16]
    assert doc["source_file"] == path.name
    headline = "S. Korea, U.S., Japan launch first Freedom Edge multidomain exercise"
    assert doc["title"]["value"] == headline
    assert doc["text"].startswith(headline + "\n\nSouth Korea, the United States and Japan "
                                  "launched")
    assert doc["dateline"]["value"] == "SEOUL, June 27 (Yonhap)"
    assert set(doc["published"]) == {"value", "precision", "provenance", "confidence",
                                     "evidence"}
    assert doc["language"] == "en"
    assert doc["duplicate_of"] is None
    text = data.decode("utf-8")
    for r in doc["removed"]:
        assert set(r) == {"raw_start", "raw_end", "reason", "text"}
        assert text[r["raw_start"]:r["raw_end"]] == r["text"]
    for start, raw_start, length in doc["offset_map"]:
        assert doc["text"][start:start + length] == text[raw_start:raw_start + length]


def test_ingest_flags_copies_of_an_article_as_duplicates(fixtures_raw, tmp_path):
    names = ["dup_original.txt", "dup_crlf.txt", "dup_other_boilerplate.txt",
             "no_date_line.txt"]
    result = _ingest(*(fixtures_raw / n for n in names), "--json", "--corpus", tmp_path)
    assert result.exit_code == 0
    docs = [json.loads(ln) for ln in result.stdout.strip().splitlines()]
    # the first copy in file-name order wins, as in the build (not the first argument)
    assert [d["source_file"] for d in docs] == sorted(names)
    assert [d["duplicate_of"] for d in docs] == [None, "dup_crlf.txt", "dup_crlf.txt", None]
    assert [d["duplicate_of_path"] for d in docs] == \
        [None, str(fixtures_raw / "dup_crlf.txt"), str(fixtures_raw / "dup_crlf.txt"), None]
    assert [d["path"] for d in docs] == [str(fixtures_raw / n) for n in sorted(names)]
    plain = _ingest(*(fixtures_raw / n for n in reversed(names[:2])), "--corpus", tmp_path)
    blocks = plain.stdout.split(f"\n{fixtures_raw}")
    # the later file (in name order) is the duplicate of the earlier one, both as given
    assert blocks[1].startswith("/dup_original.txt  tsn-")
    assert f"  duplicate of {fixtures_raw / 'dup_crlf.txt'} (earlier in file-name order)" \
        in blocks[1]
    assert "duplicate of" not in blocks[0]


def test_ingest_prints_the_date_with_its_provenance_and_each_removal(fixtures_raw, tmp_path):
    """What README and docs/MAINTAINING.md promise a maintainer reviewing a new page."""
    path = fixtures_raw / "date_wrong_dateline.txt"
    plain = _ingest(path, "--corpus", tmp_path)
    doc = json.loads(_ingest(path, "--json", "--corpus", tmp_path).stdout)
    lines = plain.stdout.splitlines()
    assert lines[0] == f"{path}  {doc['doc_id']}  {len(doc['text'])} chars"
    pub = doc["published"]
    assert f"  published: {pub['value']} ({pub['precision']}, {pub['provenance']}, " \
           f"{pub['confidence']}): {pub['evidence']}" in lines
    assert f"  removed by cleaning ({len(doc['removed'])}):" in lines
    shown = [ln.split()[0] for ln in lines[lines.index(
        f"  removed by cleaning ({len(doc['removed'])}):") + 1:]]
    assert shown == [r["reason"] for r in doc["removed"]] and shown


def test_ingest_prints_the_normalisations_like_add(fixtures_raw, tmp_path):
    """Before: `trisec ingest` of a page with `To\\u200bkyo\\u202e` printed no trace of the two
    characters taken out of the text (only --json had them); `trisec add` did. After: the
    same `normalised:` line as add, with the counts of the --json output."""
    page = tmp_path / "hidden.txt"
    text = (fixtures_raw / "copyright_footer.txt").read_text(encoding="utf-8")
    page.write_text(text.replace("the defense ministry said",
                                 "the defense ministry in To\u200bkyo\u202e said", 1),
                    encoding="utf-8")
    doc = json.loads(_ingest(page, "--json", "--corpus", tmp_path).stdout)
    assert doc["normalizations"] == {"bidi_control": 1, "zero_width": 1}
    assert "in Tokyo said" in doc["text"]
    lines = _ingest(page, "--corpus", tmp_path).stdout.splitlines()
    assert "  normalised: bidi_control=1, zero_width=1" in lines
    plain = _ingest(fixtures_raw / "copyright_footer.txt", "--corpus", tmp_path).stdout
    assert "normalised:" not in plain


def test_ingest_and_the_build_pick_the_same_first_copy(fixtures_raw, tmp_path):
    """The build's dedup (published_documents) and `trisec ingest` run the same steps."""
    from trisec.pipeline.corpus import Corpus
    from trisec.pipeline.local import published_documents

    raw = tmp_path / "raw"
    raw.mkdir()
    names = ["dup_other_boilerplate.txt", "dup_original.txt", "dup_crlf.txt"]
    for n in names:
        (raw / n).write_bytes((fixtures_raw / n).read_bytes())
    pin(raw)
    built = [d.source_file for d in published_documents(Corpus(raw, tmp_path, tmp_path))]
    result = _ingest(*(raw / n for n in names), "--json", "--corpus", tmp_path)
    kept = [d["source_file"] for d in map(json.loads, result.stdout.splitlines())
            if d["duplicate_of"] is None]
    assert built == kept == ["dup_crlf.txt"]


def test_ingest_uses_curated_metadata_when_present(repo_corpus):
    path = repo_corpus.raw_dir / "004_fd7d536830c83d2c.txt"
    result = _ingest(path, "--json", "--corpus", repo_corpus.metadata_dir.parent)
    doc = json.loads(result.stdout)
    assert doc["outlet"]["value"] == "Anadolu Agency (copy on theistanbulpost.com)"
    assert doc["outlet"]["provenance"] == "external"


# --- inputs a build cannot hold are refused at the door --------------------------------------

def test_line_limit_is_spacys_max_length():
    from trisec.documents.ingest import MAX_LINE_CHARS
    from trisec.documents.sentences import nlp

    assert nlp().max_length == MAX_LINE_CHARS


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from trisec.documents import ingest

    big = tmp_path / "big.txt"
    big.write_bytes(b"Seoul said. " * (ingest.MAX_RAW_BYTES // 12 + 1))
    assert big.stat().st_size > ingest.MAX_RAW_BYTES
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a too-big file"))
    with pytest.raises(TrisecError) as err:
        read_raw(big)
    (problem,) = err.value.problems
    assert problem.location == str(big)
    assert f"over the {ingest.MAX_RAW_BYTES:,}-byte limit" in problem.message


def test_a_line_longer_than_spacy_can_take_is_refused_with_its_line_number(tmp_path):
    from trisec.documents.ingest import MAX_LINE_CHARS, MAX_RAW_BYTES

    path = tmp_path / "long_line.txt"
    path.write_text("Title\n\n" + "word " * (MAX_LINE_CHARS // 5) + "x\nlast\n",
                    encoding="utf-8")
    assert path.stat().st_size <= MAX_RAW_BYTES  # refused for the line, not the size
    with pytest.raises(TrisecError) as err:
        decode(read_raw(path), str(path))
    (problem,) = err.value.problems
    assert problem.location == f"{path}:3"
    assert f"{MAX_LINE_CHARS + 1:,} characters" in problem.message
    assert "max_length" in problem.message


@pytest.mark.parametrize("name", ["bad\nname.txt", "tab\there.txt", "esc\x1b[31m.txt",
                                  "del\x7f.txt", "nel\x85.txt"])
def test_a_file_name_with_a_control_character_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text("A title\n\nSome text of an article that is long enough.\n", encoding="utf-8")
    with pytest.raises(TrisecError) as err:
        read_raw(path)
    assert "control character" in err.value.problems[0].message


def test_ingest_cli_refuses_oversized_and_control_named_files(fixtures_raw, tmp_path):
    from trisec.documents.ingest import MAX_RAW_BYTES

    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (MAX_RAW_BYTES + 1))
    odd = tmp_path / "odd\nname.txt"
    odd.write_bytes((fixtures_raw / "no_date_line.txt").read_bytes())
    result = _ingest(big, odd, fixtures_raw / "no_date_line.txt")
    assert result.exit_code == 1
    assert "byte limit" in result.stderr and "control character" in result.stderr
    assert "no_date_line.txt" in result.stdout  # the good file is still processed
