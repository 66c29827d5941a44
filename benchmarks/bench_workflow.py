"""Workflow benchmarks: full default run (wall and CPU time, with the time of every job by
rule), no-op rerun, rerun after one config edit, and specification-curve and
simulation-study throughput at --cores 1 and 2 and on the local SLURM cluster
(tests/slurm/local_cluster.sh), in a fresh copy of a checkout.

    .venv/bin/python benchmarks/bench_workflow.py --sim-replicates 100 --slurm \
        --out docs/benchmarks/workflow.csv
    # only the runs, of another checkout (its own src/ is what the jobs import):
    .venv/bin/python benchmarks/bench_workflow.py --runs-only --source /tmp/old \
        --out docs/benchmarks/workflow-old.csv
    # re-render the timing tables in README.md and docs/benchmarks.md, each from the CSV its
    # marker names (<!-- workflow-benchmark:begin docs/benchmarks/workflow-X.csv -->):
    .venv/bin/python benchmarks/bench_workflow.py --docs

Wall times by time.perf_counter around each Snakemake command; CPU time as the children's
user + system time (resource.getrusage); per-job seconds from the run's own Snakemake
benchmark files (`<out>-jobs.csv`). Reference rows: one job's start-up (a fresh interpreter
importing pandas, statsmodels, matplotlib and scipy) and `snakemake --version`. The tables in
the docs are rendered from the CSV by `render` (tests/test_docs_commands.py checks that they
are), never typed.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
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

START_UP = "import pandas, statsmodels.api, matplotlib.pyplot, scipy.stats"
BEGIN, END = "<!-- workflow-benchmark:begin {} -->", "<!-- workflow-benchmark:end -->"


def _env(repo: Path) -> dict[str, str]:
    """The jobs import the copy's own package, not the editable install's."""
    return {**os.environ, "PYTHONPATH": str(repo / "src")}


def measured(repo: Path, *args: str) -> tuple[float, float]:
    """Wall and CPU seconds (all child processes) of one Snakemake command, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r = subprocess.run([SNAKEMAKE, *args], cwd=repo, capture_output=True, text=True, env=_env(repo))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"snakemake {' '.join(args)} failed:\n{r.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def timed(repo: Path, *args: str) -> float:
    """Wall seconds of one Snakemake command (which must succeed)."""
    return measured(repo, *args)[0]


def best_of(cmd: list[str], n: int = 3) -> float:
    """Shortest wall time of `n` runs of a command (start-up costs: the least disturbed)."""
    walls = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
    return min(walls)


def job_times(run_dir: Path) -> pd.DataFrame:
    """Every job's wall and CPU seconds from the run's Snakemake benchmark files, by rule."""
    rows = []
    for tsv in sorted((run_dir / "restricted/benchmarks").rglob("*.tsv")):
        b = pd.read_csv(tsv, sep="\t")
        rule = tsv.relative_to(run_dir / "restricted/benchmarks").parts[0].removesuffix(".tsv")
        rows.append(
            {"rule": rule, "wall_s": float(b["s"].iloc[-1]), "cpu_s": float(b["cpu_time"].iloc[-1])}
        )
    jobs = pd.DataFrame(rows)
    return (
        jobs.groupby("rule", sort=False)
        .agg(jobs=("wall_s", "size"), wall_s=("wall_s", "sum"), cpu_s=("cpu_s", "sum"))
        .round(1)
        .reset_index()
    )


def render(csv: Path) -> str:
    """The timing table the docs show, from a CSV this script wrote (and its -jobs.csv)."""
    runs = pd.read_csv(ROOT / csv)  # a relative path is relative to the repository
    by = {r.measure: r for r in runs.itertuples()}
    full, noop = by["full default run"], by["no-op rerun"]
    start_up, version = by["one job's start-up"].wall_s, by["snakemake --version"].wall_s
    day = re.search(r"(\d{4}-\d{2}-\d{2})", csv.name)
    lines = [
        f"Measured {day.group(1) if day else ''} by `benchmarks/bench_workflow.py` "
        f"([`{csv.as_posix()}`]({csv.as_posix()})); rendered from that file.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| full default run, empty `results/`, `--cores 2`: wall | {full.wall_s:.1f} s |",
        f"| the same run: CPU time of all its processes | {full.cpu_s:.1f} s |",
        f'| one job\'s start-up (`python -c "{START_UP}"`) | {start_up:.2f} s |',
        f"| full run wall ÷ one job's start-up | {full.wall_s / start_up:.1f} × |",
        f"| no-op rerun | {noop.wall_s:.2f} s ({noop.wall_s / version:.2f} × "
        f"`snakemake --version`, {version:.2f} s) |",
    ]
    edit = [r for m, r in by.items() if m.startswith("rerun after one config edit")]
    if edit:
        lines.append(f"| {edit[0].measure} | {edit[0].wall_s:.1f} s |")
    jobs_csv = ROOT / csv.with_name(csv.stem + "-jobs.csv")
    if jobs_csv.exists():
        jobs = pd.read_csv(jobs_csv)
        lines += [
            "",
            "Where the full run's time goes (Snakemake's benchmark file of every job, summed by "
            "rule; jobs without one are small):",
            "",
            "| rule | jobs | wall, summed | CPU, summed |",
            "|---|---:|---:|---:|",
        ]
        for r in jobs.sort_values("wall_s", ascending=False).itertuples():
            lines.append(f"| {r.rule} | {r.jobs} | {r.wall_s:.1f} s | {r.cpu_s:.1f} s |")
    return "\n".join(lines)


BLOCK = re.compile(
    r"<!-- workflow-benchmark:begin (?P<csv>\S+) -->\n.*?<!-- workflow-benchmark:end -->", re.S
)


def rendered_docs(text: str) -> str:
    """A doc with every timing block re-rendered from the CSV its begin marker names."""

    def block(m: re.Match[str]) -> str:
        csv = m.group("csv")
        return f"{BEGIN.format(csv)}\n{render(Path(csv))}\n{END}"

    return BLOCK.sub(block, text)


DOCS = ("README.md", "docs/benchmarks.md")


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
    ap.add_argument("--source", default=str(ROOT), help="the checkout to benchmark")
    ap.add_argument("--runs-only", action="store_true", help="no curve or simulation rows")
    ap.add_argument("--docs", action="store_true", help="only re-render the docs' timing tables")
    a = ap.parse_args()
    if a.docs:
        for doc in DOCS:
            path = ROOT / doc
            path.write_text(rendered_docs(path.read_text(encoding="utf-8")), encoding="utf-8")
        return
    rows = []

    def add(
        measure: str,
        where: str,
        wall: float,
        units: float = float("nan"),
        unit: str = "",
        cpu: float = float("nan"),
    ):
        rows.append(
            {
                "measure": measure,
                "where": where,
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "units": units,
                "unit": unit,
                "per_second": round(units / wall, 3) if units == units else float("nan"),
            }
        )
        print(rows[-1], flush=True)

    python = sys.executable
    add("one job's start-up", "1 process", best_of([python, "-c", START_UP]))
    add("snakemake --version", "1 process", best_of([SNAKEMAKE, "--version"]))
    out = ROOT / a.out
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        copy_repo(repo, Path(a.source).resolve())
        wall, cpu = measured(repo, "--cores", "2")
        add("full default run", "cores 2", wall, cpu=cpu)
        jobs = job_times(repo / "results/default")
        out.parent.mkdir(parents=True, exist_ok=True)
        jobs.to_csv(out.with_name(out.stem + "-jobs.csv"), index=False)
        print(jobs.to_string(index=False), flush=True)
        add("no-op rerun", "cores 2", timed(repo, "--cores", "2"))
        edit = config_file(repo, "edit", {"report": {"language": "en", "disclosure_threshold": 10}})
        add(
            "rerun after one config edit (report.disclosure_threshold)",
            "cores 2",
            timed(repo, "--cores", "2", "--configfile", edit),
        )
        cfg = yaml.safe_load((repo / "config/config.yaml").read_text(encoding="utf-8"))
        if a.runs_only:
            pd.DataFrame(rows).to_csv(out, index=False)
            print(f"written {out}")
            return
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
            wall = timed(repo, *args, "--forcerun", "multiverse_cells", curve)
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
    pd.DataFrame(rows).to_csv(out, index=False)
    print(f"written {out}")


if __name__ == "__main__":
    main()
