"""Shared fixtures: paths, the codebook and the cleaned default data."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import ROOT, copy_repo

from ipseval.clean import CleanResult, clean
from ipseval.codebook import Codebook, load_codebook

PUBLISHED = ROOT / "data" / "raw" / "published"
SOURCES = ROOT.parent / "shared" / "sources"


@pytest.fixture(scope="session")
def config() -> dict:
    """The default config/config.yaml."""
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def outcomes(config: dict) -> dict[str, dict]:
    """Outcome definitions from the default config."""
    return config["outcomes"]


@pytest.fixture(scope="session")
def codebook() -> Codebook:
    """The project codebook."""
    return load_codebook(ROOT / "config" / "codebook.yaml")


@pytest.fixture(scope="session")
def default_clean(codebook: Codebook, outcomes: dict) -> CleanResult:
    """The embedded default data, cleaned in-process."""
    return clean(
        ROOT / "data/raw/programmes.csv",
        ROOT / "data/raw/coach_forms.csv",
        codebook,
        outcomes,
        "2013-06",
    )


# --- end-to-end: one copy of the repository and one default run per test session ---------

SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
# The report page carries its generation time and step times; the PDF and screenshot are
# renderings of it. Everything else must be byte-identical between runs.
VOLATILE = {"index.html", "report.pdf", "screenshot.png", "snakemake-report.html"}
PII = ("FIKTIV", "exempel.invalid", "000-000", "000-111", "Testcoach", "Testledare")


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and not {"logs", "benchmarks"} & set(p.relative_to(folder).parts)
        and p.name not in VOLATILE
    }


@pytest.fixture(scope="session")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the repository's files (what a clone would have)."""
    return copy_repo(tmp_path_factory.mktemp("clone"))


def snakemake(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SNAKEMAKE, "--cores", "2", *args], cwd=repo, capture_output=True, text=True, check=False
    )


def write_config(repo: Path, name: str, **changes: object) -> str:
    cfg = yaml.safe_load((repo / "config/config.yaml").read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        node = cfg
        *parents, leaf = dotted.split("__")
        for key in parents:
            node = node[key]
        node[leaf] = value
    path = repo / "config" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return str(path.relative_to(repo))


@pytest.fixture(scope="session")
def default_run(repo: Path) -> Path:
    raw = digest(repo / "data/raw")
    r = snakemake(repo)
    assert r.returncode == 0, r.stderr[-3000:]
    assert digest(repo / "data/raw") == raw, "raw input was modified"
    return repo / "results/default"


# --- the second example evaluation, run once per session through the README's command ------

EXAMPLE = "config/examples/region.yaml"


@pytest.fixture(scope="session")
def example_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository for the example's runs (the project's .venv linked in)."""
    repo = copy_repo(tmp_path_factory.mktemp("example"))
    (repo / ".venv").symlink_to(ROOT / ".venv")
    return repo


@pytest.fixture(scope="session")
def example_run(example_repo: Path) -> Path:
    """The second example evaluation run by `make run` with its config; its results folder."""
    import os

    raw = digest(example_repo / "data/examples")
    r = subprocess.run(
        ["make", "run", f"SNAKEMAKE_ARGS=--configfile={EXAMPLE}"],
        cwd=example_repo,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}"},
    )
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    assert digest(example_repo / "data/examples") == raw, "raw input was modified"
    return example_repo / "results/example_region"
