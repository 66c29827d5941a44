"""Practice and outcome (issue 28, part 2): the programme survey's practice items as
programme-level predictors of an outcome adjusted for the case mix.

- `coded_items`: each item's value per programme, from the programme survey as cleaned: a
  `binary` item is 1 where the answer is one of its `positive` answers, 0 for another answer
  and missing for no answer; a `numeric` item is (value - centre) / scale.
- `associations`: each item in a model with the case-mix terms (one at a time, and the
  pre-registered `set` together), fitted by GEE with the bias-reduced (Mancl-DeRouen)
  covariance and t(G - 1) tests (`estimators.fit_gee_br`): with about 30 programmes, the
  inference the simulation study found to hold its level for programme-level terms. The
  one-at-a-time p-values are also given Holm-adjusted over the items (statsmodels).
- `minimum_detectable`: the smallest odds ratio the design would detect with the wanted
  power: outcomes drawn again from the fitted case-mix model with programme intercepts
  N(0, sd^2) and the item's own values per programme at each odds ratio of a grid, refitted
  as above, power = share of replicates with p < alpha (its Monte Carlo SE given); the odds
  ratio at the wanted power is interpolated on the log scale between grid points. The refits
  use `estimators.gee_br_term`, the same estimator as `fit_gee_br` without its set-up cost. A null
  finding for an item whose minimum detectable odds ratio is 3 says "cannot tell", not "no
  effect".

Hand-written: only the loop of the power simulation (statsmodels has power formulas for
independent observations, none for a programme-level term of a clustered logistic model).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.stats.multitest import multipletests

from ipseval.models.estimators import fit_gee_br, gee_br_term


def coded_items(programmes: pd.DataFrame, items: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Per programme (index programme_id) the coded value of each item whose column the
    programme survey has (items without their column are left out)."""
    out = pd.DataFrame(index=programmes["programme_id"].astype(str))
    for name, item in items.items():
        col = item["column"]
        if col not in programmes:
            continue
        values = programmes[col].set_axis(out.index)
        if item["type"] == "binary":
            answered = values.notna() & ~values.astype(str).isin(item.get("missing", []))
            coded = values.astype(str).isin([str(v) for v in item["positive"]]).astype(float)
            out[name] = coded.where(answered)
        else:
            centre, scale = float(item.get("centre", 0.0)), float(item.get("scale", 1.0))
            out[name] = (pd.to_numeric(values, errors="coerce") - centre) / scale
    return out


def _term_row(fit: Any, term: str, alpha: float) -> dict[str, float]:
    tab = fit.table(alpha).set_index("term").loc[term]
    return {
        "odds_ratio": float(np.exp(tab["estimate"])),
        "ci_low": float(np.exp(tab["ci_low"])),
        "ci_high": float(np.exp(tab["ci_high"])),
        "p_value": float(tab["p_value"]),
    }


def associations(
    y: np.ndarray,
    X: pd.DataFrame,
    groups: np.ndarray,
    values: pd.DataFrame,
    chosen_set: Sequence[str],
    alpha: float,
) -> pd.DataFrame:
    """Each item (column of `values`, indexed by programme) with the case-mix design `X`:
    one at a time (model `single`, with Holm-adjusted p-values over the items) and the items
    of `chosen_set` together (model `set`). Rows whose programme lacks the item are left out;
    an item answered by fewer than 3 programmes, or constant, is reported as not estimable."""
    rows = []
    g = pd.Series(groups).astype(str)

    def fit(names: Sequence[str], model: str) -> None:
        z = values.reindex(g)[list(names)].to_numpy(dtype=float)
        keep = ~np.isnan(z).any(axis=1)
        n_prog = len(set(g[keep]))
        varying = [len(np.unique(z[keep, j])) > 1 for j in range(len(names))]
        if n_prog < 3 or not all(varying):
            for name in names:
                rows.append(
                    {"model": model, "item": name, "programmes": n_prog, "n": int(keep.sum())}
                )
            return
        XX = X.loc[keep].copy()
        for j, name in enumerate(names):
            XX[name] = z[keep, j]
        f = fit_gee_br(y[keep], XX, np.asarray(groups)[keep])
        for name in names:
            rows.append(
                {"model": model, "item": name, "programmes": n_prog, "n": int(keep.sum())}
                | _term_row(f, name, alpha)
            )

    for name in values.columns:
        fit([name], "single")
    present = [s for s in chosen_set if s in values.columns]
    if present:
        fit(present, "set")
    out = pd.DataFrame(
        rows,
        columns=["model", "item", "programmes", "n", "odds_ratio", "ci_low", "ci_high", "p_value"],
    )
    single = (out["model"] == "single") & out["p_value"].notna()
    out["p_holm"] = np.nan
    if single.any():
        out.loc[single, "p_holm"] = multipletests(out.loc[single, "p_value"], method="holm")[1]
    return out


def minimum_detectable(
    eta: np.ndarray,
    X: pd.DataFrame,
    groups: np.ndarray,
    item: pd.Series,
    sd: float,
    odds_ratios: Sequence[float],
    replicates: int,
    seed: int,
    key: str,
    alpha: float,
    power: float,
) -> tuple[pd.DataFrame, float]:
    """Power of the item's test at each odds ratio of the grid (per unit of the coded item)
    and the odds ratio reaching `power` (log-linear interpolation; inf where the grid's
    largest does not reach it). `eta`: each participant's linear predictor from the fitted
    case-mix model (random-intercept, conditional on an average programme); `item`: coded
    value per programme; programmes without a value are left out."""
    g = pd.Series(groups).astype(str)
    z = item.reindex(g).to_numpy(dtype=float)
    keep = ~np.isnan(z)
    eta, z, gg = eta[keep], z[keep], np.asarray(groups)[keep]
    XX = X.loc[keep].copy()
    XX["item"] = z
    codes, uniques = pd.factorize(gg)
    design, j, df = XX.to_numpy(dtype=float), XX.columns.get_loc("item"), len(uniques) - 1
    rows = []
    for ratio in odds_ratios:
        hits, done = 0, 0
        for r in range(replicates):
            # one stream per (item, odds ratio, replicate): independent of order and machine
            rng = np.random.default_rng([seed, zlib.crc32(f"{key}:{ratio}".encode()), r])
            u = rng.normal(0.0, sd, len(uniques))[codes]
            y = (rng.random(len(eta)) < special.expit(eta + u + np.log(ratio) * z)).astype(float)
            if y.min() == y.max():
                continue
            try:  # fit_gee_br's estimate and covariance of the item, without its overhead
                estimate, se = gee_br_term(y, design, codes, j)
            except np.linalg.LinAlgError:
                continue
            done += 1
            hits += bool(2 * stats.t.sf(abs(estimate / se), df) < alpha)
        rate = hits / done if done else np.nan
        rows.append(
            {
                "odds_ratio": float(ratio),
                "replicates": done,
                "power": rate,
                "mcse": float(np.sqrt(rate * (1 - rate) / done)) if done else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    return table, interpolate(table, power)


def interpolate(table: pd.DataFrame, power: float) -> float:
    """The odds ratio at which the power first reaches `power` (log scale between grid
    points; inf where it never does)."""
    t = table.dropna(subset=["power"]).sort_values("odds_ratio")
    prev = None
    for r in t.itertuples():
        if r.power >= power:
            if prev is None or r.power == prev.power:
                return float(r.odds_ratio)
            w = (power - prev.power) / (r.power - prev.power)
            return float(
                np.exp(np.log(prev.odds_ratio) + w * np.log(r.odds_ratio / prev.odds_ratio))
            )
        prev = r
    return float("inf")
