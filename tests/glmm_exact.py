"""An independent, slow, high-accuracy random-intercept logit: the likelihood as per-cluster
integrals by `scipy.integrate.quad`, and its maximum by a generic optimiser (L-BFGS-B on the
exact likelihood, its gradient also by quadrature). Shares no code with
`ipseval.models.random_intercept`; the tests and `benchmarks/random_intercept_sweep.py` validate the
estimator against it. Also the sweep's simulated designs."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import integrate, optimize, special

# The designs of the validation sweep: G clusters of m participants, random-intercept SD, and
# the intended prevalence. One participant-level binary covariate (true log-OR 0.5) and one
# programme-level binary covariate (true log-OR -0.5), so that clusters share few distinct
# patterns and the exact likelihood stays affordable.
SWEEP = [
    # (name, G, m, sd, prevalence)
    ("many pairs, SD 3", 1000, 2, 3.0, 0.50),
    ("many pairs, SD 0", 1000, 2, 0.0, 0.50),
    ("clusters of 4, SD 2, common", 250, 4, 2.0, 0.86),
    ("clusters of 4, SD 2, rare", 250, 4, 2.0, 0.05),
    ("clusters of 4, SD 3, 98 %", 300, 4, 3.0, 0.98),
    ("clusters of 4, SD 1, 20 %", 1000, 4, 1.0, 0.20),
    ("default-like, 4 %", 32, 30, 0.5, 0.04),
    ("default-like, 12 %", 32, 30, 0.5, 0.12),
    ("default-like, SD 0", 32, 30, 0.0, 0.50),
    ("default-like, SD 0.05", 32, 30, 0.05, 0.50),
    ("30 per cluster, 2 %", 1000, 30, 0.5, 0.02),
    ("30 per cluster, 98 %, SD 1", 100, 30, 1.0, 0.98),
    ("10 large clusters, SD 3", 10, 200, 3.0, 0.50),
    ("10 large clusters, SD 0.05", 10, 200, 0.05, 0.50),
    ("10 large clusters, 2 %", 10, 200, 1.0, 0.02),
    ("32 large clusters, SD 2", 32, 200, 2.0, 0.30),
    ("10 pairs, SD 1", 10, 2, 1.0, 0.50),
    ("100 clusters of 2, 2 %", 100, 2, 1.0, 0.02),
]
TRUE_EFFECTS = (0.5, -0.5)  # participant-level x, programme-level z


def intercept_for(prevalence: float, sd: float) -> float:
    """Intercept giving the marginal prevalence at covariates' mean effect (by quadrature)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(60)
    weights = weights / weights.sum()
    shift = 0.5 * TRUE_EFFECTS[0] + 0.5 * TRUE_EFFECTS[1]

    def gap(b0: float) -> float:
        return float(weights @ special.expit(b0 + shift + sd * nodes)) - prevalence

    return optimize.brentq(gap, -40, 40)


def simulate_design(
    G: int, m: int, sd: float, prevalence: float, seed: int
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """y, X (Intercept, x, z) and cluster ids of one sweep design."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(G), m)
    x = rng.integers(0, 2, G * m).astype(float)
    z = (np.arange(G) % 2).astype(float)[g]
    u = rng.normal(0.0, sd, G)[g]
    b0 = intercept_for(prevalence, sd)
    eta = b0 + TRUE_EFFECTS[0] * x + TRUE_EFFECTS[1] * z + u
    y = (rng.random(G * m) < special.expit(eta)).astype(float)
    return y, pd.DataFrame({"Intercept": 1.0, "x": x, "z": z}), g


@dataclass
class Patterns:
    """Clusters reduced to their distinct patterns: per pattern, the distinct covariate rows
    with their counts of participants and events, and how many clusters share it."""

    rows: np.ndarray  # (R, K) distinct covariate rows
    members: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # (row ids, n, events)
    count: np.ndarray  # clusters per pattern


def patterns(y: np.ndarray, X: np.ndarray, groups: np.ndarray) -> Patterns:
    """Group identical clusters (same multiset of (covariate row, n, events))."""
    rows, row_id = np.unique(np.asarray(X, float), axis=0, return_inverse=True)
    d = pd.DataFrame({"g": groups, "r": row_id.ravel(), "y": y})
    cells = d.groupby(["g", "r"]).agg(n=("y", "size"), e=("y", "sum")).reset_index()
    keys = cells.groupby("g").apply(
        lambda c: tuple(zip(c["r"], c["n"], c["e"], strict=True)), include_groups=False
    )
    counts = keys.value_counts(sort=False)
    members = [
        (
            np.array([k[0] for k in key]),
            np.array([k[1] for k in key], float),
            np.array([k[2] for k in key], float),
        )
        for key in counts.index
    ]
    return Patterns(rows, members, counts.to_numpy(float))


def _pattern_integrals(
    b: np.ndarray, s: float, rows: np.ndarray, member: tuple, with_gradient: bool
) -> tuple[float, np.ndarray]:
    """log of the pattern's integral and (optionally) its gradient in (b, s)."""
    r, n, e = member
    eta = rows[r] @ b
    xs = rows[r]

    def log_data(u: float) -> float:
        lin = eta + u
        return float(np.sum(e * lin - n * np.logaddexp(0.0, lin)))

    if s == 0.0:
        p = special.expit(eta)
        return log_data(0.0), np.append((e - n * p) @ xs, 0.0)

    def dlog(u: float) -> float:
        return float(np.sum(e - n * special.expit(eta + u))) - u / s**2

    # the integrand's maximum: dlog is decreasing and changes sign in this bracket
    lo, hi = s**2 * (e.sum() - n.sum()) - 1.0, s**2 * e.sum() + 1.0
    u0 = optimize.brentq(dlog, lo, hi, xtol=1e-14, rtol=1e-15)
    c = log_data(u0) - 0.5 * (u0 / s) ** 2
    half = 12.0 * s  # beyond, the integrand is below exp(-72) of its maximum (curvature >= 1/s^2)

    def f(u: float) -> float:
        return np.exp(log_data(u) - 0.5 * (u / s) ** 2 - c) / (np.sqrt(2 * np.pi) * s)

    if not with_gradient:
        val, _ = integrate.quad(
            f, u0 - half, u0 + half, points=[u0], epsabs=0, epsrel=1e-13, limit=500
        )
        return c + np.log(val), np.array([])

    def fvec(u: float) -> np.ndarray:
        score_b = (e - n * special.expit(eta + u)) @ xs
        score_s = -1.0 / s + u**2 / s**3
        return f(u) * np.concatenate([[1.0], score_b, [score_s]])

    vals, _ = integrate.quad_vec(
        fvec, u0 - half, u0 + half, points=[u0], epsabs=1e-300, epsrel=1e-12, limit=2000
    )
    return c + np.log(vals[0]), vals[1:] / vals[0]


def loglik(theta: np.ndarray, pat: Patterns) -> float:
    """Exact log-likelihood at theta = (b, s) (s the SD, not its log)."""
    b, s = np.asarray(theta[:-1], float), float(theta[-1])
    return float(
        sum(
            k * _pattern_integrals(b, s, pat.rows, mem, False)[0]
            for mem, k in zip(pat.members, pat.count, strict=True)
        )
    )


def loglik_and_grad(theta: np.ndarray, pat: Patterns) -> tuple[float, np.ndarray]:
    """Exact log-likelihood and its gradient in (b, s)."""
    b, s = np.asarray(theta[:-1], float), float(theta[-1])
    total, grad = 0.0, np.zeros(len(theta))
    for mem, k in zip(pat.members, pat.count, strict=True):
        ll, gr = _pattern_integrals(b, s, pat.rows, mem, True)
        total += k * ll
        grad += k * gr
    return total, grad


def maximise(pat: Patterns, start: np.ndarray) -> tuple[np.ndarray, float, bool]:
    """The exact likelihood's maximum by L-BFGS-B from `start` = (b, s), s >= 0."""
    res = optimize.minimize(
        lambda t: tuple(-v for v in loglik_and_grad(t, pat)),
        np.asarray(start, float),
        jac=True,
        method="L-BFGS-B",
        bounds=[(None, None)] * (len(start) - 1) + [(0.0, None)],
        options={"ftol": 1e-15, "gtol": 1e-7, "maxiter": 500},
    )
    return res.x, -float(res.fun), bool(res.success)


def compare(
    y: np.ndarray, X: pd.DataFrame, g: np.ndarray, params: np.ndarray, sd: float, llf: float
) -> dict[str, float]:
    """Differences of a fit (params, SD, reported log-likelihood) from the exact likelihood:
    at the returned point, and from the exact maximum (searched from the returned point with
    the SD started at >= 0.1, so that a boundary estimate is not assumed)."""
    pat = patterns(y, np.asarray(X, float), g)
    at_returned = loglik(np.append(params, sd), pat)
    theta, _, ok = maximise(pat, np.append(params, max(sd, 0.1)))
    return {
        "llf": abs(llf - at_returned),
        "coef": float(np.max(np.abs(np.asarray(params) - theta[:-1]))),
        "sd": abs(sd - theta[-1]),
        "exact_converged": ok,
    }


def glmer_estimates(
    rscript: str, designs: dict[str, tuple], where: Path, n_points: int
) -> pd.DataFrame:
    """glmer(nAGQ = n_points) on each design (key -> (y, X, g)) via
    tests/reference/glmer_designs.R: design, quantity, term, value."""
    for key, (y, X, g) in designs.items():
        frame = pd.DataFrame({"y": y.astype(int), "cluster": g, "x": X["x"], "z": X["z"]})
        frame.to_csv(where / f"{key}.csv", index=False)
    script = Path(__file__).parent / "reference" / "glmer_designs.R"
    run = subprocess.run(
        [rscript, str(script), str(where), str(n_points)],
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(run.stderr)
    return pd.read_csv(where / "glmer.csv", keep_default_na=False)
