"""Corpus: everything a build reads, and nothing else (a build is hermetic)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Corpus:
    """Everything a build reads, and nothing else: the same corpus under any folder gives the
    same bytes. `passes_dir` (independent annotation passes, for the agreement figures) and
    `predictions_dir` (benchmark prediction files scored on the card) are optional: without
    them the card says they are not in this corpus."""

    raw_dir: Path
    metadata_dir: Path
    gold_dir: Path
    passes_dir: Path | None = None
    predictions_dir: Path | None = None

    @classmethod
    def at(cls, root: Path) -> Corpus:
        """The corpus of a checkout laid out like this one (corpus/, benchmark/predictions/)."""
        corpus = Path(root) / "corpus"
        return cls(corpus / "raw", corpus / "metadata", corpus / "annotations" / "gold",
                   corpus / "annotations" / "passes", Path(root) / "benchmark" / "predictions")

    def raw_paths(self) -> list[Path]:
        return sorted(self.raw_dir.glob("*.txt"))
