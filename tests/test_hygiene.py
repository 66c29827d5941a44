"""The habits that let the next person change things safely, enforced by the test command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint() -> None:
    r = run(str(BIN / "ruff"), "check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format() -> None:
    r = run(str(BIN / "ruff"), "format", "--check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_snakefmt() -> None:
    r = run(str(BIN / "snakefmt"), "--check", "Snakefile", "workflow/rules")
    assert r.returncode == 0, r.stdout + r.stderr


def test_snakemake_lint() -> None:
    r = run(str(BIN / "snakemake"), "--lint", "--cores", "1")
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=str)
def test_template_notebooks_have_no_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb["cells"])


def test_results_are_not_committed() -> None:
    r = run("git", "ls-files", "results")
    tracked = [p for p in r.stdout.split() if p != "results/README.md"]
    assert tracked == []


def test_the_default_profile_is_in_force() -> None:
    # Snakemake loads profiles/default/ beside the Snakefile by itself; its settings show in a
    # dry run: shell commands printed (printshellcmds)
    r = run(str(BIN / "snakemake"), "-n", "--forcerun", "report_pdf", "report_pdf")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-2000:]
    assert "Using workflow specific profile profiles/default" in out
    assert "chromium --headless" in out
