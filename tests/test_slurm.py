"""Cluster execution for real: a single-node SLURM cluster from Debian's packages on this
machine runs a small simulation-study fan-out through profiles/slurm, and the
results equal a local run's byte for byte."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SNAKEMAKE, digest, snakemake
from support import SLURM_ARGS

CLUSTER = ROOT / "tests" / "slurm" / "local_cluster.sh"
SMALL = "simulation:\n  replicates: 6\n  chunk_size: 3\n"
CHUNKS = 2  # 6 replicates in chunks of 3


@pytest.fixture(scope="module")
def slurm() -> None:
    """Bring the local cluster up, or skip (outside CI) with the reason."""
    reason = None
    if os.geteuid() != 0:
        reason = "the local SLURM cluster needs root (it writes /etc/slurm, starts daemons)"
    elif not shutil.which("apt-get") and not shutil.which("slurmctld"):
        reason = "SLURM is not installed and there is no apt-get to install it"
    else:
        up = subprocess.run([str(CLUSTER), "start"], capture_output=True, text=True)
        if up.returncode != 0:
            reason = f"the local SLURM cluster did not start: {up.stderr.strip()[-500:]}"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI installs the packages: a skip there would hide a break
        pytest.skip(reason)


def test_simulation_fan_out_on_slurm_equals_a_local_run(slurm: None, repo: Path) -> None:
    for run in ("slurm_local", "slurm_cluster"):
        (repo / "config" / f"{run}.yaml").write_text(f"run_name: {run}\n{SMALL}", encoding="utf-8")
    local = snakemake(repo, "simulation", "--configfile", "config/slurm_local.yaml")
    assert local.returncode == 0, local.stderr[-3000:]

    cluster = subprocess.run(
        [
            SNAKEMAKE,
            "simulation",
            *SLURM_ARGS,
            "--configfile",
            "config/slurm_cluster.yaml",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = cluster.stdout + cluster.stderr
    assert cluster.returncode == 0, log[-3000:]
    slurm_ids = re.findall(r"submitted with SLURM jobid (\d+)", log)
    # every scenario x CHUNKS chunks, the summary and the data package: every computing job went
    # through sbatch
    scenarios = len(
        yaml.safe_load((repo / "config/config.yaml").read_text())["simulation"]["scenarios"]
    )
    jobs = scenarios * CHUNKS + 2
    assert len(slurm_ids) == jobs, log[-3000:]
    queue = subprocess.run(
        ["squeue", "--states=all", "-h", "-o", "%i %T", "-j", ",".join(slurm_ids)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert sum(line.endswith("COMPLETED") for line in queue) == jobs, queue

    a = digest(repo / "results/slurm_local/restricted/simulation")
    b = digest(repo / "results/slurm_cluster/restricted/simulation")
    assert len(a) == scenarios * CHUNKS + 4
    # the data packages differ in the run's name and config hash only: the same resources
    packages = [
        json.loads(d.joinpath("datapackage.json").read_text(encoding="utf-8"))
        for d in (
            repo / "results/slurm_local/restricted/simulation",
            repo / "results/slurm_cluster/restricted/simulation",
        )
    ]
    assert [r["hash"] for r in packages[0]["resources"]] == [
        r["hash"] for r in packages[1]["resources"]
    ]
    a.pop("datapackage.json"), b.pop("datapackage.json")
    assert a == b
