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

# (category, equivalent?, function pattern, pattern matched against the changed lines). The
# function is the mutated function's name (a method as Class.method). The first match wins;
# everything no rule matches is listed as "to review". Each category's reason is in
# docs/testing.md.
ANY = r".*"
RULES: tuple[tuple[str, bool, str, str], ...] = (
    (
        "solver options (iterations, tolerances, display) within the optimiser's tolerance",
        True,
        ANY,
        r"maxiter|maxcor|gtol|xtol|ftol|disp=|method=\"(NEWTON|newton|l-bfgs-b)\"|method=None"
        r"|method=\"L-BFGS-B\"|start_params=",
    ),
    ("zip(strict=...) on sequences equal in length by construction", True, ANY, r"strict="),
    (
        "values the next statement makes irrelevant (the score of log s at SD 0 is not a free"
        " parameter; ix_ of all free parameters; a list still empty; a start value of the SD;"
        " the modes' `done` before the first iteration sets it)",
        True,
        r"^(maximise|fit|RandomInterceptLikelihood\.modes)$",
        r"score\(logit\.params\), (None|1\.0)\)|np\.ix_\(free(, )?\)\]|messages = \[f"
        r"|np\.log\(1\.5\)|^\+\s*done = (None|np\.zeros\(self\.G, \))$",
    ),
    (
        "dtype/astype/rowvar/ddof defaults that give the same numbers here",
        True,
        ANY,
        r"dtype=|astype\(|rowvar=|ddof=|kind=\"|kind=None|errstate\(|to_numpy\(None\)"
        r"|itertuples\(index=(None|False, \))",
    ),
    (
        "library defaults equal to the argument removed or replaced",
        True,
        r"Attacker\.bounds|Attacker\.members|RandomInterceptLikelihood\._sum_g|fit_gee_br"
        r"|check_separation",
        r"bounds=None|Bounds\(0, \)|^\+\s*\)$|bool, \)|weights=a(\[:, k\])?, \)"
        r"|cov_struct=None|y, \)$",
    ),
    (
        "a cache and its keys (speed only: every entry is recomputed the same way)",
        True,
        r"^(audit|_audit_component|protect)$",
        r"cache = \{\} if|\"(COMPONENT|SOURCE|XXcomponentXX|XXsourceXX)\""
        r"|cache: dict\[Any, Any\] = None"
        r"|threshold, (None)?\)$|audit\(pub, status, (None, threshold|people, None), cache\)",
    ),
    (
        "arguments the callee never reads (an attacker of the source alone has no report cells,"
        " so neither their statuses nor the threshold)",
        True,
        r"^(_audit_component|public_cells)$",
        r"attacker_for\(variables, source_only\(pub\), (None|\{\}), (None|\d|threshold)\)",
    ),
    (
        "statsmodels results options ipseval does not read (it sets t(G-1) and names itself)",
        True,
        r"^fit_logit_cr1$",
        r"use_t=|cov_type=\"CLUSTER\"|index=None|columns=None|res\.params, \)|cov_params\(\), "
        r"(columns|index=X\.columns, \))",
    ),
    (
        "the mode search's safeguards: the bracket stays a valid bracket of the root and a"
        " bisection point stays inside it, so only the number of iterations changes",
        True,
        r"RandomInterceptLikelihood\.modes",
        r"lo = np\.where|hi = np\.where|\(lo \+ hi\) / 3|np\.where\(None, u|pinned = |"
        r"done = \(decrement <= MODE_TOL\) & pinned|outside = ",
    ),
    (
        "strict versus non-strict comparison of a continuous quantity with a tolerance (they"
        " differ only at exact equality)",
        True,
        ANY,
        r"decrement < MODE_TOL|theta\[-1\] < LOG_SD_FLOOR \+ 1e-6|theta\[-1\] > LOG_SD_CEILING"
        r"|max_abs_score >= GRADIENT_TOL|eig\.min\(\) < 1e-10 \*|quadrature_check < tol",
    ),
    (
        "an exact identity: NaN written another way, 0/0 already NaN, every fit with the same"
        " names, lambda = 0 giving an infinite df either way, a margin of a one-way table",
        True,
        r"^(_share|_outcome_pct|rubin_pool|crosstab_cells|lines)$",
        r"float\(\"NAN\"\)|\(len\(y\)\) or True|fits\[1\]|lam >= 0|\(col_var\) or True"
        r"|len\(ln\) >= 1",
    ),
    (
        "a test the code makes twice or a distribution that is the same (t with infinite df"
        " is the normal; a dummy level without events is a separation the linear program"
        " already reports; report tables are named 'Tabell N' and one 'text')",
        True,
        r"^(Fit\.table|check_separation|summarise)$",
        r"isinf\(self\.df\)\) and False|bool\(None\)|split\(\)\[\+1\]|else 1\)\)$",
    ),
    (
        "thresholds on a nearly singular observed information that no test design sits"
        " between (1e-10 relative to the largest eigenvalue)",
        False,
        r"^maximise$",
        r"eig\.min\(\) <= 1e-10 (/|\* max\(2\.0)",
    ),
    (
        "the interval of a rounded count: an integer program reads [x - 2.5, x + 2.5] as"
        " [x - 2, x + 2]",
        True,
        r"^attacker_for$",
        r"ROUND_BASE / 2",
    ),
    (
        "which additional cell protect hides (utility, not safety: every result is audited"
        " before it is returned, and an unprotectable one refused)",
        False,
        r"^protect$",
        ANY,
    ),
    (
        "warning and message texts (wording, not results)",
        False,
        ANY,
        r"messages\.append|warnings=|raise KeyError\(None\)|\"XX|XX\"|EVERY PROGRAMME|TABLES HIDDEN"
        r"|REPORT\.PARTICIPANT",
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


def function_of(key: str) -> str:
    """The mutated function of a mutant key ('x_fit__mutmut_3' -> 'fit', a method as
    'Class.method')."""
    name = re.sub(r"__mutmut_\d+$", "", key.rsplit(".", 1)[-1])
    return name[2:] if name.startswith("x_") else name.lstrip("xǁ").replace("ǁ", ".")


def category(diff: str, key: str = "") -> tuple[str, bool]:
    """The first rule whose function and line patterns the mutant matches."""
    function = function_of(key)
    lines = diff.splitlines()
    minus = [line[1:] for line in lines if line.startswith("-")]
    plus = [line[1:] for line in lines if line.startswith("+")]
    # what the mutant wrote, and what it deleted from the original (an argument removed)
    removed = [
        a[i1:i2]
        for a, b in zip(minus, plus, strict=False)
        for op, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b).get_opcodes()
        if op in ("delete", "replace")
    ]
    target = "\n".join(["+" + line for line in plus] + removed) or diff
    for name, equivalent, where, pattern in RULES:
        if re.search(where, function) and re.search(pattern, target, re.M):
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
        eq = sum(1 for k, d in surv if category(d, k)[1])
        score = 100 * killed / max(1, killed + survived)
        adjusted = 100 * killed / max(1, killed + survived - eq)
        print(
            f"| {module} | {killed} | {survived} | {counts['no tests']} | {counts['timeout']} "
            f"| {score:.1f} % | {adjusted:.1f} % |"
        )
        for key, diff in surv:
            listing.append((module, category(diff, key)[0], key, diff))
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
