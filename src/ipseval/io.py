"""Deterministic, atomic output writing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

SYNTHETIC_NOTICE = "SYNTHETIC DATA - made by a seeded generator, not real participants"


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


def csv_bytes(frame: pd.DataFrame, synthetic: bool = False) -> bytes:
    """CSV bytes with fixed float format and line endings, headed by a `# SYNTHETIC ...` line
    when the data are the synthetic default (read them back with `read_result_csv`)."""
    text = frame.to_csv(index=False, lineterminator="\n", float_format="%.10g")
    head = f"# {SYNTHETIC_NOTICE}\n" if synthetic else ""
    return (head + text).encode("utf-8")


def write_csv(frame: pd.DataFrame, path: str | Path, synthetic: bool = False) -> None:
    """Write a result CSV atomically and deterministically."""
    write_atomic(path, csv_bytes(frame, synthetic))


def read_result_csv(path: str | Path, **kwargs: object) -> pd.DataFrame:
    """Read a result CSV written by `write_csv`, skipping the synthetic notice if present;
    keyword arguments go to pandas.read_csv."""
    with open(path, encoding="utf-8") as handle:
        first = handle.readline()
    skip = 1 if first.startswith("# ") else 0
    return pd.read_csv(path, skiprows=skip, **kwargs)
