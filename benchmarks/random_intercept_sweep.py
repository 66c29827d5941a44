"""Validation sweep of the random-intercept estimator (issue 17): every design of
tests/glmm_exact.SWEEP fitted by ipseval and compared with the exact likelihood (per-cluster
scipy quad at the returned point; its maximum by a generic optimiser) and, where R is
installed, with lme4's glmer at the same 15 nodes.

    .venv/bin/python benchmarks/random_intercept_sweep.py --out docs/random_intercept_sweep.csv

Writes the CSV and replaces the table between the sweep markers in docs/models.md.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from glmm_exact import SWEEP, compare, glmer_estimates, simulate_design  # noqa: E402

from ipseval.models import estimators as est  # noqa: E402

START, END = "<!-- sweep:start -->", "<!-- sweep:end -->"


def run(seed: int) -> pd.DataFrame:
    """One row per design: the fit, its checks and its distances from the references."""
    rows, designs, fixed = [], {}, {}
    for i, (name, G, m, sd, prevalence) in enumerate(SWEEP):
        y, X, g = simulate_design(G, m, sd, prevalence, seed)
        separated = est.check_separation(y, X).separated
        t0 = time.perf_counter()
        fit = est.fit_random_intercept(y, X, g)
        seconds = time.perf_counter() - t0
        row = {
            "design": name,
            "clusters": G,
            "cluster_size": m,
            "true_sd": sd,
            "prevalence": prevalence,
            "events": int(y.sum()),
            "separated": separated,
            "converged": fit.converged,
            "nodes": int(fit.extra["quadrature_points"]),
            "estimated_sd": fit.extra["programme_sd"],
            "seconds": round(seconds, 3),
        }
        if fit.converged:
            diff = compare(
                y, X, g, fit.params.to_numpy(), fit.extra["programme_sd"], fit.extra["llf"]
            )
            row |= {
                "loglik_vs_exact": diff["llf"],
                "coef_vs_exact_max": diff["coef"],
                "sd_vs_exact_max": diff["sd"],
            }
        if not separated:
            key = f"design{i:02d}"
            designs[key] = (y, X, g)
            fixed[key] = est.fit_random_intercept(y, X, g, 15, quadrature_tolerance=np.inf)
        rows.append(row)
    out = pd.DataFrame(rows)
    rscript = shutil.which("Rscript")
    if rscript:
        with tempfile.TemporaryDirectory() as tmp:
            ref = glmer_estimates(rscript, designs, Path(tmp), 15)
        for key, fit in fixed.items():
            r = ref[ref["design"] == key]
            b = r[r["quantity"] == "estimate"].set_index("term")["value"]
            i = int(key[len("design") :])
            out.loc[i, "coef_vs_glmer15"] = float(
                np.max(np.abs(b.reindex(fit.params.index).to_numpy(float) - fit.params))
            )
            ll = float(r.set_index("quantity").loc["loglik", "value"])
            out.loc[i, "loglik_minus_glmer15"] = fit.extra["llf"] - ll
    return out


def markdown(table: pd.DataFrame) -> str:
    """The sweep as the markdown table of docs/models.md."""

    def sci(v: float) -> str:
        return "—" if pd.isna(v) else f"{v:.1e}"

    lines = [
        "| design | G × m | SD | prev. | events | nodes | converged "
        "| Δ loglik (exact, at point) | Δ coef (exact max) | Δ SD (exact max) "
        "| Δ coef (glmer, 15 nodes) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        status = "yes" if r.converged else ("no: separated" if r.separated else "**no**")
        lines.append(
            f"| {r.design} | {r.clusters} × {r.cluster_size} | {r.true_sd:g} "
            f"| {r.prevalence:.0%} | {r.events} | {r.nodes} | {status} "
            f"| {sci(getattr(r, 'loglik_vs_exact', np.nan))} "
            f"| {sci(getattr(r, 'coef_vs_exact_max', np.nan))} "
            f"| {sci(getattr(r, 'sd_vs_exact_max', np.nan))} "
            f"| {sci(getattr(r, 'coef_vs_glmer15', np.nan))} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the sweep, write the CSV, update docs/models.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "random_intercept_sweep.csv")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "models.md")
    args = parser.parse_args()
    table = run(args.seed)
    table.to_csv(args.out, index=False)
    md = markdown(table)
    print(md)
    text = args.docs.read_text(encoding="utf-8")
    if START in text:
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        text = pattern.sub(lambda _: f"{START}\n{md}\n{END}", text)
        args.docs.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
