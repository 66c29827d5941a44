"""Parse raw exports through the codebook into typed frames, collecting every problem."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ipseval.common.problems import Problem, identity_kind
from ipseval.data.codebook import Codebook, Form, Variable, normalise_label

SWEDISH_MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "mars": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "maj": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "augusti": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}


@dataclass
class Parsed:
    """A parsed form: typed columns, per-row problems and file-level problems."""

    data: pd.DataFrame
    row_problems: list[Problem]
    file_problems: list[Problem]
    notes: list[str] = field(default_factory=list)

    def bad_rows(self) -> set[int]:
        """Rows with at least one problem."""
        return {p.row for p in self.row_problems if p.row is not None}


def parse_number(text: str) -> float | None:
    """Parse '2,5', '2.5', '1 234' or '13' as a float; None if not a number."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"[-+]?\d+([.,]\d+)?", t):
        return float(t.replace(",", "."))
    return None


def parse_month(text: str) -> str | None:
    """Parse 'mars 2012', 'Mars -12', '2012-03' or '2012-03-01' to 'YYYY-MM'; None if not."""
    t = normalise_label(text)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", t)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
    else:
        m = re.fullmatch(r"([a-zåäö]+)\.?\s*[-']?\s*(\d{2}|\d{4})", t)
        if not m or m.group(1) not in SWEDISH_MONTHS:
            return None
        month = SWEDISH_MONTHS[m.group(1)]
        year = int(m.group(2))
        year = year + 2000 if year < 100 else year
    if not 1 <= month <= 12:
        return None
    return f"{year:04d}-{month:02d}"


def _map_columns(
    frame: pd.DataFrame, form: Form, path: str
) -> tuple[dict[str, Variable], list[Problem]]:
    problems: list[Problem] = []
    lookup = form.header_map()
    found: dict[str, Variable] = {}
    seen: dict[str, str] = {}
    known = "the codebook's columns for " + form.title
    for header in frame.columns:
        var = lookup.get(normalise_label(header))
        if var is None:
            problems.append(
                Problem(path, 1, str(header), None, known, "unknown column (not in the codebook)")
            )
            continue
        if var.name in seen:
            problems.append(
                Problem(
                    path,
                    1,
                    str(header),
                    None,
                    "one column per variable",
                    f"column duplicates '{seen[var.name]}' (variable {var.name})",
                )
            )
            continue
        seen[var.name] = str(header)
        found[str(header)] = var
    present = {v.name for v in found.values()}
    for var in form.variables:
        if var.required and var.name not in present:
            problems.append(
                Problem(path, 1, var.column, None, "a column with this header", "missing column")
            )
    return found, problems


def _parse_cell(
    var: Variable, text: str, cb: Codebook, path: str, row: int, header: str
) -> tuple[object, Problem | None]:
    """Return (value, problem) for one cell; value None = missing."""
    if var.type in {"text", "personal"}:
        return (text.strip() or None), None
    if var.type == "id":
        if cb.is_missing(text):
            return None, Problem(path, row, header, text, var.allowed(), "empty identifier")
        return text.strip(), None
    if cb.is_missing(text):
        return None, None
    if var.type == "programme_ref":
        return text.strip(), None
    if var.type == "categorical":
        level = var.match(text)
        if level is None:
            return None, Problem(
                path, row, header, text, var.allowed(), "answer not in the codebook"
            )
        return level.label, None
    if var.type == "multi":
        parts = [p for p in text.split(cb.multi_select_separator) if p.strip()]
        labels = []
        for part in parts:
            level = var.match(part)
            if level is None:
                return None, Problem(
                    path,
                    row,
                    header,
                    part.strip(),
                    var.allowed() + f", separated by '{cb.multi_select_separator}'",
                    "answer not in the codebook",
                )
            labels.append(level.label)
        return frozenset(labels), None
    if var.type in {"integer", "number"}:
        value = parse_number(text)
        if value is None or (var.type == "integer" and not float(value).is_integer()):
            kind = "whole number" if var.type == "integer" else "number"
            return None, Problem(path, row, header, text, var.allowed(), f"not a {kind}")
        if (var.min is not None and value < var.min) or (var.max is not None and value > var.max):
            return None, Problem(path, row, header, text, var.allowed(), "out of range")
        return (int(value) if var.type == "integer" else value), None
    if var.type == "month":
        month = parse_month(text)
        if month is None or not (str(var.min) <= month <= str(var.max)):
            return None, Problem(path, row, header, text, var.allowed(), "not a valid month")
        return month, None
    raise AssertionError(var.type)  # pragma: no cover - types are checked at load


def parse_form(frame: pd.DataFrame, form: Form, cb: Codebook, path: str) -> Parsed:
    """Type every cell of an export through the codebook, collecting all problems."""
    columns, file_problems = _map_columns(frame, form, path)
    row_problems: list[Problem] = []
    out: dict[str, list[object]] = {}
    notes: list[str] = []
    for header, var in columns.items():
        if var.type == "personal":
            continue  # personal data: recognised here and never carried further
        values: list[object] = []
        decimals: list[int] = []
        for row, text in frame[header].items():
            value, problem = _parse_cell(var, text, cb, path, int(row), header)
            values.append(value)
            if problem is not None:
                row_problems.append(problem)
            elif var.type == "integer" and value is not None and re.search(r"[.,]", text):
                decimals.append(int(row))
        if decimals:
            rows = ", ".join(map(str, decimals[:5])) + (" ..." if len(decimals) > 5 else "")
            notes.append(
                f"column '{header}': {len(decimals)} whole number(s) written with decimals "
                f"(e.g. '45,0') read as whole numbers (rows {rows})"
            )
        out[var.name] = values
    for var in form.variables:  # optional columns absent from the file
        if var.name not in out and var.type != "personal":
            out[var.name] = [None] * len(frame)
    data = pd.DataFrame(out, index=frame.index)
    id_var = form[form.id_variable]
    if id_var.name in data and not file_problems:
        header = next((h for h, v in columns.items() if v.name == id_var.name), id_var.column)
        ids = data[id_var.name]
        first_row: dict[str, int] = {}
        for row, value in ids.items():
            if value is None:
                continue
            key = normalise_label(value)
            found = []
            kind = identity_kind(value)
            if kind:  # never the identifier of a person in the results
                found.append(
                    (
                        "a participant number that identifies no one outside the evaluation",
                        f"the id looks like {kind}: replace the ids by running numbers (a "
                        "pseudonym) before the export leaves the register, and keep the key "
                        "apart from the data",
                    )
                )
            if key in first_row:
                found.append(
                    (
                        id_var.allowed(),
                        f"duplicate identifier (first seen in row {first_row[key]})",
                    )
                )
            else:
                first_row[key] = int(row)
            row_problems += [Problem(path, int(row), header, str(value), *f) for f in found]
    return Parsed(
        data=data.replace({np.nan: None}),
        row_problems=row_problems,
        file_problems=file_problems,
        notes=notes,
    )


ANSWER_TYPES = {"categorical", "multi", "integer", "number", "month", "text"}


def unanswered_rows(parsed: Parsed, form: Form) -> list[int]:
    """Rows in which every question is empty (only identifiers filled in): a form nobody
    filled in, not a participant's answers."""
    answers = [v.name for v in form.variables if v.type in ANSWER_TYPES and v.name in parsed.data]
    if not answers:
        return []
    empty = parsed.data[answers].isna().all(axis=1)
    return [int(r) for r in parsed.data.index[empty]]
