"""Read survey exports as Swedish tools write them: CSV (`;`, `,` or tab; UTF-8 with or without
BOM, or Windows-1252; CRLF or LF), Excel .xlsx, and SPSS (.sav, .zsav) and Stata (.dta) files
with their value labels. Every cell is read as text; typing is the codebook's job.

Strict about structure, kind about format: a record with too few or too many fields, an
unclosed quote, a file that mixes encodings, or a header naming a column twice is rejected
with the line it is on; a trailing delimiter on every line, empty lines, a BOM, a title row or
an information sheet before the data in a workbook are handled and noted (the notes go to the
clean stage's accounting). Parsing is the standard library's `csv` module and openpyxl's;
only the checks around them are written here. SPSS and Stata files are read by pyreadstat:
an answer is its value label (the labels are what a codebook lists), a value the file defines
as missing (SPSS user-missing values, Stata's extended missing values) is empty, and the
variable names are the header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ipseval.common.problems import InputError, Problem, mask
from ipseval.data.codebook import normalise_label

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "';'", ",": "','", "\t": "tab"}
TEXT_FORMAT = "UTF-8 (with or without BOM) or Windows-1252 text"
HEADER_SEARCH_ROWS = 20  # rows of each sheet searched for the header


@dataclass
class Table:
    """An export read as text: one row per record (index = its line or sheet row number in
    the file; the header's is `header_row`), and what was noticed on the way."""

    frame: pd.DataFrame
    header_row: int = 1
    notes: list[str] = field(default_factory=list)


def _fail(path: Path, message: str, allowed: str, row: int | None = None) -> InputError:
    return InputError([Problem(str(path), row, None, None, allowed, message)])


def _lines_list(numbers: list[int], limit: int = 5) -> str:
    shown = ", ".join(map(str, numbers[:limit]))
    return shown + (f" and {len(numbers) - limit} more" if len(numbers) > limit else "")


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    """The text and the encoding's name; a file that mixes encodings is rejected with the
    lines that do not fit."""
    if b"\x00" in raw:
        raise _fail(
            path, "file holds NUL bytes: it is binary or UTF-16, not a readable CSV", TEXT_FORMAT
        )
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    lines = raw.split(b"\n")
    utf8_lines, bad_lines = [], []
    for number, line in enumerate(lines, 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines.append(number)
        except UnicodeDecodeError:
            bad_lines.append(number)
    if utf8_lines and bad_lines:
        raise _fail(
            path,
            f"the file mixes encodings: line(s) {_lines_list(bad_lines)} are not UTF-8 while "
            f"line(s) {_lines_list(utf8_lines)} are; save the whole file again in one encoding",
            TEXT_FORMAT,
            row=bad_lines[0],
        )
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as err:
        raise _fail(
            path, f"file is in an unreadable encoding ({err.reason})", TEXT_FORMAT
        ) from None


def _pick_delimiter(text: str, known_headers: set[str]) -> str:
    """Choose the delimiter under which the header row names the most known columns; with
    no known column named (a file read without its codebook), the one that splits the first
    lines into the same number of fields, the most of them."""
    lines = text.splitlines()[:20] if text else [""]
    best, best_score = DELIMITERS[0], (-1, -1, -1)
    for delim in DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delim))
        header = rows[0] if rows else []
        known = sum(normalise_label(h) in known_headers for h in header)
        widths = {len(r) for r in rows if r}
        score = (known, int(len(widths) == 1 and len(header) > 1), len(header))
        if score > best_score:
            best, best_score = delim, score
    return best


def _records(path: Path, text: str, delim: str) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, fields) of every record, by the csv module in strict mode."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    out, previous = [], 0
    try:
        for fields in reader:
            out.append((previous + 1, reader.line_num, fields))
            previous = reader.line_num
    except csv.Error as err:
        raise _fail(
            path,
            f"{err} (a quote opened in an answer and not closed?)",
            "quotes only around whole fields, each opened quote closed",
            row=previous + 1,
        ) from None
    return out


def _header_problems(path: Path, header: list[str], row: int) -> list[Problem]:
    """Header labels that occur twice, named as written."""
    seen: dict[str, int] = {}
    problems = []
    for position, label in enumerate(header, 1):
        key = normalise_label(label)
        if not key:
            continue
        if key in seen:
            problems.append(
                Problem(
                    str(path),
                    row,
                    label,
                    None,
                    "each column once",
                    f"the header has this column twice (fields {seen[key]} and {position})",
                )
            )
        else:
            seen[key] = position
    return problems


def _frame(
    path: Path, header: list[str], rows: list[tuple[int, list[str]]], header_row: int
) -> tuple[pd.DataFrame, list[str]]:
    """Checked frame from header and rows: empty records dropped, a trailing empty column
    (a delimiter at the end of every line) dropped, ragged records rejected."""
    notes = []
    empty = [n for n, fields in rows if not any(f.strip() for f in fields)]
    if empty:
        notes.append(f"{len(empty)} empty line(s) ignored ({_lines_list(empty)})")
    rows = [(n, f) for n, f in rows if any(x.strip() for x in f)]
    width = len(header)
    while (
        width > 1
        and not header[width - 1].strip()
        and all(len(f) < width or not f[width - 1].strip() for _, f in rows)
    ):
        width -= 1  # an unnamed, empty last column: the lines end with a delimiter
    if width < len(header):
        notes.append("every line ends with a delimiter; the empty last column is ignored")
        header = header[:width]
        rows = [(n, f[:width] if len(f) > width and not any(f[width:]) else f) for n, f in rows]
    problems = [
        Problem(
            str(path),
            n,
            None,
            None,
            f"{width} fields, as in the header",
            f"{len(f)} fields where the header has {width}"
            + (" (a delimiter inside an unquoted answer?)" if len(f) > width else ""),
        )
        for n, f in rows
        if len(f) != width
    ]
    unnamed = [i + 1 for i, h in enumerate(header) if not h.strip()]
    if unnamed:
        problems.append(
            Problem(
                str(path),
                header_row,
                None,
                None,
                "a header for every column with data",
                f"column(s) {unnamed} have data but no header",
            )
        )
    problems += _header_problems(path, header, header_row)
    if problems:
        raise InputError(problems)
    if not rows:
        raise _fail(path, "file has no data rows", "at least one data row")
    frame = pd.DataFrame([f for _, f in rows], columns=header, dtype=str)
    frame.index = pd.Index([n for n, _ in rows], name="row")
    return frame, notes


def _read_csv(path: Path, known_headers: set[str]) -> Table:
    raw = path.read_bytes()
    if not raw.strip():
        raise _fail(path, "file is empty", "a header row and data")
    text, encoding = _decode(path, raw)
    delim = _pick_delimiter(text, known_headers)
    records = _records(path, text, delim)
    # blank lines before the header
    start = next((i for i, (_, _, f) in enumerate(records) if any(x.strip() for x in f)), None)
    if start is None:
        raise _fail(path, "file is empty", "a header row and data")
    head_line, _, header = records[start]
    rows = [(first, fields) for first, _, fields in records[start + 1 :]]
    frame, notes = _frame(path, header, rows, head_line)
    notes.insert(0, f"read as {encoding}, {DELIMITER_NAMES[delim]}-separated")
    return Table(frame, head_line, notes)


def cell_text(value: object) -> str:
    """An Excel cell as the text its reader saw: numbers without a spurious '.0', dates as
    YYYY-MM-DD (a month answer typed as a date then reads as that month)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return str(value)


def _formulas_without_values(
    path: Path, title: str, header_row: int, header: list[str], values: list[tuple]
) -> None:
    """Raise InputError for every formula cell without a stored value: a workbook written by
    a program that does not compute (not Excel) holds the formula only, and reading it as an
    empty answer would be silent item non-response."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        formulas = book[title].iter_rows(min_row=header_row + 1, values_only=True)
        problems = [
            Problem(
                str(path),
                header_row + i,
                header[j] if j < len(header) else None,
                mask(str(cell)),
                "a value (computed and saved)",
                "formula without a value: open and save the workbook in Excel, or export CSV",
            )
            for i, (row, stored) in enumerate(zip(formulas, values[1:], strict=False), 1)
            for j, cell in enumerate(row)
            if isinstance(cell, str)
            and cell.startswith("=")
            and (j >= len(stored) or stored[j] is None)
        ]
    finally:
        book.close()
    if problems:
        raise InputError(problems)


def _read_xlsx(path: Path, known_headers: set[str]) -> Table:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as err:
        raise _fail(path, f"not a readable .xlsx workbook ({err})", "an Excel .xlsx file") from None
    best: tuple[int, str, int] | None = None  # (score, sheet, header row)
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
            for number, values in enumerate(rows, 1):
                if known_headers:
                    score = sum(normalise_label(cell_text(v)) in known_headers for v in values)
                else:  # read without a codebook: the first row of two or more headers
                    score = int(sum(bool(cell_text(v).strip()) for v in values) >= 2)
                if score and (best is None or score > best[0]):
                    best = (score, sheet.title, number)
        if best is None:
            names = ", ".join(f"'{s.title}'" for s in book.worksheets)
            raise _fail(
                path,
                f"no sheet ({names}) has a header row with the codebook's columns in its first "
                f"{HEADER_SEARCH_ROWS} rows",
                "a sheet whose header row names the codebook's columns",
            )
        _, title, header_row = best
        sheet = book[title]
        values = list(sheet.iter_rows(min_row=header_row, values_only=True))
    finally:
        book.close()
    header = [cell_text(v) for v in values[0]]
    _formulas_without_values(path, title, header_row, header, values)
    rows = [(header_row + i, [cell_text(v) for v in r]) for i, r in enumerate(values[1:], 1)]
    frame, notes = _frame(path, header, rows, header_row)
    others = [s for s in book.sheetnames if s != title]
    if others:
        notes.insert(0, f"sheet '{title}' read; sheet(s) {', '.join(map(repr, others))} ignored")
    if header_row > 1:
        notes.insert(0, f"header on row {header_row}; the {header_row - 1} row(s) above ignored")
    return Table(frame, header_row, notes)


STATISTICAL = {".sav": "SPSS", ".zsav": "SPSS", ".dta": "Stata"}


def stat_cell_text(value: object) -> str:
    """A value pyreadstat read (a label, a number, a date, or missing) as text."""
    if value is None or (isinstance(value, float) and value != value):  # NaN: missing
        return ""
    if value is pd.NaT:
        return ""
    return cell_text(value)


def _read_statistical(path: Path) -> Table:
    import pyreadstat

    kind = STATISTICAL[path.suffix.lower()]
    reader = pyreadstat.read_dta if kind == "Stata" else pyreadstat.read_sav
    try:
        data, meta = reader(str(path), apply_value_formats=True, formats_as_category=False)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, UnicodeError) as err:
        raise _fail(
            path, f"not a readable {kind} file ({err})", f"an {kind} file ({path.suffix})"
        ) from None
    header = [str(c) for c in data.columns]
    rows = [
        (number, [stat_cell_text(v) for v in record])
        for number, record in enumerate(data.itertuples(index=False, name=None), 1)
    ]
    frame, notes = _frame(path, header, rows, 0)
    labelled = len(meta.variable_value_labels)
    notes.insert(
        0,
        f"read as a {kind} file ({meta.file_encoding or 'encoding not recorded'}): "
        f"{labelled} variable(s) with value labels read as their labels, values defined "
        "as missing read as empty; rows are the file's cases, numbered from 1",
    )
    return Table(frame, 0, notes)


def read_table(path: str | Path, known_headers: set[str] | None = None) -> Table:
    """Read a CSV, .xlsx, SPSS (.sav, .zsav) or Stata (.dta) export: every cell as text ('' for
    empty), the frame's index the 1-based line (CSV) or row (xlsx) number in the file, or the
    case number (SPSS, Stata). Raises InputError naming the file, the line and the mistake."""
    path = Path(path)
    known = known_headers or set()
    if not path.exists():
        raise _fail(path, "not found", "an existing file")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path, known)
    if suffix in {".csv", ".txt"}:
        return _read_csv(path, known)
    if suffix in STATISTICAL:
        return _read_statistical(path)
    raise InputError(
        [
            Problem(
                str(path),
                None,
                None,
                suffix,
                ".csv, .txt, .xlsx, .sav, .zsav or .dta",
                "unsupported file type",
            )
        ]
    )
