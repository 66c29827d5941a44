"""What the report says about how it was made: code version, inputs, lock, step times."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd


def git_state(root: str | Path = ".") -> tuple[str, bool | None]:
    """(commit, dirty) of the working tree, or ('unknown', None) outside a git checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown", None
    return commit, bool(status.strip())


def locked_versions(lock: str | Path) -> pd.DataFrame:
    """package, version of every pin in the lock file."""
    pins = re.findall(
        r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", Path(lock).read_text(encoding="utf-8"), re.M
    )
    return pd.DataFrame(pins, columns=["package", "version"])


def step_times(files: Iterable[str | Path]) -> pd.DataFrame:
    """step, seconds from Snakemake's benchmark files (a step named by its path below
    `benchmarks/`)."""
    rows = []
    for path in sorted(map(Path, files)):
        b = pd.read_csv(path, sep="\t")
        parts = path.with_suffix("").parts
        step = (
            "/".join(parts[parts.index("benchmarks") + 1 :]) if "benchmarks" in parts else path.stem
        )
        rows.append({"step": step, "seconds": float(b["s"].iloc[-1])})
    return pd.DataFrame(rows, columns=["step", "seconds"])


def run_times(files: Iterable[str | Path], gap: float = 60.0) -> tuple[float, float]:
    """(wall, cpu) seconds of the latest run: its jobs are the chain of benchmark intervals
    ending with the last one (a job's end is its benchmark file's time, its start that minus
    its wall seconds), with no pause longer than `gap` s between them, so jobs an earlier
    run made and this one reused are not counted. Wall: first start to last end; CPU:
    summed over those jobs. NaN when there are no benchmark files."""
    jobs = []
    for path in map(Path, files):
        b = pd.read_csv(path, sep="\t")
        end = path.stat().st_mtime
        value = pd.to_numeric(b.get("cpu_time", pd.Series([np.nan])), errors="coerce").iloc[-1]
        jobs.append((end - float(b["s"].iloc[-1]), end, 0.0 if pd.isna(value) else float(value)))
    if not jobs:
        return float("nan"), float("nan")
    jobs.sort(key=lambda j: j[1], reverse=True)
    start, end, cpu = jobs[0]
    for s, e, c in jobs[1:]:
        if e < start - gap:
            break
        start, cpu = min(start, s), cpu + c
    return end - start, cpu


def duration(seconds: float) -> str:
    """'1 min 23 s' or '45 s' for a reader."""
    if np.isnan(seconds):
        return "–"
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60} s" if whole >= 60 else f"{whole} s"
