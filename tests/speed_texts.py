"""Texts the speed-equivalence tests run on: every real article and raw fixture, cleaned as
the build cleans them, and the first pages of the benchmark's synthetic crawl."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from trisec.bench.synth import harvest, page_bytes
from trisec.document import RawArticle
from trisec.documents.clean import clean
from trisec.documents.ingest import decode, read_raw
from trisec.errors import TrisecError
from trisec.paths import RAW_DIR

FIXTURES_RAW = Path(__file__).parent / "fixtures" / "raw"
SYNTHETIC_PAGES = 150


@cache
def texts() -> tuple[tuple[str, str], ...]:
    """(name, cleaned text) of the corpus, the raw fixtures and synthetic pages."""
    out = []
    for path in sorted(RAW_DIR.glob("*.txt")) + sorted(FIXTURES_RAW.glob("*.txt")):
        raw = read_raw(path)
        try:
            out.append((path.name, clean(raw, decode(raw)).text))
        except TrisecError:  # fixtures of bad input
            continue
    pools = harvest(RAW_DIR)
    for i in range(SYNTHETIC_PAGES):
        data, _, _ = page_bytes(i, pools, seed=0)
        raw = RawArticle(f"synthetic-{i}.txt", data)
        out.append((raw.source_file, clean(raw, decode(raw)).text))
    return tuple(out)
