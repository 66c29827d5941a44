"""The four estimators of the employment-predictor models, with one result type.

- `logit_cr1`: statsmodels Logit, CR1 cluster-robust covariance by programme, t(G-1) tests.
- `gee_br`: statsmodels GEE, independence working correlation, Mancl-DeRouen bias-reduced
  covariance, t(G-1) tests.
- `random_intercept`: maximum-likelihood random-intercept logit by adaptive Gauss-Hermite
  quadrature (hand-written: statsmodels has no frequentist GLMM, and its
  BinomialBayesMixedGLM is a Bayesian approximation, not this model).
- `firth`: firthmodels' FirthLogit, profile penalised-likelihood intervals, LRT p-values.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from firthmodels import detect_separation
from firthmodels.adapters.statsmodels import FirthLogit
from scipy import optimize, special, stats

# statsmodels' own modules, not statsmodels.api: that imports every model (~0.3 s per job)
from statsmodels.discrete.discrete_model import Logit
from statsmodels.genmod import cov_struct, families
from statsmodels.genmod.generalized_estimating_equations import GEE
from statsmodels.tools.numdiff import approx_fprime

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
    converged = bool(getattr(res, "converged", True)) and not any(
        "not converge" in str(w.message).lower() for w in ws
    )
    return Fit(
        estimator="gee_br",
        params=pd.Series(np.asarray(res.params), index=X.columns),
        cov=pd.DataFrame(np.asarray(res.cov_params()), index=X.columns, columns=X.columns),
        df=n_clusters(groups) - 1,
        converged=converged,
        warnings=_caught(ws),
        result=res,
    )


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


# --- Random-intercept logit by adaptive Gauss-Hermite quadrature ------------------------------
# Hand-written (see module docstring). For programme g with random intercept u ~ N(0, s^2):
#   L_g = integral prod_i p(y_i | x_i'b + u) phi(u; 0, s) du.
# Adaptive quadrature centres the Gauss-Hermite rule at the mode u_g of the integrand and
# scales it by the curvature there (Liu & Pierce 1994; Pinheiro & Bates 1995), as
# lme4::glmer(nAGQ = q) does. Parameters: (b, log s); the gradient below treats the nodes as
# fixed, which equals the gradient of the exact integral to quadrature accuracy.


def _log1pexp(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


class _RandomIntercept:
    def __init__(self, y: np.ndarray, X: np.ndarray, groups: np.ndarray, n_points: int):
        self.y, self.X = y.astype(float), X.astype(float)
        self.g, self.G = pd.factorize(groups)[0], n_clusters(groups)
        self.nodes, self.weights = np.polynomial.hermite.hermgauss(n_points)
        self.log_w = np.log(self.weights) + self.nodes**2  # exp(x^2) folded in

    def _sum_g(self, a: np.ndarray) -> np.ndarray:
        """Sum rows of `a` (n,) or (n, q) within programmes."""
        if a.ndim == 1:
            return np.bincount(self.g, weights=a, minlength=self.G)
        return np.stack(
            [np.bincount(self.g, weights=a[:, k], minlength=self.G) for k in range(a.shape[1])], 1
        )

    def _modes(self, eta: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
        """Conditional modes u_g and curvature-based scales by Newton's method."""
        u = np.zeros(self.G)
        for _ in range(50):
            p = special.expit(eta + u[self.g])
            grad = self._sum_g(self.y - p) - u / s**2
            hess = -self._sum_g(p * (1 - p)) - 1 / s**2
            step = grad / hess
            u -= step
            if np.max(np.abs(step)) < 1e-10:
                break
        p = special.expit(eta + u[self.g])
        hess = self._sum_g(p * (1 - p)) + 1 / s**2
        return u, 1 / np.sqrt(hess)

    def _terms(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        b, log_s = theta[:-1], theta[-1]
        s = np.exp(log_s)
        eta = self.X @ b
        mode, scale = self._modes(eta, s)
        u = mode[:, None] + np.sqrt(2) * scale[:, None] * self.nodes[None, :]  # (G, q)
        lin = eta[:, None] + u[self.g]  # (n, q)
        loglik_i = self.y[:, None] * lin - _log1pexp(lin)
        a = (
            self._sum_g(loglik_i)
            + stats.norm.logpdf(u, scale=s)
            + self.log_w[None, :]
            + np.log(np.sqrt(2) * scale)[:, None]
        )  # (G, q)
        lg = special.logsumexp(a, axis=1)
        post = np.exp(a - lg[:, None])  # normalised node weights
        resid = self.y[:, None] - special.expit(lin)
        grad_b = ((resid * post[self.g]).sum(axis=1)) @ self.X
        grad_log_s = np.sum(post * (u**2 / s**2 - 1))
        return float(lg.sum()), np.append(grad_b, grad_log_s)

    def negloglik(self, theta: np.ndarray) -> float:
        return -self._terms(theta)[0]

    def neg_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = self._terms(theta)
        return -ll, -grad


LOG_SD_FLOOR = -8.0  # programme SD below exp(-8) is reported as 0 (boundary)


def fit_random_intercept(
    y: np.ndarray, X: pd.DataFrame, groups: np.ndarray, n_points: int = 15, alpha: float = 0.05
) -> Fit:
    """ML random-intercept logit (adaptive Gauss-Hermite, `n_points` nodes) with Wald tests;
    programme variance, ICC (latent scale) and median odds ratio in `extra`."""
    model = _RandomIntercept(y, X.to_numpy(), groups, n_points)
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        start_b = Logit(y, X).fit(method="newton", disp=0, maxiter=100).params
    start = np.append(np.asarray(start_b), np.log(0.5))
    bounds = [(None, None)] * X.shape[1] + [(LOG_SD_FLOOR, 5.0)]
    opt = optimize.minimize(
        model.neg_and_grad,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 1000, "ftol": 1e-14, "gtol": 1e-8},
    )
    theta = opt.x
    at_boundary = theta[-1] <= LOG_SD_FLOOR + 1e-6
    messages = _caught(ws)
    # Observed information: central differences of the analytic gradient (2(K+1) gradient
    # evaluations rather than O(K^2) likelihood evaluations), symmetrised.
    hess = approx_fprime(theta, lambda t: model.neg_and_grad(t)[1], centered=True)
    hess = (hess + hess.T) / 2
    cov_full = np.full((len(theta), len(theta)), np.nan)
    if at_boundary:
        messages.append("programme variance estimated at the boundary (0): ICC = MOR - 1 = 0")
        cov_full[:-1, :-1] = np.linalg.inv(hess[:-1, :-1])
    else:
        cov_full = np.linalg.inv(hess)
    if not opt.success:
        messages.append(f"optimiser: {opt.message}")
    k = X.shape[1]
    cov = pd.DataFrame(cov_full[:k, :k], index=X.columns, columns=X.columns)
    s, se_log_s = float(np.exp(theta[-1])), float(np.sqrt(cov_full[-1, -1]))
    z = stats.norm.ppf(1 - alpha / 2)

    def icc(sd: float) -> float:
        return 1.0 if sd == np.inf else sd**2 / (sd**2 + np.pi**2 / 3)

    def mor(sd: float) -> float:
        return float(np.exp(np.sqrt(2) * sd * stats.norm.ppf(0.75)))

    # near the boundary the interval of log(SD) is very wide: an upper limit that overflows is
    # +inf (the data do not bound it), not a warning
    with np.errstate(over="ignore"):
        s_lo, s_hi = (
            (0.0, np.nan) if at_boundary else (s * np.exp(-z * se_log_s), s * np.exp(z * se_log_s))
        )
        extra = {
            "programme_sd": 0.0 if at_boundary else s,
            "programme_sd_ci_low": s_lo,
            "programme_sd_ci_high": s_hi,
            "programme_variance": 0.0 if at_boundary else s**2,
            "programme_variance_ci_low": s_lo**2,
            "programme_variance_ci_high": s_hi**2,
            "icc": 0.0 if at_boundary else icc(s),
            "icc_ci_low": icc(s_lo),
            "icc_ci_high": icc(s_hi),
            "median_odds_ratio": 1.0 if at_boundary else mor(s),
            "median_odds_ratio_ci_low": mor(s_lo),
            "median_odds_ratio_ci_high": mor(s_hi),
            "llf": -float(opt.fun),
            "aic": 2 * float(opt.fun) + 2 * (k + 1),
            "quadrature_points": float(n_points),
        }
    return Fit(
        estimator="random_intercept",
        params=pd.Series(theta[:k], index=X.columns),
        cov=cov,
        df=np.inf,
        converged=bool(opt.success),
        warnings=messages,
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
    exog = X.drop(columns=[c for c in X.columns if np.ptp(X[c].to_numpy()) == 0])
    res = detect_separation(exog.to_numpy(), y, fit_intercept=True)
    names = [*exog.columns, "Intercept"]
    infinite = [n for n, fin in zip(names, res.is_finite, strict=True) if not fin]
    empty = []
    for c in X.columns:
        col = X[c].to_numpy()
        if set(np.unique(col)) <= {0.0, 1.0} and np.ptp(col) > 0:
            on = col == 1
            ev = int(y[on].sum())
            if ev == 0 or ev == int(on.sum()):
                kind = "events" if ev == 0 else "non-events"
                empty.append(f"{c}: no {kind} among {int(on.sum())}")
    return Separation(bool(res.separation) or bool(empty), infinite, empty)
