"""Maximum-likelihood random-intercept logit by adaptive Gauss-Hermite quadrature (AGQ).

Hand-written: statsmodels has no frequentist GLMM (its BinomialBayesMixedGLM is a Bayesian
approximation, not this model), and no maintained Python library fits this one. For programme
g with random intercept u ~ N(0, s^2) the likelihood is the one-dimensional integral

    L_g(b, s) = integral prod_i p(y_i | x_i'b + u) phi(u; 0, s) du.

AGQ centres an N-node Gauss-Hermite rule at the mode m_g of the integrand and scales it by
the curvature there (Liu & Pierce 1994; Pinheiro & Bates 1995), as lme4::glmer(nAGQ = N)
does. The function maximised is that N-node approximation itself, with its exact gradient
(the derivative of the nodes' positions through m_g and the scale included), so the
log-likelihood, AIC and standard errors reported belong to the point returned.

The mode of each programme's log-posterior h_g(u) (strictly concave: h_g'' <= -1/s^2) is
found by Newton's method safeguarded by a bracket that always contains it: h_g'(u) =
r_g(u) - u/s^2 with sum(y) - n_g < r_g(u) < sum(y), so the root lies in
[s^2 (sum(y) - n_g), s^2 sum(y)]; a Newton step that leaves the current bracket is replaced
by bisection. Convergence is judged on the gradient (Newton decrement below `MODE_TOL`
posterior standard deviations), and non-convergence is reported, never silent.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from statsmodels.discrete.discrete_model import Logit
from statsmodels.tools.numdiff import approx_fprime

LOG_SD_FLOOR = -8.0  # programme SD below exp(-8) is reported as 0 (boundary)
LOG_SD_CEILING = 5.0  # SD exp(5) ~ 148: an estimate there is unbounded (every cluster separated)
MODE_TOL = 1e-9  # |h'(m)| / sqrt(-h''(m)): distance to the mode in posterior SDs
MODE_MAX_ITER = 200  # bisection alone needs < 110 halvings of any bracket to reach 1e-16
GRADIENT_TOL = 1e-4  # largest |score| accepted at the returned point (log-likelihood units)
QUADRATURE_TOLERANCE = 1e-5  # default: |loglik(N) - loglik(2N+1)| accepted at the optimum
MAX_POINTS = 127  # 15 -> 31 -> 63 -> 127 nodes at most


@dataclass
class Modes:
    """Conditional modes of one evaluation: location, AGQ scale, per-cluster convergence."""

    mode: np.ndarray  # (G,)
    scale: np.ndarray  # (G,) 1 / sqrt(-h''(mode))
    converged: np.ndarray  # (G,) bool
    decrement: np.ndarray  # (G,) |h'(mode)| / sqrt(-h''(mode)) at the returned mode
    weights: np.ndarray  # (n,) p(1-p) at the mode
    probs: np.ndarray  # (n,) p at the mode


class RandomInterceptLikelihood:
    """The N-node AGQ log-likelihood of a random-intercept logit and its exact gradient,
    in the parameters theta = (b, log s)."""

    def __init__(self, y: np.ndarray, X: np.ndarray, groups: np.ndarray, n_points: int):
        self.y, self.X = np.asarray(y, dtype=float), np.asarray(X, dtype=float)
        self.g = pd.factorize(groups)[0]
        self.G = int(self.g.max()) + 1
        self.n_points = int(n_points)
        self.nodes, weights = np.polynomial.hermite.hermgauss(self.n_points)
        self.log_w = np.log(weights) + self.nodes**2  # exp(x^2) folded in
        self.events = self._sum_g(self.y)
        self.sizes = np.bincount(self.g, minlength=self.G).astype(float)

    def _sum_g(self, a: np.ndarray) -> np.ndarray:
        """Sum rows of `a` (n,) or (n, q) within programmes."""
        if a.ndim == 1:
            return np.bincount(self.g, weights=a, minlength=self.G)
        return np.stack(
            [np.bincount(self.g, weights=a[:, k], minlength=self.G) for k in range(a.shape[1])], 1
        )

    def modes(self, eta: np.ndarray, s: float) -> Modes:
        """Conditional modes of every programme's log-posterior by bracketed Newton."""
        s2 = s * s
        lo, hi = s2 * (self.events - self.sizes), s2 * self.events
        u = np.zeros(self.G)  # 0 lies in every bracket
        done = np.zeros(self.G, dtype=bool)
        for _ in range(MODE_MAX_ITER):
            p = special.expit(eta + u[self.g])
            grad = self._sum_g(self.y - p) - u / s2
            curv = self._sum_g(p * (1 - p)) + 1 / s2
            decrement = np.abs(grad) / np.sqrt(curv)
            # the bracket shrinks to the side of u the root lies on
            lo = np.where(grad > 0, u, lo)
            hi = np.where(grad < 0, u, hi)
            # a bracket at floating-point resolution pins the root as well as it can be
            pinned = (hi - lo) <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(u))
            done = (decrement <= MODE_TOL) | pinned
            if done.all():
                break
            step = u + grad / curv
            outside = (step <= lo) | (step >= hi)
            u = np.where(done, u, np.where(outside, (lo + hi) / 2, step))
        p = special.expit(eta + u[self.g])
        grad = self._sum_g(self.y - p) - u / s2
        w = p * (1 - p)
        curv = self._sum_g(w) + 1 / s2
        decrement = np.abs(grad) / np.sqrt(curv)
        converged = done | (decrement <= MODE_TOL)
        return Modes(u, 1 / np.sqrt(curv), converged, decrement, w, p)

    def value_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray, Modes]:
        """The N-node AGQ log-likelihood at theta, its exact gradient, and the modes."""
        b, log_s = theta[:-1], float(theta[-1])
        s = np.exp(log_s)
        s2 = s * s
        X, y, g = self.X, self.y, self.g
        eta = X @ b
        md = self.modes(eta, s)
        m, sigma = md.mode, md.scale
        root2x = np.sqrt(2) * self.nodes  # (q,)
        u = m[:, None] + sigma[:, None] * root2x[None, :]  # (G, q)
        lin = eta[:, None] + u[g]  # (n, q)
        p_nodes = special.expit(lin)
        a = (
            self._sum_g(y[:, None] * lin - np.logaddexp(0.0, lin))
            + stats.norm.logpdf(u, scale=s)
            + self.log_w[None, :]
            + np.log(np.sqrt(2) * sigma)[:, None]
        )  # (G, q)
        lg = special.logsumexp(a, axis=1)
        post = np.exp(a - lg[:, None])  # normalised node weights, (G, q)

        # d a_k / d theta = direct part (nodes fixed) + h'(u_k) d u_k / d theta + d log sigma
        # with u_k = m + sigma sqrt(2) x_k; dm from the implicit function h'(m; theta) = 0 and
        # dsigma from sigma = (-h''(m))^(-1/2). The direct part alone (the earlier code) is the
        # gradient of the exact integral, not of the approximation whose value is reported.
        hprime = self._sum_g(y[:, None] - p_nodes) - u / s2  # (G, q)
        e1 = (post * hprime).sum(axis=1)  # E[h'(u_k)]
        e2 = (post * hprime * root2x[None, :]).sum(axis=1)  # E[h'(u_k) sqrt(2) x_k]
        w, p = md.weights, md.probs
        w3 = w * (1 - 2 * p)  # d w / d eta
        curv = 1 / sigma**2
        # fixed effects
        dm_b = -self._sum_g(w[:, None] * X) / curv[:, None]  # (G, K)
        dcurv_b = self._sum_g(w3[:, None] * X) + self._sum_g(w3)[:, None] * dm_b
        dlogsig_b = -0.5 * dcurv_b / curv[:, None]
        direct_b = (post[g] * (y[:, None] - p_nodes)).sum(axis=1) @ X
        grad_b = (
            direct_b
            + (e1[:, None] * dm_b).sum(axis=0)
            + ((e2 * sigma)[:, None] * dlogsig_b).sum(axis=0)
            + dlogsig_b.sum(axis=0)
        )
        # log s
        dm_t = 2 * m / s2 / curv
        dcurv_t = self._sum_g(w3) * dm_t - 2 / s2
        dlogsig_t = -0.5 * dcurv_t / curv
        direct_t = np.sum(post * (u**2 / s2 - 1))
        grad_t = direct_t + np.sum(e1 * dm_t) + np.sum(e2 * sigma * dlogsig_t) + dlogsig_t.sum()
        return float(lg.sum()), np.append(grad_b, grad_t), md

    def loglik(self, theta: np.ndarray) -> float:
        """The N-node AGQ log-likelihood at theta."""
        return self.value_and_grad(theta)[0]

    def neg_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log-likelihood and its gradient (for minimisers)."""
        ll, grad, _ = self.value_and_grad(theta)
        return -ll, -grad


@dataclass
class RandomInterceptResult:
    """The optimum and everything the caller needs to report it honestly."""

    theta: np.ndarray
    cov_full: np.ndarray
    llf: float
    converged: bool
    at_boundary: bool
    messages: list[str]
    modes_not_converged: int
    max_mode_decrement: float
    max_abs_score: float
    n_points: int  # nodes of the approximation maximised
    quadrature_check: float  # |llf(N nodes) - llf(2N+1 nodes)| at theta


def fit(
    y: np.ndarray,
    X: pd.DataFrame,
    groups: np.ndarray,
    n_points: int,
    tolerance: float = QUADRATURE_TOLERANCE,
) -> RandomInterceptResult:
    """Maximise the AGQ likelihood with `n_points` nodes; while the log-likelihood at the
    optimum moves by more than `tolerance` with 2N+1 nodes, refit with 2N+1 (at most
    `MAX_POINTS`). Small clusters with a large SD need more nodes than the default design."""
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        start_b = Logit(y, X).fit(method="newton", disp=0, maxiter=100).params
    messages += [f"{w.category.__name__}: {w.message}" for w in ws]
    start = np.append(np.asarray(start_b), np.log(0.5))
    n = int(n_points)
    while True:
        r = maximise(y, X, groups, n, start)
        if r.quadrature_check <= tolerance or 2 * n + 1 > MAX_POINTS or not r.converged:
            break
        messages.append(
            f"quadrature: with {n} nodes the log-likelihood moved by {r.quadrature_check:.2g} "
            f"(> {tolerance:g}) with {2 * n + 1}; refitted with {2 * n + 1} nodes"
        )
        start, n = r.theta, 2 * n + 1
    if r.quadrature_check > tolerance:
        messages.append(
            f"quadrature: with {n} nodes the log-likelihood still moves by "
            f"{r.quadrature_check:.2g} (> {tolerance:g}) with {2 * n + 1}"
        )
    r.messages = messages + r.messages
    return r


def maximise(
    y: np.ndarray, X: pd.DataFrame, groups: np.ndarray, n_points: int, start: np.ndarray
) -> RandomInterceptResult:
    """Maximise the N-node AGQ likelihood from `start` = (b, log s); check modes, score,
    curvature, and the quadrature against 2N+1 nodes at the optimum. An SD that goes to the
    lower bound is 0: the model is then the plain logit, whose estimates are returned."""
    model = RandomInterceptLikelihood(y, X.to_numpy(), groups, n_points)
    messages: list[str] = []
    k = X.shape[1]
    opt = optimize.minimize(
        model.neg_and_grad,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[(None, None)] * k + [(LOG_SD_FLOOR, LOG_SD_CEILING)],
        options={"maxiter": 1000, "ftol": 1e-15, "gtol": 1e-9, "maxcor": 20},
    )
    theta = opt.x
    at_boundary = bool(theta[-1] <= LOG_SD_FLOOR + 1e-6)
    llf, score, md = model.value_and_grad(theta)
    if at_boundary:
        # the supremum is at SD = 0, where the likelihood is the plain logit's
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            logit = Logit(y, X).fit(method="newton", start_params=theta[:k], disp=0, maxiter=100)
        messages += [f"{w.category.__name__}: {w.message}" for w in ws]
        theta = np.append(np.asarray(logit.params), LOG_SD_FLOOR)
        llf, score = float(logit.llf), np.append(logit.model.score(logit.params), 0.0)
        hess = -logit.model.hessian(logit.params)
        quadrature_check = 0.0
        messages.append("programme variance estimated at the boundary (0): ICC = MOR - 1 = 0")
    else:
        # observed information: central differences of the exact analytic gradient (2(K+1)
        # gradient evaluations), symmetrised
        hess = approx_fprime(theta, lambda t: model.neg_and_grad(t)[1], centered=True)
        hess = (hess + hess.T) / 2
        finer = RandomInterceptLikelihood(y, X.to_numpy(), groups, 2 * n_points + 1)
        quadrature_check = abs(finer.loglik(theta) - llf)
    free = np.arange(k if at_boundary else k + 1)
    max_abs_score = float(np.max(np.abs(score[free])))
    converged = True
    # L-BFGS-B's line search can stop on rounding at the optimum: the score decides
    if max_abs_score > GRADIENT_TOL:
        converged = False
        messages.append(
            f"score at the returned point {max_abs_score:.2g} > {GRADIENT_TOL:g}"
            + ("" if opt.success else f" (optimiser: {opt.message})")
        )
    n_bad = int((~md.converged).sum())
    if n_bad:
        converged = False
        messages.append(
            f"conditional mode not found for {n_bad} of {model.G} programmes "
            f"(largest Newton decrement {md.decrement.max():.2g})"
        )
    if theta[-1] >= LOG_SD_CEILING - 1e-6:
        converged = False
        messages.append(
            f"programme SD at the upper bound exp({LOG_SD_CEILING:g}): the data do not bound it "
            "(every programme all events or all non-events?)"
        )
    cov_full = np.full((k + 1, k + 1), np.nan)
    sub = hess[np.ix_(free, free)]
    eig = np.linalg.eigvalsh(sub)
    if eig.min() <= 1e-10 * max(1.0, eig.max()):
        converged = False
        messages.append(
            "observed information not positive definite at the returned point: "
            "the estimates are not a maximum"
        )
    else:
        cov_full[np.ix_(free, free)] = np.linalg.inv(sub)
    return RandomInterceptResult(
        theta=theta,
        cov_full=cov_full,
        llf=llf,
        converged=converged,
        at_boundary=at_boundary,
        messages=messages,
        modes_not_converged=n_bad,
        max_mode_decrement=float(md.decrement.max()),
        max_abs_score=max_abs_score,
        n_points=int(n_points),
        quadrature_check=float(quadrature_check),
    )
