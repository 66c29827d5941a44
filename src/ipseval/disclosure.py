"""Disclosure control of the tables ipseval derives from the microdata: counts below a
threshold are hidden (primary suppression), and further counts wherever a hidden one could
otherwise be recovered from a row or column total (secondary suppression).

Hand-written: the maintained statistical disclosure control tools (sdcMicro, sdcTable,
tau-Argus) are R and Java programs, not Python packages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .derive import NO_ANSWER

SECONDARY = "×"  # a count hidden only so that a small one cannot be recovered from a total
ALL = "Totalt"  # the margin's label in the tables (a survey label, kept in Swedish)


def suppress(counts: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Primary and secondary suppression of a table of counts with row and column margins.

    Primary: cells with 0 < count < threshold. Secondary: in any row or column with exactly
    one hidden cell (which the others and the margin would reveal), the smallest other
    non-zero cell is hidden too; repeated until no row or column has a lone hidden cell.
    Pass margins as the last row and column so that they are protected the same way.
    Returns 0 (show), 1 (primary: below the threshold) or 2 (secondary: hidden only to
    protect a primary cell) per cell. Hand-written:
    the maintained SDC libraries (sdcMicro, tau-argus) are R/Java, not Python packages.
    """
    values = counts.to_numpy(dtype=float)
    primary = (values > 0) & (values < threshold)
    hide = primary.copy()
    if not hide.any():
        return pd.DataFrame(0, index=counts.index, columns=counts.columns)
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines = hide if axis == 1 else hide.T
            vals = values if axis == 1 else values.T
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1:
                    candidates = np.where(~lines[i] & (vals[i] > 0), vals[i], np.inf)
                    if np.isfinite(candidates).any():
                        lines[i, int(np.argmin(candidates))] = True
                        changed = True
    code = np.where(primary, 1, np.where(hide, 2, 0))
    return pd.DataFrame(code, index=counts.index, columns=counts.columns)


def natural_order(found: Sequence[str], order: Sequence[str]) -> list[str]:
    """`found` values in the order of `order`, then the others sorted, the no-answer label last."""
    known = [v for v in order if v in set(found)]
    return (
        known
        + sorted(v for v in found if v not in set(known) and v != NO_ANSWER)
        + ([NO_ANSWER] if NO_ANSWER in set(found) else [])
    )


def crosstab(
    participants: pd.DataFrame,
    column: str,
    by: str,
    threshold: int,
    orders: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Counts of `column` × `by` (missing shown as 'Ej svar') with margins, in the natural
    order of `orders`, suppressed: cells to hide are written '<threshold'."""
    orders = orders or {}
    d = (
        participants[[column, by]]
        .astype(object)
        .where(participants[[column, by]].notna(), NO_ANSWER)
    )
    table = pd.crosstab(d[column], d[by])
    table = table.reindex(
        index=natural_order(list(table.index), orders.get(column, [])),
        columns=natural_order(list(table.columns), orders.get(by, [])),
    )
    # margins are part of the table: a small row total is itself a small count, and every
    # row and column (with its margin) must not have exactly one hidden entry
    full = table.copy()
    full[ALL] = table.sum(axis=1)
    full.loc[ALL] = full.sum(axis=0)
    mask = suppress(full, threshold).to_numpy()
    return full.astype(object).where(mask != 1, f"<{threshold}").where(mask != 2, SECONDARY)


def missingness(
    participants: pd.DataFrame, predictors: Mapping[str, Mapping[str, Any]], threshold: int
) -> pd.DataFrame:
    """Missing values per model predictor (after its `missing` codes), suppressed below the
    threshold (a missing count alone reveals nothing about a cell, but small counts of
    non-response are still shown as '<threshold')."""
    rows = []
    n = len(participants)
    for name, p in predictors.items():
        v = participants[p["column"]]
        miss = v.isna() | v.isin(p.get("missing", []))
        k = int(miss.sum())
        small = 0 < k < threshold
        rows.append(
            {
                "predictor": name,
                "column": p["column"],
                "label": p["label"],
                "missing": f"<{threshold}" if small else str(k),
                "percent": "–" if small else f"{100 * k / n:.1f}",
                "of": n,
            }
        )
    return pd.DataFrame(rows)
