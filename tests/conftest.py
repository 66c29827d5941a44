"""Shared fixtures: paths, the codebook and the cleaned default data."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import settings
from support import ROOT, copy_repo

from ipseval.data.clean import CleanResult, clean
from ipseval.data.codebook import Codebook, load_codebook

PUBLISHED = ROOT / "data" / "raw" / "published"
SOURCES = ROOT.parent / "shared" / "sources"

# Property tests (hypothesis): the same generated examples in every `make test`, so that CI's
# verdict on a commit does not depend on the draw (a red CI keeps a commit from landing);
# `make explore` draws new ones, 20 times as many (support.examples), to look for what the
# fixed ones miss.
settings.register_profile("gate", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("IPSEVAL_HYPOTHESIS", "gate"))


@pytest.fixture(scope="session", autouse=True)
def _slurm_controller_answers() -> None:
    """Bring the local SLURM cluster up once, before any Snakemake start, where CI installs it.

    snakemake-executor-plugin-slurm 2.8.0 runs `scontrol show config` when it is imported, that
    is, at every `snakemake` start, as soon as SLURM's client is on PATH. With the client
    installed (.ci/run does, for tests/test_slurm.py) and no controller up, that query waits
    about 9 s before it gives up, so each of the suite's Snakemake starts paid 9 s until
    test_slurm.py happened to start the cluster (measured: `snakemake --version` 10.0 s with the
    controller down, 1.1 s with it up). Without SLURM, or without root, this does nothing and
    costs nothing; test_slurm.py still reports why it cannot run.
    """
    if shutil.which("scontrol") is None or os.geteuid() != 0:
        return
    cluster = ROOT / "tests" / "slurm" / "local_cluster.sh"
    # both pytest-xdist workers get here; the lock makes the second wait for the first's start
    with open(Path(tempfile.gettempdir()) / "ipseval-test-slurm.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run([str(cluster), "start"], capture_output=True, check=False, timeout=300)


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
# renderings of it, SHA256SUMS lists its checksum. Everything else must be byte-identical
# between runs.
VOLATILE = {"index.html", "report.pdf", "screenshot.png", "snakemake-report.html", "SHA256SUMS"}
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


def shared_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]
) -> Path:
    """`make(copy)` run once per test session in a copy of the repository that every
    pytest-xdist worker shares (the first worker to ask runs it, the others wait for it);
    returns that copy. A worker then copies the results into its own copy
    (`adopt_run`) and tests there: two workers never run Snakemake in one folder."""
    import os

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the workers' base folders share this parent
    shared = root / f"shared-{name}"
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / ".done").exists():
            shutil.rmtree(shared, ignore_errors=True)  # what a failed attempt left
            shared.mkdir()
            make(copy_repo(shared))
            (shared / ".done").touch()
    return shared


def adopt_run(shared: Path, repo: Path, run: str) -> Path:
    """Copy a finished run (results/<run> and Snakemake's records of it, times kept) from
    `shared` into `repo`, where Snakemake then finds it up to date; returns its folder."""
    shutil.copytree(shared / "results" / run, repo / "results" / run, dirs_exist_ok=True)
    shutil.copytree(
        shared / ".snakemake" / "metadata", repo / ".snakemake" / "metadata", dirs_exist_ok=True
    )
    return repo / "results" / run


def _run_default(repo: Path) -> None:
    raw = digest(repo / "data/raw")
    r = snakemake(repo)
    assert r.returncode == 0, r.stderr[-3000:]
    assert digest(repo / "data/raw") == raw, "raw input was modified"


@pytest.fixture(scope="session")
def default_run(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default run, made once per session (shared by the workers), in `repo`."""
    return adopt_run(shared_run(tmp_path_factory, "default", _run_default), repo, "default")


# --- commands as a user types them, each run once per session in the session's copy ---------


@dataclass
class Typed:
    """A command typed in the copy: its result and its wall time."""

    command: str
    returncode: int
    output: str
    seconds: float


@pytest.fixture(scope="session")
def typed(repo: Path) -> Callable[[str], Typed]:
    """`typed(command)` runs a shell command as written in the README or docs, in the
    session's copy of the repository (the project's .venv linked in, as after `make run`);
    a command already run this session is not run again (the journeys and the docs share
    runs). Every run's time is appended to results/journey-times.csv of the checkout."""
    import os
    import time

    if not (repo / ".venv").exists():
        (repo / ".venv").symlink_to(ROOT / ".venv")
    env = {**os.environ, "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}"}
    done: dict[str, Typed] = {}

    def run(command: str) -> Typed:
        if command not in done:
            start = time.monotonic()
            r = subprocess.run(
                command, shell=True, cwd=repo, capture_output=True, text=True, env=env
            )
            done[command] = Typed(
                command, r.returncode, r.stdout + r.stderr, time.monotonic() - start
            )
            record_time(command, done[command].seconds)
        return done[command]

    return run


def record_time(what: str, seconds: float) -> None:
    """Append a journey's wall time to results/journey-times.csv (docs/testing.md)."""
    import csv

    path = ROOT / "results" / "journey-times.csv"
    path.parent.mkdir(exist_ok=True)
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        if new:
            out.writerow(["journey", "seconds"])
        out.writerow([what, f"{seconds:.1f}"])


# --- the second example evaluation, run once per session through the README's command ------

EXAMPLE = "config/examples/region.yaml"


@pytest.fixture(scope="session")
def example_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository for the example's runs (the project's .venv linked in)."""
    repo = copy_repo(tmp_path_factory.mktemp("example"))
    (repo / ".venv").symlink_to(ROOT / ".venv")
    return repo


def _run_example(repo: Path) -> None:
    import os

    (repo / ".venv").symlink_to(ROOT / ".venv")
    raw = digest(repo / "data/examples")
    r = subprocess.run(
        ["make", "run", f"SNAKEMAKE_ARGS=--configfile={EXAMPLE}"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}"},
    )
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    assert digest(repo / "data/examples") == raw, "raw input was modified"


@pytest.fixture(scope="session")
def example_run(example_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The second example evaluation run by `make run` with its config (once per session,
    shared by the workers), in `example_repo`; its results folder."""
    shared = shared_run(tmp_path_factory, "example", _run_example)
    return adopt_run(shared, example_repo, "example_region")
