"""Simulation study of the estimators: bias, interval coverage and type-I error with Monte
Carlo standard errors, on data drawn (without calibration) with the design of the evaluation.

Each replicate draws a data set from `ipseval.synthetic.simulate` with a known truth, fits every
configured estimator with the settings the analysis uses, and records each term's estimate,
interval and p-value beside its truth. Replicate r of scenario s uses its own seed, derived
from (study seed, scenario name, r), so a replicate's numbers do not depend on how the
replicates are split into jobs or where the jobs run.

The performance measures and their Monte Carlo standard errors follow Morris, White &
Crowther (2019), "Using simulation studies to evaluate statistical methods", Stat Med 38,
table 6. They are a few lines of arithmetic each; no maintained Python library computes them
for arbitrary estimator output (hand-written for that reason).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ipseval.common.io import term_column
from ipseval.models import estimators as est
from ipseval.models.design import INTERCEPT, ModelSpecError, Specification, build_design
from ipseval.models.fits import FitLog, Settings, complete_case_fits
from ipseval.models.plan import chunks  # noqa: F401 - re-exported
from ipseval.models.truth import truth_for_terms
from ipseval.synthetic.simulate import Scenario, simulate

ESTIMATE_COLUMNS = [
    "scenario",
    "replicate",
    "estimator",
    "term",
    "level",
    "truth",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "status",
    "events",
]


def replicate_seed(seed: int, scenario: str, replicate: int) -> int:
    """The seed of one replicate: independent of chunking, job order and machine."""
    key = zlib.crc32(scenario.encode("utf-8"))
    return int(np.random.SeedSequence([seed, key, replicate]).generate_state(1)[0])


def scenario_from_config(study: Mapping[str, Any], name: str) -> Scenario:
    """The `Scenario` of `simulation.scenarios[name]`: the study's design and truth, the
    scenario's intercept (and any design value it overrides)."""
    values = {**study["design"], **study["scenarios"][name], "truth": study["truth"]}
    return Scenario.from_config(values | {"outcome": "sim"})


def fit_settings(models_cfg: Mapping[str, Any], estimators: Sequence[str]) -> Settings:
    """The estimation settings a replicate needs (complete data: no imputation, no bootstrap)."""
    return Settings(
        estimators=list(estimators),
        alpha=float(models_cfg["alpha"]),
        quadrature_points=int(models_cfg["quadrature_points"]),
        quadrature_tolerance=float(models_cfg["quadrature_tolerance"]),
        firth_epv_threshold=0.0,
        missing_data=["complete_case"],
        imputation={},
        bootstrap={},
        predictions={},
    )


def run_replicates(
    study: Mapping[str, Any],
    scenario_name: str,
    replicates: Sequence[int],
    models_cfg: Mapping[str, Any],
) -> pd.DataFrame:
    """Simulate and fit replicates `replicates` of one scenario: one row per replicate x
    estimator x term (`ESTIMATE_COLUMNS`). `models_cfg` holds the predictor catalogue,
    `alpha`, `quadrature_points` and `quadrature_tolerance` (as in the `models` section)."""
    scenario = scenario_from_config(study, scenario_name)
    spec = Specification.from_config(
        "simulation",
        {
            "predictors": models_cfg["predictors"],
            "specifications": {"simulation": study["predictors"]},
        },
    )
    settings = fit_settings(models_cfg, study["estimators"])
    level_of = {
        p.name: ("programme" if p.programme_level else "participant") for p in spec.predictors
    }
    rows: list[pd.DataFrame] = []
    for r in replicates:
        data = simulate(scenario, replicate_seed(study["seed"], scenario_name, r))
        try:
            design = build_design(data, "sim", spec)
        except ModelSpecError as err:  # e.g. no events at all in a tiny rare-outcome draw
            rows.append(_failed(scenario_name, r, study["estimators"], "not_estimable", str(err)))
            continue
        truth = truth_for_terms(design, scenario.truth)
        y, X, g = design.complete_case()
        separated = est.check_separation(y, X).separated
        fits = complete_case_fits(y, X, g, settings, list(study["estimators"]), separated, FitLog())
        for name in study["estimators"]:
            terms = [t for t in X.columns if t != INTERCEPT]
            base = pd.DataFrame({"term": terms})
            if name in fits:
                fit = fits[name]
                table = fit.table(settings.alpha).set_index("term").loc[terms].reset_index()
                base = table[["term", "estimate", "std_error", "ci_low", "ci_high", "p_value"]]
                status = "ok" if fit.converged else "not_converged"
            else:  # not fitted under separation, or left out because it did not converge
                status = "separated" if separated and name in est.ML_ESTIMATORS else "not_converged"
            rows.append(
                base.assign(
                    scenario=scenario_name,
                    replicate=r,
                    estimator=name,
                    level=[level_of[t.split("[")[0]] for t in base["term"]],
                    truth=[truth.get(t, np.nan) for t in base["term"]],
                    status=status,
                    events=int(y.sum()),
                ).reindex(columns=ESTIMATE_COLUMNS)
            )
    return pd.concat(rows, ignore_index=True)


def _failed(
    scenario: str, replicate: int, estimators: Sequence[str], status: str, _: str
) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"scenario": scenario, "replicate": replicate, "estimator": e, "status": status}
            for e in estimators
        ]
    ).reindex(columns=ESTIMATE_COLUMNS)


def _mcse_proportion(p: float, n: int) -> float:
    return float(np.sqrt(p * (1 - p) / n)) if n else np.nan


def summarise(estimates: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Per scenario x estimator x term: replicates used, failures, bias (MCSE), empirical and
    mean model SE, coverage (MCSE), and the rejection rate at `alpha` (MCSE) -- the type-I
    error where the truth is 0, the power otherwise."""
    out = []
    keys = ["scenario", "estimator", "term"]
    for (scenario, estimator, term), d in estimates.dropna(subset=["term"]).groupby(
        keys, sort=False
    ):
        ok = d[d["status"] == "ok"]
        n = len(ok)
        truth = float(d["truth"].iloc[0])
        bias = float((ok["estimate"] - truth).mean()) if n else np.nan
        emp_se = float(ok["estimate"].std(ddof=1)) if n > 1 else np.nan
        covered = ((ok["ci_low"] <= truth) & (truth <= ok["ci_high"])).mean() if n else np.nan
        reject = (ok["p_value"] < alpha).mean() if n else np.nan
        out.append(
            {
                "scenario": scenario,
                "estimator": estimator,
                "term": term,
                "level": d["level"].iloc[0],
                "truth": truth,
                "null_effect": truth == 0,
                "replicates": len(d),
                "used": n,
                "failed_share": 1 - n / len(d),
                "mean_events": float(d["events"].mean()),
                "bias": bias,
                "bias_mcse": emp_se / np.sqrt(n) if n > 1 else np.nan,
                "empirical_se": emp_se,
                "model_se": float(ok["std_error"].mean()) if n else np.nan,
                "coverage": float(covered),
                "coverage_mcse": _mcse_proportion(float(covered), n),
                "rejection": float(reject),
                "rejection_mcse": _mcse_proportion(float(reject), n),
            }
        )
    return pd.DataFrame(out)


def headline(summary: pd.DataFrame, type_i_terms: Sequence[str]) -> pd.DataFrame:
    """The study in one table: per scenario x estimator, the type-I error of each of
    `type_i_terms` (terms with a true value of 0) with its MCSE, the mean coverage and the
    largest absolute bias over all terms, and the share of replicates not estimable."""
    missing = [t for t in type_i_terms if t not in set(summary["term"])]
    if missing:
        raise ModelSpecError(
            f"simulation.type_i_terms: {missing} are not terms of the simulated model; "
            f"terms: {sorted(set(summary['term']))}"
        )
    not_null = summary[summary["term"].isin(type_i_terms) & ~summary["null_effect"]]
    if len(not_null):
        raise ModelSpecError(
            f"simulation.type_i_terms: {sorted(set(not_null['term']))} have a non-zero truth"
        )
    rows = []
    for (scenario, estimator), d in summary.groupby(["scenario", "estimator"], sort=False):
        row: dict[str, Any] = {
            "scenario": scenario,
            "estimator": estimator,
            "replicates": int(d["replicates"].max()),
            "used": int(d["used"].min()),
            "failed_share": float(d["failed_share"].max()),
            "mean_events": float(d["mean_events"].iloc[0]),
        }
        for term in type_i_terms:
            t = d[d["term"] == term].iloc[0]
            row[f"type_i_{term_column(term)}"] = float(t["rejection"])
            row[f"type_i_{term_column(term)}_mcse"] = float(t["rejection_mcse"])
        row["mean_coverage"] = float(d["coverage"].mean())
        row["min_coverage"] = float(d["coverage"].min())
        row["max_abs_bias"] = float(d["bias"].abs().max())
        rows.append(row)
    return pd.DataFrame(rows)
