"""One project error type: problems are values with a location and a fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input, where it is, and how to fix it."""

    location: str  # "file:line", "file@byte N" or "doc_id/span_id"
    message: str
    fix: str = ""

    def __str__(self) -> str:
        tail = f" (fix: {self.fix})" if self.fix else ""
        return f"{self.location}: {self.message}{tail}"


class TrisecError(Exception):
    """Raised with one or more problems; the CLI prints them without a traceback."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
