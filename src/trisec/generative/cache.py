"""A content-addressed on-disk cache of model responses.

The key is the sha256 of (model, messages, sampling parameters) as canonical JSON: the same
prompt to the same model with the same parameters is answered from disk, so a second run
sends no request and an interrupted run resumes where it stopped. Each entry is one small
JSON file written atomically; a damaged entry counts as a miss. Failed requests are never
cached (a rerun retries them). Nothing secret goes into a key or an entry: the API key is
not part of either.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from trisec.generative.files import atomic_write_text

APP = "trisec"


def default_cache_dir() -> Path:
    """The user's cache folder for trisec (platformdirs' user_cache_dir rules):
    %LOCALAPPDATA%\\trisec\\Cache on Windows, ~/Library/Caches/trisec on macOS,
    $XDG_CACHE_HOME/trisec (default ~/.cache/trisec) elsewhere."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache") / APP


def cache_key(model: str, messages: list[dict[str, str]], params: dict[str, Any]) -> str:
    blob = json.dumps({"model": model, "messages": messages, "params": params},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """<root>/responses/<key[:2]>/<key>.json holding {"response": text, ...}."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / "responses" / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            entry = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("response"), str):
            return None
        return entry

    def put(self, key: str, entry: dict[str, Any]) -> None:
        # no fsync per entry (it would cost more than a local model's answer): after a power
        # loss an entry may be damaged, and a damaged entry is a miss, asked again
        atomic_write_text(self.path(key), json.dumps(entry, ensure_ascii=False, sort_keys=True),
                          durable=False)
