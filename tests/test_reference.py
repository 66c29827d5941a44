"""Agreement with independent reference implementations in R (glm, sandwich, clubSandwich,
geepack, lme4, brglm2). The reference values were computed by tests/reference/reference.R on
the data sets in tests/reference/data/ and are stored in tests/reference/values/; where R is
installed, a live test recomputes them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from support import require_rscript

from ipseval.models import estimators as est

REF = ROOT / "tests" / "reference"
SETS = ("common", "rare")


def load(name: str) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, pd.DataFrame]:
    d = pd.read_csv(REF / "data" / f"{name}.csv")
    X = d.drop(columns=["y", "programme"])
    X.insert(0, "Intercept", 1.0)
    ref = pd.read_csv(REF / "values" / f"{name}.csv")
    return d["y"].to_numpy(float), X, d["programme"].to_numpy(), ref


def ref_values(ref: pd.DataFrame, estimator: str, quantity: str, index: pd.Index) -> np.ndarray:
    sub = ref[(ref["estimator"] == estimator) & (ref["quantity"] == quantity)]
    values = sub.set_index("term")["value"].reindex(index)
    assert values.notna().all(), f"{estimator}/{quantity}: reference values missing"
    return values.to_numpy(float)


def rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a) / np.asarray(b) - 1)))


@pytest.mark.parametrize("name", SETS)
def test_logit_and_cr1_match_glm_and_vcovcl_hc1(name: str) -> None:
    y, X, g, ref = load(name)
    fit = est.fit_logit_cr1(y, X, g)
    assert rel(fit.params, ref_values(ref, "glm", "estimate", X.columns)) < 1e-6
    assert rel(fit.bse, ref_values(ref, "vcovCL_HC1", "std_error", X.columns)) < 1e-4
    assert fit.df == 31  # t(G - 1)


@pytest.mark.parametrize("name", SETS)
def test_gee_matches_geepack_and_bias_reduced_matches_cr3(name: str) -> None:
    y, X, g, ref = load(name)
    fit = est.fit_gee_br(y, X, g)
    assert rel(fit.params, ref_values(ref, "geeglm", "estimate", X.columns)) < 1e-3
    robust = np.sqrt(np.diag(fit.result.cov_robust))
    assert rel(robust, ref_values(ref, "geeglm", "std_error", X.columns)) < 1e-3
    # Mancl-DeRouen bias-reduced covariance = clubSandwich's CR3 for a GLM
    assert rel(fit.bse, ref_values(ref, "clubSandwich_CR3", "std_error", X.columns)) < 1e-3
    assert np.all(fit.bse > robust)  # the bias reduction inflates every SE


@pytest.mark.parametrize("name", SETS)
def test_bias_reduced_gee_tests_on_t_with_programmes_minus_one_df(name: str) -> None:
    # p-values, df and intervals against clubSandwich's CR3 with the "naive-t" test, whose df
    # is G - 1 (a test on N - K df, or on the normal, gives other p-values and intervals)
    y, X, g, ref = load(name)
    table = est.fit_gee_br(y, X, g).table(0.05).set_index("term")
    for quantity in ("df", "p_value", "ci_low", "ci_high"):
        expected = ref_values(ref, "clubSandwich_CR3_naive_t", quantity, X.columns)
        np.testing.assert_allclose(table[quantity].to_numpy(), expected, rtol=1e-5, atol=1e-8)
    assert (table["df"] == 31).all()


@pytest.mark.parametrize("name", SETS)
def test_random_intercept_matches_glmer_agq(name: str) -> None:
    y, X, g, ref = load(name)
    fit = est.fit_random_intercept(y, X, g, n_points=15)
    assert np.max(np.abs(fit.params - ref_values(ref, "glmer_agq15", "estimate", X.columns))) < 1e-3
    sd = ref_values(ref, "glmer_agq15", "programme_sd", pd.Index(["programme_sd"]))[0]
    assert abs(fit.extra["programme_sd"] - sd) < 1e-3
    assert rel(fit.bse, ref_values(ref, "glmer_agq15", "std_error", X.columns)) < 1e-2


@pytest.mark.parametrize("name", (*SETS, "separated"))
def test_firth_matches_brglm2(name: str) -> None:
    y, X, _, ref = load(name)
    fit = est.fit_firth(y, X)
    estimate = ref_values(ref, "brglm2_MPL_Jeffreys", "estimate", X.columns)
    assert np.max(np.abs(fit.params - estimate)) < 1e-5
    assert rel(fit.bse, ref_values(ref, "brglm2_MPL_Jeffreys", "std_error", X.columns)) < 1e-4
    ci = fit.table(0.05)
    assert (ci["ci_low"] < ci["estimate"]).all() and (ci["estimate"] < ci["ci_high"]).all()


def test_separated_reference_data_is_detected() -> None:
    y, X, _, _ = load("separated")
    terms = pd.read_csv(REF / "data" / "separated_terms.csv").set_index("x")["term"]
    sep = est.check_separation(y, X)
    assert sep.separated
    assert "x05" in sep.infinite_terms and any(c.startswith("x05:") for c in sep.empty_cells)
    assert terms["x05"] == "diagnosis[other]"


def test_reference_values_are_what_the_committed_r_script_computes(tmp_path: Path) -> None:
    """Live cross-check: rerun reference.R and compare with the stored fixtures."""
    r = subprocess.run(
        [require_rscript(), str(REF / "reference.R"), str(REF), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if r.returncode != 0 and "there is no package" in r.stderr and not os.environ.get("CI"):
        pytest.skip("R packages missing: " + r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0, r.stderr
    for name in (*SETS, "separated"):
        fresh = pd.read_csv(tmp_path / f"{name}.csv")
        stored = pd.read_csv(REF / "values" / f"{name}.csv")
        assert fresh[["estimator", "quantity", "term"]].equals(
            stored[["estimator", "quantity", "term"]]
        )
        # glmer's optimum depends on its optimizer's settings and build (up to ~1e-3 on the
        # logit scale, methods.md); every other reference is deterministic to 1e-6
        glmer = fresh["estimator"].str.startswith("glmer")
        np.testing.assert_allclose(fresh["value"][~glmer], stored["value"][~glmer], rtol=1e-6)
        np.testing.assert_allclose(
            fresh["value"][glmer], stored["value"][glmer], rtol=1e-2, atol=1e-3
        )


def penalised_loglik(beta: np.ndarray, y: np.ndarray, X: np.ndarray) -> tuple[float, np.ndarray]:
    """Firth's penalised log-likelihood l(b) + log|X'WX|/2 and its gradient (the modified
    score X'(y - p + h(1/2 - p))), written here independently of firthmodels."""
    eta = X @ beta
    p = 1 / (1 + np.exp(-eta))
    w = p * (1 - p)
    info = X.T @ (w[:, None] * X)
    _, logdet = np.linalg.slogdet(info)
    ll = float(np.sum(y * eta - np.logaddexp(0, eta)) + 0.5 * logdet)
    h = np.einsum("ij,jk,ik->i", X, np.linalg.inv(info), X) * w
    return ll, X.T @ (y - p + h * (0.5 - p))


def profile(y: np.ndarray, X: np.ndarray, j: int, value: float, start: np.ndarray) -> float:
    """The penalised log-likelihood maximised over every coefficient but the j-th (fixed)."""
    from scipy import optimize

    free = [k for k in range(X.shape[1]) if k != j]

    def neg(b: np.ndarray) -> tuple[float, np.ndarray]:
        beta = np.insert(b, j, value)
        ll, grad = penalised_loglik(beta, y, X)
        return -ll, -grad[free]

    res = optimize.minimize(neg, start[free], jac=True, method="BFGS", options={"gtol": 1e-10})
    return -float(res.fun)


@pytest.mark.parametrize("name", SETS)
def test_firth_intervals_are_profile_penalised_likelihood_intervals(name: str) -> None:
    # the defining property: at each end of a term's 95 % interval the penalised
    # likelihood-ratio statistic equals the chi-square(1) quantile (a Wald interval does not)
    from scipy import stats

    y, X, _, _ = load(name)
    fit = est.fit_firth(y, X)
    table = fit.table(0.05).set_index("term")
    beta = fit.params.to_numpy()
    top, _ = penalised_loglik(beta, y, X.to_numpy())
    target = stats.chi2.ppf(0.95, 1)
    for j, term in enumerate(X.columns[:4]):  # intercept and three slopes
        for end in ("ci_low", "ci_high"):
            lr = 2 * (top - profile(y, X.to_numpy(), j, table.loc[term, end], beta))
            assert lr == pytest.approx(target, abs=1e-6), (term, end, lr)
