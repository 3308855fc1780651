"""Read the gold side of a benchmark from a release folder (the `documents` config)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trisec.errors import Problem, TrisecError
from trisec.evaluate.views import DocView, view_from_annotation

GOLD_COLUMNS = ["doc_id", "split", "text", "mentions", "entities", "events", "attributions"]
ALL = "all"  # every document of the release, for systems never trained on TRISEC


@dataclass
class GoldSplit:
    """The documents of one split, and where every doc id of the release lives.

    `views` are the documents scored: those with gold (any mention, event or attribution).
    A document without any (an article added but not annotated yet) is in `unannotated` and
    `texts` (a prediction line for it is still checked) but never scored: its empty layers
    are not a gold "nothing here". When no document of the split has gold, every document
    is in `views` and `has_gold` is False (scores are 0 and the notes say why)."""

    split: str
    views: list[DocView]
    texts: dict[str, str]
    split_of: dict[str, str] = field(default_factory=dict)
    unannotated: list[str] = field(default_factory=list)

    @property
    def has_gold(self) -> bool:
        return any(not v.empty for v in self.views)


def read_rows(release: Path, split: str | None = None) -> list[dict[str, Any]]:
    """Rows of the `documents` config (all splits, or one), in file order."""
    import pyarrow.parquet as pq

    # no opener here: the build's leaderboard reads its own staged folder, which has no
    # manifest yet; commands open the release (trisec.release.opener) before calling this
    folder = Path(release) / "data" / "documents"
    if not folder.is_dir():
        raise TrisecError(Problem(str(release), "not a TRISEC release (no data/documents/)",
                                  "build one with `trisec build`, or pass --release DIR"))
    pattern = f"{split}-*.parquet" if split else "*.parquet"
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob(pattern)):
        rows.extend(pq.read_table(path, columns=GOLD_COLUMNS).to_pylist())
    return rows


def read_gold(release: Path, split: str) -> GoldSplit:
    """The gold of one split, or of every document with split `all`."""
    rows = read_rows(release)
    splits = sorted({r["split"] for r in rows})
    mine = [r for r in rows if split in (ALL, r["split"])]
    if not mine:
        raise TrisecError(Problem(f"{release}/data/documents", f"the release has no "
                                  f"{split!r} documents (splits present: {', '.join(splits)})",
                                  f"pass --split with one of those, or {ALL}"))
    views = [view_from_annotation(r) for r in mine]
    scored = [v for v in views if not v.empty]
    return GoldSplit(split, scored or views, {r["doc_id"]: r["text"] for r in mine},
                     {r["doc_id"]: r["split"] for r in rows},
                     sorted(v.doc_id for v in views if v.empty) if scored else [])
