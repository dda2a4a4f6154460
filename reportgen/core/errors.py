"""Problems found in input, reported all at once.

Planning staff fix their files in an editor, so every problem names the file,
the line and the field (``file:line: path.to.field: what is wrong``) and all
problems of a file are reported together instead of one per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.path:
            return f"{where}: {self.path}: {self.message}"
        return f"{where}: {self.message}"


class ReportError(Exception):
    """Raised when input cannot become a report; ``problems`` lists every reason.

    The message is the problems joined by newlines, so ``str(err)`` is what the
    command line prints.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RenderError(Exception):
    """Raised when a valid report cannot be written (disk, renderer failure)."""
