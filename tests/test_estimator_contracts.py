"""What each estimator promises beyond its estimates: labels, log-likelihood and AIC by their
definitions, the reference distribution of its tests, the separation check, Firth's
likelihood-ratio p-values and Wald fallback, the quadrature refinement, and the programme
variation. Written against the mutants that survived the first mutation run
(docs/testing.md); every expected value comes from a definition or an independent
computation in this file, not from the code under test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from glmm_exact import simulate_design
from scipy import optimize, special, stats

from ipseval.models import estimators as est
from ipseval.models import random_intercept as ri
from ipseval.models.imputation import pooled_table, rubin_pool


def _data(seed: int = 3) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(12), 25)
    x = rng.normal(size=g.size)
    d = rng.integers(0, 2, g.size).astype(float)
    eta = -0.5 + 0.6 * x - 0.7 * d + rng.normal(0, 0.5, 12)[g]
    y = (rng.random(g.size) < special.expit(eta)).astype(float)
    return y, pd.DataFrame({"Intercept": 1.0, "x": x, "d": d}), g


def _bernoulli_loglik(y: np.ndarray, X: pd.DataFrame, b: np.ndarray) -> float:
    eta = X.to_numpy() @ b
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)))


FITTERS = {
    "logit_cr1": lambda y, X, g: est.fit_logit_cr1(y, X, g),
    "gee_br": lambda y, X, g: est.fit_gee_br(y, X, g),
    "random_intercept": lambda y, X, g: est.fit_random_intercept(y, X, g),
    "firth": lambda y, X, g: est.fit_firth(y, X),
}


@pytest.mark.parametrize("name", list(FITTERS))
def test_every_estimator_names_and_labels_its_results(name: str) -> None:
    y, X, g = _data()
    fit = FITTERS[name](y, X, g)
    assert fit.estimator == name and fit.converged
    assert list(fit.params.index) == list(X.columns)
    assert list(fit.cov.index) == list(X.columns) == list(fit.cov.columns)
    for own in (fit.ci, fit.pvalues):
        if own is not None:
            assert list(own.index) == list(X.columns)
    table = fit.table(0.05)
    assert list(table["term"]) == list(X.columns)
    assert np.isfinite(table[["estimate", "std_error", "p_value", "ci_low", "ci_high"]]).all().all()
    # the cluster-robust estimators test on t(G - 1), the likelihood ones on the normal
    assert fit.df == (11 if name in ("logit_cr1", "gee_br") else np.inf)
    if name in ("logit_cr1", "gee_br", "firth"):
        assert fit.result is not None  # the library's own object, for the notebooks


def test_the_logit_log_likelihood_and_aic_are_those_of_its_estimates() -> None:
    y, X, g = _data()
    fit = est.fit_logit_cr1(y, X, g)
    llf = _bernoulli_loglik(y, X, fit.params.to_numpy())
    assert fit.extra["llf"] == pytest.approx(llf, abs=1e-9)
    assert fit.extra["aic"] == pytest.approx(-2 * llf + 2 * X.shape[1], abs=1e-9)


def test_the_random_intercept_aic_counts_the_programme_sd() -> None:
    y, X, g = _data()
    fit = est.fit_random_intercept(y, X, g)
    assert fit.extra["aic"] == pytest.approx(-2 * fit.extra["llf"] + 2 * (X.shape[1] + 1))
    for key in ("quadrature_check", "modes_not_converged", "max_abs_score"):
        assert key in fit.extra
    assert fit.extra["modes_not_converged"] == 0.0
    assert fit.extra["max_abs_score"] <= ri.GRADIENT_TOL


def test_a_gee_that_does_not_converge_says_so() -> None:
    # complete separation: the GEE iterations diverge and statsmodels flags it
    rng = np.random.default_rng(1)
    g = np.repeat(np.arange(10), 20)
    x = rng.normal(size=g.size)
    fit = est.fit_gee_br((x > 0).astype(float), pd.DataFrame({"Intercept": 1.0, "x": x}), g)
    assert not fit.converged


# --- the table's reference distribution -----------------------------------------------------


def test_the_table_uses_t_with_its_df_or_the_normal_or_the_fits_own_values() -> None:
    params = pd.Series([0.5, -1.0], index=["a", "b"])
    cov = pd.DataFrame(np.diag([0.25, 0.16]), index=params.index, columns=params.index)
    t5 = est.Fit("x", params, cov, df=5, converged=True).table(0.05)
    # t(5) 0.975 quantile 2.570582 and normal 1.959964 (printed statistical tables)
    q = 2.570582
    assert t5["ci_low"].tolist() == pytest.approx([0.5 - q * 0.5, -1.0 - q * 0.4], abs=1e-6)
    assert t5["ci_high"].tolist() == pytest.approx([0.5 + q * 0.5, -1.0 + q * 0.4], abs=1e-6)
    # two-sided p of t = 1 on 5 df is 0.3632; of z = -2.5 on the normal 0.01242
    assert t5["p_value"].iloc[0] == pytest.approx(0.36321, abs=1e-5)
    assert t5["statistic"].tolist() == pytest.approx([1.0, -2.5])
    assert t5["df"].tolist() == [5, 5]
    z = est.Fit("x", params, cov, df=np.inf, converged=True).table(0.10)
    assert z["ci_high"].iloc[0] == pytest.approx(0.5 + 1.644854 * 0.5, abs=1e-6)
    assert z["p_value"].iloc[1] == pytest.approx(0.012419, abs=1e-6)
    own = est.Fit(
        "x",
        params,
        cov,
        df=np.inf,
        converged=True,
        ci=pd.DataFrame([[0.1, 0.9], [-2.0, -0.2]], index=params.index),
        pvalues=pd.Series([0.2, 0.03], index=params.index),
    ).table(0.05)
    assert own["ci_low"].tolist() == [0.1, -2.0] and own["ci_high"].tolist() == [0.9, -0.2]
    assert own["p_value"].tolist() == [0.2, 0.03]


# --- programme variation --------------------------------------------------------------------


def test_programme_variation_follows_its_definitions() -> None:
    out = est.programme_variation(1.0, 0.5, at_boundary=False, alpha=0.05)
    lo, hi = np.exp(-1.959964 * 0.5), np.exp(1.959964 * 0.5)
    assert out["programme_sd"] == 1.0
    assert (out["programme_sd_ci_low"], out["programme_sd_ci_high"]) == pytest.approx((lo, hi))
    assert out["programme_variance_ci_high"] == pytest.approx(hi**2)
    # latent-scale ICC s^2 / (s^2 + pi^2/3); MOR exp(sqrt(2) s Phi^-1(0.75)), Phi^-1(.75)=0.67449
    assert out["icc"] == pytest.approx(1 / (1 + np.pi**2 / 3))
    assert out["icc_ci_low"] == pytest.approx(lo**2 / (lo**2 + np.pi**2 / 3))
    assert out["median_odds_ratio"] == pytest.approx(np.exp(np.sqrt(2) * 0.6744898))
    assert out["median_odds_ratio_ci_high"] == pytest.approx(np.exp(np.sqrt(2) * 0.6744898 * hi))
    at_zero = est.programme_variation(0.3, 0.5, at_boundary=True, alpha=0.05)
    assert at_zero["programme_sd_ci_low"] == 0.0 and at_zero["programme_variance"] == 0.0
    assert at_zero["icc_ci_low"] == 0.0 and at_zero["median_odds_ratio_ci_low"] == 1.0


# --- separation -----------------------------------------------------------------------------


def test_intercept_only_is_separated_only_when_every_outcome_is_the_same() -> None:
    X = pd.DataFrame({"Intercept": np.ones(6)})
    same = est.check_separation(np.ones(6), X)
    assert same.separated and same.infinite_terms == ["Intercept"] and same.empty_cells == []
    mixed = est.check_separation(np.array([0, 1, 0, 1, 1, 0.0]), X)
    assert not mixed.separated and mixed.infinite_terms == [] and mixed.empty_cells == []


def test_a_continuous_predictor_that_separates_is_found_by_the_linear_programme() -> None:
    x = np.linspace(-2, 2, 40)
    sep = est.check_separation((x > 0.1).astype(float), pd.DataFrame({"Intercept": 1.0, "x": x}))
    assert sep.separated and sep.empty_cells == []
    assert sep.infinite_terms == ["x", "Intercept"]
    assert sep.message() == "separation detected: ML estimate infinite for x, Intercept"


def test_a_level_without_events_or_without_non_events_is_named() -> None:
    rng = np.random.default_rng(2)
    n = 60
    x = rng.normal(size=n)
    a = (np.arange(n) < 8).astype(float)  # 8 participants, none employed
    b = (np.arange(n) >= 52).astype(float)  # 8 participants, all employed
    y = (rng.random(n) < 0.5).astype(float)
    y[a == 1], y[b == 1] = 0.0, 1.0
    X = pd.DataFrame({"Intercept": 1.0, "x": x, "a": a, "b": b})
    sep = est.check_separation(y, X)
    assert sep.separated
    assert sep.empty_cells == ["a: no events among 8", "b: no non-events among 8"]
    assert set(sep.infinite_terms) >= {"a", "b"}
    assert sep.message().startswith("separation detected: ML estimate infinite for ")
    assert sep.message().endswith("; a: no events among 8; b: no non-events among 8")
    # every outcome the same, with predictors (firthmodels' test refuses one class): the
    # intercept is infinite, and the levels are named, not the intercept column
    ones = est.check_separation(np.ones(n), X)
    assert ones.separated and ones.infinite_terms == ["Intercept"]
    assert ones.empty_cells == ["a: no non-events among 8", "b: no non-events among 8"]


# --- Firth ----------------------------------------------------------------------------------


def _penalised_loglik(b: np.ndarray, y: np.ndarray, X: np.ndarray) -> float:
    eta = X @ b
    p = special.expit(eta)
    info = X.T @ ((p * (1 - p))[:, None] * X)
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)) + 0.5 * np.linalg.slogdet(info)[1])


def test_firth_p_values_are_penalised_likelihood_ratio_tests() -> None:
    # written independently: maximise Jeffreys-penalised log-likelihood with and without
    # each coefficient fixed at 0 (scipy), p = P(chi2_1 > 2 (l*_full - l*_restricted))
    y, X, _ = _data(seed=5)
    fit = est.fit_firth(y, X)
    Xn = X.to_numpy()
    full = optimize.minimize(
        lambda b: -_penalised_loglik(b, y, Xn), np.zeros(3), method="BFGS", options={"gtol": 1e-9}
    )
    assert fit.params.to_numpy() == pytest.approx(full.x, abs=1e-5)
    for j, term in enumerate(X.columns):
        restricted = optimize.minimize(  # coefficient j fixed at 0
            lambda c, j=j: -_penalised_loglik(np.insert(c, j, 0.0), y, Xn),
            np.zeros(2),
            method="BFGS",
            options={"gtol": 1e-9},
        )
        p = stats.chi2.sf(2 * (restricted.fun - full.fun), 1)
        assert fit.pvalues[term] == pytest.approx(p, rel=1e-4, abs=1e-8), term


@pytest.mark.parametrize("failed", ["interval", "p-value", "both"])
def test_firth_falls_back_to_wald_where_the_profile_fails(monkeypatch, failed: str) -> None:
    y, X, _ = _data(seed=5)
    real = est.FirthLogit

    class Failed:  # the library's result, with the profile of "x" failed (NaN)
        def __init__(self, res: object) -> None:
            self._res = res
            self._ci = np.array(res.conf_int(alpha=0.05), dtype=float)
            self.pvalues = np.array(res.pvalues, dtype=float)
            if failed in ("interval", "both"):
                self._ci[1, 1] = np.nan
            if failed in ("p-value", "both"):
                self.pvalues[1] = np.nan

        def __getattr__(self, name: str) -> object:
            return getattr(self._res, name)

        def conf_int(self, alpha: float = 0.05) -> np.ndarray:
            return self._ci

    class Failing(real):
        def fit(self, *args, **kwargs):
            return Failed(super().fit(*args, **kwargs))

    monkeypatch.setattr(est, "FirthLogit", Failing)
    fit = est.fit_firth(y, X)
    b, se = fit.params["x"], fit.bse["x"]
    assert fit.pvalues["x"] == pytest.approx(2 * stats.norm.sf(abs(b / se)))
    assert fit.ci.loc["x"].tolist() == pytest.approx([b - 1.959964 * se, b + 1.959964 * se])
    assert fit.warnings == ["x: profile likelihood failed; Wald p-value and interval reported"]
    # the other terms keep their profile intervals
    assert not np.isclose(fit.ci.loc["d", 0], fit.params["d"] - 1.959964 * fit.bse["d"])


def test_firth_without_profile_gives_estimates_only() -> None:
    # profile=False (bootstrap replicates, predictions): no interval or p-value is claimed
    y, X, _ = _data(seed=5)
    fit = est.fit_firth(y, X, profile=False)
    assert fit.ci is None and fit.pvalues is None
    assert fit.params.tolist() == pytest.approx(est.fit_firth(y, X).params.tolist(), abs=1e-8)


# --- quadrature refinement ------------------------------------------------------------------


def test_nodes_are_doubled_plus_one_until_the_likelihood_settles() -> None:
    # small clusters with a large SD need more nodes than asked for
    y, X, g = simulate_design(250, 4, 2.0, 0.86, seed=1)
    fit = est.fit_random_intercept(y, X, g, n_points=3, quadrature_tolerance=1e-5)
    used = int(fit.extra["quadrature_points"])
    assert used in (7, 15, 31, 63, 127) and fit.converged
    theta = np.append(fit.params, np.log(fit.extra["programme_sd"]))
    at = ri.RandomInterceptLikelihood(y, X.to_numpy(), g, used).loglik(theta)
    finer = ri.RandomInterceptLikelihood(y, X.to_numpy(), g, 2 * used + 1).loglik(theta)
    assert fit.extra["quadrature_check"] == pytest.approx(abs(finer - at), abs=1e-12)
    assert fit.extra["quadrature_check"] <= 1e-5
    steps = [w for w in fit.warnings if w.startswith("quadrature:")]
    n, expected = 3, []
    while n < used:
        expected.append((f"with {n} nodes", f"with {2 * n + 1}; refitted with {2 * n + 1} nodes"))
        n = 2 * n + 1
    assert len(steps) == len(expected)
    for step, (first, last) in zip(steps, expected, strict=True):
        assert first in step and step.endswith(last)


def test_a_node_count_that_never_settles_is_reported(monkeypatch) -> None:
    monkeypatch.setattr(ri, "MAX_POINTS", 7)
    y, X, g = simulate_design(250, 4, 2.0, 0.86, seed=1)
    fit = est.fit_random_intercept(y, X, g, n_points=3, quadrature_tolerance=1e-12)
    assert fit.extra["quadrature_points"] == 7.0
    assert fit.warnings[-1].startswith("quadrature: with 7 nodes the log-likelihood still moves")
    assert fit.warnings[-1].endswith("(> 1e-12) with 15")


def test_an_sd_the_data_do_not_bound_is_not_converged() -> None:
    # every programme all employed or all not: the SD runs to its ceiling
    g = np.repeat(np.arange(12), 6)
    y = (g % 2).astype(float)
    x = np.tile(np.linspace(-1, 1, 6), 12)
    fit = est.fit_random_intercept(y, pd.DataFrame({"Intercept": 1.0, "x": x}), g)
    assert not fit.converged
    assert any("upper bound" in w and "do not bound it" in w for w in fit.warnings)


# --- pooling over imputations ---------------------------------------------------------------


def _fit(values: list[float], variances: list[float]) -> est.Fit:
    names = ["a", "b"][: len(values)]
    return est.Fit(
        "x",
        pd.Series(values, index=names),
        pd.DataFrame(np.diag(variances), index=names, columns=names),
        df=np.inf,
        converged=True,
    )


def test_rubin_pooling_by_hand() -> None:
    # M = 3, estimates 0, 1, 2 with variance 1: W = 1, B = 1, T = 1 + 4/3 = 7/3,
    # lambda = (4/3) / (7/3) = 4/7, Rubin's df (M - 1) / lambda^2 = 2 * 49/16 = 6.125;
    # the second term never varies and has no variance: pooled exactly, df infinite
    fits = [_fit([v, 0.5], [1.0, 0.0]) for v in (0.0, 1.0, 2.0)]
    est_, cov, df = rubin_pool(fits, np.inf)
    assert est_.tolist() == [1.0, 0.5]
    assert cov.to_numpy() == pytest.approx(np.diag([7 / 3, 0.0]))
    assert list(cov.index) == list(cov.columns) == list(df.index) == ["a", "b"]
    assert df["a"] == pytest.approx(6.125) and df["b"] == np.inf
    # Barnard-Rubin with complete-data df 10: df_obs = 11/13 * 10 * (1 - 4/7)
    df_obs = 11 / 13 * 10 * 3 / 7
    _, _, small = rubin_pool(fits, 10.0)
    assert small["a"] == pytest.approx(1 / (1 / 6.125 + 1 / df_obs))
    # a term without any variance, with a finite complete-data df: lambda = 0, so its df is
    # the complete-data df adjusted as Barnard-Rubin's df_obs = 11/13 * 10 (not undefined)
    assert small["b"] == pytest.approx(11 / 13 * 10)
    table = pooled_table([_fit([v], [1.0]) for v in (0.0, 1.0, 2.0)], np.inf, 0.05)
    assert list(table.columns) == [
        "term",
        "estimate",
        "std_error",
        "statistic",
        "df",
        "p_value",
        "ci_low",
        "ci_high",
    ]
    assert table["statistic"].iloc[0] == pytest.approx(1 / np.sqrt(7 / 3))


# --- the conditional modes and the optimiser's own checks ------------------------------------


def test_mode_search_reports_the_newton_decrement_at_the_mode_it_returns() -> None:
    # independent: the score h'(u) = sum(y - p) - u / s^2 and curvature -h''(u) at the modes
    rng = np.random.default_rng(7)
    G, s = 40, 1.7
    g = np.repeat(np.arange(G), 5)
    y = (rng.random(5 * G) < 0.4).astype(float)
    eta = rng.normal(-0.5, 1.0, 5 * G)
    md = ri.RandomInterceptLikelihood(y, np.ones((5 * G, 1)), g, 7).modes(eta, s)
    p = special.expit(eta + md.mode[g])
    score = np.bincount(g, weights=y - p) - md.mode / s**2
    curvature = np.bincount(g, weights=p * (1 - p)) + 1 / s**2
    assert md.decrement == pytest.approx(np.abs(score) / np.sqrt(curvature), abs=1e-15)
    assert md.scale == pytest.approx(1 / np.sqrt(curvature), rel=1e-12)
    assert md.converged.all() and md.decrement.max() <= ri.MODE_TOL
    assert md.probs == pytest.approx(p) and md.weights == pytest.approx(p * (1 - p))


def test_a_score_above_the_tolerance_is_not_converged(monkeypatch) -> None:
    monkeypatch.setattr(ri, "GRADIENT_TOL", 0.0)  # no optimiser reaches a score of exactly 0
    y, X, g = _data()
    fit = est.fit_random_intercept(y, X, g)
    assert not fit.converged
    assert any(w.startswith("score at the returned point") for w in fit.warnings)
