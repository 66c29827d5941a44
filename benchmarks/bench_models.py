"""Benchmark of the model stage (issue: employment-predictor models).

    .venv/bin/python benchmarks/bench_models.py                 # all sizes, all estimators
    .venv/bin/python benchmarks/bench_models.py --sizes 10000   # a quick run

Times one fit of the `core` specification per estimator on data simulated by
ipseval.synthetic.simulate (32 programmes, ~12 % events, programme SD 0.5) at each N, each in a
fresh
subprocess so that its peak resident memory (ru_maxrss) is its own. `baseline` is the same
subprocess without a fit (imports, simulation, design matrix): subtract it to see what the
estimator itself costs. Writes a CSV and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ESTIMATORS = ("baseline", "logit_cr1", "gee_br", "random_intercept", "firth")
# GEE's bias-reduced covariance forms an n_g x n_g matrix per programme: at 1M rows in 32
# programmes that is 31k x 31k x 8 bytes = 7.7 GB each, so it is not attempted there.
MAX_CLUSTER_FOR_GEE_BR = 10_000


def child(n: int, estimator: str) -> None:
    """Run in the subprocess: simulate, build the design, fit once, print JSON."""
    import yaml

    from ipseval.models import estimators as est
    from ipseval.models.design import Specification, build_design
    from ipseval.synthetic.simulate import simulate

    sys.path.insert(0, str(ROOT / "tests"))
    from support import sim_scenario

    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))["models"]
    spec = Specification.from_config("core", cfg)
    design = build_design(simulate(sim_scenario(n=n, intercept=-1.3), seed=1), "sim", spec)
    y, X, g = design.complete_case()
    start = time.perf_counter()
    if estimator == "logit_cr1":
        est.fit_logit_cr1(y, X, g)
    elif estimator == "gee_br":
        est.fit_gee_br(y, X, g)
    elif estimator == "random_intercept":
        est.fit_random_intercept(y, X, g)
    elif estimator == "firth":
        est.fit_firth(y, X)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    print(json.dumps({"n": n, "estimator": estimator, "seconds": seconds, "peak_mib": peak}))


def main() -> None:
    """Run every size x estimator in its own process; write and print the results."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks" / "models.csv"))
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1])
        return
    rows = []
    for n in args.sizes:
        for estimator in ESTIMATORS:
            if estimator == "gee_br" and n / 32 > MAX_CLUSTER_FOR_GEE_BR:
                rows.append(
                    {
                        "n": n,
                        "estimator": estimator,
                        "seconds": None,
                        "peak_mib": None,
                        "note": "skipped: n_g x n_g matrix per programme (7.7 GB at 1M)",
                    }
                )
                continue
            r = subprocess.run(
                [sys.executable, __file__, "--child", str(n), estimator],
                capture_output=True,
                text=True,
                check=False,
                env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
            )
            if r.returncode != 0:
                rows.append(
                    {
                        "n": n,
                        "estimator": estimator,
                        "seconds": None,
                        "peak_mib": None,
                        "note": "failed: " + r.stderr.strip().splitlines()[-1][:120],
                    }
                )
            else:
                rows.append({**json.loads(r.stdout.strip().splitlines()[-1]), "note": ""})
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.3f")
    print(f"\nMachine: {platform.platform()}, Python {platform.python_version()}\n")
    print(table.to_markdown(index=False, floatfmt=".2f"))


if __name__ == "__main__":
    main()
