"""Which of the package's files a workflow step runs: the transitive closure of the ipseval
modules its script (or notebook) imports, read from the source with `ast`, never executed.

The Snakefile lists these files as each rule's inputs, so that an edit reruns the jobs whose
code changed and no others (Snakemake tracks a rule's own script, not the modules it
imports). Hand-written: `modulefinder` (standard library) walks every third-party import too
and takes seconds; no maintained library maps a script to the first-party files it imports.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

PACKAGE = "ipseval"


def _source(path: Path) -> str:
    """The Python source of a script, or of a notebook's code cells."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return text
    cells = json.loads(text)["cells"]
    code = ("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    # IPython magics and shell escapes are not Python; nothing to import in them
    return "\n".join(
        line for cell in code for line in cell.splitlines() if line.lstrip()[:1] not in "%!"
    )


def _module_file(root: Path, module: str) -> Path | None:
    """The file of an ipseval module (a module file or a subpackage's __init__), if any."""
    parts = module.split(".")
    base = root.joinpath("src", *parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _imports(root: Path, path: Path, module: str | None) -> frozenset[str]:
    """The ipseval modules a file imports (absolute and relative, wherever the import is)."""
    tree = ast.parse(_source(path), filename=str(path))
    package = None
    if module is not None:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == PACKAGE}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if package is None:
                    continue
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            found.add(target)
            # `from ipseval import present`: the name may be a module of its own
            found |= {f"{target}.{a.name}" for a in node.names}
    # a module's parent packages run first on import
    parents = {".".join(m.split(".")[:i]) for m in found for i in range(1, m.count(".") + 1)}
    return frozenset(m for m in found | parents if _module_file(root, m) is not None)


def _module_name(entry: str) -> str | None:
    """The module an entry under src/ is (a script elsewhere is no module)."""
    parts = Path(entry).with_suffix("").parts
    if parts[:1] != ("src",):
        return None
    return ".".join(p for p in parts[1:] if p != "__init__")


@cache
def _closure(root: Path, entries: tuple[str, ...]) -> tuple[str, ...]:
    files: set[Path] = {root / e for e in entries if e.startswith("src/")}
    seen: set[str] = set()
    todo = [(root / e, _module_name(e)) for e in entries]
    while todo:
        path, module = todo.pop()
        for name in _imports(root, path, module):
            if name in seen:
                continue
            seen.add(name)
            file = _module_file(root, name)
            if file is not None:
                files.add(file)
                todo.append((file, name))
    return tuple(sorted(str(f.relative_to(root)) for f in files))


def code_inputs(entries: Iterable[str], root: str | Path = ".") -> list[str]:
    """The package files (relative to `root`) that the scripts or notebooks `entries` import,
    directly or through each other."""
    return list(_closure(Path(root).resolve(), tuple(sorted(entries))))
