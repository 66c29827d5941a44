"""The simulation study and the specification curve: performance measures from constructed
input, estimates against a known truth, and cells against an independent statsmodels fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from support import sim_scenario

from ipseval.models import curve as mv_curve
from ipseval.models import multiverse as mv
from ipseval.models.design import ModelSpecError
from ipseval.synthetic import simstudy
from ipseval.synthetic.simulate import Scenario, simulate


@pytest.fixture
def study(config: dict) -> dict:
    s = dict(config["simulation"])
    s["estimators"] = ["logit_cr1", "gee_br"]
    return s


def test_replicates_do_not_depend_on_chunking(study: dict, config: dict) -> None:
    whole = simstudy.run_replicates(study, "common", range(4), config["models"])
    parts = pd.concat(
        [
            simstudy.run_replicates(study, "common", range(0, 1), config["models"]),
            simstudy.run_replicates(study, "common", range(1, 4), config["models"]),
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(whole, parts)
    assert whole["replicate"].nunique() == 4
    assert simstudy.chunks(10, 4) == [(0, 4), (4, 8), (8, 10)]


def test_performance_measures_from_constructed_estimates() -> None:
    # Three replicates of one term with truth 2: estimates 1, 2, 3 (bias 0, empirical SE 1),
    # intervals covering the truth in 2 of 3, p < 0.05 in 1 of 3 (Morris et al. 2019, table 6).
    est = pd.DataFrame(
        {
            "scenario": "s",
            "replicate": [0, 1, 2],
            "estimator": "e",
            "term": "x",
            "level": "participant",
            "truth": 2.0,
            "estimate": [1.0, 2.0, 3.0],
            "std_error": [0.5, 0.5, 0.5],
            "ci_low": [0.0, 1.5, 2.5],
            "ci_high": [2.5, 2.5, 3.5],
            "p_value": [0.2, 0.01, 0.3],
            "status": "ok",
            "events": 10,
        }
    )
    row = simstudy.summarise(est, 0.05).iloc[0]
    assert row["bias"] == pytest.approx(0.0)
    assert row["empirical_se"] == pytest.approx(1.0)
    assert row["bias_mcse"] == pytest.approx(1 / np.sqrt(3))
    assert row["coverage"] == pytest.approx(2 / 3)
    assert row["coverage_mcse"] == pytest.approx(np.sqrt(2 / 3 * 1 / 3 / 3))
    assert row["rejection"] == pytest.approx(1 / 3)
    assert not row["null_effect"]
    # A failed replicate is counted, not used.
    failed = est.iloc[[0]].assign(replicate=3, estimate=np.nan, status="separated")
    row = simstudy.summarise(pd.concat([est, failed]), 0.05).iloc[0]
    assert (row["used"], row["replicates"], row["failed_share"]) == (3, 4, 0.25)


def test_estimates_recover_the_simulation_truth(study: dict, config: dict) -> None:
    # 60 replicates of the common scenario: every term's mean error is within 3.5 Monte
    # Carlo SEs of 0, and the programme-level null (caseload) has a true value of 0.
    est = simstudy.run_replicates(study, "common", range(60), config["models"])
    summ = simstudy.summarise(est, 0.05)
    assert (summ["used"] == 60).all()
    assert (summ["bias"].abs() < 3.5 * summ["bias_mcse"]).all(), summ[["term", "bias", "bias_mcse"]]
    caseload = summ[summ["term"] == "caseload"]
    assert (caseload["truth"] == 0).all() and caseload["null_effect"].all()
    age = summ[(summ["term"] == "age")].iloc[0]
    assert age["truth"] == pytest.approx(-0.3)  # -0.03 per year, coded per 10 years
    head = simstudy.headline(summ, ["caseload", "sex[male]"])
    assert list(head["estimator"]) == ["logit_cr1", "gee_br"]
    with pytest.raises(ModelSpecError, match="non-zero truth"):
        simstudy.headline(summ, ["age"])
    with pytest.raises(ModelSpecError, match="not terms"):
        simstudy.headline(summ, ["nonsense"])


@pytest.fixture(scope="module")
def sim_people() -> pd.DataFrame:
    data = simulate(sim_scenario(n=900, intercept=0.0), seed=21)
    return data.rename(columns={"y_sim": "y_common"}).assign(
        y_rare=lambda d: ((d["y_common"] == 1) & (d["work_history"] == "lt6m")).astype(int)
    )


CELL = {
    "outcome": "common",
    "predictor_set": "core",
    "sample": "all",
    "missing_data": "complete_case",
}


def test_cell_matches_an_independent_statsmodels_fit_in_a_restricted_sample(
    sim_people: pd.DataFrame, config: dict
) -> None:
    models = config["models"]
    names = ["age", "work_history", "time_in_programme", "caseload"]
    cell = {**CELL, "sample": "over_6_months"}
    rows = mv.fit_cell(
        sim_people, cell, models["predictors"], names, {"time_gt_6m": [1]}, ["logit_cr1"], models
    )
    # The predictor that defines the sample is dropped.
    assert set(rows["dropped_predictors"]) == {"time_in_programme"}
    assert "time_in_programme" not in set(rows["term"])
    sub = sim_people[sim_people["time_gt_6m"] == 1].assign(
        age10=lambda d: (d["age"] - 40) / 10, case5=lambda d: (d["caseload"] - 10) / 5
    )
    ref = smf.logit("y_common ~ age10 + C(work_history, Treatment('lt6m')) + case5", sub).fit(
        disp=0
    )
    got = rows.set_index("term")["estimate"]
    assert got["caseload"] == pytest.approx(ref.params["case5"], rel=1e-6)
    assert got["age"] == pytest.approx(ref.params["age10"], rel=1e-6)
    assert got["work_history[never]"] == pytest.approx(
        ref.params["C(work_history, Treatment('lt6m'))[T.never]"], rel=1e-6
    )
    assert (rows["n"] == len(sub)).all()


def test_separated_cell_keeps_firth_and_marks_ml(sim_people: pd.DataFrame, config: dict) -> None:
    # y_rare is 0 for everyone outside work history lt6m: every other level is separated.
    models = config["models"]
    rows = mv.fit_cell(
        sim_people,
        {**CELL, "outcome": "rare"},
        models["predictors"],
        ["work_history", "caseload"],
        {},
        ["gee_br", "firth"],
        models,
    )
    status = rows.groupby("estimator")["status"].first()
    assert status["gee_br"] == "separated" and status["firth"] == "ok"
    assert rows.loc[rows["estimator"] == "gee_br", "estimate"].isna().all()


def test_curve_and_summary_from_constructed_specifications() -> None:
    specs = pd.DataFrame(
        {
            "outcome": ["a", "a", "b", "b"],
            "predictor_set": "s",
            "sample": "all",
            "missing_data": "complete_case",
            "estimator": ["e1", "e2", "e1", "e2"],
            "term": "x",
            "estimate": [-0.5, 0.2, -1.0, np.nan],
            "p_value": [0.01, 0.5, 0.2, np.nan],
            "ci_low": [-0.9, -0.2, -2.0, np.nan],
            "ci_high": [-0.1, 0.6, 0.0, np.nan],
            "status": ["ok", "ok", "ok", "separated"],
        }
    )
    c = mv_curve.curve(specs, "x", 0.05)
    assert list(c["estimate"]) == [-1.0, -0.5, 0.2]
    assert list(c["class"]) == ["not_significant", "significant_negative", "not_significant"]
    s = mv_curve.summary(specs, ["x"], 0.05).iloc[0]
    assert (s["specifications"], s["estimated"]) == (4, 3)
    assert s["median_odds_ratio"] == pytest.approx(np.exp(-0.5))
    assert s["share_below_1"] == pytest.approx(2 / 3)
    assert s["share_significant_negative"] == pytest.approx(1 / 3)
    grid = {"outcomes": ["a", "b"], "predictor_sets": ["s"], "samples": ["all", "x"]}
    assert len(mv.cells({**grid, "missing_data": ["complete_case"]})) == 4


def test_multiverse_config_cross_references(config: dict) -> None:
    mv.check_config(config)
    bad = {**config, "multiverse": {**config["multiverse"], "predictor_sets": {"tiny": ["age"]}}}
    with pytest.raises(ModelSpecError, match="lacks the focus predictor"):
        mv.check_config(bad)
    grids = {"default": {**config["multiverse"]["grids"]["default"], "samples": ["nowhere"]}}
    bad = {**config, "multiverse": {**config["multiverse"], "grids": grids}}
    with pytest.raises(ModelSpecError, match="unknown \\['nowhere'\\]"):
        mv.check_config(bad)


@pytest.mark.slow
def test_coverage_and_type_i_error_are_nominal_where_the_theory_holds(config: dict) -> None:
    # with many programmes the cluster-robust logit is valid: every interval's coverage is
    # within 3 Monte Carlo SEs of 95 % and the null terms' rejection rate within 3 of 5 %
    # (mutations that shrink the SEs, test on the wrong df or miscount coverage fail this)
    study = dict(config["simulation"])
    study["estimators"] = ["logit_cr1"]
    study["design"] = {**study["design"], "n": 1500, "programmes": 150, "programme_sd": 0.3}
    study["scenarios"] = {"many": {"label": "150 programmes", "intercept": 0.0}}
    est = simstudy.run_replicates(study, "many", range(300), config["models"])
    summ = simstudy.summarise(est, 0.05)
    assert (summ["used"] == 300).all()
    # the marginal logit's truth is attenuated (SD 0.3: factor ~0.985): score coverage on
    # the null terms, whose population-averaged truth is 0 as well, and on the rest loosely
    nulls = summ[summ["null_effect"]]
    assert len(nulls) >= 2
    assert ((nulls["coverage"] - 0.95).abs() < 3 * nulls["coverage_mcse"]).all(), nulls
    assert ((nulls["rejection"] - 0.05).abs() < 3 * nulls["rejection_mcse"]).all(), nulls
    assert (summ["coverage"] > 0.95 - 4 * summ["coverage_mcse"]).all(), summ


def test_the_simulation_has_no_truth_of_its_own() -> None:
    # the truth and its centres come from a config, never from a default in the package
    with pytest.raises(TypeError):
        Scenario(n=100)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="no column 'education_code'"):
        simulate(Scenario(truth={"education_code": {"per_unit": 1.0}}, centres={}, n=50), seed=1)


def test_a_slope_is_centred_where_the_config_says() -> None:
    # b * (age - (c + 10)) = b * (age - c) - 10 b: moving the centre up 10 years with
    # b = -0.03 is moving the intercept up 0.3
    truth = {"age": {"per_unit": -0.03}}
    a = simulate(Scenario(truth=truth, centres={"age": 50}, n=900, intercept=-1.0), seed=4)
    b = simulate(Scenario(truth=truth, centres={"age": 40}, n=900, intercept=-0.7), seed=4)
    assert a["y_sim"].equals(b["y_sim"]) and a["y_sim"].sum() > 50
