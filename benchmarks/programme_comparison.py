"""How the case-mix-adjusted programme comparison behaves (a diagnostic, not a test; issue 28)

    .venv/bin/python benchmarks/programme_comparison.py [--replicates 300]

Simulates evaluations of 32 programmes of 15-60 participants whose case mix differs (a
covariate with programme means drawn from N(0, 0.7^2), slope 0.8 on the log-odds) and
prints, for the 95 % limits of `ipseval.models.programmes.compare`: the share of programmes
without an effect that are flagged (with the true probabilities, with probabilities fitted
on the case mix, and crude, everyone at the overall rate), and the share of programmes set
1 log-odds above or below expectation that are flagged on their side, beside the exact power
the true probabilities give. tests/test_programmes.py checks the same properties on fewer
replicates.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy import special

from ipseval.models import programmes as pr

G = 32


def simulate(rng: np.random.Generator, effects: np.ndarray) -> tuple[np.ndarray, ...]:
    """One evaluation: programme, case mix, outcome, true log-odds without the effect."""
    sizes = rng.integers(15, 61, G)
    mu = rng.normal(0, 0.7, G)
    g = np.repeat(np.arange(G), sizes)
    x = rng.normal(mu[g], 1)
    eta0 = -1.0 + 0.8 * x
    y = (rng.random(len(g)) < special.expit(eta0 + effects[g])).astype(float)
    return g, x, y, eta0


def main() -> None:
    """Print the shares."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=300)
    n = ap.parse_args().replicates
    rng = np.random.default_rng(20130601)
    null = {"true probabilities": [], "fitted on the case mix": [], "crude": []}
    for _ in range(n):
        g, x, y, eta0 = simulate(rng, np.zeros(G))
        X = pd.DataFrame({"Intercept": 1.0, "x": x})
        for name, p in (
            ("true probabilities", special.expit(eta0)),
            ("fitted on the case mix", pr.expected(y, X)),
            ("crude", np.full(len(y), y.mean())),
        ):
            null[name].append((pr.compare(y, p, g)["position"] != "within").to_numpy())
    print(f"null programmes flagged by the 95 % limits ({n} x {G} programmes):")
    for name, flags in null.items():
        print(f"  {name}: {np.concatenate(flags).mean():.3f}")
    effects = np.zeros(G)
    effects[:4], effects[4:8] = 1.0, -1.0
    found, power = {1.0: [], -1.0: []}, {1.0: [], -1.0: []}
    for _ in range(n):
        g, x, y, eta0 = simulate(rng, effects)
        X = pd.DataFrame({"Intercept": 1.0, "x": x})
        c = pr.compare(y, pr.expected(y, X), g).set_index("programme")
        for j in range(8):
            side = effects[j]
            found[side].append(c.loc[j, "position"] == ("above" if side > 0 else "below"))
            f0 = pr.poisson_binomial_pmf(special.expit(eta0[g == j]))
            f1 = pr.poisson_binomial_pmf(special.expit(eta0[g == j] + side))
            cum = np.cumsum(f0)
            tail = (1 - cum + f0 / 2) if side > 0 else (cum - f0 / 2)
            power[side].append(f1[tail < 0.025].sum())
    for side in (1.0, -1.0):
        print(
            f"programmes set {side:+.0f} log-odds: flagged on their side "
            f"{np.mean(found[side]):.3f} (exact power with the true probabilities "
            f"{np.mean(power[side]):.3f})"
        )


if __name__ == "__main__":
    main()
