"""Programmes compared fairly (issue 28, part 1): each programme's observed count of an
outcome against the count its own participants would be expected to have (indirect
standardisation: the expectation from a participant-level model without programme terms),
with exact limits under the hypothesis that the programme is like the rest, and the
between-programme variation before and after the case mix.

- `expected`: each participant's probability from a logistic regression of the outcome on
  the case mix alone (statsmodels Logit).
- `compare`: per programme the observed count O, the expected count E = sum of p, the ratio
  O/E, and the two one-sided mid-p tail probabilities of O under the Poisson-binomial law
  of a sum of independent Bernoulli(p_i) (exact given the p_i); a programme is `above` or
  `below` at level alpha when the tail on its side is below alpha / 2.
- `funnel_curve`: the control limits of a funnel plot against the number of participants,
  for a programme of average case mix (a binomial count at the overall expected rate).
- `caterpillar`: the random-intercept model's conditional modes with their intervals
  (`ipseval.models.random_intercept`), the programme effects a reader can rank only with
  their uncertainty.
- `variation_change`: the programme SD, ICC and median odds ratio of the random-intercept
  model before and after the case mix.

The Poisson-binomial law is computed by hand (the recursion over participants, exact to
floating point): no maintained library in the lock file has it (scipy has not).
References: Spiegelhalter 2005 (funnel plots, Stat Med 24:1185), Hong 2013 (the
Poisson-binomial distribution, Comput Stat Data Anal 59:41), Larsen and Merlo 2005 (median
odds ratio, Am J Epidemiol 161:81).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

# statsmodels' own module, not statsmodels.api (see ipseval.models.estimators)
from statsmodels.discrete.discrete_model import Logit


def poisson_binomial_pmf(p: np.ndarray) -> np.ndarray:
    """P(sum of independent Bernoulli(p_i) = k), k = 0..n, by the recursion over the
    participants (exact to floating point; O(n^2))."""
    pmf = np.zeros(len(p) + 1)
    pmf[0] = 1.0
    for i, pi in enumerate(np.asarray(p, dtype=float), start=1):
        pmf[1 : i + 1] = pmf[1 : i + 1] * (1 - pi) + pmf[:i] * pi
        pmf[0] *= 1 - pi
    return pmf


def expected(y: np.ndarray, X: pd.DataFrame) -> np.ndarray:
    """Each participant's probability of the outcome from the case mix alone: a logistic
    regression of `y` on `X` (with its intercept column), no programme terms."""
    fit = Logit(np.asarray(y, dtype=float), X).fit(method="newton", disp=0, maxiter=100)
    return np.asarray(fit.predict(X), dtype=float)


def compare(
    y: np.ndarray, p: np.ndarray, groups: Sequence[object], alpha: float = 0.05
) -> pd.DataFrame:
    """Per programme: n, observed O, expected E, O/E, the mid-p tails P(O' > O) + P(O' = O)/2
    and P(O' < O) + P(O' = O)/2 under the programme's own Poisson-binomial law, and
    `position`: above, below or within at level `alpha` (two-sided)."""
    frame = pd.DataFrame({"g": list(groups), "y": np.asarray(y, float), "p": np.asarray(p)})
    rows = []
    for g, part in frame.groupby("g", sort=False):
        pmf = poisson_binomial_pmf(part["p"].to_numpy())
        o = int(np.rint(part["y"].sum()))
        # mid-p tails: half the probability of the observed count itself on each side, so
        # that the limits hold their level on average, not only at most (a discrete law)
        upper = float(pmf[o + 1 :].sum() + pmf[o] / 2)
        lower = float(pmf[:o].sum() + pmf[o] / 2)
        position = "above" if upper < alpha / 2 else "below" if lower < alpha / 2 else "within"
        e = float(part["p"].sum())
        rows.append(
            {
                "programme": g,
                "n": len(part),
                "observed": o,
                "expected": e,
                "ratio": o / e if e > 0 else np.nan,
                "p_above": min(upper, 1.0),
                "p_below": min(lower, 1.0),
                "position": position,
            }
        )
    return pd.DataFrame(rows)


def funnel_curve(
    rate: float, sizes: np.ndarray, levels: Sequence[float] = (0.95, 0.998)
) -> pd.DataFrame:
    """Control limits of O/E against the number of participants n, for a programme whose
    participants all have the overall expected rate: O ~ Binomial(n, rate), limits at the
    central `levels`, interpolated between the discrete quantiles as Spiegelhalter (2005)
    does, so that the curves are smooth."""
    rows = []
    for n in np.asarray(sizes, dtype=int):
        e = n * rate
        for level in levels:
            tail = (1 - level) / 2
            limits = []
            for q in (tail, 1 - tail):
                r = stats.binom.ppf(q, n, rate)
                # interpolate within the step of the discrete quantile
                below = stats.binom.cdf(r - 1, n, rate)
                step = stats.binom.pmf(r, n, rate)
                frac = (q - below) / step if step > 0 else 0.0
                # below the first step the interpolation would go under 0: a count is not
                limits.append(max(r - 1 + frac, 0.0) / e if e > 0 else np.nan)
            rows.append({"n": int(n), "level": level, "low": limits[0], "high": limits[1]})
    return pd.DataFrame(rows)


def caterpillar(
    y: np.ndarray, X: pd.DataFrame, groups: Sequence[object], params: np.ndarray, sd: float,
    alpha: float = 0.05,
) -> pd.DataFrame:  # fmt: skip
    """The random-intercept model's programme effects: each programme's conditional mode
    (log-odds against the average programme) and its interval from the curvature of the
    conditional posterior (mode +- z * scale), given the fitted `params` and programme `sd`."""
    from ipseval.models.random_intercept import RandomInterceptLikelihood

    model = RandomInterceptLikelihood(y, X.to_numpy(), np.asarray(groups), 15)
    eta = X.to_numpy() @ np.asarray(params, dtype=float)
    m = model.modes(eta, max(float(sd), 1e-8))
    z = stats.norm.ppf(1 - alpha / 2)
    names = pd.unique(pd.Series(list(groups)))
    return pd.DataFrame(
        {
            "programme": names,
            "effect": m.mode,
            "low": m.mode - z * m.scale,
            "high": m.mode + z * m.scale,
        }
    )


def median_odds_ratio(sd: float) -> float:
    """The median odds ratio of a random-intercept SD (Larsen and Merlo 2005)."""
    return float(np.exp(np.sqrt(2) * sd * stats.norm.ppf(0.75)))


def icc(sd: float) -> float:
    """The latent-scale intraclass correlation of a random-intercept SD."""
    return float(sd * sd / (sd * sd + np.pi**2 / 3))


def variation_change(sd_null: float, sd_adjusted: float) -> dict[str, float]:
    """How much of the between-programme variation the case mix explains: SD, ICC and
    median odds ratio without and with the case-mix terms, and the share of the latent
    programme variance the case mix accounts for (1 - var_adjusted / var_null)."""
    share = 1 - sd_adjusted**2 / sd_null**2 if sd_null > 0 else np.nan
    return {
        "sd_null": sd_null,
        "sd_adjusted": sd_adjusted,
        "icc_null": icc(sd_null),
        "icc_adjusted": icc(sd_adjusted),
        "mor_null": median_odds_ratio(sd_null),
        "mor_adjusted": median_odds_ratio(sd_adjusted),
        "variance_explained_by_case_mix": share,
    }
