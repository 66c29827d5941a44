"""The report's tables as one Excel workbook (results/<run>/public/tables.xlsx), for readers who
work in Excel: one sheet per table, the header row frozen. The CSVs stay the record."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ipseval.common.io import neutralise, read_result_csv


def write_workbook(tables: Mapping[str, str | Path], path: str | Path) -> None:
    """Write each CSV of `tables` (sheet name -> file) as a sheet of the workbook `path`."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, file in tables.items():
        frame = read_result_csv(file, dtype=str, keep_default_na=False)
        sheet = book.create_sheet(name[:31])
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False):
            sheet.append([_value(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("'"):
                    cell.data_type = "s"  # text, never a formula
        sheet.freeze_panes = "A2"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _value(text: str) -> object:
    """A cell's text as a number where it is one, so that Excel can compute with it; text a
    spreadsheet would evaluate as a formula gets a leading apostrophe (`common.io.neutralise`)."""
    try:
        number = float(text)
    except ValueError:
        return neutralise(text)
    return int(number) if number.is_integer() and "." not in text and "e" not in text else number
