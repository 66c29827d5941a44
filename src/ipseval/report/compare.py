"""Compare two runs: what differs in their configuration, and how every estimate moved."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ipseval.report.html import table

KEYS = ["outcome", "specification", "term", "estimator", "method"]


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Dotted key -> value (as text) of a nested configuration."""
    out: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


def config_diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> pd.DataFrame:
    """Every setting whose value differs between two configurations (missing: '–')."""
    fa, fb = flatten(a), flatten(b)
    rows = [
        {"setting": k, "run A": fa.get(k, "–"), "run B": fb.get(k, "–")}
        for k in sorted(set(fa) | set(fb))
        if fa.get(k) != fb.get(k)
    ]
    return pd.DataFrame(rows, columns=["setting", "run A", "run B"])


def estimate_moves(a: pd.DataFrame, b: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Every coefficient present in both runs side by side (odds-ratio scale), with whether the
    direction of the association or its significance at `alpha` changed; terms present in
    only one run are listed with the other side empty."""
    cols = ["odds_ratio", "ci_low", "ci_high", "p_value"]
    a = a[a["term"] != "Intercept"].set_index(KEYS)[cols]
    b = b[b["term"] != "Intercept"].set_index(KEYS)[cols]
    both = a.join(b, how="outer", lsuffix="_a", rsuffix="_b").reset_index()
    present = both["odds_ratio_a"].notna() & both["odds_ratio_b"].notna()
    sign_a = np.sign(np.log(both["odds_ratio_a"]))
    sign_b = np.sign(np.log(both["odds_ratio_b"]))
    sig_a, sig_b = both["p_value_a"] < alpha, both["p_value_b"] < alpha
    both["sign_changed"] = present & (sign_a != sign_b)
    both["significance_changed"] = present & (sig_a != sig_b)
    both["only_in"] = np.where(
        present, "", np.where(both["odds_ratio_a"].notna(), "run A", "run B")
    )
    return both


def _cell(o: float, lo: float, hi: float) -> str:
    return "–" if pd.isna(o) else f"{o:.2f} [{lo:.2f}, {hi:.2f}]"


def render(name_a: str, name_b: str, diff: pd.DataFrame, moves: pd.DataFrame) -> str:
    """A self-contained HTML page of the comparison."""
    flagged = moves[moves["sign_changed"] | moves["significance_changed"]]

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                **{k: frame[k] for k in KEYS},
                f"OR [95% CI] {name_a}": [
                    _cell(*r) for r in frame[["odds_ratio_a", "ci_low_a", "ci_high_a"]].to_numpy()
                ],
                f"OR [95% CI] {name_b}": [
                    _cell(*r) for r in frame[["odds_ratio_b", "ci_low_b", "ci_high_b"]].to_numpy()
                ],
                "sign changed": frame["sign_changed"],
                "significance changed": frame["significance_changed"],
                "only in": frame["only_in"],
            }
        )

    a, b = html.escape(name_a), html.escape(name_b)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>ipseval: {a} vs {b}</title><style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 32px auto; max-width: 1200px;
        padding: 0 24px; color: #1d2430; }}
table.tbl {{ border-collapse: collapse; font-size: 13px; margin: 8px 0 20px; }}
table.tbl th, table.tbl td {{ padding: 3px 8px; border-bottom: 1px solid #d8dde4;
  text-align: left; }}
table.tbl td.num {{ text-align: right; }} h2 {{ border-bottom: 2px solid #1f5f99; }}
</style></head><body>
<h1>Comparison of runs <code>{a}</code> (A) and <code>{b}</code> (B)</h1>
<h2>What differs in the configuration</h2>{table(diff)}
<h2>Conclusions that changed ({len(flagged)} of {len(moves)} estimates)</h2>
<p>Direction of the association (odds ratio above or below 1) or significance at the run's
alpha changed between the runs.</p>{table(shown(flagged))}
<h2>Every estimate</h2>{table(shown(moves))}
</body></html>
"""
