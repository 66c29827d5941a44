"""Specification curve (multiverse analysis): the focus effects under every combination of
defensible analytic choices -- outcome definition x predictor set x sample x missing-data
handling x estimator -- declared in `multiverse` of config.

One Snakemake job fits one *cell* (outcome x predictor set x sample x missing-data method)
with every estimator of its grid, so an imputation is computed once per cell; each
estimator's result is one specification of the curve. The curve and its summary follow
Simonsohn, Simmons & Nelson (2020), "Specification curve analysis", Nat Hum Behav 4,
1208-1214 (descriptive part: the ranked estimates and the share of specifications agreeing
in sign and significance).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ipseval.models import estimators as est
from ipseval.models.design import INTERCEPT, Specification, build_design, events_per_parameter
from ipseval.models.fits import FitLog, Settings, complete_case_fits, imputation_fits
from ipseval.models.plan import DIMENSIONS, cells, check_config  # noqa: F401 - re-exported

SPEC_COLUMNS = [
    *DIMENSIONS,
    "estimator",
    "term",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "n",
    "events",
    "events_per_parameter",
    "dropped_predictors",
    "status",
]


def _settings(models: Mapping[str, Any], estimators: Sequence[str]) -> Settings:
    return Settings(
        estimators=list(estimators),
        alpha=float(models["alpha"]),
        quadrature_points=int(models["quadrature_points"]),
        quadrature_tolerance=float(models["quadrature_tolerance"]),
        firth_epv_threshold=float(models["firth_epv_threshold"]),
        missing_data=["complete_case", "multiple_imputation"],
        imputation=dict(models["imputation"]),
        bootstrap={},
        predictions={},
    )


def fit_cell(
    participants: pd.DataFrame,
    cell: Mapping[str, str],
    predictors: Mapping[str, Mapping[str, Any]],
    predictor_names: Sequence[str],
    restrict: Mapping[str, Sequence[Any]],
    estimators: Sequence[str],
    models: Mapping[str, Any],
    level_order: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """One cell: every estimator's coefficients (log-odds) on one outcome x predictor set x
    sample x missing-data method, as rows of `SPEC_COLUMNS`. A predictor whose column defines
    the sample (`restrict`) is dropped; an estimator that cannot be fitted (separation) gives
    rows with that status and no estimate."""
    dropped = [p for p in predictor_names if predictors[p]["column"] in restrict]
    names = [p for p in predictor_names if p not in dropped]
    spec = Specification.from_config(
        cell["predictor_set"],
        {"predictors": predictors, "specifications": {cell["predictor_set"]: names}},
    )
    s = _settings(models, estimators)
    design = build_design(participants, cell["outcome"], spec, level_order, restrict=restrict)
    y, X, g = design.complete_case()
    separated = est.check_separation(y, X).separated
    log = FitLog()
    tables: dict[str, pd.DataFrame] = {}
    if cell["missing_data"] == "complete_case":
        for name, fit in complete_case_fits(y, X, g, s, list(estimators), separated, log).items():
            tables[name] = fit.table(s.alpha).assign(converged=fit.converged)
        n = len(y)
    else:
        pooled, _ = imputation_fits(
            design, s, list(estimators), separated, log, substitute_firth=False
        )
        tables = {k: v.assign(converged=True) for k, v in pooled.items()}
        n = len(design.y)
    terms = [t for t in X.columns if t != INTERCEPT]
    rows = []
    for name in estimators:
        if name in tables:
            t = tables[name].set_index("term").loc[terms].reset_index()
            status = np.where(t["converged"], "ok", "not_converged")
        else:  # not fitted under separation, or left out because it did not converge
            t = pd.DataFrame({"term": terms})
            status = "separated" if separated and name in est.ML_ESTIMATORS else "not_converged"
        rows.append(
            t.assign(
                **cell,
                estimator=name,
                n=n,
                events=int(design.y.sum())
                if cell["missing_data"] != "complete_case"
                else int(y.sum()),
                events_per_parameter=events_per_parameter(y, X.shape[1] - 1),
                dropped_predictors=" ".join(dropped),
                status=status,
            )
        )
    return pd.concat(rows, ignore_index=True).reindex(columns=SPEC_COLUMNS)
