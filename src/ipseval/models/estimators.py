"""The four estimators of the employment-predictor models, with one result type.

- `logit_cr1`: statsmodels Logit, CR1 cluster-robust covariance by programme, t(G-1) tests.
- `gee_br`: statsmodels GEE, independence working correlation, Mancl-DeRouen bias-reduced
  covariance, t(G-1) tests.
- `random_intercept`: maximum-likelihood random-intercept logit by adaptive Gauss-Hermite
  quadrature (hand-written in `ipseval.models.random_intercept`: statsmodels has no frequentist
  GLMM, and its BinomialBayesMixedGLM is a Bayesian approximation, not this model).
- `firth`: firthmodels' FirthLogit, profile penalised-likelihood intervals, LRT p-values.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from firthmodels import detect_separation
from firthmodels.adapters.statsmodels import FirthLogit
from scipy import special, stats

# statsmodels' own modules, not statsmodels.api: that imports every model (~0.3 s per job)
from statsmodels.discrete.discrete_model import Logit
from statsmodels.genmod import cov_struct, families
from statsmodels.genmod.generalized_estimating_equations import GEE

from ipseval.models import random_intercept

ML_ESTIMATORS = ("logit_cr1", "gee_br", "random_intercept")


@dataclass
class Fit:
    """Estimates of one estimator on one data set (log-odds scale)."""

    estimator: str
    params: pd.Series
    cov: pd.DataFrame
    df: float  # degrees of freedom of the reference t distribution (inf: normal)
    converged: bool
    ci: pd.DataFrame | None = None  # own intervals (profile likelihood), else from t(df)
    pvalues: pd.Series | None = None  # own p-values (LRT), else from t(df)
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)
    result: object | None = None  # the library's results object, when there is one

    @property
    def bse(self) -> pd.Series:
        """Standard errors."""
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.params.index)

    def table(self, alpha: float) -> pd.DataFrame:
        """term, estimate, std_error, statistic, df, p_value, ci_low, ci_high (log-odds)."""
        se = self.bse
        stat = self.params / se
        if self.pvalues is not None:
            p = self.pvalues
        elif np.isinf(self.df):
            p = 2 * stats.norm.sf(np.abs(stat))
        else:
            p = 2 * stats.t.sf(np.abs(stat), self.df)
        if self.ci is not None:
            lo, hi = self.ci.iloc[:, 0], self.ci.iloc[:, 1]
        else:
            q = (
                stats.norm.ppf(1 - alpha / 2)
                if np.isinf(self.df)
                else stats.t.ppf(1 - alpha / 2, self.df)
            )
            lo, hi = self.params - q * se, self.params + q * se
        return pd.DataFrame(
            {
                "term": self.params.index,
                "estimate": self.params.to_numpy(),
                "std_error": se.to_numpy(),
                "statistic": np.asarray(stat),
                "df": self.df,
                "p_value": np.asarray(p, dtype=float),
                "ci_low": np.asarray(lo, dtype=float),
                "ci_high": np.asarray(hi, dtype=float),
            }
        )


def _caught(ws: list[warnings.WarningMessage]) -> list[str]:
    return [f"{w.category.__name__}: {w.message}" for w in ws]


def n_clusters(groups: np.ndarray) -> int:
    """Number of distinct programmes."""
    return len(np.unique(groups))


def fit_logit_cr1(y: np.ndarray, X: pd.DataFrame, groups: np.ndarray) -> Fit:
    """Logistic regression, CR1 (G/(G-1) (N-1)/(N-K)) cluster-robust covariance, t(G-1)."""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        res = Logit(y, X).fit(
            method="newton",
            maxiter=100,
            disp=0,
            cov_type="cluster",
            cov_kwds={"groups": pd.factorize(groups)[0]},
            use_t=True,
        )
    return Fit(
        estimator="logit_cr1",
        params=pd.Series(res.params, index=X.columns),
        cov=pd.DataFrame(res.cov_params(), index=X.columns, columns=X.columns),
        df=n_clusters(groups) - 1,
        converged=bool(res.mle_retvals["converged"]),
        warnings=_caught(ws),
        extra={"aic": float(res.aic), "llf": float(res.llf)},
        result=res,
    )


def fit_gee_br(y: np.ndarray, X: pd.DataFrame, groups: np.ndarray) -> Fit:
    """GEE with independence working correlation and the bias-reduced (Mancl-DeRouen)
    covariance; tests on t(G-1), computed here because GEE reports z only."""
    order = np.argsort(pd.factorize(groups)[0], kind="stable")  # GEE wants clusters contiguous
    yy, XX, gg = y[order], X.iloc[order], pd.factorize(groups)[0][order]
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        model = GEE(
            yy,
            XX,
            groups=gg,
            family=families.Binomial(),
            cov_struct=cov_struct.Independence(),
        )
        res = model.fit(maxiter=100, cov_type="bias_reduced")
    converged = bool(res.converged)  # statsmodels: final parameter change below its ctol
    return Fit(
        estimator="gee_br",
        params=pd.Series(np.asarray(res.params), index=X.columns),
        cov=pd.DataFrame(np.asarray(res.cov_params()), index=X.columns, columns=X.columns),
        df=n_clusters(groups) - 1,
        converged=converged,
        warnings=_caught(ws),
        result=res,
    )


def gee_br_term(
    y: np.ndarray, X: np.ndarray, codes: np.ndarray, j: int, maxiter: int = 100
) -> tuple[float, float]:
    """The estimate and bias-reduced standard error of column `j` of `fit_gee_br` (the same
    estimator), for simulation loops; `codes`: 0..G-1 programme codes. Raises LinAlgError
    where the information matrix is singular.

    Hand-written for speed, not for a different estimator: the practice items' power
    simulation fits 1,600 models per outcome, and statsmodels' GEE spends ~25 ms of set-up
    and bookkeeping on each (a run's longest job). With the independence working
    correlation the GEE estimate is the logistic maximum-likelihood estimate (Fisher scoring
    from zero, as statsmodels' GLM start then GEE steps), and the covariance is statsmodels'
    `_bc_covmat` written out for a binomial family with scale 1:
    A = sum_g X_g'W_g X_g, r*_g = (I - W_g X_g A^-1 X_g')^-1 (y_g - mu_g),
    cov = A^-1 [sum_g (X_g'r*_g)(X_g'r*_g)'] A^-1. tests/test_practice.py checks it against
    `fit_gee_br` to 1e-6."""
    beta = np.zeros(X.shape[1])
    for _ in range(maxiter):
        mu = special.expit(X @ beta)
        w = mu * (1 - mu)
        step = np.linalg.solve(X.T @ (w[:, None] * X), X.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    mu = special.expit(X @ beta)
    w = mu * (1 - mu)
    a_inv = np.linalg.inv(X.T @ (w[:, None] * X))
    resid = y - mu
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    meat = np.zeros_like(a_inv)
    for idx in np.split(order, bounds):
        xg = X[idx]
        h = w[idx][:, None] * (xg @ a_inv @ xg.T)
        s = xg.T @ np.linalg.solve(np.eye(len(idx)) - h, resid[idx])
        meat += np.outer(s, s)
    cov = a_inv @ meat @ a_inv
    return float(beta[j]), float(np.sqrt(cov[j, j]))


def fit_firth(y: np.ndarray, X: pd.DataFrame, profile: bool = True, alpha: float = 0.05) -> Fit:
    """Firth's penalised logit (firthmodels); profile-likelihood CIs and LRT p-values."""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        res = FirthLogit(y, X).fit(pl=profile, maxiter=100, gtol=1e-8, xtol=1e-8)
        ci = res.conf_int(alpha=alpha) if profile else None
    params = np.asarray(res.params)
    # Wald covariance: the inverse Fisher information X'WX at the penalised estimate, as
    # logistf and brglm2 report it. firthmodels 0.8.2's own `cov_params()` differed from
    # brglm2 by ~1.5 % in SE on tests/reference data (its information matrix is not the one
    # at the final estimate), so it is recomputed here; estimates and profile intervals are
    # the library's.
    p = special.expit(X.to_numpy() @ params)
    cov = np.linalg.inv(X.to_numpy().T @ ((p * (1 - p))[:, None] * X.to_numpy()))
    messages = _caught(ws)
    pvalues = None
    if profile:
        se = np.sqrt(np.diag(cov))
        wald_p = 2 * stats.norm.sf(np.abs(params / se))
        z = stats.norm.ppf(1 - alpha / 2)
        wald_ci = np.column_stack([params - z * se, params + z * se])
        pvalues, ci = (
            np.asarray(res.pvalues, dtype=float).copy(),
            np.asarray(ci, dtype=float).copy(),
        )
        for j in np.flatnonzero(np.isnan(pvalues) | np.isnan(ci).any(axis=1)):
            messages.append(
                f"{X.columns[j]}: profile likelihood failed; Wald p-value and interval reported"
            )
            pvalues[j] = wald_p[j]
            ci[j] = wald_ci[j]
    return Fit(
        estimator="firth",
        params=pd.Series(params, index=X.columns),
        cov=pd.DataFrame(cov, index=X.columns, columns=X.columns),
        df=np.inf,
        converged=bool(res.converged),
        ci=None if ci is None else pd.DataFrame(ci, index=X.columns),
        pvalues=None if pvalues is None else pd.Series(pvalues, index=X.columns),
        warnings=messages,
        result=res,
    )


def programme_variation(
    sd: float, se_log_sd: float, at_boundary: bool, alpha: float
) -> dict[str, float]:
    """Programme SD, variance, ICC (latent scale) and median odds ratio with Wald intervals
    from the log-SD. At the boundary the SD is 0 and its upper limit undetermined (NaN); an
    upper limit beyond floating point (the data do not bound it) is +inf, without warnings."""
    z = stats.norm.ppf(1 - alpha / 2)

    def icc(s: float) -> float:
        # 1 / (1 + (pi^2/3) / s^2), written so that a huge SD gives 1 without inf/inf
        return s if np.isnan(s) else 1.0 / (1.0 + (np.pi**2 / 3) / s / s) if s > 0 else 0.0

    def mor(s: float) -> float:
        return float(np.exp(np.sqrt(2) * s * stats.norm.ppf(0.75)))

    with np.errstate(over="ignore"):
        if at_boundary:
            sd, lo, hi = 0.0, 0.0, np.nan
        else:
            lo, hi = sd * np.exp(-z * se_log_sd), sd * np.exp(z * se_log_sd)
        out = {"programme_sd": sd, "programme_sd_ci_low": lo, "programme_sd_ci_high": hi}
        derived = (("programme_variance", np.square), ("icc", icc), ("median_odds_ratio", mor))
        for name, f in derived:
            out[name] = float(f(sd))
            out[f"{name}_ci_low"], out[f"{name}_ci_high"] = float(f(lo)), float(f(hi))
    return out


def fit_random_intercept(
    y: np.ndarray,
    X: pd.DataFrame,
    groups: np.ndarray,
    n_points: int = 15,
    alpha: float = 0.05,
    quadrature_tolerance: float = random_intercept.QUADRATURE_TOLERANCE,
) -> Fit:
    """ML random-intercept logit (adaptive Gauss-Hermite with at least `n_points` nodes, more
    until the log-likelihood is within `quadrature_tolerance`; see `models.random_intercept`)
    with Wald tests; programme variation and the convergence checks in `extra`."""
    r = random_intercept.fit(y, X, groups, n_points, quadrature_tolerance)
    k = X.shape[1]
    cov = pd.DataFrame(r.cov_full[:k, :k], index=X.columns, columns=X.columns)
    sd, se_log_sd = float(np.exp(r.theta[-1])), float(np.sqrt(r.cov_full[-1, -1]))
    extra = programme_variation(sd, se_log_sd, r.at_boundary, alpha) | {
        "llf": r.llf,
        "aic": -2 * r.llf + 2 * (k + 1),
        "quadrature_points": float(r.n_points),
        "quadrature_check": r.quadrature_check,
        "modes_not_converged": float(r.modes_not_converged),
        "max_abs_score": r.max_abs_score,
    }
    return Fit(
        estimator="random_intercept",
        params=pd.Series(r.theta[:k], index=X.columns),
        cov=cov,
        df=np.inf,
        converged=r.converged,
        warnings=r.messages,
        extra=extra,
    )


@dataclass
class Separation:
    """Result of the pre-fit separation check."""

    separated: bool
    infinite_terms: list[str]
    empty_cells: list[str]

    def message(self) -> str:
        """One line for the warnings table."""
        parts = []
        if self.infinite_terms:
            parts.append("ML estimate infinite for " + ", ".join(self.infinite_terms))
        if self.empty_cells:
            parts.append("; ".join(self.empty_cells))
        return "separation detected: " + "; ".join(parts)


def check_separation(y: np.ndarray, X: pd.DataFrame) -> Separation:
    """Detect (quasi-)complete separation before fitting: the linear-programming test of
    Konis (2007) from firthmodels, plus the dummy levels with no events or no non-events."""
    empty = []
    for c in X.columns:
        col = X[c].to_numpy()
        if set(np.unique(col)) <= {0.0, 1.0} and np.ptp(col) > 0:
            on = col == 1
            ev = int(y[on].sum())
            if ev == 0 or ev == int(on.sum()):
                kind = "events" if ev == 0 else "non-events"
                empty.append(f"{c}: no {kind} among {int(on.sum())}")
    exog = X.drop(columns=[c for c in X.columns if np.ptp(X[c].to_numpy()) == 0])
    if exog.shape[1] == 0 or np.ptp(y) == 0:
        # intercept-only, or one outcome class (which the linear programme refuses): the
        # intercept is infinite exactly when every outcome is the same
        one_class = bool(np.ptp(y) == 0)
        return Separation(one_class, ["Intercept"] if one_class else [], empty)
    res = detect_separation(exog.to_numpy(), y, fit_intercept=True)
    names = [*exog.columns, "Intercept"]
    infinite = [n for n, fin in zip(names, res.is_finite, strict=True) if not fin]
    return Separation(bool(res.separation) or bool(empty), infinite, empty)
