"""Structured input problems: one record per bad cell, reported all at once."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file (row is the 1-based line/sheet row, header = 1)."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    allowed: str
    message: str

    def describe(self) -> str:
        """Render the problem as one human-readable line."""
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        value = "" if self.value is None else f": value '{self.value}'"
        return f"{where}{value}: {self.message} (allowed: {self.allowed})"


class InputError(Exception):
    """Raised when input files break the data contract; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input data:"
        lines = [head, *(f"  - {p.describe()}" for p in self.problems[:200])]
        if n > 200:
            lines.append(f"  ... and {n - 200} more (see the problems file)")
        super().__init__("\n".join(lines))


PROBLEM_FIELDS = [f.name for f in fields(Problem)]


def problems_to_csv(problems: list[Problem]) -> str:
    """Serialise problems as CSV text (header always present)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=PROBLEM_FIELDS, lineterminator="\n")
    writer.writeheader()
    for p in problems:
        writer.writerow({k: ("" if v is None else v) for k, v in asdict(p).items()})
    return buf.getvalue()


def write_problems(problems: list[Problem], path: str | Path) -> None:
    """Write problems to a CSV file (an empty table when there are none)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(problems_to_csv(problems), encoding="utf-8")
