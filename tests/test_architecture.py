"""The package's architecture (issue 26, point 1): one subpackage per stage, each importing only
the stages before it in `ipseval.STAGES`, and no import cycle anywhere.

The imports are read here with `ast`, independently of `ipseval.pipeline.codedeps`, so that a
fault in the workflow's own import reader cannot hide a violation."""

from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

import ipseval

SRC = ROOT / "src"


def module_name(path: Path, src: Path) -> str:
    """Dotted module name of a file under `src`."""
    parts = path.relative_to(src).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


def imported_modules(path: Path, src: Path, top: str) -> set[str]:
    """The first-party modules a file imports, anywhere in it (functions and TYPE_CHECKING
    blocks included), resolved to module files that exist."""
    module = module_name(path, src)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == top}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != top:
                continue
            found.add(target)
            found |= {f"{target}.{a.name}" for a in node.names}

    def exists(m: str) -> bool:
        base = src.joinpath(*m.split("."))
        return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()

    return {m for m in found if exists(m) and m != module}


def graph(src: Path, top: str) -> dict[str, set[str]]:
    """Module -> the first-party modules it imports, for every module of package `top`."""
    return {
        module_name(p, src): imported_modules(p, src, top)
        for p in sorted((src / top).rglob("*.py"))
    }


def violations(src: Path, top: str, stages: tuple[str, ...]) -> list[str]:
    """Every breach of the layering: a module outside the stages, an import of a later stage,
    an import cycle."""
    g = graph(src, top)
    rank = {s: i for i, s in enumerate(stages)}

    def stage(m: str) -> str | None:
        parts = m.split(".")
        return parts[1] if len(parts) > 1 else None  # None: the top-level package itself

    out: list[str] = []
    for m, deps in g.items():
        s = stage(m)
        if s is not None and s not in rank:
            out.append(f"{m}: not in a stage (stages: {', '.join(stages)})")
            continue
        for d in sorted(deps):
            t = stage(d)
            if t is None or s is None or t not in rank:
                continue
            if rank[t] > rank[s]:
                out.append(f"{m} ({s}) imports {d} ({t}), a later stage")
    try:
        graphlib.TopologicalSorter(g).prepare()
    except graphlib.CycleError as e:
        out.append(f"import cycle: {' -> '.join(e.args[1])}")
    return out


def test_every_stage_imports_only_earlier_stages_and_nothing_cycles() -> None:
    assert violations(SRC, "ipseval", ipseval.STAGES) == []


def test_every_module_is_in_a_stage_and_every_stage_exists() -> None:
    pkg = SRC / "ipseval"
    flat = sorted(p.name for p in pkg.glob("*.py") if p.name != "__init__.py")
    assert flat == [], f"modules outside a stage subpackage: {flat}"
    subpackages = sorted(p.parent.name for p in pkg.glob("*/__init__.py"))
    assert subpackages == sorted(ipseval.STAGES)


@pytest.mark.parametrize("stage", ipseval.STAGES)
def test_each_stage_says_what_it_does_and_imports_nothing_on_import(stage: str) -> None:
    """A stage's __init__ is a docstring only: importing one module of a stage (the Snakefile
    imports `models.plan` at start-up) runs no other, and a rule's code inputs stay its own."""
    tree = ast.parse((SRC / "ipseval" / stage / "__init__.py").read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc and len(doc.split()) >= 20, f"{stage}/__init__.py: say what the stage does"
    assert all(isinstance(n, ast.Expr) for n in tree.body), f"{stage}/__init__.py runs code"


def toy(tmp_path: Path, files: dict[str, str]) -> Path:
    """A throwaway package `toy` with the given modules."""
    for rel, text in files.items():
        p = tmp_path / "toy" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    for d in [tmp_path / "toy", *(p for p in (tmp_path / "toy").rglob("*") if p.is_dir())]:
        (d / "__init__.py").touch()
    return tmp_path


def test_the_check_finds_an_upward_import_a_cycle_and_a_stray_module(tmp_path: Path) -> None:
    """The check can fail: each kind of breach, planted in a toy package, is reported."""
    src = toy(
        tmp_path,
        {
            "low/a.py": "def f():\n    from toy.high.b import g\n",  # upward, inside a function
            "high/b.py": "from ..low import a\n",
            "high/c.py": "from . import d\n",
            "high/d.py": "import toy.high.c\n",  # cycle c -> d -> c
            "stray/e.py": "",
        },
    )
    found = violations(src, "toy", ("low", "high"))
    assert any(v.startswith("toy.low.a (low) imports toy.high.b (high)") for v in found)
    assert any(v.startswith("import cycle") for v in found)
    assert any(v.startswith("toy.stray.e: not in a stage") for v in found)
    assert not any("toy.high.b (high) imports" in v for v in found)  # downward is allowed


def test_the_architecture_map_matches_the_rules() -> None:
    """docs/architecture.md's rule graph and rule table are what the rules say now."""
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools/architecture.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
