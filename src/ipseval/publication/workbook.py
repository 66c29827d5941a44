"""The report's tables as one Excel workbook (results/<run>/public/tables.xlsx), for readers who
work in Excel: one sheet per table, the header row frozen. The CSVs stay the record."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

from ipseval.common.io import neutralise, read_result_csv, write_atomic

# One fixed time for the workbook's metadata and zip entries: the same tables give the same
# bytes (the zip format's earliest date).
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_W3CDTF = "1980-01-01T00:00:00Z"


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
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(path, _byte_stable(buffer.getvalue()))


def _byte_stable(xlsx: bytes) -> bytes:
    """The workbook with its creation and modification times and every zip entry's time
    fixed. Hand-written: openpyxl stamps the current time and has no option not to."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + _FIXED_W3CDTF.encode() + rb"\g<2>",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)
    return out.getvalue()


def _value(text: str) -> object:
    """A cell's text as a number where it is one, so that Excel can compute with it; text a
    spreadsheet would evaluate as a formula gets a leading apostrophe (`common.io.neutralise`)."""
    try:
        number = float(text)
    except ValueError:
        return neutralise(text)
    return int(number) if number.is_integer() and "." not in text and "e" not in text else number
