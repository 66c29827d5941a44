"""Read one fit's result files back and shape them into readable tables (for notebooks and
the report: formatting only, no estimation)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ipseval.common.frames import pivot_in_order
from ipseval.common.io import read_result_csv
from ipseval.models.results import RESULT_TABLES, result_paths

ESTIMATOR_LABELS = {
    "logit_cr1": "Logit, CR1 cluster-robust, t(G-1)",
    "gee_br": "GEE independence, bias-reduced (Mancl-DeRouen), t(G-1)",
    "random_intercept": "Random-intercept logit (ML, adaptive Gauss-Hermite)",
    "firth": "Firth penalised logit, profile-likelihood CI (model-based: ignores clustering)",
}
# A fit's tables the notebook shows: all but the model frame (the rows a fit used).
FIT_TABLES = tuple(t for t in RESULT_TABLES if t != "model_frame")


def load_fit(fit_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The result tables of one outcome x specification fit, by name."""
    out = {}
    paths = result_paths(fit_dir)
    for name in FIT_TABLES:
        path = paths[name]
        try:
            out[name] = read_result_csv(path, keep_default_na=True)
        except pd.errors.EmptyDataError:
            out[name] = pd.DataFrame()
    return out


def _fmt(x: float, digits: int = 2) -> str:
    return "–" if pd.isna(x) else f"{x:.{digits}f}"


def fit_label(estimator: str, method: str) -> str:
    """Column label of an estimator x missing-data method."""
    return estimator + (" (MI)" if method == "multiple_imputation" else "")


def odds_ratio_table(coefs: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    """Odds ratio [interval] per term (rows) and estimator x method (columns)."""
    c = coefs[coefs["term"] != "Intercept"].copy()
    c["fit"] = [fit_label(e, m) for e, m in zip(c["estimator"], c["method"], strict=True)]
    c["cell"] = [
        f"{_fmt(o, digits)} [{_fmt(lo, digits)}, {_fmt(hi, digits)}]"
        for o, lo, hi in zip(c["odds_ratio"], c["ci_low"], c["ci_high"], strict=True)
    ]
    return pivot_in_order(c, "term", "fit", "cell")


def p_value_table(coefs: pd.DataFrame) -> pd.DataFrame:
    """p-values per term and estimator x method."""
    c = coefs[coefs["term"] != "Intercept"].copy()
    c["fit"] = [fit_label(e, m) for e, m in zip(c["estimator"], c["method"], strict=True)]
    return pivot_in_order(c, "term", "fit", "p_value").map(
        lambda p: "–" if pd.isna(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")
    )


def cc_vs_mi(coefs: pd.DataFrame) -> pd.DataFrame:
    """Complete-case beside multiple-imputation odds ratios for each estimator fitted both
    ways, with the relative change in standard error."""
    cc = coefs[coefs["method"] == "complete_case"].set_index(["estimator", "term"])
    mi = coefs[coefs["method"] == "multiple_imputation"].set_index(["estimator", "term"])
    both = cc.join(mi, lsuffix="_cc", rsuffix="_mi", how="inner").reset_index()
    both = both[both["term"] != "Intercept"]
    return pd.DataFrame(
        {
            "estimator": both["estimator"],
            "term": both["term"],
            "OR (complete cases)": [
                f"{_fmt(o)} [{_fmt(lo)}, {_fmt(hi)}]"
                for o, lo, hi in zip(
                    both["odds_ratio_cc"], both["ci_low_cc"], both["ci_high_cc"], strict=True
                )
            ],
            "OR (multiple imputation)": [
                f"{_fmt(o)} [{_fmt(lo)}, {_fmt(hi)}]"
                for o, lo, hi in zip(
                    both["odds_ratio_mi"], both["ci_low_mi"], both["ci_high_mi"], strict=True
                )
            ],
            "SE ratio MI/CC": (both["std_error_mi"] / both["std_error_cc"]).round(2).to_numpy(),
        }
    ).reset_index(drop=True)


def performance_table(stats: pd.DataFrame) -> pd.DataFrame:
    """Discrimination and calibration: apparent (with bootstrap interval) and corrected."""
    s = stats.set_index("statistic")
    rows = []
    for key, label in (
        ("auc", "AUC (c statistic)"),
        ("brier", "Brier score"),
        ("calibration_intercept", "Calibration intercept"),
        ("calibration_slope", "Calibration slope"),
    ):
        if f"{key}_apparent" not in s.index:
            continue
        a = s.loc[f"{key}_apparent"]
        rows.append(
            {
                "statistic": label,
                "apparent": _fmt(a["value"], 3),
                "bootstrap interval": f"[{_fmt(a['ci_low'], 3)}, {_fmt(a['ci_high'], 3)}]",
                "optimism-corrected": _fmt(s.loc[f"{key}_corrected", "value"], 3),
            }
        )
    return pd.DataFrame(rows)


def programme_variation(stats: pd.DataFrame) -> pd.DataFrame:
    """Programme variance, ICC and median odds ratio of the random-intercept fit."""
    s = stats[stats["estimator"] == "random_intercept"].set_index("statistic")["value"]
    if s.empty:
        return pd.DataFrame()
    rows = []
    for key, label in (
        ("programme_sd", "Programme SD (logit scale)"),
        ("programme_variance", "Programme variance"),
        ("icc", "ICC (latent scale)"),
        ("median_odds_ratio", "Median odds ratio"),
    ):
        rows.append(
            {
                "statistic": label,
                "estimate": _fmt(s.get(key, np.nan), 3),
                "95% interval": f"[{_fmt(s.get(key + '_ci_low', np.nan), 3)}, "
                f"{_fmt(s.get(key + '_ci_high', np.nan), 3)}]",
            }
        )
    return pd.DataFrame(rows)


def marginal_effects_table(ame: pd.DataFrame) -> pd.DataFrame:
    """Average marginal effects in percentage points."""
    if ame.empty:
        return ame
    return pd.DataFrame(
        {
            "term": ame["term"],
            "kind": ame["kind"],
            "AME (percentage points)": [
                f"{_fmt(100 * a, 1)} [{_fmt(100 * lo, 1)}, {_fmt(100 * hi, 1)}]"
                for a, lo, hi in zip(ame["ame"], ame["ci_low"], ame["ci_high"], strict=True)
            ],
            "p": ame["p_value"].map(lambda p: "<0.001" if p < 0.001 else f"{p:.3f}"),
        }
    )


def truth_summary(truth: pd.DataFrame) -> pd.DataFrame:
    """Share of generating coefficients inside the interval, by estimator x method."""
    if truth.empty:
        return truth
    t = truth.copy()
    t["fit"] = [fit_label(e, m) for e, m in zip(t["estimator"], t["method"], strict=True)]
    g = t.groupby("fit", sort=False)
    return pd.DataFrame(
        {
            "terms with a truth": g.size(),
            "covered by the 95% interval": g["covered"].sum().astype(int),
            "mean error (log-odds)": g["error"].mean().round(3),
        }
    ).reset_index()


def estimator_legend(estimators: list[str]) -> pd.DataFrame:
    """What each estimator label means."""
    return pd.DataFrame(
        {"estimator": estimators, "description": [ESTIMATOR_LABELS[e] for e in estimators]}
    )
