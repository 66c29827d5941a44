"""Helpers shared by the tests and the benchmarks (benchmarks/ puts tests/ on sys.path)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# Snakemake options for the local single-node cluster (tests/slurm/local_cluster.sh) on top of
# the project's SLURM profile. There is no slurmdbd here, so job states come from squeue
# (MinJobAge=3600 in slurm.conf keeps finished jobs listed); short status intervals keep a
# small fan-out from waiting on the plugin's 40-s default.
SLURM_ARGS = [
    "--workflow-profile",
    "profiles/slurm",
    "--slurm-status-command",
    "squeue",
    "--slurm-init-seconds-before-status-checks",
    "2",
    "--seconds-between-status-checks",
    "2",
]


# The uncalibrated simulation of the tests, benchmarks and R reference data draws its outcome
# from the synthetic default's documented truth (config/synthetic.yaml, through
# `truth_by_column`), plus two slopes the calibrated data cannot have (there, sex and time in
# programme enter only through the published cell counts): these two are the tests' own.
SIM_ONLY_SLOPES = {
    "sex_code": {"levels": {"female": 0.0, "male": -0.20}},
    "time_gt_6m": {"per_unit": 0.6},
}
# the order in which the linear predictor adds the terms up (kept, so that the floating-point
# sums and hence the drawn outcomes are those of the reference data in tests/reference/)
_SIM_ORDER = ["age", "sex_code", "diagnosis_group", "work_history", "time_gt_6m", "caseload"]


def sim_scenario(**design: object) -> Any:
    """A `Scenario` of the uncalibrated simulation with the synthetic default's truth and
    centres (config/synthetic.yaml) and `SIM_ONLY_SLOPES`; `design` as the fields."""
    import yaml

    from ipseval.models.truth import truth_by_column
    from ipseval.synthetic.simulate import Scenario

    gen = yaml.safe_load((ROOT / "config/synthetic.yaml").read_text(encoding="utf-8"))["truth"]
    by_column = truth_by_column(gen) | SIM_ONLY_SLOPES
    truth = {col: by_column[col] for col in _SIM_ORDER}
    centres = {"age": gen["age_centre"], "caseload": gen["caseload_centre"]}
    return Scenario(truth=truth, centres=centres, **design)


def copy_repo(dest: Path, source: Path = ROOT) -> Path:
    """Copy a checkout's (by default this repository's) tracked and untracked-but-not-ignored
    files (what a clone has) into `dest`; returns `dest`."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for rel in files:
        if (source / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / rel, dest / rel)
    return dest


def require_rscript() -> str:
    """Rscript's path; outside CI a missing R skips the calling test, in CI it fails it (.ci/run
    installs R and the packages, so a skip there would hide a break)."""
    import os

    import pytest

    found = shutil.which("Rscript")
    if found is None:
        reason = "R is not installed here (.ci/run installs r-base-core, r-cran-lme4, ...)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


# --- the commands the README and docs show (tests/test_docs_commands.py) --------------------

COMMAND_FENCES = ("sh", "bash", "shell", "console")


def command_blocks(path: Path) -> list[dict[str, object]]:
    """Every shell code block of a Markdown file: its first line, the marker on the nearest
    non-blank line above it (`<!-- runs -->`, or `<!-- illustration: why -->`), and its
    commands (comments after `#` removed, blank lines skipped)."""
    import re

    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        fence = re.match(r"^\s*```(\w+)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        end = next(k for k in range(i + 1, len(lines)) if lines[k].strip().startswith("```"))
        if fence.group(1) in COMMAND_FENCES:
            above = next((lines[k].strip() for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            marker = re.match(r"<!--\s*(runs|illustration)\s*:?\s*(.*?)\s*-->", above)
            commands = [
                re.sub(r"\s+#\s.*$", "", ln).strip() for ln in lines[i + 1 : end] if ln.strip()
            ]
            blocks.append(
                {
                    "file": path.name,
                    "line": i + 1,
                    "marker": marker.group(1) if marker else "",
                    "reason": marker.group(2) if marker else "",
                    "commands": commands,
                }
            )
        i = end + 1
    return blocks


def examples(n: int) -> int:
    """A property test's number of generated examples: n in `make test`, 20 n in `make
    explore` (IPSEVAL_HYPOTHESIS=explore; the examples are also new draws there)."""
    return n * 20 if os.environ.get("IPSEVAL_HYPOTHESIS") == "explore" else n
