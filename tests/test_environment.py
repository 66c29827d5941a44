"""Set-up files stay in step: conda pins = pip pins; CI runs the README's test command."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for item in dep["pip"]:
                if "==" in item:
                    name, version = item.split("==")
                    pins[name.lower()] = version
        elif "=" in dep:
            name, version = dep.split("=", 1)
            pins[name.lower()] = version
    return pins


def test_conda_environment_pins_equal_the_lock_file() -> None:
    lock, conda = lock_pins(), conda_pins()
    conda.pop("python")
    assert conda, "environment.yml pins nothing"
    mismatched = {k: (v, lock.get(k)) for k, v in conda.items() if lock.get(k) != v}
    assert not mismatched, f"environment.yml vs requirements.lock: {mismatched}"


def test_every_direct_dependency_is_in_conda_and_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = project["dependencies"] + project["optional-dependencies"]["dev"]
    lock, conda = lock_pins(), conda_pins()
    for req in direct:
        name, version = req.split("==")
        assert lock.get(name.lower()) == version, req
        assert conda.get(name.lower()) == version, req


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci/run").read_text()
    assert "make test" in readme and "make run" in readme
    assert re.search(r"^make test\s*$", ci, re.M)
