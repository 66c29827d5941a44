"""The report's published tables and text figures, as transcribed in data/raw/published/."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

TABLES = ("01", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14")


def table_name(number: str) -> str:
    """'11' -> 'Tabell 11'."""
    return f"Tabell {int(number)}"


def load_table(directory: str | Path, number: str) -> pd.DataFrame:
    """A published table as strings, indexed by its row label ('rad')."""
    frame = pd.read_csv(Path(directory) / f"tabell_{number}.csv", dtype=str, keep_default_na=False)
    return frame.set_index("rad")


def load_text_figures(directory: str | Path) -> pd.DataFrame:
    """Figures given only in the report's text."""
    return pd.read_csv(Path(directory) / "text_figures.csv", dtype={"value": str})


def load_inconsistencies(directory: str | Path) -> pd.DataFrame:
    """The registry of places where the report contradicts itself."""
    return pd.read_csv(Path(directory) / "inconsistencies.csv", dtype=str, keep_default_na=False)


def parse_count(cell: str) -> float:
    """A published count cell: '-' is zero; spaces are thousands separators."""
    cell = cell.strip().replace(" ", "")
    return 0.0 if cell == "-" else float(cell.replace(",", "."))


def is_percent_column(column: str) -> bool:
    """Percent columns are 'Procent' or end with '(%)'."""
    return column == "Procent" or column.endswith("(%)")


def count_column_for(table: pd.DataFrame, pct_column: str) -> str:
    """The count column a percent column is computed from."""
    if pct_column.endswith(" (%)"):
        return pct_column[: -len(" (%)")]
    counts = [c for c in table.columns if not is_percent_column(c)]
    if len(counts) != 1:
        raise ValueError(f"cannot tell which count column {pct_column!r} belongs to")
    return counts[0]


def round_half_up(x: float) -> int:
    """Round as the report does (0.5 up), not Python's banker's rounding."""
    return int(Decimal(str(float(x))).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def percent_matches(published: str, share: float) -> bool:
    """Whether a printed percentage agrees with the exact share (in %) as the report rounds."""
    p = published.strip()
    if p == "-":
        return share == 0
    if p == "<1":
        return share > 0 and round_half_up(share) == 0
    return round_half_up(share) == int(p)
