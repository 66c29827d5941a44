"""The random-intercept logit (adaptive Gauss-Hermite quadrature) far from the default design:
its answer against an independent exact likelihood (tests/glmm_exact.py: per-cluster
integrals by scipy quad, its maximum by a generic optimiser), the objective's gradient, the
node count it reports, and non-convergence that is never silent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from glmm_exact import SWEEP, compare, glmer_estimates, simulate_design
from scipy import optimize, special
from support import ROOT, require_rscript

from ipseval.models import estimators as est
from ipseval.models import random_intercept as ri
from ipseval.models.fits import FitLog, Settings, complete_case_fits

TOL_COEF, TOL_SD, TOL_LLF = 1e-3, 1e-3, 1e-4  # issue 17's tolerances


def compare_with_exact(y: np.ndarray, X: pd.DataFrame, g: np.ndarray, fit: est.Fit) -> dict:
    """Differences of a converged fit from the exact likelihood (glmm_exact.compare)."""
    diff = compare(y, X, g, fit.params.to_numpy(), fit.extra["programme_sd"], fit.extra["llf"])
    assert diff["exact_converged"], "the exact optimiser did not converge"
    return diff


def test_many_clusters_of_four_with_sd_two_give_the_exact_maximum() -> None:
    # issue 17's design: the earlier mode search oscillated on clusters with 3 of 4 events, so
    # the quadrature sat in the wrong place; on this seed it said it converged, with a
    # log-likelihood 0.013 from the exact integral at its point and coefficients 1.0e-3 from
    # the exact maximum
    y, X, g = simulate_design(250, 4, 2.0, 0.86, seed=3)
    fit = est.fit_random_intercept(y, X, g)
    assert fit.converged
    diff = compare_with_exact(y, X, g, fit)
    assert diff["llf"] < TOL_LLF, diff
    assert diff["coef"] < TOL_COEF and diff["sd"] < TOL_SD, diff
    # 15 nodes are not enough for clusters of 4 with SD 2: more were used, and it says so
    assert fit.extra["quadrature_points"] > 15
    assert any(w.startswith("quadrature: with 15 nodes") for w in fit.warnings)


def test_conditional_modes_solve_the_score_equation() -> None:
    # clusters of 4 with 3 events, large SD, linear predictor far from 0: plain Newton from 0
    # overshoots here. Reference: scipy's brentq on each cluster's score.
    rng = np.random.default_rng(3)
    G, s = 200, 3.5
    g = np.repeat(np.arange(G), 4)
    y = np.tile([1.0, 1.0, 1.0, 0.0], G)
    eta = rng.normal(rng.uniform(-5, 5, G)[g], 1.0)
    model = ri.RandomInterceptLikelihood(y, np.ones((4 * G, 1)), g, 15)
    md = model.modes(eta, s)
    assert md.converged.all()
    for k in range(G):
        e = eta[g == k]

        def score(u: float, e: np.ndarray = e) -> float:
            return 3.0 - special.expit(e + u).sum() - u / s**2

        root = optimize.brentq(score, -100, 100, xtol=1e-14)
        assert md.mode[k] == pytest.approx(root, abs=1e-8)


@pytest.mark.parametrize("s", [0.5, 5.0, 50.0, np.exp(ri.LOG_SD_CEILING)])
def test_modes_are_found_to_mode_tol_where_the_posterior_is_flat(s: float) -> None:
    # programmes with all events or none and a large SD: the log-posterior's curvature is
    # about 1/s^2, so a criterion on the gradient alone would stop far from the mode
    g = np.repeat(np.arange(6), 5)
    y = np.array(
        [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0],
        dtype=float,
    )
    model = ri.RandomInterceptLikelihood(y, np.ones((30, 1)), g, 15)
    md = model.modes(np.full(30, 0.3), s)
    assert md.converged.all() and (md.decrement <= ri.MODE_TOL).all()
    for k in range(6):
        events = y[g == k].sum()

        def score(u: float, events: float = events) -> float:
            return events - 5 * special.expit(0.3 + u) - u / s**2

        root = optimize.brentq(score, -1e4, 1e4, xtol=1e-13)
        assert md.mode[k] == pytest.approx(root, abs=1e-8)


@pytest.mark.parametrize("n_points", [1, 5, 15])
def test_the_gradient_is_that_of_the_reported_objective(n_points: int) -> None:
    # the optimiser maximises the N-node approximation; its gradient must be that function's
    # derivative (central differences of the same function), not the exact integral's
    y, X, g = simulate_design(60, 4, 2.0, 0.7, seed=2)
    model = ri.RandomInterceptLikelihood(y, X.to_numpy(), g, n_points)
    theta = np.array([1.0, 0.3, -0.2, np.log(1.5)])
    _, grad, _ = model.value_and_grad(theta)
    h = 1e-6
    numeric = [
        (model.loglik(theta + h * e) - model.loglik(theta - h * e)) / (2 * h)
        for e in np.eye(len(theta))
    ]
    assert np.allclose(grad, numeric, atol=2e-7, rtol=1e-7)


def test_the_node_count_reported_is_the_one_used() -> None:
    y, X, g = simulate_design(32, 30, 0.5, 0.12, seed=1)
    for n_points, tolerance in ((7, np.inf), (15, 1e-5)):
        fit = est.fit_random_intercept(y, X, g, n_points, quadrature_tolerance=tolerance)
        used = int(fit.extra["quadrature_points"])
        theta = np.append(fit.params, np.log(fit.extra["programme_sd"]))
        # the reported log-likelihood is the one of that many nodes, and not of another
        assert fit.extra["llf"] == pytest.approx(
            ri.RandomInterceptLikelihood(y, X.to_numpy(), g, used).loglik(theta), abs=1e-10
        )
        assert used == n_points  # this design needs no more than asked for
    other = ri.RandomInterceptLikelihood(y, X.to_numpy(), g, 3).loglik(theta)
    assert abs(other - fit.extra["llf"]) > 1e-6


def test_a_mode_search_that_fails_is_reported_and_the_fit_not_used(monkeypatch) -> None:
    monkeypatch.setattr(ri, "MODE_MAX_ITER", 1)
    y, X, g = simulate_design(250, 4, 2.0, 0.86, seed=1)
    fit = est.fit_random_intercept(y, X, g)
    assert not fit.converged
    assert any("conditional mode not found for" in w for w in fit.warnings)
    # in the pipeline: a warning in warnings.csv, and no estimates reported
    s = Settings(
        estimators=["random_intercept"],
        alpha=0.05,
        quadrature_points=15,
        quadrature_tolerance=1e-5,
        firth_epv_threshold=10,
        missing_data=["complete_case"],
        imputation={},
        bootstrap={},
        predictions={},
    )
    log = FitLog()
    fits = complete_case_fits(y, X, g, s, ["random_intercept"], False, log)
    assert fits == {}
    rows = log.frame()
    assert "non_convergence" in set(rows["kind"])
    assert rows["message"].str.contains("estimates are not reported").any()


@pytest.mark.slow
@pytest.mark.parametrize(("name", "G", "m", "sd", "prevalence"), SWEEP, ids=[d[0] for d in SWEEP])
def test_validation_sweep(name: str, G: int, m: int, sd: float, prevalence: float) -> None:
    # every design is within tolerance of the exact likelihood, or flagged as not converged
    y, X, g = simulate_design(G, m, sd, prevalence, seed=1)
    fit = est.fit_random_intercept(y, X, g)
    if est.check_separation(y, X).separated:
        assert not fit.converged, "separated data must not be reported as converged"
        return
    assert fit.converged, fit.warnings
    diff = compare_with_exact(y, X, g, fit)
    assert diff["llf"] < TOL_LLF and diff["coef"] < TOL_COEF and diff["sd"] < TOL_SD, diff


@pytest.mark.slow
def test_glmer_at_the_same_number_of_nodes(tmp_path: Path) -> None:
    # lme4's glmer(nAGQ = 15) maximises the same 15-node approximation: both agree within the
    # tolerances of methods.md on every non-separated sweep design; where glmer stops at a
    # lower log-likelihood the test says so rather than failing
    rscript = require_rscript()
    designs, fits = {}, {}
    for i, (name, G, m, sd, prevalence) in enumerate(SWEEP):
        y, X, g = simulate_design(G, m, sd, prevalence, seed=1)
        if not est.check_separation(y, X).separated:
            designs[f"design{i:02d}"] = (y, X, g)
            fit = est.fit_random_intercept(y, X, g, 15, quadrature_tolerance=np.inf)
            fits[f"design{i:02d}"] = (name, fit)
    ref = glmer_estimates(rscript, designs, tmp_path, 15)
    worse = []
    for key, (name, fit) in fits.items():
        assert fit.converged and fit.extra["quadrature_points"] == 15, name
        r = ref[ref["design"] == key]
        b = r[r["quantity"] == "estimate"].set_index("term")["value"].reindex(fit.params.index)
        one = r.set_index("quantity")["value"]
        ll = float(one["loglik"])
        if fit.extra["llf"] - ll > TOL_LLF:
            worse.append(f"{name}: glmer stopped at {ll:.6f} < ipseval's {fit.extra['llf']:.6f}")
            continue
        assert ll - fit.extra["llf"] < TOL_LLF, f"{name}: glmer found a higher optimum"
        assert np.max(np.abs(b.to_numpy() - fit.params.to_numpy())) < TOL_COEF, name
        assert abs(float(one["programme_sd"]) - fit.extra["programme_sd"]) < TOL_SD, name
    print("\n".join(worse) or "glmer reached ipseval's optimum on every design")


def test_the_documented_sweep_covers_the_tested_designs() -> None:
    # docs/models.md's table is made by benchmarks/random_intercept_sweep.py from these designs
    text = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    table = text.split("<!-- sweep:start -->")[1].split("<!-- sweep:end -->")[0]
    rows = [r.split("|")[1:-1] for r in table.strip().splitlines()[2:]]
    assert [r[0].strip() for r in rows] == [d[0] for d in SWEEP]
    assert {r[6].strip() for r in rows} <= {"yes", "no: separated"}


# --- each of the optimiser's checks, alone, marks the fit not converged ---------------------


def _design(seed: int = 3, G: int = 20, m: int = 15, sd: float = 1.5):
    """G programmes of m with a programme SD of `sd` and one standard-normal predictor."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(G), m)
    x = rng.normal(size=G * m)
    u = rng.normal(0, sd, G)
    y = (rng.random(G * m) < special.expit(x + u[g])).astype(float)
    return y, pd.DataFrame({"Intercept": 1.0, "x": x}), g


def test_a_clean_maximum_reports_its_own_checks() -> None:
    y, X, g = _design()
    r = ri.maximise(y, X, g, 15, np.zeros(3))
    assert r.converged is True and r.messages == [] and not r.at_boundary
    assert r.modes_not_converged == 0
    assert isinstance(r.max_mode_decrement, float) and 0 <= r.max_mode_decrement <= ri.MODE_TOL
    # the quadrature check is the log-likelihood's move from N to 2N + 1 nodes, by definition
    finer = ri.RandomInterceptLikelihood(y, X.to_numpy(), g, 31).loglik(r.theta)
    assert r.quadrature_check == pytest.approx(abs(finer - r.llf), rel=1e-9, abs=1e-15)
    assert np.isfinite(r.cov_full).all()


def test_an_observed_information_that_is_singular_is_not_a_maximum() -> None:
    # the predictor entered twice: the likelihood is flat along x - x2, so no maximum is
    # identified although score and modes are fine
    y, X, g = _design()
    r = ri.maximise(y, X.assign(x2=X["x"]), g, 15, np.zeros(4))
    assert r.converged is False and r.max_abs_score <= ri.GRADIENT_TOL
    assert r.messages == [
        "observed information not positive definite at the returned point: "
        "the estimates are not a maximum"
    ]
    assert np.isnan(r.cov_full).all()


def test_an_sd_at_the_upper_bound_alone_is_not_converged(monkeypatch) -> None:
    # the bound moved below the SD the data support (about 1.24): the optimum sits on it; the
    # score check is switched off so that only the bound check can say so
    monkeypatch.setattr(ri, "LOG_SD_CEILING", np.log(0.8))
    monkeypatch.setattr(ri, "GRADIENT_TOL", np.inf)
    y, X, g = _design()
    r = ri.maximise(y, X, g, 15, np.zeros(3))
    assert r.theta[-1] == pytest.approx(np.log(0.8))
    assert r.converged is False
    assert r.messages == [
        "programme SD at the upper bound exp(-0.223144): the data do not bound it "
        "(every programme all events or all non-events?)"
    ]


def test_a_score_above_the_tolerance_alone_is_not_converged(monkeypatch) -> None:
    monkeypatch.setattr(ri, "GRADIENT_TOL", 0.0)
    y, X, g = _design()
    r = ri.maximise(y, X, g, 15, np.zeros(3))
    assert r.converged is False
    # the optimiser itself stopped normally, so the message does not quote it
    assert r.messages == [f"score at the returned point {r.max_abs_score:.2g} > 0"]


def test_a_mode_not_found_alone_is_not_converged(monkeypatch) -> None:
    monkeypatch.setattr(ri, "MODE_MAX_ITER", 1)
    y, X, g = _design()
    r = ri.maximise(y, X, g, 15, np.zeros(3))
    assert r.converged is False and r.modes_not_converged > 0
    assert any(m.startswith("conditional mode not found for") for m in r.messages)


def test_the_node_count_never_exceeds_max_points() -> None:
    # asked for 64 nodes and a tolerance no fit meets: 2 * 64 + 1 = 129 > MAX_POINTS (127),
    # so no refit; the fit says the quadrature still moves
    y, X, g = _design(G=10, m=8)
    r = ri.fit(y, X, g, 64, tolerance=-1.0)
    assert r.n_points == 64
    assert r.messages[-1].startswith("quadrature: with 64 nodes the log-likelihood still moves")


def test_a_boundary_fit_has_no_quadrature_to_check() -> None:
    # ten identical programmes: the programme SD's maximum is at 0, where the model is the
    # plain logit (no integral); even a zero tolerance is met and nothing is said about nodes
    g = np.repeat(np.arange(10), 8)
    x = np.tile(np.linspace(-1, 1, 8), 10)
    y = np.tile([0, 1, 0, 0, 1, 0, 1, 1], 10).astype(float)
    r = ri.fit(y, pd.DataFrame({"Intercept": 1.0, "x": x}), g, 15, tolerance=0.0)
    assert r.at_boundary and r.converged and r.quadrature_check == 0.0
    assert r.messages == ["programme variance estimated at the boundary (0): ICC = MOR - 1 = 0"]


def test_bounds_that_do_not_bind_change_nothing(monkeypatch) -> None:
    # the SD's floor and ceiling moved to half a log-unit either side of the estimate: the
    # maximum is interior, so the same estimate, converged, and neither bound reported
    y, X, g = _design()
    free = ri.maximise(y, X, g, 15, np.zeros(3))
    monkeypatch.setattr(ri, "LOG_SD_FLOOR", free.theta[-1] - 0.5)
    monkeypatch.setattr(ri, "LOG_SD_CEILING", free.theta[-1] + 0.5)
    r = ri.maximise(y, X, g, 15, np.zeros(3))
    assert r.converged is True and not r.at_boundary and r.messages == []
    assert r.theta == pytest.approx(free.theta, abs=1e-6)


def test_the_covariance_is_the_inverse_observed_information_to_1e_7() -> None:
    # reference: the Hessian of the reported objective by Richardson-extrapolated central
    # differences of its analytic gradient (agreeing with a halved step to about 1e-11)
    y, X, g = _design()
    r = ri.maximise(y, X, g, 15, np.zeros(3))
    model = ri.RandomInterceptLikelihood(y, X.to_numpy(), g, 15)

    def central(h: float) -> np.ndarray:
        cols = []
        for j in range(len(r.theta)):
            e = np.zeros(len(r.theta))
            e[j] = h
            plus, minus = model.neg_and_grad(r.theta + e)[1], model.neg_and_grad(r.theta - e)[1]
            cols.append((plus - minus) / (2 * h))
        h_ = np.column_stack(cols)
        return (h_ + h_.T) / 2

    reference = np.linalg.inv((4 * central(5e-4) - central(1e-3)) / 3)
    assert r.cov_full == pytest.approx(reference, rel=1e-7)


def test_a_mode_pinned_at_floating_point_resolution_counts_as_found() -> None:
    # one programme of a million participants, all employed, SD at the ceiling: the score
    # (a sum of a million terms) cannot be computed to MODE_TOL, but the bracket pins the
    # root as closely as floating point allows; the mode is found, and is the root
    n, s = 10**6, np.exp(ri.LOG_SD_CEILING)
    model = ri.RandomInterceptLikelihood(np.ones(n), np.ones((n, 1)), np.zeros(n, int), 1)
    md = model.modes(np.zeros(n), s)
    root = optimize.brentq(lambda u: n * special.expit(-u) - u / s**2, 0, 100, xtol=1e-15)
    # within 1e-8 posterior SDs (1 - expit(u) loses digits here: the mode is 7e-8 off)
    assert md.mode[0] == pytest.approx(root, abs=1e-8 * md.scale[0])
    assert md.decrement[0] > ri.MODE_TOL  # what the score alone would call not found
    assert md.converged.all()


def test_an_optimiser_that_stops_early_is_quoted(monkeypatch) -> None:
    # L-BFGS-B limited to 2 iterations: the score is far from 0, and the message says why
    real = optimize.minimize

    def two_iterations(*args, **kwargs):
        kwargs["options"] = {**kwargs["options"], "maxiter": 2}
        return real(*args, **kwargs)

    monkeypatch.setattr(ri.optimize, "minimize", two_iterations)
    y, X, g = _design()
    r = ri.maximise(y, X, g, 15, np.zeros(3))
    assert r.converged is False
    assert r.messages[0].startswith("score at the returned point")
    assert r.messages[0].endswith("(optimiser: STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT)")
