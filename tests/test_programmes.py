"""Programmes compared fairly (issue 28, part 1; ipseval.models.programmes), against known
truth: evaluations simulated with 32 programmes whose case mix differs (a participant-level
covariate whose programme means differ), with and without programme effects set on purpose.
Expected values come from construction (the true probabilities) or from an independent
computation (enumeration, the binomial law, the normal approximation), never from the
module's own output."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from ipseval.models import programmes as pr
from ipseval.models.estimators import fit_random_intercept, programme_variation

G = 32


def simulate(
    rng: np.random.Generator, effects: np.ndarray | None = None, beta: float = 0.8
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One evaluation: programme of each participant, case mix x (programme means differ),
    outcome y, and the true log-odds without the programme effect."""
    sizes = rng.integers(15, 61, G)
    mu = rng.normal(0, 0.7, G)
    g = np.repeat(np.arange(G), sizes)
    x = rng.normal(mu[g], 1)
    eta0 = -1.0 + beta * x
    u = np.zeros(G) if effects is None else effects
    y = (rng.random(len(g)) < special.expit(eta0 + u[g])).astype(float)
    return g, x, y, eta0


def design(x: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"Intercept": 1.0, "x": x})


def flagged(c: pd.DataFrame) -> np.ndarray:
    return (c["position"] != "within").to_numpy()


def test_the_poisson_binomial_law_is_the_enumerated_one() -> None:
    p = np.array([0.05, 0.3, 0.5, 0.9, 0.2, 0.7, 0.15, 0.6, 0.4, 0.99])
    enumerated = np.zeros(len(p) + 1)
    for outcome in itertools.product([0, 1], repeat=len(p)):
        o = np.array(outcome)
        enumerated[o.sum()] += np.prod(np.where(o == 1, p, 1 - p))
    assert np.allclose(pr.poisson_binomial_pmf(p), enumerated, atol=1e-15)
    same = pr.poisson_binomial_pmf(np.full(40, 0.23))
    assert np.allclose(same, stats.binom.pmf(np.arange(41), 40, 0.23), atol=1e-14)


def test_with_the_true_probabilities_the_limits_hold_their_level() -> None:
    """Under the null (no programme effect), with the true probabilities, the 95 % mid-p
    limits flag 5 % of programmes (within three standard errors)."""
    rng = np.random.default_rng(5)
    rates = []
    for _ in range(120):
        g, _, y, eta0 = simulate(rng)
        rates.append(flagged(pr.compare(y, special.expit(eta0), g)))
    rate = np.concatenate(rates).mean()
    se = np.sqrt(0.05 * 0.95 / (120 * G))
    assert abs(rate - 0.05) < 3 * se, rate


def test_the_case_mix_adjusted_comparison_flags_few_null_programmes_and_the_crude_many() -> None:
    """Programmes that differ only in case mix: the crude comparison (everyone at the overall
    rate) flags the programmes with the oldest or sickest participants; the adjusted one
    keeps to its level. The expected counts are fitted on the same data, which makes the
    limits somewhat conservative (docs/models.md)."""
    rng = np.random.default_rng(1)
    adjusted, crude = [], []
    for _ in range(120):
        g, x, y, _ = simulate(rng)
        adjusted.append(flagged(pr.compare(y, pr.expected(y, design(x)), g)))
        crude.append(flagged(pr.compare(y, np.full(len(y), y.mean()), g)))
    se = np.sqrt(0.05 * 0.95 / (120 * G))
    assert 0.025 < np.concatenate(adjusted).mean() < 0.05 + 3 * se
    assert np.concatenate(crude).mean() > 0.10


def test_programmes_set_above_or_below_are_found_as_often_as_the_truth_allows() -> None:
    """Four programmes set 1 log-odds above expectation and four below: each is flagged on
    its side about as often as the exact power computed from the true probabilities says
    (within 0.1), and never on the wrong side."""
    rng = np.random.default_rng(2)
    effects = np.zeros(G)
    effects[:4], effects[4:8] = 1.0, -1.0
    found, power, wrong = {1.0: [], -1.0: []}, {1.0: [], -1.0: []}, 0
    for _ in range(80):
        g, x, y, eta0 = simulate(rng, effects)
        c = pr.compare(y, pr.expected(y, design(x)), g)
        for j in range(8):
            side = effects[j]
            position = c.loc[c["programme"] == j, "position"].item()
            found[side].append(position == ("above" if side > 0 else "below"))
            wrong += position == ("below" if side > 0 else "above")
            # the exact power with the true probabilities: P(O beyond the null's limit)
            f0 = pr.poisson_binomial_pmf(special.expit(eta0[g == j]))
            f1 = pr.poisson_binomial_pmf(special.expit(eta0[g == j] + side))
            o = np.arange(len(f0))
            cum = np.cumsum(f0)
            tail = (1 - cum + f0 / 2) if side > 0 else (cum - f0 / 2)
            power[side].append(f1[tail < 0.025].sum() if len(o) else 0.0)
    for side in (1.0, -1.0):
        assert abs(np.mean(found[side]) - np.mean(power[side])) < 0.1, side
    assert wrong == 0


def test_the_funnel_limits_approach_the_normal_approximation() -> None:
    rate = 0.3
    curve = pr.funnel_curve(rate, np.array([20, 5000]), levels=(0.95,))
    big = curve[curve["n"] == 5000].iloc[0]
    half = stats.norm.ppf(0.975) * np.sqrt((1 - rate) / (5000 * rate))
    assert big["low"] == pytest.approx(1 - half, abs=0.004)
    assert big["high"] == pytest.approx(1 + half, abs=0.004)
    small = curve[curve["n"] == 20].iloc[0]
    assert small["low"] < big["low"] < 1 < big["high"] < small["high"]  # a funnel


def test_the_caterpillar_intervals_cover_the_programme_effects() -> None:
    """Programme effects drawn from N(0, 0.6^2): the conditional modes' 95 % intervals hold
    the true effects about 95 % of the time (an average over programmes: at least 90 %)."""
    rng = np.random.default_rng(7)
    hits = []
    for _ in range(12):
        u = rng.normal(0, 0.6, G)
        g, x, y, _ = simulate(rng, u - u.mean())
        X = design(x)
        fit = fit_random_intercept(y, X, g)
        cat = pr.caterpillar(y, X, g, fit.params.to_numpy(), fit.extra["programme_sd"])
        truth = (u - u.mean())[cat["programme"].to_numpy().astype(int)]
        hits.append((cat["low"] < truth) & (truth < cat["high"]))
    assert np.concatenate(hits).mean() >= 0.9


def test_the_variation_measures_are_the_random_intercept_fits_own() -> None:
    # Larsen and Merlo (2005): a programme variance of 1 gives a median odds ratio of 2.6
    assert pr.median_odds_ratio(1.0) == pytest.approx(2.596, abs=0.001)
    same = programme_variation(0.8, 0.1, False, 0.05)
    assert pr.icc(0.8) == pytest.approx(same["icc"])
    assert pr.median_odds_ratio(0.8) == pytest.approx(same["median_odds_ratio"])
    change = pr.variation_change(0.8, 0.4)
    assert change["variance_explained_by_case_mix"] == pytest.approx(0.75)
