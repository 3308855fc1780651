"""The plain data model every stage passes along: RawArticle -> Document -> rows."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

DOC_ID_PREFIX = "tsn-"


def doc_id_for(raw_sha256: str) -> str:
    """Stable id from the immutable raw bytes: never changes with cleaning, never reused."""
    return DOC_ID_PREFIX + raw_sha256[:16]


@dataclass(frozen=True)
class RawArticle:
    source_file: str  # file name, e.g. 000_983addbeba9461a4.txt
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def doc_id(self) -> str:
        return doc_id_for(self.sha256)


@dataclass
class Fact:
    """A metadata value with where it came from; value None means unknown."""

    value: str | None = None
    provenance: str | None = None  # crawl_line | body | external
    confidence: str | None = None  # high | medium | low
    evidence: str | None = None


@dataclass
class DateFact(Fact):
    precision: str | None = None  # day | month | year


@dataclass
class Removal:
    raw_start: int  # character offsets into the decoded raw text
    raw_end: int
    reason: str
    text: str


@dataclass
class Document:
    doc_id: str
    source_file: str
    sha256: str
    text: str
    title: Fact = field(default_factory=Fact)
    dateline: Fact = field(default_factory=Fact)
    published: DateFact = field(default_factory=DateFact)
    outlet: Fact = field(default_factory=Fact)
    url: Fact = field(default_factory=Fact)
    language: str = "en"
    removed: list[Removal] = field(default_factory=list)
    # runs (start, raw_start, length): text[start:start+length] == normalised raw run
    offset_map: list[tuple[int, int, int]] = field(default_factory=list)
    normalizations: dict[str, int] = field(default_factory=dict)
    body_sha256: str = ""  # hash of the normalised body, for duplicate detection
    # candidate dates seen while cleaning: (value, precision, provenance, evidence)
    date_clues: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["offset_map"] = [list(r) for r in self.offset_map]
        return d

    def raw_offset(self, pos: int) -> int:
        """Raw character offset of text position `pos` (end positions map past the run)."""
        for start, raw_start, length in self.offset_map:
            if start <= pos < start + length:
                return raw_start + (pos - start)
        for start, raw_start, length in reversed(self.offset_map):
            if pos >= start + length:
                return raw_start + length
        return 0
