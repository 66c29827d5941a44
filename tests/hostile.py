"""A catalogue of hostile exports, generated from the shipped default data (never
hand-edited files): the mistakes real web-survey and Excel exports contain, each with what
ipseval must do with it. Used by tests/test_hostile.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from support import ROOT

RAW = ROOT / "data" / "raw"
N_FORMS = 60  # the first forms of the default (every programme file row is kept)
AGE = "5. Deltagarens ålder:"
SEX = "4. Deltagarens kön:"
WISH = (
    "2. Vad var deltagarens sysselsättningsönskemål vid inskrivningen i försöksverksamheten "
    "(ex. arbete i butik, studier o.s.v.)?"
)
START = "7. När började ni aktivt arbeta med deltagare i försöksverksamheten? (ex. mars 2012)"
# Personal data typed into answer cells: it must reach no output, log or message.
PII = {"name": "Anna Lindqvist", "phone": "070-123 45 67", "email": "anna.l@exempel.se"}


def rows_of(path: Path) -> list[list[str]]:
    """A default export's records (header first), as the csv module reads them."""
    text = path.read_bytes().decode("utf-8-sig")
    delim = ";" if path.name == "programmes.csv" else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))


def forms_rows() -> list[list[str]]:
    """Header and the first N_FORMS coach forms."""
    return rows_of(RAW / "coach_forms.csv")[: N_FORMS + 1]


def to_csv(rows: list[list[str]], delim: str = ",", newline: str = "\n", **kw: object) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator=newline, **kw).writerows(rows)
    return buf.getvalue()


def base_forms_text() -> str:
    """The reference export: the first forms, comma-separated UTF-8 as shipped."""
    return to_csv(forms_rows())


def column(rows: list[list[str]], name: str) -> int:
    return rows[0].index(name)


def set_cell(rows: list[list[str]], row: int, name: str, value: str) -> list[list[str]]:
    out = [list(r) for r in rows]
    out[row][column(rows, name)] = value
    return out


def to_xlsx(
    path: Path,
    rows: list[list[object]],
    title: str | None = None,
    info_sheet: bool = False,
) -> Path:
    """An .xlsx export of `rows` (cells typed as given), optionally below a merged title row
    or after an information sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    if info_sheet:
        sheet.title = "Info"
        sheet.append(["Export från enkätverktyget"])
        sheet.append(["Skapad", "2013-06-30"])
        sheet = book.create_sheet("Svar")
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


@dataclass(frozen=True)
class Case:
    """One hostile export: which file it replaces, how it is made, and the expectation:
    `same` (read as the reference), `noted` (same, with a note in the accounting),
    `excluded` (a row left out with a reason), `rejected` (one clear message)."""

    name: str
    target: str  # "coach_forms" or "programmes"
    make: Callable[[Path], Path]  # writes the export into a folder, returns its path
    expect: str
    text: str = ""  # what the message, note or reason must say

    def __str__(self) -> str:
        return self.name


def _text(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(text.encode(encoding))
        return path

    return make


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


def _xlsx(rows: list[list[object]], **kw: object) -> Callable[[Path], Path]:
    return lambda folder: to_xlsx(folder / "forms.xlsx", rows, **kw)


def _mixed_encoding() -> bytes:
    lines = base_forms_text().split("\n")
    k = next(i for i, line in enumerate(lines) if i > 5 and not line.isascii())
    encoded = [ln.encode("utf-8") for ln in lines]
    encoded[k] = lines[k].encode("cp1252")  # one line saved by another program
    return b"\n".join(encoded)


def _programmes_with_date_cells(folder: Path) -> Path:
    rows: list[list[object]] = [list(r) for r in rows_of(RAW / "programmes.csv")]
    k = column(rows, START)
    months = {"januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6,
              "juli": 7, "augusti": 8, "september": 9, "oktober": 10, "november": 11,
              "december": 12}  # fmt: skip
    for r in rows[1:]:
        if r[k]:
            name, year = r[k].split()
            r[k] = dt.datetime(int(year), months[name.lower()], 1)  # an Excel date cell
    return to_xlsx(folder / "programmes.xlsx", rows)


def catalogue() -> list[Case]:
    """Every case (at least 25; xlsx variants included)."""
    rows = forms_rows()
    text = base_forms_text()
    n = len(rows[0])
    wish, age = column(rows, WISH), column(rows, AGE)
    typed = [list(rows[0])] + [
        [int(v) if j == column(rows, AGE) and v.isdigit() else v for j, v in enumerate(r)]
        for r in rows[1:]
    ]
    ragged_short = [list(r) for r in rows]
    ragged_short[9] = ragged_short[9][:-3]
    unquoted = to_csv(set_cell(rows, 7, WISH, "butik, lager"), quoting=csv.QUOTE_MINIMAL)
    unquoted = unquoted.replace('"butik, lager"', "butik, lager")
    lines = text.split("\n")
    lines[12] = lines[12].replace(rows[12][wish], '"' + rows[12][wish], 1)  # line 13
    unclosed = "\n".join(lines)
    dup_header = [[*r, r[column(rows, SEX)]] for r in rows]
    empty_form = [list(r) for r in rows]
    keep = {column(rows, "Formulär-ID"), column(rows, "Verksamhetens kommun:")}
    empty_form[20] = [v if j in keep else "" for j, v in enumerate(empty_form[20])]
    dup_id = set_cell(rows, 15, "Formulär-ID", rows[3][0])
    return [
        # accepted identically
        Case("crlf", "coach_forms", _text("forms.csv", to_csv(rows, newline="\r\n")), "same"),
        Case("bom", "coach_forms", _text("forms.csv", "\ufeff" + text), "same"),
        Case("windows_1252", "coach_forms", _text("forms.csv", text, "cp1252"), "same"),
        Case("semicolon", "coach_forms", _text("forms.csv", to_csv(rows, ";")), "same"),
        Case("tab", "coach_forms", _text("forms.txt", to_csv(rows, "\t")), "same"),
        Case(
            "quote_all",
            "coach_forms",
            _text("forms.csv", to_csv(rows, quoting=csv.QUOTE_ALL)),
            "same",
        ),
        Case(
            "header_case_and_spaces",
            "coach_forms",
            _text("forms.csv", to_csv([[f"  {h.upper()} " for h in rows[0]], *rows[1:]])),
            "same",
        ),
        Case(
            "answer_case_and_nbsp",
            "coach_forms",
            _text(
                "forms.csv",
                to_csv(set_cell(rows, 1, SEX, "\u00a0" + rows[1][column(rows, SEX)].upper())),
            ),
            "same",
        ),
        Case("xlsx", "coach_forms", _xlsx(rows), "same"),
        Case("xlsx_number_cells", "coach_forms", _xlsx(typed), "same"),
        Case("xlsx_date_cells", "programmes", _programmes_with_date_cells, "same"),
        # handled, and noted in the accounting
        Case(
            "trailing_delimiter",
            "coach_forms",
            _text("forms.csv", to_csv([[*r, ""] for r in rows])),
            "noted",
            "every line ends with a delimiter",
        ),
        Case(
            "blank_lines_at_end",
            "coach_forms",
            _text("forms.csv", text + "\n\n\n"),
            "noted",
            "empty line(s) ignored",
        ),
        Case(
            "delimiter_only_lines",
            "coach_forms",
            _text("forms.csv", text + ("," * (n - 1) + "\n") * 3),
            "noted",
            "3 empty line(s) ignored",
        ),
        Case(
            "xlsx_title_row",
            "coach_forms",
            _xlsx(rows, title="Coachformulär – export"),
            "noted",
            "header on row 2",
        ),
        Case(
            "xlsx_info_sheet_first",
            "coach_forms",
            _xlsx(rows, info_sheet=True),
            "noted",
            "sheet 'Svar' read; sheet(s) 'Info' ignored",
        ),
        Case(
            "whole_number_with_decimals",
            "coach_forms",
            _text("forms.csv", to_csv(set_cell(rows, 4, AGE, rows[4][column(rows, AGE)] + ",0"))),
            "noted",
            "whole number(s) written with decimals",
        ),
        # a form nobody filled in: left out, with the reason
        Case(
            "empty_form",
            "coach_forms",
            _text("forms.csv", to_csv(empty_form)),
            "excluded",
            "no answers: every question of the form is empty",
        ),
        # rejected, naming the line and the mistake
        Case(
            "ragged_short_row",
            "coach_forms",
            _text("forms.csv", to_csv(ragged_short)),
            "rejected",
            f"row 10: {n - 3} fields where the header has {n}",
        ),
        Case(
            "unquoted_delimiter_in_answer",
            "coach_forms",
            _text("forms.csv", unquoted),
            "rejected",
            "a delimiter inside an unquoted answer?",
        ),
        Case("unclosed_quote", "coach_forms", _text("forms.csv", unclosed), "rejected", "row 13"),
        Case(
            "mixed_encoding",
            "coach_forms",
            _bytes("forms.csv", _mixed_encoding()),
            "rejected",
            "the file mixes encodings",
        ),
        Case(
            "duplicated_header",
            "coach_forms",
            _text("forms.csv", to_csv(dup_header)),
            "rejected",
            f"column '{SEX}': the header has this column twice",
        ),
        Case("utf16", "coach_forms", _text("forms.csv", text, "utf-16"), "rejected", "NUL bytes"),
        Case("empty_file", "coach_forms", _text("forms.csv", ""), "rejected", "file is empty"),
        Case(
            "header_only",
            "coach_forms",
            _text("forms.csv", to_csv(rows[:1])),
            "rejected",
            "file has no data rows",
        ),
        Case(
            "missing_column",
            "coach_forms",
            _text("forms.csv", to_csv([r[:age] + r[age + 1 :] for r in rows])),
            "rejected",
            f"column '{AGE}': missing column",
        ),
        Case(
            "unknown_column",
            "coach_forms",
            _text("forms.csv", to_csv([[*rows[0], "Kommentar"], *[[*r, "x"] for r in rows[1:]]])),
            "rejected",
            "column 'Kommentar': unknown column",
        ),
        Case(
            "duplicate_id",
            "coach_forms",
            _text("forms.csv", to_csv(dup_id)),
            "rejected",
            "duplicate identifier (first seen in row 4)",
        ),
        Case(
            "age_out_of_range",
            "coach_forms",
            _text("forms.csv", to_csv(set_cell(rows, 6, AGE, "230"))),
            "rejected",
            "out of range (allowed: a whole number from 16 to 80)",
        ),
        Case(
            "name_in_answer_cell",
            "coach_forms",
            _text("forms.csv", to_csv(set_cell(rows, 8, SEX, PII["name"]))),
            "rejected",
            "value ‹masked: 14 characters, looks like a name›: answer not in the codebook",
        ),
        Case(
            "phone_in_answer_cell",
            "coach_forms",
            _text("forms.csv", to_csv(set_cell(rows, 8, AGE, PII["phone"]))),
            "rejected",
            "looks like a phone number›: not a whole number",
        ),
        Case(
            "programme_not_in_programme_file",
            "coach_forms",
            _text(
                "forms.csv", to_csv(set_cell(rows, 2, "Verksamhetens kommun:", "Atlantis kommun"))
            ),
            "rejected",
            "programme does not exist",
        ),
        Case(
            "csv_named_xlsx",
            "coach_forms",
            _text("forms.xlsx", text),
            "rejected",
            "not a readable .xlsx workbook",
        ),
    ]
