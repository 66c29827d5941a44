"""Small pandas helpers shared by the stages."""

from __future__ import annotations

import pandas as pd


def pivot_in_order(frame: pd.DataFrame, index: str, columns: str, values: str) -> pd.DataFrame:
    """Long to wide, keeping rows and columns in their order of first appearance."""
    wide = frame.pivot(index=index, columns=columns, values=values)
    return wide.reindex(
        index=list(dict.fromkeys(frame[index])), columns=list(dict.fromkeys(frame[columns]))
    )
