"""The model layer: specifications from config, the design, recovery of known truths,
separation, missing data, and the evaluation measures against independent references."""

from __future__ import annotations

import copy
import warnings

import glmm_exact
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import special
from sklearn.metrics import roc_auc_score
from statsmodels.imputation.mice import MICE
from support import sim_scenario

from ipseval.models import estimators as est
from ipseval.models import evaluate
from ipseval.models.design import ModelSpecError, Specification, build_design, check_models_config
from ipseval.models.fits import ResultCheckError, Settings, check_results, fit_outcome_spec
from ipseval.models.imputation import impute, rubin_pool
from ipseval.models.truth import truth_by_column, truth_for_terms
from ipseval.synthetic.simulate import simulate


@pytest.fixture(scope="module")
def models_cfg(config: dict) -> dict:
    return config["models"]


@pytest.fixture(scope="module")
def settings(models_cfg: dict) -> Settings:
    s = Settings.from_config(models_cfg)
    s.bootstrap = {"replicates": 30, "seed": 1}
    s.imputation = dict(s.imputation, n_imputations=4, n_burnin=3, n_skip=1)
    return s


def core(models_cfg: dict) -> Specification:
    return Specification.from_config("core", models_cfg)


# --- config and design -------------------------------------------------------------------------


def test_unknown_predictor_or_outcome_is_named(config: dict) -> None:
    bad = copy.deepcopy(config)
    bad["models"]["specifications"]["core"].append("shoe_size")
    with pytest.raises(ModelSpecError, match="specification 'core': unknown predictor 'shoe_size'"):
        check_models_config(bad)
    bad = copy.deepcopy(config)
    bad["models"]["outcomes"].append("lottery_win")
    with pytest.raises(ModelSpecError, match="unknown outcome 'lottery_win'"):
        check_models_config(bad)
    bad = copy.deepcopy(config)
    bad["models"]["estimators"] = ["logit_cr1", "firth"]
    with pytest.raises(ModelSpecError, match="programme_level_estimator: 'gee_br' is not in"):
        check_models_config(bad)


def test_a_predictor_with_one_level_stops_the_fit_naming_it(models_cfg: dict) -> None:
    data = simulate(sim_scenario(n=400), seed=1)
    data["sex_code"] = "female"
    with pytest.raises(ModelSpecError) as err:
        build_design(data, "sim", core(models_cfg))
    # the reference level is the only one found
    assert "outcome 'sim', specification 'core', predictor 'sex'" in str(err.value)


def test_an_outcome_without_events_stops_the_fit(models_cfg: dict) -> None:
    data = simulate(sim_scenario(n=400), seed=1)
    data["y_sim"] = 0
    with pytest.raises(ModelSpecError, match="outcome 'sim', specification 'core': no events"):
        build_design(data, "sim", core(models_cfg))


def test_missing_reference_level_is_named(models_cfg: dict) -> None:
    data = simulate(sim_scenario(n=400), seed=1)
    data.loc[data["work_history"] == "lt6m", "work_history"] = "6m_2y"
    with pytest.raises(ModelSpecError, match="predictor 'work_history': reference level 'lt6m'"):
        build_design(data, "sim", core(models_cfg))


def test_coding_centres_scales_and_collapses(models_cfg: dict) -> None:
    data = simulate(sim_scenario(n=600), seed=2)
    d = build_design(data, "sim", core(models_cfg))
    X = d.matrix()
    np.testing.assert_allclose(X["age"], (data["age"] - 40) / 10)
    np.testing.assert_allclose(X["caseload"], (data["caseload"] - 10) / 5)
    # anxiety is collapsed into 'other' (config), depression is the reference
    assert d.levels["diagnosis"][0] == "depression" and "anxiety" not in d.levels["diagnosis"]
    is_other = data["diagnosis_group"].isin(["anxiety", "other"]).to_numpy()
    np.testing.assert_array_equal(X["diagnosis[other]"].to_numpy() == 1, is_other)


def test_truth_terms_follow_scale_reference_and_collapse(models_cfg: dict, config: dict) -> None:
    import yaml
    from conftest import ROOT

    gen = yaml.safe_load((ROOT / config["data"]["generator"]).read_text(encoding="utf-8"))
    d = build_design(simulate(sim_scenario(n=600), seed=2), "sim", core(models_cfg))
    truth = truth_for_terms(d, truth_by_column(gen["truth"]))
    assert truth["age"] == pytest.approx(gen["truth"]["age_per_10_years"])
    assert truth["caseload"] == pytest.approx(gen["truth"]["caseload_per_5"])
    assert truth["diagnosis[psychosis]"] == pytest.approx(gen["truth"]["psychosis"])
    assert truth["diagnosis[other]"] == 0.0  # anxiety, ID, other, unknown all 0
    assert truth["work_history[never]"] == pytest.approx(gen["truth"]["work_history"]["never"])
    assert "sex[male]" not in truth and "time_in_programme" not in truth


# --- recovery of known coefficients ------------------------------------------------------------


@pytest.fixture(scope="module")
def large_no_cluster(models_cfg: dict):
    sc = sim_scenario(n=20000, programmes=100, programme_sd=0.0, intercept=-1.0)
    d = build_design(simulate(sc, seed=7), "sim", core(models_cfg))
    return d, truth_for_terms(d, sc.truth)


@pytest.mark.parametrize("estimator", ["logit_cr1", "gee_br", "random_intercept", "firth"])
def test_each_estimator_recovers_known_coefficients(large_no_cluster, estimator: str) -> None:
    design, truth = large_no_cluster
    y, X, g = design.complete_case()
    fit = {
        "logit_cr1": lambda: est.fit_logit_cr1(y, X, g),
        "gee_br": lambda: est.fit_gee_br(y, X, g),
        "random_intercept": lambda: est.fit_random_intercept(y, X, g),
        "firth": lambda: est.fit_firth(y, X, profile=False),
    }[estimator]()
    assert fit.converged
    assert set(truth) == set(X.columns) - {"Intercept"}  # every slope has a truth
    for term, value in truth.items():
        err = fit.params[term] - value
        assert abs(err) < 4 * fit.bse[term] and abs(err) < 0.15, (term, value, fit.params[term])
    assert abs(fit.params["Intercept"] - (-1.0)) < 0.15


def test_random_intercept_recovers_the_programme_variance(models_cfg: dict) -> None:
    sc = sim_scenario(n=20000, programmes=200, programme_sd=0.5, intercept=-1.0)
    d = build_design(simulate(sc, seed=8), "sim", core(models_cfg))
    y, X, g = d.complete_case()
    fit = est.fit_random_intercept(y, X, g)
    truth = truth_for_terms(d, sc.truth)
    assert abs(fit.extra["programme_sd"] - 0.5) < 0.1
    assert fit.extra["programme_sd_ci_low"] < 0.5 < fit.extra["programme_sd_ci_high"]
    for term, value in truth.items():
        assert abs(fit.params[term] - value) < 4 * fit.bse[term], term
    icc = 0.25 / (0.25 + np.pi**2 / 3)
    assert abs(fit.extra["icc"] - icc) < 0.03
    assert fit.extra["median_odds_ratio"] == pytest.approx(
        np.exp(np.sqrt(2) * fit.extra["programme_sd"] * 0.6744897501960817)
    )


def test_an_sd_interval_unbounded_above_is_infinite_without_warnings() -> None:
    # an SD just above 0 whose log-SD has a huge standard error: the data do not bound it
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        e = est.programme_variation(0.01, 1000.0, at_boundary=False, alpha=0.05)
        b = est.programme_variation(1e-4, 3.0, at_boundary=True, alpha=0.05)
    assert e["programme_sd_ci_high"] == np.inf and e["median_odds_ratio_ci_high"] == np.inf
    assert e["icc_ci_high"] == 1.0 and 0 <= e["icc_ci_low"] <= e["icc"] < 1e-4
    assert e["programme_sd_ci_low"] == 0.0 and e["median_odds_ratio_ci_low"] == 1.0
    # at the boundary the SD is 0 and its upper limit is not determined
    assert b["programme_sd"] == 0.0 and b["icc"] == 0.0 and b["median_odds_ratio"] == 1.0
    assert np.isnan(b["programme_sd_ci_high"]) and np.isnan(b["icc_ci_high"])


def test_an_sd_at_the_boundary_is_the_exact_likelihood_maximum(models_cfg: dict) -> None:
    # few events and programmes barely differing (this seed): the earlier estimator, whose
    # gradient was not that of its objective, stopped at SD ~0.005; the exact likelihood
    # (tests/glmm_exact.py, by scipy quad) is higher at SD 0, where the estimate now is
    spec = Specification.from_config(
        "minimal",
        {
            "predictors": models_cfg["predictors"],
            "specifications": {"minimal": ["age", "caseload"]},
        },
    )
    sc = sim_scenario(n=300, intercept=-3.0, programme_sd=0.3)
    y, X, g = build_design(simulate(sc, seed=17), "sim", spec).complete_case()
    fit = est.fit_random_intercept(y, X, g)
    assert fit.converged and fit.extra["programme_sd"] == 0.0
    assert any("boundary" in w for w in fit.warnings)
    assert fit.extra["quadrature_check"] == 0.0  # at SD 0 the likelihood needs no nodes
    pat = glmm_exact.patterns(y, X.to_numpy(), g)
    at_zero = glmm_exact.loglik(np.append(fit.params, 0.0), pat)
    assert fit.extra["llf"] == pytest.approx(at_zero, abs=1e-8)
    for sd in (0.005, 0.05):
        assert glmm_exact.loglik(np.append(fit.params, sd), pat) < at_zero
    # at SD 0 the model is the plain logit: same estimates and model-based SEs
    logit = sm.Logit(y, X).fit(disp=0)
    assert np.allclose(fit.params, logit.params, atol=1e-8)
    assert np.allclose(fit.bse, logit.bse, rtol=1e-6)


# --- separation --------------------------------------------------------------------------------


def test_zero_event_level_is_detected_and_routed_to_firth(
    models_cfg: dict, settings: Settings
) -> None:
    data = simulate(sim_scenario(n=900, intercept=-2.5), seed=3)
    data.loc[data["diagnosis_group"] == "bipolar", "y_sim"] = 0
    design = build_design(data, "sim", core(models_cfg))
    res = fit_outcome_spec(design, settings, truth=None)
    summary = res.summary.iloc[0]
    assert bool(summary["separation"]) and summary["recommended_estimator"] == "firth"
    fitted = set(res.coefficients["estimator"])
    assert fitted == {"firth"}, fitted  # no ML estimator is reported under separation
    w = res.warnings
    sep = w[w["kind"] == "separation"]["message"].iloc[0]
    assert "diagnosis[bipolar]" in sep and "no events" in sep
    assert set(w[w["kind"] == "not_fitted"]["estimator"]) >= {
        "logit_cr1",
        "gee_br",
        "random_intercept",
    }
    bip = res.coefficients.query("term == 'diagnosis[bipolar]' and method == 'complete_case'")
    assert -10 < bip["estimate"].iloc[0] < 0  # finite, penalised, no coefficient of -20


def test_result_check_catches_an_unflagged_huge_coefficient(
    models_cfg: dict, settings: Settings
) -> None:
    design = build_design(simulate(sim_scenario(n=900), seed=4), "sim", core(models_cfg))
    res = fit_outcome_spec(design, settings, truth=None)
    check_results(res, design)
    res.coefficients.loc[res.coefficients["term"] == "age", "estimate"] = 20.0
    with pytest.raises(ResultCheckError, match="without a separation warning"):
        check_results(res, design)


# --- missing data ------------------------------------------------------------------------------


def test_rubin_pooling_matches_statsmodels_mice_combine(models_cfg: dict) -> None:
    data = simulate(sim_scenario(n=900, age_missing=0.2), seed=5)
    design = build_design(data, "sim", core(models_cfg))
    imps = impute(design, n_imputations=5, n_burnin=3, n_skip=1, k_pmm=20, seed=1)
    y, g = design.y.to_numpy(), design.programme.to_numpy()
    fits = [est.fit_logit_cr1(y, design.matrix(d), g) for d in imps.datasets]
    est_, cov, df = rubin_pool(fits, complete_df=31)
    mice = MICE("y ~ 1", sm.Logit, None)
    mice.results_list = [f.result for f in fits]
    mice.exog_names, mice.endog_names = list(fits[0].params.index), "y"
    ref = mice.combine()
    np.testing.assert_allclose(est_, ref.params, rtol=1e-12)
    np.testing.assert_allclose(cov, ref.cov_params(), rtol=1e-12)
    assert ((df > 0) & (df <= 31)).all()


def test_barnard_rubin_df_without_between_variance(models_cfg: dict) -> None:
    data = simulate(sim_scenario(n=500), seed=6)
    design = build_design(data, "sim", core(models_cfg))
    y, X, g = design.complete_case()
    fit = est.fit_logit_cr1(y, X, g)
    _, cov, df = rubin_pool([fit, fit, fit], complete_df=31)
    # identical imputations: B = 0, so T = W and df = (v+1)/(v+3) v (Barnard & Rubin 1999)
    np.testing.assert_allclose(cov, fit.cov)
    np.testing.assert_allclose(df, 32 / 34 * 31)


def test_imputation_is_seeded_valid_and_constant_within_programme(config: dict) -> None:
    data = simulate(sim_scenario(n=900, age_missing=0.1), seed=9)
    data["sex_code"] = data["sex_code"].mask(np.arange(len(data)) % 37 == 0)
    data["months_active"] = (data["programme_id"] * 7) % 20 + 3.0
    data["months_active"] = data["months_active"].mask(data["programme_id"].isin([3, 11, 20]))
    cfg = copy.deepcopy(config["models"])
    cfg["specifications"]["mi_test"] = ["age", "sex", "work_history", "programme_maturity"]
    design = build_design(data, "sim", Specification.from_config("mi_test", cfg))
    a = impute(design, 3, 3, 1, 20, seed=11)
    b = impute(design, 3, 3, 1, 20, seed=11)
    assert all(x.equals(z) for x, z in zip(a.datasets, b.datasets, strict=True))
    for d in a.datasets:
        assert not d.isna().any().any()
        assert set(d["sex"]) <= set(design.levels["sex"])
        per_prog = d.groupby(design.programme.to_numpy())["programme_maturity"].nunique()
        assert (per_prog == 1).all()
        observed = design.coded["programme_maturity"].dropna().unique()
        assert set(d["programme_maturity"]) <= set(observed)  # PMM draws observed values
    assert a.n_missing["sex"] == int(data["sex_code"].isna().sum())


def test_the_imputation_model_and_its_schedule_are_the_ones_asked_for(
    config: dict, monkeypatch
) -> None:
    # every imputation model has the outcome, the programme's outcome rate and every other
    # predictor (methods.md), k_pmm donors as configured, and n_burnin cycles then n_skip + 1
    # cycles per imputation (statsmodels MICEData cycles, recorded by a subclass)
    import ipseval.models.imputation as imp

    seen: dict = {"cycles": []}

    class Recording(imp._ProgrammeMICEData):
        def __init__(self, data, **kw):
            seen["columns"], seen["k_pmm"] = list(data.columns), kw["k_pmm"]
            super().__init__(data, **kw)
            seen["fitting"] = {v: self.get_fitting_data(v)[1].shape[1] for v in data.columns}
            x = self.get_fitting_data("age")[1]
            seen["age_exog"] = x

        def update_all(self, n_iter=1):
            seen["cycles"].append(n_iter)
            super().update_all(n_iter)

    monkeypatch.setattr(imp, "_ProgrammeMICEData", Recording)
    data = simulate(sim_scenario(n=300, age_missing=0.2), seed=4)
    cfg = copy.deepcopy(config["models"])
    cfg["specifications"]["mi_test"] = ["age", "sex"]
    design = build_design(data, "sim", Specification.from_config("mi_test", cfg))
    impute(design, n_imputations=3, n_burnin=4, n_skip=2, k_pmm=7, seed=1)
    assert seen["columns"] == ["y_outcome", "programme_rate", "age", "sex"]
    assert seen["k_pmm"] == 7
    assert seen["cycles"] == [4, 3, 3, 3]
    # each model: intercept and the three other columns, never the variable itself
    assert set(seen["fitting"].values()) == {4}
    frame = pd.DataFrame({"y": design.y.to_numpy(dtype=float)})
    observed = design.coded["age"].notna().to_numpy()
    assert np.allclose(seen["age_exog"][:, 0], 1.0)
    assert np.allclose(seen["age_exog"][:, 1], frame["y"].to_numpy()[observed])


def test_multiple_imputation_recovers_the_age_effect(models_cfg: dict, settings: Settings) -> None:
    sc = sim_scenario(n=4000, programmes=60, programme_sd=0.0, age_missing=0.3)
    design = build_design(simulate(sc, seed=10), "sim", core(models_cfg))
    res = fit_outcome_spec(design, settings, truth=None)
    mi = res.coefficients.query("method == 'multiple_imputation' and estimator == 'logit_cr1'")
    age = mi.set_index("term").loc["age"]
    assert np.log(age["ci_low"]) < -0.3 < np.log(age["ci_high"])
    assert np.isfinite(age["df"]) and age["df"] < 59


# --- evaluation measures -----------------------------------------------------------------------


def test_auc_matches_scikit_learn() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 500).astype(float)
    p = np.round(rng.random(500) + 0.3 * y, 2)  # with ties
    assert evaluate.auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)


def test_calibration_of_the_true_model_is_ideal() -> None:
    rng = np.random.default_rng(2)
    lp = rng.normal(-1, 1.2, 200000)
    y = (rng.random(lp.size) < special.expit(lp)).astype(float)
    intercept, slope = evaluate.calibration(y, lp)
    assert abs(intercept) < 0.02 and abs(slope - 1) < 0.02


def test_calibration_fits_match_statsmodels_glm() -> None:
    """The hand-written Newton fit behind the calibration statistics against statsmodels."""
    rng = np.random.default_rng(4)
    for n, shift in ((120, -2.5), (900, 0.4), (5000, -0.8)):
        lp = rng.normal(shift, 1.5, n)
        y = (rng.random(n) < special.expit(0.3 + 0.7 * lp)).astype(float)
        ones = np.ones((n, 1))
        inter = sm.GLM(y, ones, family=sm.families.Binomial(), offset=lp).fit().params[0]
        slope = sm.GLM(y, np.column_stack([ones, lp]), family=sm.families.Binomial()).fit()
        got = evaluate.calibration(y, lp)
        assert got == pytest.approx((inter, slope.params[1]), rel=1e-8, abs=1e-10)
    # perfectly separated by lp: no finite slope, reported as NaN rather than a huge number
    lp = np.linspace(-3, 3, 50)
    assert np.isnan(evaluate.calibration((lp > 0).astype(float), lp)[1])


def test_calibration_fits_converge_far_from_the_default_design() -> None:
    # a linear predictor with a wide range (as an overfitted or near-separated model gives)
    # and a true slope far from 1: undamped Newton from slope 1 overshot and returned NaN in
    # about a quarter of such cases, which the bootstrap then silently left out
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(200):
        n, scale = int(rng.integers(50, 400)), float(rng.choice([5.0, 20.0]))
        lp = rng.normal(0, scale, n)
        y = (rng.random(n) < special.expit(-1 + rng.choice([0.05, 0.3]) * lp)).astype(float)
        X = np.column_stack([np.ones(n), lp])
        ref = sm.GLM(y, X, family=sm.families.Binomial()).fit(tol=1e-12, maxiter=200)
        if not ref.converged or np.max(np.abs(ref.params)) > 15:
            continue  # (quasi-)separated: no finite reference
        checked += 1
        got = evaluate.calibration(y, lp)[1]
        assert got == pytest.approx(ref.params[1], rel=1e-7, abs=1e-9)
    assert checked > 150


def test_optimism_correction_removes_apparent_skill_of_noise() -> None:
    rng = np.random.default_rng(3)
    n, k = 300, 15
    X = pd.DataFrame(rng.normal(size=(n, k)), columns=[f"x{i}" for i in range(k)])
    X.insert(0, "Intercept", 1.0)
    y = (rng.random(n) < 0.3).astype(float)  # unrelated to X
    g = np.repeat(np.arange(30), 10)
    params = pd.Series(sm.Logit(y, X).fit(disp=0).params, index=X.columns)
    boot = evaluate.bootstrap_performance(y, X, g, params, 100, 1, 0.05).set_index("statistic")
    # 15 noise predictors look skilful (apparent AUC ~0.69); the correction removes most of
    # it (Harrell's bootstrap is known to under-correct a little in samples this small)
    assert boot.loc["auc", "apparent"] > 0.6
    assert boot.loc["auc", "optimism"] > 0.05
    assert 0.5 <= boot.loc["auc", "corrected"] < 0.62
    assert boot.loc["calibration_slope", "corrected"] < 0.8  # overfitted: shrink


def test_average_marginal_effect_is_the_mean_discrete_change(models_cfg: dict) -> None:
    design = build_design(simulate(sim_scenario(n=1500), seed=12), "sim", core(models_cfg))
    y, X, g = design.complete_case()
    fit = est.fit_logit_cr1(y, X, g)
    ame = evaluate.marginal_effects(fit.result, 0.05).set_index("term")
    b = fit.params.to_numpy()
    on, off = X.copy(), X.copy()
    on["time_in_programme"], off["time_in_programme"] = 1.0, 0.0
    direct = np.mean(special.expit(on.to_numpy() @ b) - special.expit(off.to_numpy() @ b))
    assert ame.loc["time_in_programme", "ame"] == pytest.approx(direct, rel=1e-9)
    assert ame.loc["time_in_programme", "kind"] == "discrete change"
    assert ame.loc["age", "kind"] == "derivative"


def test_average_prediction_interval_matches_statsmodels_delta_method(models_cfg: dict) -> None:
    design = build_design(simulate(sim_scenario(n=1500), seed=13), "sim", core(models_cfg))
    y, X, g = design.complete_case()
    fit = est.fit_logit_cr1(y, X, g)
    mean, lo, hi = evaluate.average_prediction(
        X.to_numpy(), fit.params.to_numpy(), fit.cov.to_numpy(), 0.05
    )
    ref = fit.result.get_prediction(exog=X, average=True).summary_frame()
    assert mean == pytest.approx(ref["predicted"].iloc[0], rel=1e-12)
    se_logit = (special.logit(hi) - special.logit(lo)) / (2 * 1.959963984540054)
    # delta method: se(probability) = se(logit) * p (1 - p)
    assert se_logit * mean * (1 - mean) == pytest.approx(ref["se"].iloc[0], rel=1e-6)


def test_pooled_intervals_follow_rubins_rules_with_barnard_rubin_df() -> None:
    # five completed-data fits with different estimates and covariances; pooled estimate,
    # total variance, df and interval computed here from the formulas (Rubin 1987; Barnard &
    # Rubin 1999), independently of ipseval.models.imputation
    from scipy import stats

    from ipseval.models.imputation import pooled_table

    rng = np.random.default_rng(7)
    names = ["Intercept", "a", "b"]
    fits = []
    for _ in range(5):
        params = pd.Series(rng.normal([-1.0, 0.4, 0.1], [0.05, 0.15, 0.02]), index=names)
        a = rng.normal(size=(3, 3)) * 0.05
        cov = pd.DataFrame(a @ a.T + np.diag([0.04, 0.02, 0.01]), index=names, columns=names)
        fits.append(est.Fit("logit_cr1", params, cov, df=31, converged=True))
    table = pooled_table(fits, complete_df=31, alpha=0.05).set_index("term")
    m, v_com = 5, 31
    for k, term in enumerate(names):
        q = np.array([f.params.iloc[k] for f in fits])
        u = np.array([f.cov.iloc[k, k] for f in fits])
        qbar, ubar, b = q.mean(), u.mean(), q.var(ddof=1)
        t = ubar + (1 + 1 / m) * b
        lam = (1 + 1 / m) * b / t
        v_old = (m - 1) / lam**2
        v_obs = (v_com + 1) / (v_com + 3) * v_com * (1 - lam)
        v = v_old * v_obs / (v_old + v_obs)
        half = stats.t.ppf(0.975, v) * np.sqrt(t)
        r = table.loc[term]
        assert r["estimate"] == pytest.approx(qbar, rel=1e-12)
        assert r["std_error"] == pytest.approx(np.sqrt(t), rel=1e-12)
        assert r["df"] == pytest.approx(v, rel=1e-12)
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((qbar - half, qbar + half), rel=1e-12)
        assert r["p_value"] == pytest.approx(2 * stats.t.sf(abs(qbar) / np.sqrt(t), v), rel=1e-10)
