"""Summarise a mutmut run (mutants/*.meta) for docs/testing.md: score per module and every
surviving mutant with its diff, sorted into categories by the rules below. Run after
`.venv/bin/mutmut run --max-children 2`:  .venv/bin/python tools/mutation_report.py

A category marked equivalent holds mutants that cannot change a result the code promises
(a solver option within the optimiser's own tolerance, `strict=` on a zip of equal-length
sequences by construction, a dtype the next operation coerces anyway); the rules are
deliberately narrow, and everything they do not match is listed as "to review"."""

from __future__ import annotations

import ast
import collections
import difflib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants/src/ipseval"

RULES = (  # (category, equivalent?, pattern matched against the changed lines)
    (
        "solver options (iterations, tolerances, display) within the optimiser's tolerance",
        True,
        r"maxiter|maxcor|gtol|xtol|ftol|disp=|method=\"(NEWTON|newton|l-bfgs-b)\"|method=None"
        r"|method=\"L-BFGS-B\"",
    ),
    ("zip(strict=...) on sequences equal in length by construction", True, r"strict="),
    (
        "dtype/astype/rowvar/ddof defaults that give the same numbers here",
        True,
        r"dtype=|astype\(|rowvar=|ddof=|kind=|errstate\(",
    ),
    (
        "warning and message texts (wording, not results)",
        False,
        r"messages\.append|warnings=|f\"|\"XX|XX\"",
    ),
)


def _functions(source: str) -> dict[str, str]:
    lines = source.splitlines()
    return {
        node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef)
    }


def survivors(module: str) -> tuple[collections.Counter, list[tuple[str, str]]]:
    """(status counts, [(mutant name, diff)]) of one mutated module."""
    meta = json.loads((MUTANTS / f"{module}.py.meta").read_text())
    funcs = _functions((MUTANTS / f"{module}.py").read_text())
    codes = {0: "survived", 1: "killed", 33: "no tests", None: "not run"}
    counts: collections.Counter = collections.Counter()
    out = []
    for key, code in meta["exit_code_by_key"].items():
        counts[codes.get(code, "timeout" if code in (-24, 36, 24) else f"exit {code}")] += 1
        if code != 0:
            continue
        name = key.rsplit(".", 1)[-1]
        orig = re.sub(r"__mutmut_\d+$", "__mutmut_orig", name)
        diff = [
            line
            for line in difflib.unified_diff(
                funcs.get(orig, "").splitlines(), funcs.get(name, "").splitlines(), n=0
            )
            if line[:1] in "+-" and not line.startswith(("+++", "---", "-def", "+def"))
        ]
        out.append((key, "\n".join(diff)))
    return counts, out


def category(diff: str) -> tuple[str, bool]:
    """The first rule whose pattern the diff's lines match."""
    for name, equivalent, pattern in RULES:
        if re.search(pattern, diff):
            return name, equivalent
    return "to review", False


def main() -> None:
    """Print the score table and the survivors by category (Markdown)."""
    modules = sorted(p.name.removesuffix(".py.meta") for p in MUTANTS.glob("*.py.meta"))
    print("| module | killed | survived | no tests | timeout | score | score, equivalents aside |")
    print("|---|---|---|---|---|---|---|")
    listing = []
    for module in modules:
        counts, surv = survivors(module)
        killed, survived = counts["killed"], counts["survived"]
        eq = sum(1 for _, d in surv if category(d)[1])
        score = 100 * killed / max(1, killed + survived)
        adjusted = 100 * killed / max(1, killed + survived - eq)
        print(
            f"| {module} | {killed} | {survived} | {counts['no tests']} | {counts['timeout']} "
            f"| {score:.1f} % | {adjusted:.1f} % |"
        )
        for key, diff in surv:
            listing.append((module, category(diff)[0], key, diff))
    print()
    by_cat: dict[str, list] = collections.defaultdict(list)
    for module, cat, key, diff in listing:
        by_cat[cat].append((module, key, diff))
    for cat, items in sorted(by_cat.items()):
        print(f"\n### {cat} ({len(items)})\n")
        for _module, key, diff in items:
            first = diff.splitlines()[-1].strip() if diff else "(no diff)"
            print(f"- `{key.split('.')[-1]}`: `{first[:110]}`")


if __name__ == "__main__":
    sys.exit(main())
