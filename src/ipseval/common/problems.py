"""Structured input problems: one record per bad cell, reported all at once."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ipseval.common.io import neutralise

MASK_PREFIX = "‹masked"
# A whole mask as mask() writes it: only this is left as it is (a value masked already). A
# cell that merely begins with the mask's words is a person's text like any other.
_MASKED = re.compile(
    r"‹masked: \d+ characters?"
    r"(?:, looks like (?:an e-mail address|a phone number|a name))?›"
)


def mask(text: str) -> str:
    """A cell's content as it may be shown: its length and what it looks like, never the
    text (an answer that is not an allowed one may be a name, a phone number, an e-mail)."""
    t = str(text).strip()
    if re.search(r"\S+@\S+\.\S+", t):
        kind = ", looks like an e-mail address"
    elif len(re.sub(r"\D", "", t)) >= 6 and re.fullmatch(r"[\d\s+()./-]+", t):
        kind = ", looks like a phone number"
    elif re.fullmatch(r"[A-ZÅÄÖÉ][a-zåäöé]+(?:[ -][A-ZÅÄÖÉ][a-zåäöé]+)+", t):
        kind = ", looks like a name"
    else:
        kind = ""
    return f"{MASK_PREFIX}: {len(t)} character{'s' if len(t) != 1 else ''}{kind}›"


_PERSONNUMMER = re.compile(r"(?:\d{2})?(\d{2})(\d{2})(\d{2})[-+]?(\d{4})")


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(digits):
        n = int(c) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def identity_kind(text: str) -> str | None:
    """What a participant id looks like if it identifies a person: a Swedish personal
    identity number or coordination number (a date, four digits and a valid check digit),
    an e-mail address, or a telephone number (a leading 0 or +, separators, at least 8
    digits); None for anything else (plain running numbers included). Hand-written: no
    maintained library validates these shapes without also accepting plain numbers."""
    t = re.sub(r"\s", "", str(text))
    m = _PERSONNUMMER.fullmatch(t)
    if m:
        month, day = int(m[2]), int(m[3])
        dated = 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)
        if dated and _luhn(m[1] + m[2] + m[3] + m[4]):
            return "a coordination number" if day > 60 else "a personal identity number"
    if re.fullmatch(r"\S+@\S+\.\S+", t):
        return "an e-mail address"
    raw = str(text).strip()
    if (
        re.fullmatch(r"\+?[\d\s()./-]+", raw)
        and raw[:1] in "+0"
        and re.search(r"[\s()./-]", raw[1:])
        and len(re.sub(r"\D", "", raw)) >= 8
    ):
        return "a telephone number"
    return None


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file (row is the 1-based line/sheet row, header = 1).

    The value of a problem with a row (a cell's content) is masked on creation, so that it
    can reach no message, log, table or report verbatim; file-level problems (no row) keep
    theirs (a file suffix, say)."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    allowed: str
    message: str

    def __post_init__(self) -> None:
        if (
            self.row is not None
            and self.value is not None
            and not _MASKED.fullmatch(str(self.value))
        ):
            object.__setattr__(self, "value", mask(self.value))

    def describe(self) -> str:
        """Render the problem as one human-readable line."""
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        value = "" if self.value is None else f": value {self.value}"
        return f"{where}{value}: {self.message} (allowed: {self.allowed})"


SHOWN = 10  # problems printed; the problems file has all


class InputError(Exception):
    """Raised when input files break the data contract; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input data:"
        lines = [head, *(f"  - {p.describe()}" for p in self.problems[:SHOWN])]
        if n > SHOWN:
            lines.append(f"  ... and {n - SHOWN} more (all in the problems file)")
        super().__init__("\n".join(lines))


PROBLEM_FIELDS = [f.name for f in fields(Problem)]


def problems_to_csv(problems: list[Problem]) -> str:
    """Serialise problems as CSV text (header always present)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=PROBLEM_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for p in problems:
        writer.writerow({k: ("" if v is None else neutralise(v)) for k, v in asdict(p).items()})
    return buf.getvalue()


def write_problems(problems: list[Problem], path: str | Path) -> None:
    """Write problems to a CSV file (an empty table when there are none)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(problems_to_csv(problems), encoding="utf-8")
