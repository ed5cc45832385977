"""The project's exception types: every error a user can cause is one of these."""

from __future__ import annotations

from dataclasses import dataclass


class ZhNerBenchError(Exception):
    """Base class of every error this project raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a file, printed as ``file:line: message``."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class GoldDataError(ZhNerBenchError):
    """The gold corpus or annotations are malformed or inconsistent."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            super().__init__(str(self.problems[0]))
        else:
            shown = "\n".join(str(p) for p in self.problems)
            super().__init__(f"{len(self.problems)} problems in the gold data:\n{shown}")
