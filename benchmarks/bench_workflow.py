"""Workflow benchmarks (issue 5): full default run, no-op rerun, rerun after one config edit,
specification-curve and simulation-study throughput at --cores 1 and 2 and on the local
SLURM cluster (tests/slurm/local_cluster.sh), in a fresh copy of the repository.

    .venv/bin/python benchmarks/bench_workflow.py --sim-replicates 100 --slurm \
        --out docs/benchmarks/workflow.csv

Wall times by time.perf_counter around each Snakemake command; results in the CSV and on
stdout. Targets (2 cores): full run < 60 s, no-op < 3 s, 1,000 simulation replicates of all
estimators < 10 min (that one: `time make simulation`, recorded in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
sys.path.insert(0, str(ROOT / "tests"))
from support import SLURM_ARGS, copy_repo  # noqa: E402 - tests/ on the path first


def timed(repo: Path, *args: str) -> float:
    """Wall seconds of one Snakemake command (which must succeed)."""
    start = time.perf_counter()
    r = subprocess.run([SNAKEMAKE, *args], cwd=repo, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit(f"snakemake {' '.join(args)} failed:\n{r.stderr[-3000:]}")
    return wall


def config_file(repo: Path, name: str, changes: dict) -> str:
    path = repo / "config" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(changes), encoding="utf-8")
    return str(path.relative_to(repo))


def main() -> None:
    """Run the benchmarks and write the CSV."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sim-replicates", type=int, default=100)
    ap.add_argument("--chunk-size", type=int, default=25)
    ap.add_argument("--slurm", action="store_true", help="also on the local SLURM cluster")
    ap.add_argument("--out", default="docs/benchmarks/workflow.csv")
    a = ap.parse_args()
    rows = []

    def add(measure: str, where: str, wall: float, units: float = float("nan"), unit: str = ""):
        rows.append(
            {
                "measure": measure,
                "where": where,
                "wall_s": round(wall, 2),
                "units": units,
                "unit": unit,
                "per_second": round(units / wall, 3) if units == units else float("nan"),
            }
        )
        print(rows[-1], flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        copy_repo(repo)
        add("full default run", "cores 2", timed(repo, "--cores", "2"))
        add("no-op rerun", "cores 2", timed(repo, "--cores", "2"))
        edit = config_file(repo, "edit", {"report": {"language": "en", "disclosure_threshold": 10}})
        add(
            "rerun after one config edit (report.disclosure_threshold)",
            "cores 2",
            timed(repo, "--cores", "2", "--configfile", edit),
        )
        cfg = yaml.safe_load((repo / "config/config.yaml").read_text(encoding="utf-8"))
        g = cfg["multiverse"]["grids"]["default"]
        n_specs = (
            len(g["outcomes"])
            * len(g["predictor_sets"])
            * len(g["samples"])
            * len(g["missing_data"])
            * len(g["estimators"])
        )
        curve = "results/default/restricted/multiverse/default/curve.png"
        wheres = [("cores 1", ["--cores", "1"]), ("cores 2", ["--cores", "2"])]
        if a.slurm:
            wheres.append(("local SLURM (2 CPUs)", SLURM_ARGS))
        for where, args in wheres:
            wall = timed(repo, *args, "--forcerun", "multiverse_cell", curve)
            add("specification curve, default grid", where, wall, n_specs, "specifications")
        n_scen = len(cfg["simulation"]["scenarios"])
        for where, args in wheres:
            name = "bench_sim_" + where.split()[0] + where.split()[-1].strip("()")
            cf = config_file(
                repo,
                name,
                {
                    "run_name": name,
                    "simulation": {"replicates": a.sim_replicates, "chunk_size": a.chunk_size},
                },
            )
            wall = timed(repo, "simulation", *args, "--configfile", cf)
            add(
                f"simulation study, {a.sim_replicates} replicates x {n_scen} scenarios",
                where,
                wall,
                a.sim_replicates * n_scen,
                "replicate data sets",
            )
    out = ROOT / a.out
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(out, index=False)
    print(f"written {out}")


if __name__ == "__main__":
    main()
