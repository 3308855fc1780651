"""Where the project's inputs and outputs live (I/O edges only read these defaults)."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The checkout holding schema/ and corpus/ (override with TRISEC_ROOT)."""
    env = os.environ.get("TRISEC_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in [Path.cwd(), *Path.cwd().parents, *here.parents]:
        if (parent / "schema" / "dataset.yaml").is_file() and (parent / "corpus").is_dir():
            return parent
    return here.parents[2]


ROOT = project_root()
SCHEMA_DIR = ROOT / "schema"
CORPUS_DIR = ROOT / "corpus"
RAW_DIR = CORPUS_DIR / "raw"
RAW_CHECKSUMS = CORPUS_DIR / "raw.sha256"
METADATA_DIR = CORPUS_DIR / "metadata"
ANNOTATIONS_DIR = CORPUS_DIR / "annotations"
PASSES_DIR = ANNOTATIONS_DIR / "passes"
PREDICTIONS_DIR = ROOT / "benchmark" / "predictions"
DATASET_DIR = ROOT / "dataset"
VALIDATION_DIR = ROOT / "validation"
