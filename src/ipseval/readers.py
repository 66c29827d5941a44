"""Read survey exports as Swedish tools write them: CSV (; or , delimiter, UTF-8 with or
without BOM, or Windows-1252) and Excel .xlsx. Every cell is read as text; typing is the
codebook's job."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from .codebook import normalise_label
from .problems import InputError, Problem

ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (";", ",", "\t")


def _decode(path: Path, raw: bytes) -> str:
    if b"\x00" in raw:
        raise InputError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    None,
                    "UTF-8 (with or without BOM) or Windows-1252 text",
                    "file holds NUL bytes: it is binary or UTF-16, not a readable CSV",
                )
            ]
        )
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(
        [
            Problem(
                str(path),
                None,
                None,
                None,
                "UTF-8 (with or without BOM) or Windows-1252 text",
                "file is in an unreadable encoding",
            )
        ]
    )


def _pick_delimiter(text: str, known_headers: set[str]) -> str:
    """Choose the delimiter under which the header row names the most known columns."""
    first = text.splitlines()[0] if text else ""
    best, best_score = DELIMITERS[0], -1
    for delim in DELIMITERS:
        header = next(csv.reader([first], delimiter=delim), [])
        score = sum(normalise_label(h) in known_headers for h in header)
        if score > best_score:
            best, best_score = delim, score
    return best


def read_table(path: str | Path, known_headers: set[str] | None = None) -> pd.DataFrame:
    """Read a CSV or .xlsx export into a DataFrame of strings ('' for empty cells).

    The frame's index is the 1-based row number in the file (the header is row 1).
    """
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(str(path), None, None, None, "an existing file", "not found")])
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    elif suffix in {".csv", ".txt"}:
        raw = path.read_bytes()
        text = _decode(path, raw)
        if not text.strip():
            raise InputError(
                [Problem(str(path), None, None, None, "a header row and data", "file is empty")]
            )
        delim = _pick_delimiter(text, known_headers or set())
        frame = pd.read_csv(
            io.StringIO(text), sep=delim, dtype=str, keep_default_na=False, quotechar='"'
        )
    else:
        raise InputError(
            [Problem(str(path), None, None, suffix, ".csv or .xlsx", "unsupported file type")]
        )
    if frame.shape[0] == 0:
        raise InputError(
            [Problem(str(path), None, None, None, "at least one data row", "file has no data rows")]
        )
    frame = frame.fillna("").astype(str)
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    return frame
