"""Practice and outcome (issue 28, part 2; ipseval.models.practice), against known truth:
evaluations simulated with 32 programmes, a participant-level case mix and a programme-level
practice item with a true odds ratio set on purpose. Expected values come from construction
(the truth), from hand computation, or from the definition of Holm's procedure, never from
the module's own output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special

from ipseval.models import practice as pr

G = 32


def simulate(
    rng: np.random.Generator, log_or: float, sd: float = 0.3
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, pd.DataFrame]:
    """One evaluation: outcome, case-mix design, programme ids and the item per programme
    (about half the programmes with the practice)."""
    sizes = rng.integers(10, 50, G)
    g = np.repeat(np.array([f"P{i:02d}" for i in range(G)]), sizes)
    codes = pd.factorize(g)[0]
    x = rng.normal(0, 1, len(g))
    item = (rng.random(G) < 0.5).astype(float)
    u = rng.normal(0, sd, G)
    eta = -0.5 + 0.7 * x + log_or * item[codes] + u[codes]
    y = (rng.random(len(g)) < special.expit(eta)).astype(float)
    X = pd.DataFrame({"Intercept": 1.0, "x": x})
    values = pd.DataFrame({"item": item}, index=pd.Index(pd.unique(g), name="programme_id"))
    return y, X, g, values


def test_a_practice_items_true_odds_ratio_is_covered_at_about_the_nominal_rate() -> None:
    """100 evaluations with a true odds ratio of 2: the bias-reduced GEE's t(G-1) intervals
    cover it in 95 % of them up to Monte Carlo error (at least 88 of 100), and the estimates
    centre on it."""
    rng = np.random.default_rng(2801)
    covered, estimates = 0, []
    for _ in range(100):
        y, X, g, values = simulate(rng, np.log(2.0))
        row = pr.associations(y, X, g, values, [], 0.05).iloc[0]
        covered += row["ci_low"] <= 2.0 <= row["ci_high"]
        estimates.append(np.log(row["odds_ratio"]))
    assert covered >= 88, covered
    assert abs(np.median(estimates) - np.log(2.0)) < 0.15


def test_without_an_effect_the_item_is_rejected_at_about_the_nominal_rate() -> None:
    """A true odds ratio of 1: rejected at alpha 0.05 in at most 10 of 100 evaluations
    (the nominal 5 plus two Monte Carlo standard errors and a little)."""
    rng = np.random.default_rng(2802)
    rejected = 0
    for _ in range(100):
        y, X, g, values = simulate(rng, 0.0)
        rejected += pr.associations(y, X, g, values, [], 0.05).iloc[0]["p_value"] < 0.05
    assert rejected <= 10, rejected


def test_holm_is_the_step_down_of_its_definition() -> None:
    """Holm's adjusted p-values, computed by hand from the definition: sort, multiply the
    i-th smallest by (m - i + 1), take the running maximum, cap at 1."""
    rng = np.random.default_rng(2803)
    y, X, g, values = simulate(rng, np.log(1.5))
    values = values.assign(
        other=rng.random(G).round(), third=rng.normal(0, 1, G), fourth=rng.random(G).round()
    )
    out = pr.associations(y, X, g, values, ["item", "third"], 0.05)
    single = out[out["model"] == "single"].set_index("item")
    p = single["p_value"].sort_values()
    m = len(p)
    by_hand = np.minimum(1, np.maximum.accumulate([(m - i) * v for i, v in enumerate(p)]))
    assert single.loc[p.index, "p_holm"].to_numpy() == pytest.approx(by_hand)
    fitted_together = out[out["model"] == "set"]
    assert list(fitted_together["item"]) == ["item", "third"]
    assert fitted_together["p_holm"].isna().all()  # the pre-registered set is not adjusted


def test_items_answered_by_too_few_programmes_or_constant_are_not_estimated() -> None:
    rng = np.random.default_rng(2804)
    y, X, g, values = simulate(rng, 0.0)
    values["constant"] = 1.0
    values["two"] = np.nan
    values.iloc[:2, values.columns.get_loc("two")] = [0.0, 1.0]
    out = pr.associations(y, X, g, values, [], 0.05).set_index("item")
    assert out.loc["constant", "odds_ratio"] != out.loc["constant", "odds_ratio"]  # NaN
    assert np.isnan(out.loc["two", "odds_ratio"]) and out.loc["two", "programmes"] == 2


def test_the_items_are_coded_from_the_programme_survey() -> None:
    programmes = pd.DataFrame(
        {
            "programme_id": ["A", "B", "C", "D"],
            "coop": ["Instämmer helt/i hög grad (5-6)", "Ej svar", "Instämmer delvis (3-4)", None],
            "caseload": [10, 15, None, 20],
        }
    )
    items = {
        "coop": {
            "column": "coop",
            "type": "binary",
            "positive": ["Instämmer helt/i hög grad (5-6)"],
            "missing": ["Ej svar"],
        },
        "caseload": {"column": "caseload", "type": "numeric", "centre": 10, "scale": 5},
        "absent": {"column": "not_there", "type": "numeric"},
    }
    coded = pr.coded_items(programmes, items)
    assert list(coded.columns) == ["coop", "caseload"]
    assert coded["coop"].tolist()[0] == 1.0 and coded["coop"].tolist()[2] == 0.0
    assert coded["coop"].isna().tolist() == [False, True, False, True]
    assert coded["caseload"].tolist()[:2] == [0.0, 1.0] and coded["caseload"].tolist()[3] == 2.0


def test_the_odds_ratio_at_the_wanted_power_is_interpolated_on_the_log_scale() -> None:
    """By hand: power 0.5 at OR 2 and 0.9 at OR 4; 0.8 lies three quarters of the way on
    the log scale: 2 ** 1.75."""
    table = pd.DataFrame({"odds_ratio": [1.0, 2.0, 4.0], "power": [0.05, 0.5, 0.9]})
    assert pr.interpolate(table, 0.8) == pytest.approx(2**1.75)
    assert pr.interpolate(table, 0.5) == 2.0
    assert pr.interpolate(table, 0.95) == float("inf")


def test_the_simulated_power_holds_the_level_at_one_and_rises_with_the_odds_ratio() -> None:
    """The minimum detectable odds ratio from the module's own simulation, on a design with
    a known truth: at OR 1 the rejection rate is the test's level (at most 0.15 of 60
    replicates), the power rises with the odds ratio, and the design with 32 programmes
    reaches 80 % at an odds ratio the grid brackets."""
    rng = np.random.default_rng(2805)
    _, X, g, values = simulate(rng, 0.0)
    eta = -0.5 + 0.7 * X["x"].to_numpy()
    table, at = pr.minimum_detectable(
        eta, X, g, values["item"], 0.3, [1.0, 2.0, 4.0, 8.0], 60, 1, "test", 0.05, 0.8
    )
    power = table.set_index("odds_ratio")["power"]
    assert power[1.0] <= 0.15
    assert power[8.0] >= 0.8 and power[8.0] > power[2.0] > power[1.0]
    assert 1.0 < at <= 8.0
    assert (table["replicates"] == 60).all()


@pytest.mark.parametrize("events", ["common", "rare, a sparse level"])
def test_the_power_simulations_refit_is_the_gee_of_statsmodels(events: str) -> None:
    """`estimators.gee_br_term` (the refit of the power simulation, hand-written for speed)
    gives statsmodels' GEE with the bias-reduced covariance (`fit_gee_br`): the same
    estimate and standard error of the item, to 1e-6, on clustered data in an order where
    the programmes are not contiguous; also with rare events and a level of 5 participants
    (quasi-separation is where two implementations of the iterations would part)."""
    from ipseval.models.estimators import fit_gee_br, gee_br_term

    rng = np.random.default_rng(2811 if events == "common" else 2812)
    for _ in range(5):
        y, X, g, values = simulate(rng, np.log(1.5))
        if events != "common":
            y = (rng.random(len(y)) < special.expit(-3.0 + 0.7 * X["x"])).to_numpy(float)
            X["sparse"] = 0.0
            X.loc[rng.choice(len(X), 5, replace=False), "sparse"] = 1.0
        order = rng.permutation(len(y))
        y, X, g = y[order], X.iloc[order].reset_index(drop=True), g[order]
        X["item"] = values["item"].reindex(g).to_numpy()
        reference = fit_gee_br(y, X, g)
        estimate, se = gee_br_term(y, X.to_numpy(), pd.factorize(g)[0], X.columns.get_loc("item"))
        assert estimate == pytest.approx(reference.params["item"], rel=1e-6, abs=1e-9)
        assert se == pytest.approx(reference.bse["item"], rel=1e-6)
