"""One outcome x specification: every estimator, both missing-data methods, the checks,
and the tidy result files (what `workflow/scripts/fit_models.py` runs)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ipseval.common.io import write_csv
from ipseval.models import estimators as est
from ipseval.models import evaluate
from ipseval.models.design import Design, events_per_parameter, model_frame, terms_table
from ipseval.models.imputation import Imputations, impute, pooled_table
from ipseval.models.results import RESULT_TABLES, result_paths
from ipseval.models.truth import TRUTH_COLUMNS, truth_by_column, truth_for_terms, truth_table

COEFFICIENT_COLUMNS = [
    "term",
    "estimator",
    "method",
    "estimate",
    "std_error",
    "odds_ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "df",
    "status",
]
CLUSTERED = ("logit_cr1", "gee_br")  # estimators whose covariance is clustered by programme
METHOD_LABELS = {"complete_case": "complete cases", "multiple_imputation": "multiple imputation"}


@dataclass
class Settings:
    """The estimation settings of `models` in config."""

    estimators: list[str]
    alpha: float
    quadrature_points: int
    quadrature_tolerance: float
    firth_epv_threshold: float
    missing_data: list[str]
    imputation: dict[str, Any]
    bootstrap: dict[str, Any]
    predictions: dict[str, Any]

    @classmethod
    def from_config(cls, models: Mapping[str, Any]) -> Settings:
        """Pick the estimation settings out of the validated `models` section."""
        return cls(**{k: models[k] for k in cls.__dataclass_fields__})


@dataclass
class Results:
    """Everything one fit writes, as tables."""

    coefficients: pd.DataFrame
    statistics: pd.DataFrame
    warnings: pd.DataFrame
    summary: pd.DataFrame
    marginal_effects: pd.DataFrame
    predictions: pd.DataFrame
    calibration: pd.DataFrame
    model_frame: pd.DataFrame
    terms: pd.DataFrame
    truth: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class FitLog:
    """Warnings and notes of one fit, as rows of `warnings.csv`."""

    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []

    def add(self, estimator: str, method: str, kind: str, message: str) -> None:
        """Record one note."""
        self.rows.append(
            {"estimator": estimator, "method": method, "kind": kind, "message": message}
        )

    def frame(self) -> pd.DataFrame:
        """The notes as a table."""
        return pd.DataFrame(self.rows, columns=["estimator", "method", "kind", "message"])


def fit_estimator(
    name: str, y: np.ndarray, X: pd.DataFrame, g: np.ndarray, s: Settings, profile: bool = True
) -> est.Fit:
    """One configured estimator on one data set (`profile`: Firth's profile intervals)."""
    if name == "logit_cr1":
        return est.fit_logit_cr1(y, X, g)
    if name == "gee_br":
        return est.fit_gee_br(y, X, g)
    if name == "random_intercept":
        return est.fit_random_intercept(
            y, X, g, s.quadrature_points, s.alpha, s.quadrature_tolerance
        )
    if name == "firth":
        return est.fit_firth(y, X, profile=profile, alpha=s.alpha)
    raise ValueError(f"unknown estimator {name!r}")


def degenerate_terms(table: pd.DataFrame) -> dict[str, str]:
    """Terms of a coefficient table (log-odds) whose inference is degenerate -> why: a
    standard error that is not finite or near zero, or an interval of zero width (e.g. a
    term collinear with the programmes under programme-clustered inference)."""
    out = {}
    for r in table.itertuples():
        if not np.isfinite(r.std_error):
            out[r.term] = "standard error not finite"
        elif r.std_error <= 1e-8 * max(1.0, abs(r.estimate)):
            out[r.term] = f"standard error {r.std_error:.1g}, near zero"
        elif abs(r.ci_high - r.ci_low) <= 1e-8:
            out[r.term] = "interval of zero width"
    return out


def cluster_score_rank(
    y: np.ndarray, X: pd.DataFrame, g: np.ndarray, params: pd.Series, tol: float = 1e-6
) -> int:
    """Rank of the programme-level scores at the estimate: the G x p matrix whose rows are
    each programme's summed score x_i (y_i - p_i), each column scaled by its participant-level
    norm. A cluster-robust covariance is made from these rows, so its rank is at most this
    (at most G - 1, since the scores sum to zero). Below p, some combination of the terms has
    no estimated variance and their standard errors are artefacts: near zero for CR1,
    arbitrary once bias-reduced (e.g. programme fixed effects, where each programme's scores
    cancel). Hand-written: statsmodels and the sandwich estimators report no rank."""
    x = X.to_numpy(dtype=float)
    resid = y - 1.0 / (1.0 + np.exp(-(x @ params.to_numpy())))
    u = x * resid[:, None]
    norm = np.sqrt((u**2).sum(axis=0))
    norm[norm == 0] = 1.0
    _, index = np.unique(g, return_inverse=True)
    sums = np.zeros((index.max() + 1, x.shape[1]))
    np.add.at(sums, index, u / norm)
    return int((np.linalg.svd(sums, compute_uv=False) > tol).sum())


def _coef_rows(
    table: pd.DataFrame,
    estimator: str,
    method: str,
    log: FitLog | None = None,
    unidentified: Collection[str] = (),
) -> pd.DataFrame:
    bad = degenerate_terms(table)
    for term, why in bad.items():
        if log is not None:
            log.add(estimator, method, "degenerate", f"{term}: {why}; not reported as a finding")
    out = table.assign(
        estimator=estimator,
        method=method,
        status=[
            "degenerate" if t in bad else ("not_identified" if t in unidentified else "ok")
            for t in table["term"]
        ],
    )
    out["odds_ratio"] = np.exp(out["estimate"])
    out["ci_low"] = np.exp(out["ci_low"])
    out["ci_high"] = np.exp(out["ci_high"])
    return out[COEFFICIENT_COLUMNS]


def _record(log: FitLog, fit: est.Fit, method: str) -> None:
    if not fit.converged:
        log.add(
            fit.estimator,
            method,
            "non_convergence",
            "the fit did not converge: its estimates are not reported",
        )
    for w in fit.warnings:
        kind = next((k for k in ("boundary", "quadrature") if k in w), "library_warning")
        log.add(fit.estimator, method, kind, w)


def complete_case_fits(
    y: np.ndarray,
    X: pd.DataFrame,
    g: np.ndarray,
    s: Settings,
    estimators: list[str],
    separated: bool,
    log: FitLog,
) -> dict[str, est.Fit]:
    """Every estimator in `estimators` on the complete cases; the ML estimators are skipped
    (and logged) when the data are separated, and a fit that did not converge is logged and
    left out."""
    fits: dict[str, est.Fit] = {}
    for name in estimators:
        if separated and name in est.ML_ESTIMATORS:
            log.add(
                name,
                "complete_case",
                "not_fitted",
                "separation: maximum-likelihood estimates are infinite; see firth",
            )
            continue
        fit = fit_estimator(name, y, X, g, s)
        _record(log, fit, "complete_case")
        if fit.converged:
            fits[name] = fit
    return fits


def imputation_fits(
    design: Design,
    s: Settings,
    estimators: list[str],
    separated: bool,
    log: FitLog,
    substitute_firth: bool,
) -> tuple[dict[str, pd.DataFrame], Imputations]:
    """Impute (settings in `s.imputation`), fit each of `estimators` on every completed data
    set and pool by Rubin's rules: estimator -> pooled coefficient table (log-odds). With
    separation in any data set the ML estimators are skipped; `substitute_firth` then adds
    Firth when it is among the configured estimators."""
    imp_cfg = s.imputation
    imps = impute(
        design,
        imp_cfg["n_imputations"],
        imp_cfg["n_burnin"],
        imp_cfg["n_skip"],
        imp_cfg["k_pmm"],
        imp_cfg["seed"],
    )
    yall, gall = design.y.to_numpy(dtype=float), design.programme.to_numpy()
    mats = [design.matrix(d) for d in imps.datasets]
    any_sep = separated or any(est.check_separation(yall, m).separated for m in mats)
    names = list(estimators)
    if substitute_firth and any_sep and "firth" in s.estimators and "firth" not in names:
        names.append("firth")
        log.add(
            "firth",
            "multiple_imputation",
            "substituted",
            "separation: Firth (Wald, pooled by Rubin's rules) replaces the ML estimators",
        )
    pooled: dict[str, pd.DataFrame] = {}
    for name in names:
        if any_sep and name in est.ML_ESTIMATORS:
            log.add(
                name,
                "multiple_imputation",
                "not_fitted",
                "separation in the data: maximum-likelihood estimates are infinite",
            )
            continue
        mfits = []
        for m in mats:
            try:
                f = fit_estimator(name, yall, m, gall, s, profile=False)
            except (np.linalg.LinAlgError, ValueError) as err:
                log.add(
                    name,
                    "multiple_imputation",
                    "imputation",
                    f"a completed data set "
                    f"could not be fitted ({type(err).__name__}: {err}); skipped",
                )
                continue
            _record(log, f, "multiple_imputation")
            if f.converged:
                mfits.append(f)
        if len(mfits) < len(mats):
            log.add(
                name,
                "multiple_imputation",
                "imputation",
                f"{len(mats) - len(mfits)} of {len(mats)} completed data sets skipped "
                f"(not fitted or not converged); pooled over {len(mfits)}",
            )
        if len(mfits) < 2:
            continue  # Rubin's rules need at least two fits
        complete_df = np.inf if np.isinf(mfits[0].df) else mfits[0].df
        pooled[name] = pooled_table(mfits, complete_df, s.alpha)
    return pooled, imps


def fit_outcome_spec(design: Design, s: Settings, truth: Mapping[str, Any] | None) -> Results:
    """Fit every configured estimator under every missing-data method, then evaluate."""
    log = FitLog()
    y, X, g = design.complete_case()
    k = X.shape[1] - 1
    epv = events_per_parameter(y, k)
    sep = est.check_separation(y, X)
    coefs, stats_rows = [], []
    if sep.separated:
        log.add("all", "complete_case", "separation", sep.message())
    n_prog = est.n_clusters(g)
    if X.shape[1] > n_prog - 1:
        for name in set(CLUSTERED) & set(s.estimators):
            log.add(
                name,
                "complete_case",
                "degenerate",
                f"{X.shape[1]} parameters with {n_prog} programmes: the programme-clustered "
                f"covariance has rank at most {n_prog - 1}, so some standard errors are not "
                "identified (programme fixed effects, or programme-level terms beside them)",
            )
    if epv < s.firth_epv_threshold:
        log.add(
            "all",
            "complete_case",
            "low_epv",
            f"{epv:.1f} events per parameter (< {s.firth_epv_threshold:g}): Firth recommended",
        )

    fits = complete_case_fits(y, X, g, s, s.estimators, sep.separated, log)
    for name, fit in fits.items():
        unidentified: list[str] = []
        rank = cluster_score_rank(y, X, g, fit.params) if name in CLUSTERED else X.shape[1]
        if rank < X.shape[1]:
            unidentified = [t for t in X.columns if t != "Intercept"]
            why = (
                f"not estimable with {n_prog} programmes: the programme-clustered covariance has "
                f"rank at most {rank} for {X.shape[1]} parameters, so the standard errors of its "
                "terms are not identified; not reported as findings"
            )
            log.add(name, "complete_case", "not_identified", why)
        coefs.append(_coef_rows(fit.table(s.alpha), name, "complete_case", log, unidentified))
        for key, value in fit.extra.items():
            stats_rows.append(
                {"estimator": name, "method": "complete_case", "statistic": key, "value": value}
            )
        stats_rows.append(
            {
                "estimator": name,
                "method": "complete_case",
                "statistic": "converged",
                "value": float(fit.converged),
            }
        )

    n_imp = 0
    if "multiple_imputation" in s.missing_data:
        pooled, imps = imputation_fits(
            design, s, s.imputation["estimators"], sep.separated, log, substitute_firth=True
        )
        n_imp = len(imps.datasets)
        for name, table in pooled.items():
            coefs.append(_coef_rows(table, name, "multiple_imputation", log))
        for var, n in imps.n_missing.items():
            stats_rows.append(
                {
                    "estimator": "all",
                    "method": "multiple_imputation",
                    "statistic": f"imputed_{var}",
                    "value": float(n),
                }
            )

    # Evaluation of the complete-case fit: the ML logit, or Firth when ML is not estimable.
    base = fits.get("logit_cr1") or fits.get("firth") or next(iter(fits.values()), None)
    ame = pd.DataFrame(columns=[*evaluate.AME_COLUMNS, "estimator"])
    preds = pd.DataFrame(columns=["estimator", *evaluate.PREDICTION_COLUMNS])
    calibration = pd.DataFrame(columns=evaluate.CALIBRATION_COLUMNS)
    not_estimable = ""
    if base is None:  # a recorded outcome, not an error: the files say why
        not_estimable = _why_not_estimable(log)
        log.add("all", "complete_case", "not_estimable", not_estimable)
    else:
        ame, preds, calibration = _evaluate(design, y, X, g, base, s, log, stats_rows)

    recommended, reason = _recommend(s, sep.separated, epv)
    coefficients = (
        pd.concat(coefs, ignore_index=True) if coefs else pd.DataFrame(columns=COEFFICIENT_COLUMNS)
    )
    summary = pd.DataFrame(
        [
            {
                "outcome": design.outcome,
                "specification": design.spec.name,
                "n_analysed": len(design.y),
                "n_missing_outcome": design.n_missing_outcome,
                "n_complete_case": len(y),
                "events": int(y.sum()),
                "n_parameters": k,
                "events_per_parameter": epv,
                "programmes": est.n_clusters(g),
                "separation": sep.separated,
                "n_imputations": n_imp,
                "recommended_estimator": recommended,
                "recommendation_reason": reason,
                "evaluated_estimator": base.estimator if base is not None else "",
                "estimable": base is not None,
                "not_estimable_reason": not_estimable,
            }
        ]
    )
    keep = design.complete_rows()
    frame = model_frame(design, np.ones(len(keep), bool), design.matrix())
    frame.insert(3, "complete_case", keep.astype(int))
    statistics = pd.DataFrame(
        stats_rows, columns=["estimator", "method", "statistic", "value", "ci_low", "ci_high"]
    )
    res = Results(
        coefficients=coefficients,
        statistics=statistics,
        warnings=log.frame(),
        summary=summary,
        marginal_effects=ame,
        predictions=preds,
        calibration=calibration,
        model_frame=frame,
        terms=terms_table(design),
    )
    if truth is not None:
        res.truth = truth_table(coefficients, truth_for_terms(design, truth_by_column(truth)))
    check_results(res, design)
    return res


def _why_not_estimable(log: FitLog) -> str:
    """One sentence: why no estimator gave a complete-case fit (from the fit's own notes)."""
    reasons = [
        f"{r['estimator']}: {r['message']}"
        for r in log.rows
        if r["method"] == "complete_case" and r["kind"] in ("not_fitted", "non_convergence")
    ]
    detail = "; ".join(dict.fromkeys(reasons)) or "no estimator is configured"
    return f"no estimator gave a complete-case fit ({detail})"


def _evaluate(
    design: Design,
    y: np.ndarray,
    X: pd.DataFrame,
    g: np.ndarray,
    base: est.Fit,
    s: Settings,
    log: FitLog,
    stats_rows: list[dict[str, Any]],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Marginal effects, predictions and calibration of the evaluated complete-case fit
    `base`; its bootstrap performance is added to `stats_rows`."""
    refit_firth = base.estimator == "firth"
    ame = pd.DataFrame(columns=[*evaluate.AME_COLUMNS, "estimator"])
    if X.shape[1] == 1:
        log.add("all", "complete_case", "not_computed", "intercept-only model: no marginal effects")
    elif base.estimator == "logit_cr1":
        ame = evaluate.marginal_effects(base.result, s.alpha).assign(estimator=base.estimator)
    else:
        log.add(
            "logit_cr1",
            "complete_case",
            "not_computed",
            f"average marginal effects need the ML logit; predictions use {base.estimator}",
        )
    preds = evaluate.predictions(design, X, base.params, base.cov, s.predictions, s.alpha)
    preds.insert(0, "estimator", base.estimator)
    lp = X.to_numpy() @ base.params.to_numpy()
    boot = evaluate.bootstrap_performance(
        y,
        X,
        g,
        base.params,
        s.bootstrap["replicates"],
        s.bootstrap["seed"],
        s.alpha,
        refit=_firth_params if refit_firth else None,
    )
    for row in boot.itertuples():
        for what in ("apparent", "corrected"):
            stats_rows.append(
                {
                    "estimator": base.estimator,
                    "method": "complete_case",
                    "statistic": f"{row.statistic}_{what}",
                    "value": getattr(row, what),
                    "ci_low": row.ci_low if what == "apparent" else np.nan,
                    "ci_high": row.ci_high if what == "apparent" else np.nan,
                }
            )
    stats_rows.append(
        {
            "estimator": base.estimator,
            "method": "complete_case",
            "statistic": "bootstrap_replicates_used",
            "value": float(boot.attrs["replicates_used"]),
        }
    )
    if boot.attrs["replicates_failed"]:
        log.add(
            base.estimator,
            "complete_case",
            "bootstrap",
            f"{boot.attrs['replicates_failed']} bootstrap replicates skipped (refit failed)",
        )
    return ame, preds, evaluate.calibration_bins(y, lp)


def _firth_params(y: np.ndarray, X: np.ndarray) -> np.ndarray | None:
    fit = est.fit_firth(y, pd.DataFrame(X), profile=False)
    return fit.params.to_numpy() if fit.converged else None


def _recommend(s: Settings, separated: bool, epv: float) -> tuple[str, str]:
    if "firth" in s.estimators and separated:
        return "firth", "separation detected"
    if "firth" in s.estimators and epv < s.firth_epv_threshold:
        return "firth", f"events per parameter {epv:.1f} < {s.firth_epv_threshold:g}"
    for name in ("gee_br", "logit_cr1", "random_intercept", "firth"):
        if name in s.estimators:
            return name, "cluster-robust inference with t(G-1) (methods.md)"
    raise AssertionError("no estimator configured")


class ResultCheckError(AssertionError):
    """A fit's result tables break an invariant (a bug, never bad input)."""


def check_results(res: Results, design: Design) -> None:
    """Invariants of the result tables: every fitted term present once per estimator x
    method, finite estimates, ordered intervals containing the estimate (Wald) or at least
    ordered (profile), no coefficient larger than separation would allow unflagged."""
    c = res.coefficients
    terms = set(design.term_names)
    for (e, m), sub in c.groupby(["estimator", "method"]):
        if set(sub["term"]) != terms or len(sub) != len(terms):
            raise ResultCheckError(f"{e}/{m}: terms {sorted(sub['term'])} != design terms")
    ok = c.loc[c["status"] == "ok", ["estimate", "std_error"]].astype(float)
    if not np.isfinite(ok.to_numpy()).all():
        raise ResultCheckError("non-finite estimate or standard error not flagged degenerate")
    if (c["ci_low"] > c["ci_high"]).any():
        raise ResultCheckError("interval with lower bound above upper bound")
    big = c[(c["estimate"].abs() > 10) & (c["term"] != "Intercept")]
    if len(big) and not (res.warnings["kind"] == "separation").any():
        raise ResultCheckError(
            f"|log-odds| > 10 without a separation warning: {big['term'].tolist()}"
        )


def write_results(
    res: Results,
    out: str | Path | Mapping[str, str | Path],
    synthetic: bool,
    title: str,
    labels: Mapping[str, str],
) -> None:
    """Write the result tables and figures of one fit: to the paths `out` names (as
    `result_paths` names them), or into the folder `out`."""
    from ipseval.models import figures  # matplotlib: only the jobs that draw pay for its import

    if isinstance(out, str | Path):
        paths = result_paths(out)
    else:
        paths = {k: Path(v) for k, v in out.items()}
    tables = {
        "coefficients": res.coefficients,
        "fit_statistics": res.statistics,
        "warnings": res.warnings,
        "summary": res.summary,
        "marginal_effects": res.marginal_effects,
        "predictions": res.predictions,
        "calibration": res.calibration,
        "model_frame": res.model_frame,
        "terms": res.terms,
        "truth": res.truth if res.truth is not None else pd.DataFrame(columns=TRUTH_COLUMNS),
    }
    for name in RESULT_TABLES:
        write_csv(tables[name], paths[name])
    figures.forest(res.coefficients, title, paths["forest_png"], synthetic)
    figures.predicted(res.predictions, dict(labels), title, paths["predicted_png"], synthetic)
    cal = res.statistics.set_index("statistic")["value"]
    names = {
        "auc": "AUC",
        "calibration_intercept": "Calibration intercept",
        "calibration_slope": "Calibration slope",
    }
    shown = {
        f"{label} (optimism-corrected)": float(cal[f"{k}_corrected"])
        for k, label in names.items()
        if f"{k}_corrected" in cal
    }
    figures.calibration_plot(res.calibration, shown, title, paths["calibration_png"], synthetic)
