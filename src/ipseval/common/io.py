"""Deterministic, atomic output writing."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

# Shown on every figure, notebook and report page made from synthetic data (and recorded in
# the run's datapackage.json): never written into a data file, where it would break readers.
SYNTHETIC_NOTICE = "SYNTHETIC DATA - made by a seeded generator, not real participants"

# Heads every working notebook (restricted/): what it holds and that it is not for publication.
WORKING_FILE_NOTICE = (
    "**Working file, not disclosure-controlled.** Counts here come straight from the "
    "microdata, small ones included. It is in the run's restricted/ folder: publish the "
    "public/ folder, whose every count went through the disclosure step "
    "(docs/disclosure.md), never this."
)


def sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (the one checksum every record of the project uses)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_checksums(files: list[str], out: str | Path) -> None:
    """Write `sha256sum -c`'s format (hash, two spaces, name relative to `out`'s folder)."""
    folder = Path(out).parent
    lines = [
        f"{sha256(f)}  {Path(f).resolve().relative_to(folder.resolve()).as_posix()}\n"
        for f in sorted(set(map(str, files)))
    ]
    write_atomic(out, "".join(lines).encode("utf-8"))


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `path`, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# A text cell starting with one of these is evaluated by Excel, LibreOffice and Google Sheets
# (CSV injection): OWASP's rule is a leading apostrophe, shown as text and not as part of it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would evaluate as a formula (it starts with =, +, -, @, tab
    or carriage return and is not a number), with a leading apostrophe; anything else as is.
    Hand-written (a few lines): defusedcsv wraps the csv module, not pandas' writer."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Plain RFC 4180 CSV bytes: header on the first line, UTF-8, ',' between fields, CRLF
    line ends, fixed float format, logical values as TRUE/FALSE (as R and pandas both read
    them), no text a spreadsheet would run as a formula (`neutralise`). Metadata (labels,
    types, the synthetic flag) lives beside the data, in the run's datapackage.json, never
    inside the file."""
    if len(frame.columns) == 0:
        raise ValueError("a CSV needs a header: give the empty table its columns")
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        values = out[col]
        if values.dtype == bool or (
            values.dtype == object
            and values.dropna().map(type).eq(bool).all()
            and values.notna().any()
        ):
            out[col] = values.map(lambda v: "" if pd.isna(v) else ("TRUE" if v else "FALSE"))
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            out[col] = values.map(neutralise)
    text = out.to_csv(index=False, lineterminator="\r\n", float_format="%.10g")
    return text.encode("utf-8")


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a result CSV atomically and deterministically."""
    write_atomic(path, csv_bytes(frame))


def restore(value: object) -> object:
    """The text `neutralise` wrote, as it was (the apostrophe before a formula character
    removed): ipseval's own steps read back what they wrote."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_START:
        return value[1:]
    return value


def read_result_csv(path: str | Path, **kwargs: object) -> pd.DataFrame:
    """Read a result CSV (plain CSV: `pandas.read_csv` with no options reads it too, text a
    spreadsheet would evaluate then keeping its leading apostrophe); keyword arguments go to
    pandas.read_csv."""
    frame = pd.read_csv(path, **kwargs)
    frame.columns = [restore(c) for c in frame.columns]
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].map(restore)
    return frame


def term_column(term: str) -> str:
    """A term's column name in CSV files: 'work_history[6m_2y]' -> 'work_history.6m_2y', a
    name R's read.csv keeps as it is (so that R and pandas read the same header)."""
    name = re.sub(r"\[(.*)\]$", r".\1", term)
    name = re.sub(r"[^A-Za-z0-9._]", ".", name)
    return name if re.match(r"[A-Za-z]|\.(?![0-9])", name) else "X" + name


def load_yaml(text: str) -> Any:
    """Parse YAML safely with libyaml's C loader when PyYAML has it (about five times faster
    than the pure-Python loader; the same documents, the same values)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
