"""How typical is the default seed of the calibrated generator? (a diagnostic, not a test)

    .venv/bin/python benchmarks/synth_truth_check.py [--seeds 30]

For the default seed and for seeds 1..N of `ipseval.synthetic.synth` (same settings otherwise), fits
logit P(paid work) on the generator's true linear predictor (plus time and sex, whose counts
are fixed by the published tables). A correct generator gives a slope near 1 on average; the
spread shows how far one synthetic data set can stray from its truth.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
import yaml

from ipseval.synthetic import synth

ROOT = Path(__file__).resolve().parents[1]


def slope(cfg: dict, seed: int) -> float | None:
    """Slope of paid work on the true linear predictor for one generator seed."""
    rng = np.random.default_rng(seed)
    published = ROOT / "data/raw/published"
    try:
        prog = synth.make_programmes(cfg, published, rng)
        d = synth.make_participants(cfg, published, prog, rng)
    except ValueError:  # a seed the calibration cannot use
        return None
    ok = d["occupation"].notna()
    y = d["occupation"].isin(["regular_work", "wage_subsidy_work"]).astype(float)
    X = sm.add_constant(
        pd.DataFrame(
            {
                "eta": d["eta"],
                "gt6m": (d["stratum"] == "gt6m").astype(float),
                "male": (d["sex"] == "male").astype(float),
            }
        )
    )
    return float(sm.Logit(y[ok], X[ok]).fit(disp=0).params["eta"])


def main() -> None:
    """Print the default seed's slope and the distribution over other seeds."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=30)
    args = ap.parse_args()
    cfg = yaml.safe_load((ROOT / "config/synthetic.yaml").read_text(encoding="utf-8"))
    print(f"default seed {cfg['seed']}: slope {slope(cfg, cfg['seed']):.3f}")
    slopes = [s for s in (slope(cfg, k) for k in range(1, args.seeds + 1)) if s is not None]
    print(
        f"seeds 1..{args.seeds}: {len(slopes)} usable, mean {np.mean(slopes):.3f}, "
        f"SD {np.std(slopes, ddof=1):.3f}"
    )


if __name__ == "__main__":
    main()
