"""The specification curve from fitted specifications (pandas only, so that the job that
draws the curve does not import the estimators): the ranked estimates of a term, their
summary, and the conclusion per analytic choice (Simonsohn, Simmons & Nelson 2020)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ipseval.models.plan import DIMENSIONS


def curve(specs: pd.DataFrame, term: str, alpha: float) -> pd.DataFrame:
    """The specification curve of `term`: one row per specification (with an estimate)
    ranked by the estimate, with odds ratio, interval, and the sign/significance class."""
    d = specs[(specs["term"] == term) & (specs["status"] == "ok")].copy()
    d = d.sort_values(["estimate", *DIMENSIONS, "estimator"], kind="stable").reset_index(drop=True)
    d.insert(0, "rank", np.arange(1, len(d) + 1))
    d["odds_ratio"] = np.exp(d["estimate"])
    d["or_low"] = np.exp(d["ci_low"])
    d["or_high"] = np.exp(d["ci_high"])
    sig = d["p_value"] < alpha
    d["class"] = np.select(
        [sig & (d["estimate"] < 0), sig & (d["estimate"] > 0)],
        ["significant_negative", "significant_positive"],
        "not_significant",
    )
    return d


def summary(specs: pd.DataFrame, focus: Sequence[str], alpha: float) -> pd.DataFrame:
    """Per focus term: specifications in the grid, those with an estimate, the median and
    range of the odds ratio, and the shares below 1 and significant in each direction."""
    n_total = specs.groupby(["term"]).size()
    rows = []
    for term in focus:
        c = curve(specs, term, alpha)
        n = len(c)
        rows.append(
            {
                "term": term,
                "specifications": int(n_total.get(term, 0)),
                "estimated": n,
                "median_odds_ratio": float(np.exp(c["estimate"].median())) if n else np.nan,
                "min_odds_ratio": float(c["odds_ratio"].min()) if n else np.nan,
                "max_odds_ratio": float(c["odds_ratio"].max()) if n else np.nan,
                "share_below_1": float((c["estimate"] < 0).mean()) if n else np.nan,
                "share_significant_negative": float((c["class"] == "significant_negative").mean())
                if n
                else np.nan,
                "share_significant_positive": float((c["class"] == "significant_positive").mean())
                if n
                else np.nan,
            }
        )
    return pd.DataFrame(rows)


def by_choice(specs: pd.DataFrame, term: str, alpha: float) -> pd.DataFrame:
    """Median odds ratio and share significant of `term` per value of each analytic choice:
    which choice moves the conclusion."""
    c = curve(specs, term, alpha)
    rows = []
    for dim in [*DIMENSIONS, "estimator"]:
        for value, d in c.groupby(dim, sort=False):
            rows.append(
                {
                    "term": term,
                    "choice": dim,
                    "value": value,
                    "specifications": len(d),
                    "median_odds_ratio": float(np.exp(d["estimate"].median())),
                    "share_significant": float((d["class"] != "not_significant").mean()),
                }
            )
    return pd.DataFrame(rows)
