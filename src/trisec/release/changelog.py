"""The release date of a version, from its CHANGELOG.md heading (`## [X.Y.Z] - YYYY-MM-DD`).

schema/dataset.yaml holds versions and notes; the date a version was released is written once,
in its Keep a Changelog heading (tests/test_docs.py keeps the two in step). Reading it from
there keeps the build free of clocks: the same inputs give the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from trisec.paths import ROOT


def release_date(version: str, changelog: Path | None = None) -> str | None:
    """ISO date of `version`'s CHANGELOG.md heading, or None (no file, no dated heading)."""
    path = changelog or ROOT / "CHANGELOG.md"
    if not path.is_file():
        return None
    m = re.search(rf"^## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}})\s*$",
                  path.read_text(encoding="utf-8"), re.M)
    return m.group(1) if m else None
