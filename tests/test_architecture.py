"""The layout docs/ARCHITECTURE.md describes holds: a stage imports only lower stages.

Read from the source (every `import`, also those inside functions), not from a running
process, so a lazy import that goes the wrong way is caught as well.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

import trisec

SRC = Path(trisec.__file__).parent
ARCHITECTURE = SRC.parents[1] / "docs" / "ARCHITECTURE.md"

# docs/ARCHITECTURE.md, "What each package may import": lower never imports higher
LEVELS = {
    **dict.fromkeys(("__init__", "errors", "paths", "schema", "document", "file_schemas"), 1),
    "documents": 2,
    **dict.fromkeys(("annotation", "baselines", "evaluate", "generative"), 3),
    "pipeline": 4,
    **dict.fromkeys(("release", "validation", "silver"), 5),
    **dict.fromkeys(("views", "bench", "commands", "cli", "__main__"), 6),
}
# the declared exceptions (importer -> imported module), each named in docs/ARCHITECTURE.md
UPWARD = {
    ("trisec.annotation.labelstudio", "trisec.views.palette"),
    ("trisec.annotation.spacy_export", "trisec.release.replace"),
    ("trisec.evaluate.benchmark", "trisec.release.opener"),
    ("trisec.pipeline.add", "trisec.release.opener"),
    ("trisec.pipeline.add", "trisec.release.replace"),
}


@cache
def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(("trisec", *parts))] = path
    return out


def _imports(path: Path) -> set[str]:
    """Every trisec module `path` imports (`from trisec.x import y` names trisec.x.y when
    that is a module, else trisec.x)."""
    modules = _modules()
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "trisec"}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level \
                and node.module.split(".")[0] == "trisec":
            for a in node.names:
                full = f"{node.module}.{a.name}"
                found.add(full if full in modules else node.module)
    return found


def _level(module: str) -> int:
    parts = module.split(".")
    return LEVELS[parts[1]] if len(parts) > 1 else 1


@cache
def _upward() -> frozenset[tuple[str, str]]:
    return frozenset((mod, imp) for mod, path in _modules().items()
                     for imp in _imports(path) if _level(imp) > _level(mod))


def test_every_package_and_top_level_module_has_a_level() -> None:
    tops = {p.relative_to(SRC).parts[0].removesuffix(".py") for p in SRC.rglob("*.py")}
    assert tops - {"__pycache__"} <= set(LEVELS), sorted(tops - set(LEVELS))


def test_the_top_level_keeps_at_most_eight_modules() -> None:
    assert len(list(SRC.glob("*.py"))) <= 8


def test_a_stage_imports_only_lower_stages_or_a_declared_exception() -> None:
    assert _upward() - UPWARD == set()


def test_every_declared_exception_is_still_needed() -> None:
    """An exception nobody uses any more is removed from the list (and from the docs)."""
    assert UPWARD - _upward() == set()


@pytest.mark.parametrize("pair", sorted(UPWARD))
def test_every_declared_exception_is_documented(pair: tuple[str, str]) -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    importer, imported = (m.removeprefix("trisec.") for m in pair)
    assert f"`{importer}`" in text and f"`{imported}`" in text


def test_the_import_reader_sees_imports_inside_functions(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("def f():\n    from trisec.release.build import write_release\n"
                    "    import trisec.views.render\n", encoding="utf-8")
    assert _imports(path) == {"trisec.release.build", "trisec.views.render"}


def test_architecture_names_every_module_of_src() -> None:
    """docs/ARCHITECTURE.md covers all of src/: each module is named as code (`name`,
    `name.py`, `name/` or a dotted path ending in it), not only as a word of the prose."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    code, fenced = set(), False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        for span in ([line] if fenced else re.findall(r"`([^`]+)`", line)):
            code.update(re.split(r"[\s,()]+", span))
    names = {c.strip("/").removesuffix(".py").rsplit(".", 1)[-1].rsplit("/", 1)[-1]
             for c in code}
    missing = [m for m in _modules() if m.count(".") >= 1 and m.rsplit(".", 1)[-1] not in names]
    assert missing == []
