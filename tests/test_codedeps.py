"""A job reruns when, and only when, the code it runs changed (issue 26, point 2): each rule
lists the package files its script or notebook imports
(ipseval.pipeline.codedeps), not the package."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import ROOT, copy_repo, snakemake

from ipseval.pipeline.codedeps import code_inputs


def test_a_script_depends_on_what_it_imports_and_nothing_else(tmp_path: Path) -> None:
    pkg = tmp_path / "src/ipseval"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""Top."""\n')
    (pkg / "a.py").write_text("from . import b\nimport pandas\n")
    (pkg / "b.py").write_text("def f():\n    from .sub import c  # inside a function\n")
    (pkg / "sub/__init__.py").write_text("")
    (pkg / "sub/c.py").write_text("from ..a import x\n")  # a cycle back to a
    (pkg / "d.py").write_text("raise SystemExit('never imported')\n")
    (tmp_path / "script.py").write_text("from ipseval import a\n")
    (tmp_path / "nb.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "source": ["%matplotlib inline\\n",'
        ' "from ipseval.sub.c import y\\n"]}, {"cell_type": "markdown",'
        ' "source": ["from ipseval import d"]}]}'
    )
    expected = {
        "src/ipseval/__init__.py",
        "src/ipseval/a.py",
        "src/ipseval/b.py",
        "src/ipseval/sub/__init__.py",
        "src/ipseval/sub/c.py",
    }
    assert set(code_inputs(["script.py"], tmp_path)) == expected
    assert set(code_inputs(["nb.ipynb"], tmp_path)) == expected  # c imports a, a imports b
    assert "src/ipseval/d.py" not in code_inputs(["script.py", "nb.ipynb"], tmp_path)
    assert set(code_inputs(["src/ipseval/b.py"], tmp_path)) == expected


def test_the_stages_code_is_what_they_import() -> None:
    clean = code_inputs(["workflow/scripts/clean.py"], ROOT)
    assert "src/ipseval/data/clean.py" in clean and "src/ipseval/data/readers.py" in clean
    assert not [f for f in clean if "estimators" in f or "/report/" in f]
    report = code_inputs(["workflow/scripts/report.py"], ROOT)
    assert "src/ipseval/report/html.py" in report
    rules = "".join(p.read_text() for p in (ROOT / "workflow/rules").glob("*.smk"))
    assert "PACKAGE" not in rules  # no rule lists the whole package
    packages = re.findall(r"package=([^\n]+)", rules)
    assert packages and all(p.startswith("code(") for p in packages), packages


def planned(repo: Path) -> set[str]:
    r = snakemake(repo, "-n")
    assert r.returncode == 0, r.stderr[-2000:]
    return set(re.findall(r"^(?:local)?rule (\w+):", r.stdout, re.M))


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("module", "planned_jobs", "untouched"),
    [
        (
            "src/ipseval/report/html.py",
            {"report", "report_tables"},
            {"clean", "model_fit", "reproduction_check", "model_notebook"},
        ),
        (
            "src/ipseval/models/estimators.py",
            {"model_fit", "report"},
            {"clean", "reproduction_check", "check_terms"},
        ),
    ],
)
def test_an_edit_plans_only_the_jobs_whose_code_changed(
    repo: Path, default_run: Path, module: str, planned_jobs: set[str], untouched: set[str]
) -> None:
    path = repo / module
    text, stat = path.read_text(encoding="utf-8"), path.stat()
    before = planned(repo)  # other tests may have left some jobs to do
    try:
        path.write_text(text + "# a comment\n", encoding="utf-8")
        jobs = planned(repo)
    finally:
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert planned_jobs <= jobs, jobs
    assert jobs & untouched <= before & untouched, jobs & untouched


def job_counts(repo: Path) -> dict[str, int]:
    """Every job a complete run consists of (`-n --forceall`), counted per rule."""
    r = snakemake(repo, "-n", "--forceall")
    assert r.returncode == 0, r.stderr[-2000:]
    stats = r.stdout.split("Job stats:")[1].split("\n\n")[0]
    rows = re.findall(r"^(\w+)\s+(\d+)$", stats, re.M)
    return {rule: int(n) for rule, n in rows if rule != "total"}


@pytest.mark.e2e
def test_the_plan_is_the_same_whatever_outputs_already_exist(
    tmp_path_factory: pytest.TempPathFactory, default_run: Path
) -> None:
    """No rule's inputs are read from results that may or may not be there: a clone with no
    results and the finished default run plan the same jobs."""
    empty = copy_repo(tmp_path_factory.mktemp("empty"))
    assert not (empty / "results/default").exists()
    before, after = job_counts(empty), job_counts(default_run.parents[1])
    assert before == after
    assert before["model_fit"] >= 8 and before["report"] == 1


def test_every_rule_that_runs_a_script_lists_that_scripts_code() -> None:
    """A rule whose script imports the package reruns when that code changes: its
    `package=code(...)` names its own script (four small rules had none)."""
    missing = []
    for smk in (ROOT / "workflow/rules").glob("*.smk"):
        text = smk.read_text(encoding="utf-8")
        for block in re.split(r"^(?=rule \w+:)", text, flags=re.M)[1:]:
            name = block.split(":")[0].removeprefix("rule ")
            script = re.search(r'script:\n\s+"\.\./scripts/(\w+\.py)"', block)
            if script and f'package=code("workflow/scripts/{script.group(1)}"' not in block:
                missing.append(f"{smk.name}: {name}")
    assert not missing, missing
