"""Fuzzing the input edge (issue #18 item 7): strategies and the property each input must
satisfy, shared by tests/test_fuzz.py (a fixed number of examples in CI) and scripts/fuzz.py
(a longer run with counts).

Every check returns what happened to the input ("document", or the kind of located refusal)
and fails (AssertionError, or the uncaught exception itself) when the property breaks:

- ingest and clean (`read_raw` -> `decode` -> `clean`): any bytes either become a Document
  whose offset map sends every kept character back to the raw character it came from and
  whose kept text plus removals account for the whole raw text (conftest.assert_accounted),
  or are refused with a TrisecError whose every problem names the file;
- the annotation loader (`load_gold`: strict JSON reader + verification against the
  published text): any mutation of a real gold file loads (only if it still verifies) or is
  refused with problems located in that file;
- the metadata reader (`load_curated`) and the pins reader (`read_checksums`) likewise.
"""

from __future__ import annotations

import atexit
import copy
import json
import shutil
import tempfile
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from conftest import assert_accounted
from hypothesis import strategies as st

from trisec.annotation.gold import load_gold
from trisec.documents.clean import clean
from trisec.documents.ingest import decode, read_raw
from trisec.documents.metadata import load_curated
from trisec.documents.pins import read_checksums
from trisec.errors import TrisecError
from trisec.paths import ANNOTATIONS_DIR, METADATA_DIR, RAW_DIR
from trisec.pipeline.steps import clean_one

GOLD_DIR = ANNOTATIONS_DIR / "gold"
RAW_FILES = sorted(RAW_DIR.glob("*.txt"))
GOLD_FILES = sorted(GOLD_DIR.glob("*.json"))
METADATA_FILES = sorted(METADATA_DIR.glob("*.yaml"))
WORK = Path(tempfile.mkdtemp(prefix="trisec-fuzz-"))  # files the checks read back
atexit.register(shutil.rmtree, WORK, ignore_errors=True)

# --- strategies: characters that break text handling -----------------------------------

COMBINING = st.characters(categories=["Mn", "Me"])  # accents, enclosing marks
RTL = st.sampled_from(list("\u05d0\u05d1\u05e9\u0627\u0644\u0639\u0631\u0628\u064a\u06f1"
                           "\u0661\u200f\u202b\u202e\u2067\u061c"))
INVISIBLE = st.sampled_from(list("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u202a\u202c"
                                 "\u2066\u2069\u180e"))
BREAKS = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e",
                          "\x85", "\u2028", "\u2029", "\t", "\u00a0", "\u3000", " "])
ODD = st.sampled_from(["\x00", "\x01", "\x7f", "\ud800", "\udfff", "\ufffd", "\uffff",
                       "\U0001f600", "\U0010ffff", "\u0345", "\u1100\u1161\u11a8",
                       "\ufb01", "\u0130", "\u00df", "\u2126", "\u212b", "\u1e9b\u0323",
                       "(END)", "date 2024-06-27", "SEOUL, June 27 (Yonhap) -- ",
                       "OTHER NEWS", "\u00a9 2024 Yonhap", "News / Koreas", "(photo: AFP)",
                       "Read more \u00bb", "ADVERTISEMENT", "2025/01/06 18:52 KST"])
WORDS = st.sampled_from("South Korea Japan the United States held trilateral drills on "
                        "Monday , . \" \u201c \u201d officials said missile caf\u00e9 "
                        "cafe\u0301 Seoul Tokyo".split())
ANY_CHAR = st.characters(codec=None, exclude_categories=())  # every code point, surrogates too
PIECE = st.one_of(WORDS, WORDS, WORDS, COMBINING, RTL, INVISIBLE, BREAKS, BREAKS, ODD,
                  ANY_CHAR, st.text(max_size=8))
ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1",
             "cp1252", "shift_jis", "euc-kr", "utf-32"]


@st.composite
def unicode_pages(draw: st.DrawFn) -> bytes:
    """A page of words and hostile characters, each stretch in its own encoding (mixed
    encodings in one file), sometimes with a very long line."""
    out = bytearray()
    for _ in range(draw(st.integers(1, 4))):
        text = "".join(draw(st.lists(PIECE, max_size=60)))
        if draw(st.integers(0, 9)) == 0:  # a long line: words without a break
            text += " ".join(draw(WORDS) for _ in range(draw(st.integers(500, 5000))))
        enc = draw(st.sampled_from(ENCODINGS))
        errors = draw(st.sampled_from(["surrogatepass", "replace", "ignore"]))
        try:
            out += text.encode(enc, errors=errors)
        except UnicodeEncodeError:  # surrogatepass is for the UTF codecs only
            out += text.encode(enc, errors="replace")
    return bytes(out)


@cache
def raw_bytes(path: Path) -> bytes:
    return path.read_bytes()


@st.composite
def mutated_raw_files(draw: st.DrawFn) -> bytes:
    """A real raw file of corpus/raw with a few byte or text edits."""
    data = bytearray(raw_bytes(draw(st.sampled_from(RAW_FILES))))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "splice",
                                     "duplicate", "text", "endings"]))
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and data:
            i = min(at, len(data) - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 400))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "splice":  # a piece of another raw file
            other = raw_bytes(draw(st.sampled_from(RAW_FILES)))
            a = draw(st.integers(0, len(other)))
            data[at:at] = other[a:a + draw(st.integers(1, 800))]
        elif kind == "duplicate":
            data[at:at] = data[at:at + draw(st.integers(1, 400))]
        elif kind == "text":  # hostile characters, encoded as UTF-8
            data[at:at] = "".join(draw(st.lists(st.one_of(COMBINING, RTL, INVISIBLE, BREAKS,
                                                          ODD), min_size=1, max_size=8))
                                  ).encode("utf-8", "surrogatepass")
        elif kind == "endings":
            data = bytearray(bytes(data).replace(b"\n", draw(st.sampled_from(
                [b"\r\n", b"\r", b"\n\n", b"\x85", b"\xe2\x80\xa8", b" "]))))
    return bytes(data)


RAW_INPUTS = st.one_of(st.binary(max_size=3000), unicode_pages(), unicode_pages(),
                       mutated_raw_files(), mutated_raw_files())

# --- the ingest/clean property ------------------------------------------------------------


def _located(exc: TrisecError, name: str) -> str:
    assert exc.problems, "a TrisecError without problems"
    for p in exc.problems:
        assert name in p.location, f"problem not located in {name}: {p}"
        assert p.message.strip(), p
    return exc.problems[0].message.split(" (")[0].split(":")[0][:40]


def check_ingest(data: bytes, name: str = "fuzz.txt") -> str:
    """read_raw -> decode -> clean, as the build runs them on a file; then the same document
    through clean_one with curated metadata absent (the pipeline's own entry)."""
    path = WORK / name
    path.write_bytes(data)
    try:
        raw = read_raw(path)
        decoded = decode(raw)
        doc = clean(raw, decoded)
    except TrisecError as exc:
        return "refused: " + _located(exc, name)
    assert_accounted(doc, decoded)
    assert doc.text == unicodedata.normalize("NFC", doc.text)
    assert doc.text.strip() and doc.text == doc.text.strip()
    again = clean_one(raw)  # the pipeline's path gives the same text
    assert again.text == doc.text and again.offset_map == doc.offset_map
    return "document"


# --- the annotation loader ----------------------------------------------------------------

@cache
def published_text(doc_id: str) -> str:
    """The text a gold file's offsets point into: the document as the build publishes it."""
    for path in RAW_FILES:
        raw = read_raw(path)
        if raw.doc_id == doc_id:
            return clean_one(raw, METADATA_DIR).text
    raise LookupError(doc_id)


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(),
              st.text(max_size=12), st.sampled_from(["", "M1", "E1", "Q884", "Q0", "GPE",
                                                     "MEET", "null", "\u0000", "\ud800"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        node = node[k]
    return node


@cache
def gold_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@st.composite
def mutated_gold(draw: st.DrawFn) -> tuple[str, str]:
    """(doc_id, file text): a real gold file with edits to its JSON structure (values
    replaced, keys removed or added, items duplicated, offsets moved) and/or its text."""
    path = draw(st.sampled_from(GOLD_FILES))
    data = copy.deepcopy(gold_json(path))
    for _ in range(draw(st.integers(0, 4))):
        paths = _paths(data)
        where = draw(st.sampled_from(paths))
        parent = _get(data, where[:-1]) if where else None
        kind = draw(st.sampled_from(["replace", "delete", "add", "duplicate", "offset",
                                     "swap"]))
        if kind == "replace" and where:
            parent[where[-1]] = draw(JSON_VALUES)
        elif kind == "delete" and where:
            del parent[where[-1]]
        elif kind == "add":
            node = _get(data, where)
            if isinstance(node, dict):
                node[draw(st.text(max_size=8))] = draw(JSON_VALUES)
            elif isinstance(node, list):
                node.insert(draw(st.integers(0, len(node))), draw(JSON_VALUES))
        elif kind == "duplicate" and where and isinstance(parent, list):
            parent.insert(where[-1], copy.deepcopy(parent[where[-1]]))
        elif kind == "offset" and where and where[-1] in ("start", "end"):
            value = parent[where[-1]]
            parent[where[-1]] = value + draw(st.integers(-3, 3)) \
                if isinstance(value, int) and draw(st.booleans()) \
                else draw(st.sampled_from([-1, 0, 10**12, 2**63, 1.5, True, "3"]))
        elif kind == "swap" and isinstance(parent, dict) and {"start", "end"} <= parent.keys():
            parent["start"], parent["end"] = parent["end"], parent["start"]
    text = json.dumps(data, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from(
        [None, 1, 2])), allow_nan=True)
    for _ in range(draw(st.integers(0, 2))):  # text-level edits: syntax breaks, bad bytes
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["cut", "insert", "truncate"]))
        if edit == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif edit == "insert":
            text = text[:at] + draw(st.one_of(st.sampled_from(
                [",", "}", "]", '"', "\\", "\\u12", "\ud800", "\x00", "NaN", "1e999"]),
                st.text(max_size=4))) + text[at:]
        else:
            text = text[:at]
    return path.stem, text


def check_gold(doc_id: str, text: str, schema: Any) -> str:
    gold_dir = WORK / "corpus" / "annotations" / "gold"
    gold_dir.mkdir(parents=True, exist_ok=True)
    path = gold_dir / f"{doc_id}.json"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        verified = load_gold(gold_dir, doc_id, published_text(doc_id), schema)
    except TrisecError as exc:
        return "refused: " + _located(exc, f"{doc_id}.json")
    assert verified is not None and verified.doc_id == doc_id
    return "loaded"


# --- the metadata and pins readers --------------------------------------------------------

@st.composite
def mutated_metadata(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(METADATA_FILES))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "flip", "indent"]))
        if kind == "insert":
            data[at:at] = draw(st.one_of(st.binary(max_size=6), st.sampled_from(
                [b": ", b"- ", b"\n  ", b"&a ", b"*a", b"!!python/object ", b"'", b"\t",
                 b"{", b"[", b"? ", b"%YAML 1.1\n", b"---\n", b"\xff"])))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 60))]
        elif kind == "flip" and data:
            data[min(at, len(data) - 1)] ^= 1 << draw(st.integers(0, 7))
        else:
            data[at:at] = b"  " if draw(st.booleans()) else b"\n"
    return path.stem, bytes(data)


def check_metadata(doc_id: str, data: bytes) -> str:
    folder = WORK / "metadata"
    folder.mkdir(exist_ok=True)
    (folder / f"{doc_id}.yaml").write_bytes(data)
    try:
        load_curated(folder, doc_id)
    except TrisecError as exc:
        return "refused: " + _located(exc, f"{doc_id}.yaml")
    return "loaded"


def check_pins(data: bytes) -> str:
    path = WORK / "raw.sha256"
    path.write_bytes(data)
    try:
        read_checksums(path)
    except TrisecError as exc:
        return "refused: " + _located(exc, "raw.sha256")
    return "loaded"


PIN_INPUTS = st.one_of(
    st.binary(max_size=300),
    st.lists(st.one_of(st.just((RAW_DIR.parent / "raw.sha256").read_bytes()),
                       st.binary(max_size=40), st.sampled_from([b"\n", b"\r\n", b"  ", b"*"])),
             max_size=5).map(b"".join))

