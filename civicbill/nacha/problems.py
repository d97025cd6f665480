"""What is wrong with a NACHA file, as values: one ``Problem`` per finding, never an exception."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: where (line, record, field and its positions), what was found, what was expected.

    ``line`` is the 1-based line of the file (for a file written as one long line, the record number
    after splitting); ``None`` for the file as a whole (an empty file). A warning does not make the
    file invalid (a repaired line length, an unsupported IAT batch that was skipped).
    """

    line: int | None
    record: str
    field: str
    message: str
    found: str = ""
    expected: str = ""
    positions: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        what = f"{self.record} {self.field}".strip()
        if self.positions:
            what += f" ({self.positions})"
        text = f"{where}: {what}: {self.message}"
        if self.found or self.expected:
            text += f" [found {self.found!r}, expected {self.expected!r}]"
        if self.severity != ERROR:
            text = f"{self.severity}: {text}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "record": self.record,
            "field": self.field,
            "positions": self.positions,
            "found": self.found,
            "expected": self.expected,
            "message": self.message,
            "severity": self.severity,
        }


class NachaWriteError(ValueError):
    """The writer was given records that would make an invalid file; ``problems`` says why."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...] | str) -> None:
        if isinstance(problems, str):
            self.problems: tuple[Problem, ...] = ()
            super().__init__(problems)
            return
        self.problems = tuple(problems)
        shown = "; ".join(str(problem) for problem in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"cannot write an invalid NACHA file: {shown}{more}")
