"""Disclosure control of everything the report publishes that is derived from the microdata,
and the attacker that audits it.

Every count the report shows is registered here as a `Cell`: its table, row and column, its
true value, and its definition, a conjunction of conditions on the participants' variables
(`sex = Man and time_band = Upp till 6 månader`). A table that is not registered cannot be
written (`Publication.frame`). The counts the attacker already has exactly, the evaluation's
own published tables, are registered as `source` cells.

The rule (docs/disclosure.md):
* a cell already determined by the published source is shown as it is (`public`), or as
  "<threshold" where it is small: no count from 1 to threshold - 1 appears in the report's
  own tables;
* any other count from 1 to threshold - 1 is hidden and shown as "<threshold" (`primary`);
* wherever a hidden cell could be recovered from its row or column total, another cell of that
  line is hidden and shown as "–" (`secondary`); which one is drawn with a seeded random number
  generator among the line's shown non-zero cells, so that the choice depends on the pattern
  of hidden cells, never on their values (a deterministic smallest-cell rule can be replayed);
* counts that only summarise a model's sample (complete cases, events) are rounded to the
  nearest multiple of 5 (`rounded`: shown "≈…").
Then the attacker: for every hidden or small quantity, an integer program over all published
figures (scipy's HiGHS `milp`) finds the smallest and largest value it can have; where it
can be narrowed beyond what the report says ("<threshold": 1 to threshold - 1) or to within
±1 (`protection_width`), another cell is hidden and the audit is run again; a small cell
whose label itself would be narrowed is shown "–" instead (`withheld`).

Hand-written: the maintained disclosure-control tools (sdcMicro, sdcTable, tau-Argus) are R
and Java programs; the integer programs are solved by scipy.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from ipseval.data.derive import NO_ANSWER

PRIMARY = "primary"  # a small count, shown "<threshold"
WITHHELD = "withheld"  # a small count shown "–": its "<threshold" label would pin it
SECONDARY = "secondary"  # a larger count hidden so that a small one cannot be recovered
SHOWN = "shown"
PUBLIC = "public"
ROUNDED = "rounded"
# How a status is published: a withheld small count and a secondary cell must look alike
# (both "–", both "hidden"), or the label would tell the attacker which one is small.
DISPLAY = {
    SHOWN: "shown",
    PUBLIC: "public",
    PRIMARY: "small",
    WITHHELD: "hidden",
    SECONDARY: "hidden",
    ROUNDED: "rounded",
}
HIDDEN_MARK = "–"  # a count hidden only so that a small one cannot be recovered
ROUND_BASE = 5
ALL = "Totalt"  # the margin's label in the tables (a survey label, kept in Swedish)
MIN_WIDTH = 3  # an attacker's interval narrower than this pins a count to within ±1
MAX_ATOMS_FOR_ATOM_CHECK = 2000
UNBOUNDED = 10**9  # the attacker's upper bound for a count nothing published bounds


@dataclass(frozen=True)
class Cell:
    """One published count: where it is shown, its true value, and what it counts."""

    table: str
    row: str
    column: str
    value: int
    where: tuple[tuple[str, tuple[str, ...]], ...]  # variable -> allowed levels (AND)
    kind: str = "count"  # "count" (suppressed if small) or "rounded" (sample sizes)
    members: str = ""  # fingerprint of the participants counted: the same count, wherever shown

    @property
    def variables(self) -> set[str]:
        """The variables the cell's definition uses."""
        return {v for v, _ in self.where}


def condition(**levels: str | Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A cell definition: variable=level (or levels), sorted."""
    return tuple(sorted((k, (v,) if isinstance(v, str) else tuple(v)) for k, v in levels.items()))


@dataclass
class Publication:
    """Every count of the report, every count of the published source, and the levels of
    every variable (what the attacker knows may exist)."""

    levels: dict[str, list[str]]
    cells: list[Cell] = field(default_factory=list)
    source: list[Cell] = field(default_factory=list)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    total: int | None = None  # the number of participants (always published)

    def register(self, name: str, cells: Iterable[Cell], description: str) -> None:
        """Register a table of the report (its cells in row-major order)."""
        cells = list(cells)
        self.tables[name] = {"description": description}
        self.cells += cells

    def table(self, name: str) -> list[Cell]:
        """The cells of a registered table."""
        if name not in self.tables:
            raise KeyError(f"table {name!r} is not registered with the disclosure step")
        return [c for c in self.cells if c.table == name]


def members(people: pd.DataFrame, where: tuple[tuple[str, tuple[str, ...]], ...]) -> np.ndarray:
    """Which participants a cell definition (`condition`) counts."""
    mask = np.ones(len(people), dtype=bool)
    for var, allowed in where:
        mask &= people[var].isin(allowed).to_numpy()
    return mask


def count_cell(
    people: pd.DataFrame, table: str, row: str, column: str, kind: str = "count", **where: Any
) -> Cell:
    """A cell counting the participants who meet `where` (variable=level or levels)."""
    import hashlib

    cond = condition(**where)
    mask = members(people, cond)
    key = hashlib.sha1(np.packbits(mask).tobytes()).hexdigest()
    return Cell(table, row, column, int(mask.sum()), cond, kind, key)


def crosstab_cells(
    people: pd.DataFrame,
    table: str,
    row_var: str,
    col_var: str | None,
    levels: Mapping[str, Sequence[str]],
    **base: Any,
) -> list[Cell]:
    """A (one- or two-way) table of counts with its margins, as registered cells; rows and
    columns in the order of `levels`, the margin labelled ALL."""
    rows = list(levels[row_var])
    cols = list(levels[col_var]) if col_var else []
    out = []
    for r in [*rows, ALL]:
        for c in [*cols, ALL] if col_var else [ALL]:
            where = dict(base)
            where[row_var] = rows if r == ALL else r
            if col_var:
                where[col_var] = cols if c == ALL else c
            out.append(count_cell(people, table, r, c, **where))
    return out


# --- the attacker: integer programs over the published figures -------------------------------


def components(cells: Sequence[Cell]) -> list[set[str]]:
    """Groups of variables linked by some cell's definition (union-find)."""
    parent: dict[str, str] = {}

    def find(v: str) -> str:
        while parent.setdefault(v, v) != v:
            v = parent[v]
        return v

    for c in cells:
        vs = sorted(c.variables)
        for v in vs[1:]:
            parent[find(v)] = find(vs[0])
        if vs:
            find(vs[0])
    groups: dict[str, set[str]] = {}
    for v in parent:
        groups.setdefault(find(v), set()).add(v)
    return list(groups.values())


class Attacker:
    """The attacker's integer program on one component: unknown counts of every combination
    of the component's variables' levels (atoms), non-negative integers, constrained by every
    published figure that involves only these variables."""

    def __init__(self, variables: set[str], levels: Mapping[str, Sequence[str]]):
        self.variables = sorted(variables)
        self.atoms = list(itertools.product(*(levels[v] for v in self.variables)))
        self.index = {a: i for i, a in enumerate(self.atoms)}
        # each variable's level over the atoms as codes (its place in `levels`; the atoms
        # are their product, last variable fastest): members() is then a vector test
        sizes = [len(levels[v]) for v in self.variables]
        self._codes = {
            v: np.indices(sizes).reshape(len(sizes), -1)[k] for k, v in enumerate(self.variables)
        }
        self._code = {v: {lv: i for i, lv in enumerate(levels[v])} for v in self.variables}
        self.rows: list[np.ndarray] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def members(self, where: Iterable[tuple[str, tuple[str, ...]]]) -> np.ndarray:
        """Indicator over atoms of a definition (variables outside the component: any)."""
        keep = np.ones(len(self.atoms), dtype=bool)
        for var, allowed in where:
            if var in self._codes:
                code = self._code[var]
                keep &= np.isin(self._codes[var], [code[a] for a in set(allowed) if a in code])
        return keep.astype(float)

    def know(self, where: Iterable[tuple[str, tuple[str, ...]]], lo: float, hi: float) -> None:
        """The attacker knows the count of `where` lies in [lo, hi]."""
        self.rows.append(self.members(where))
        self.lo.append(lo)
        self.hi.append(hi)

    def bounds(self, indicator: np.ndarray) -> tuple[float, float]:
        """The smallest and largest value of a quantity (indicator over atoms) consistent
        with everything the attacker knows (integer optima)."""
        n = len(self.atoms)
        if not self.rows:  # nothing published on these variables: any count at all
            return 0, UNBOUNDED
        cons = optimize.LinearConstraint(sparse.csr_array(np.vstack(self.rows)), self.lo, self.hi)
        out = []
        for sign in (1.0, -1.0):
            # The linear relaxation first (about half the time of the integer program): where
            # its optimum is an integer point, that point is feasible for the integer program
            # and attains the relaxation's bound, so it is the integer optimum. Published
            # tables with their margins are nearly network matrices, so it mostly is (the
            # default run: 862 of 893 quantities); otherwise the integer program decides.
            for integrality in (np.zeros(n), np.ones(n)):
                res = optimize.milp(
                    sign * indicator,
                    constraints=cons,
                    integrality=integrality,
                    bounds=optimize.Bounds(0, UNBOUNDED),  # finite where nothing bounds it
                )
                if res.success and np.all(np.abs(res.x - np.round(res.x)) < 1e-9):
                    break
            if not res.success:
                raise RuntimeError(f"the attacker's program failed: {res.message}")
            out.append(sign * res.fun)
        return round(out[0]), round(out[1])


def attacker_for(
    variables: set[str], pub: Publication, status: Mapping[Cell, str], threshold: int
) -> Attacker:
    """The attacker of a component, knowing the source exactly and the report as shown."""
    att = Attacker(variables, pub.levels)
    if pub.total is not None:
        att.know((), pub.total, pub.total)
    for c in pub.source:
        if c.variables <= variables:
            att.know(c.where, c.value, c.value)
    for c in pub.cells:
        if not c.variables <= variables:
            continue
        s = status[c]
        if s in (SHOWN, PUBLIC):
            att.know(c.where, c.value, c.value)
        elif s == PRIMARY:
            att.know(c.where, 1, threshold - 1)
        elif s == ROUNDED:
            shown = rounded(c.value)
            att.know(c.where, max(0, shown - ROUND_BASE // 2), shown + ROUND_BASE // 2)
    return att


def source_only(pub: Publication) -> Publication:
    """What the attacker knows before the report: the source and the number of participants."""
    return Publication(pub.levels, [], pub.source, total=pub.total)


def rounded(value: int) -> int:
    """Nearest multiple of ROUND_BASE (halves up)."""
    return int(ROUND_BASE * np.floor(value / ROUND_BASE + 0.5))


@dataclass
class Finding:
    """One quantity the audit examined: the attacker's interval [lo, hi] for it, and what
    would have to hold for it to be protected."""

    component: str
    what: str
    kind: str  # primary cell, withheld cell, small atom, small difference
    lo: int
    hi: int
    ok: bool
    source_lo: int = 0  # the interval the published source alone leaves
    source_hi: int = 0
    indicator: np.ndarray = field(default=None, repr=False, compare=False)  # over atoms


def protection_width(threshold: int) -> int:
    """The narrowest interval an attacker may be left with for a small quantity: MIN_WIDTH
    (so nothing is known to within ±1), or less where the threshold's own label is
    narrower ("<3" says 1 or 2)."""
    return min(MIN_WIDTH, threshold - 2)


def sensitive_quantities(
    pub: Publication,
    variables: set[str],
    status: Mapping[Cell, str],
    att: Attacker,
    people: pd.DataFrame,
    threshold: int,
) -> list[tuple[str, str, np.ndarray]]:
    """(kind, label, indicator over atoms) of every quantity of a component that must not
    be narrowed: hidden small cells; small atoms (small components only); small differences
    of two nested published cells."""
    out = []
    mine = [c for c in pub.cells if c.variables <= variables]
    for c in mine:
        if status[c] in (PRIMARY, WITHHELD):
            kind = "primary cell" if status[c] == PRIMARY else "withheld cell"
            out.append((kind, label_of(c), att.members(c.where)))
    if len(att.atoms) <= MAX_ATOMS_FOR_ATOM_CHECK:
        counts = atom_counts(people, att)
        for i, v in enumerate(counts):
            if 0 < v < threshold:
                ind = np.zeros(len(att.atoms))
                ind[i] = 1
                label = ", ".join(
                    f"{k}={a}" for k, a in zip(att.variables, att.atoms[i], strict=True)
                )
                out.append(("small atom", label, ind))
    shown = [c for c in mine if status[c] in (SHOWN, ROUNDED, PUBLIC)]
    indicator = {c: att.members(c.where) for c in shown}
    for a, b in itertools.combinations(shown, 2):
        ia, ib = indicator[a], indicator[b]
        for big, small, x, y in ((ia, ib, a, b), (ib, ia, b, a)):
            if np.all(small <= big) and 0 < x.value - y.value < threshold:
                label = f"{label_of(x)} minus {label_of(y)}"
                out.append(("small difference", label, big - small))
    seen: set[bytes] = set()  # the same quantity found twice (a primary cell is an atom)
    return [q for q in out if not (q[2].tobytes() in seen or seen.add(q[2].tobytes()))]


def label_of(cell: Cell) -> str:
    """A cell's place as the audit names it: 'table: row / column'."""
    return f"{cell.table}: {cell.row} / {cell.column}"


def atom_counts(people: pd.DataFrame, att: Attacker) -> np.ndarray:
    """The true count of every atom."""
    keys = people[att.variables].astype(str).itertuples(index=False, name=None)
    counts = np.zeros(len(att.atoms))
    for key in keys:
        counts[att.index[tuple(key)]] += 1
    return counts


def audit(
    pub: Publication,
    status: Mapping[Cell, str],
    people: pd.DataFrame,
    threshold: int,
    cache: dict[Any, Any] | None = None,
) -> list[Finding]:
    """Every sensitive quantity of every component with the attacker's interval: a hidden
    small cell must keep the whole range its label states (1 to threshold - 1), any other
    small quantity an interval at least MIN_WIDTH wide, unless the source already fixes it.
    `cache` (any dict, kept between calls) reuses a component's audit while the statuses of
    its cells are unchanged, and the source-only bounds always."""
    cache = {} if cache is None else cache
    findings = []
    for variables in components([*pub.cells, *pub.source]):
        mine = tuple(status[c] for c in pub.cells if c.variables <= variables)
        key = ("component", frozenset(variables), mine)
        if key not in cache:
            cache[key] = _audit_component(pub, variables, status, people, threshold, cache)
        findings += cache[key]
    return findings


def _audit_component(
    pub: Publication,
    variables: set[str],
    status: Mapping[Cell, str],
    people: pd.DataFrame,
    threshold: int,
    cache: dict[Any, Any],
) -> list[Finding]:
    att = attacker_for(variables, pub, status, threshold)
    name = " × ".join(sorted(variables))
    width = protection_width(threshold)
    out = []
    for kind, label, ind in sensitive_quantities(pub, variables, status, att, people, threshold):
        skey = ("source", frozenset(variables), ind.tobytes())
        if skey not in cache:
            src = attacker_for(variables, source_only(pub), {}, threshold)
            cache[skey] = src.bounds(ind)
        slo, shi = cache[skey]
        if shi - slo < width:
            continue  # the published source alone pins it already: nothing the report adds
        lo, hi = att.bounds(ind)
        if kind == "primary cell":  # nothing beyond its label "<threshold" and the source
            ok = lo <= max(1, slo) and hi >= min(threshold - 1, shi)
        else:  # not known to within ±1
            ok = hi - lo >= width
        out.append(Finding(name, label, kind, lo, hi, ok, slo, shi, ind))
    return out


# --- the rule -----------------------------------------------------------------------------------


def lines(cells: Sequence[Cell]) -> list[list[Cell]]:
    """The rows and the columns of a registered table (margins included): the sets of cells
    of which one hidden cell would follow from the others."""
    by_row: dict[str, list[Cell]] = {}
    by_col: dict[str, list[Cell]] = {}
    for c in cells:
        by_row.setdefault(c.row, []).append(c)
        by_col.setdefault(c.column, []).append(c)
    return [ln for ln in [*by_row.values(), *by_col.values()] if len(ln) > 1]


def public_cells(pub: Publication) -> set[Cell]:
    """Cells whose value the published source (and the number of participants) alone
    already fixes, e.g. a table's grand total."""
    out = set()
    for variables in components([*pub.cells, *pub.source]):
        mine = [c for c in pub.cells if c.variables <= variables]
        if pub.total is None and not any(s.variables <= variables for s in pub.source):
            continue
        src = attacker_for(variables, source_only(pub), {}, 2)
        for c in mine:
            lo, hi = src.bounds(src.members(c.where))
            if lo == hi:
                out.add(c)
    return out


def protect(
    pub: Publication, people: pd.DataFrame, threshold: int, seed: int = 20131219
) -> tuple[dict[Cell, str], list[Finding]]:
    """Decide how every registered cell is shown (status per cell), then audit and hide more
    until the attacker learns nothing beyond the labels; returns the status and the audit."""
    rng = np.random.default_rng(seed)
    public = public_cells(pub)
    status: dict[Cell, str] = {}
    for c in pub.cells:
        if c.kind == "rounded":
            status[c] = ROUNDED
        elif c in public:
            status[c] = PUBLIC
        elif 0 < c.value < threshold:
            status[c] = PRIMARY
        else:
            status[c] = SHOWN
    by_table: dict[str, list[Cell]] = {}
    for c in pub.cells:
        by_table.setdefault(c.table, []).append(c)
    hidden = {PRIMARY, WITHHELD, SECONDARY}
    twins: dict[str, list[Cell]] = {}  # the same participants counted in several tables
    for c in pub.cells:
        twins.setdefault(c.members, []).append(c)

    def hide(cell: Cell, how: str) -> None:
        for twin in twins[cell.members]:
            if status[twin] in (SHOWN,):
                status[twin] = how

    for group in twins.values():  # a count hidden anywhere is hidden everywhere
        worst = [status[c] for c in group if status[c] in hidden]
        if worst:
            for c in group:
                if status[c] == SHOWN:
                    status[c] = PRIMARY if PRIMARY in worst else SECONDARY

    def secondary_pass() -> None:
        changed = True
        while changed:
            changed = False
            for cells in by_table.values():
                for line in lines(cells):
                    n_hidden = sum(status[c] in hidden for c in line)
                    if n_hidden != 1:
                        continue
                    # the cells that could be hidden with it: shown, non-zero (zeros are
                    # visible as zeros), chosen at random, not by value
                    candidates = [c for c in line if status[c] == SHOWN and c.value > 0]
                    if not candidates:
                        continue
                    hide(candidates[int(rng.integers(len(candidates)))], SECONDARY)
                    changed = True

    secondary_pass()
    cache: dict[Any, Any] = {}
    for _ in range(2 * len(pub.cells) + 1):  # each round hides or withholds a cell
        findings = audit(pub, status, people, threshold, cache)
        failed = [f for f in findings if not f.ok]
        if not failed:
            return status, findings
        # hide one more shown cell that bears on the first failing quantity (its definition
        # overlaps it, or, for a small difference, it is one of the two cells differenced:
        # hiding either removes the difference), at random; non-zero cells first, a zero only
        # when nothing else is left (a hidden zero could be anything to the attacker)
        first = failed[0]
        comp = set(first.component.split(" × "))
        att = Attacker(comp, pub.levels)
        pair = set(first.what.split(" minus ")) if first.kind == "small difference" else set()
        mine = [
            c
            for c in pub.cells
            if c.variables <= comp
            and status[c] == SHOWN
            and (float(att.members(c.where) @ first.indicator) > 0 or label_of(c) in pair)
        ]
        candidates = [c for c in mine if c.value > 0] or mine
        if candidates:
            hide(candidates[int(rng.integers(len(candidates)))], SECONDARY)
            secondary_pass()
            continue
        # nothing left to hide: a small cell whose "<threshold" label is narrowed is shown
        # "–" instead (and published as hidden, like any other hidden cell)
        failing = {f.what for f in failed}
        labelled = [c for c in pub.cells if status[c] == PRIMARY and label_of(c) in failing]
        if not labelled:
            break
        for c in labelled:
            for twin in twins[c.members]:
                status[twin] = WITHHELD
    findings = audit(pub, status, people, threshold, cache)
    if any(not f.ok for f in findings):
        bad = "; ".join(f"{f.what} ({f.kind})" for f in findings if not f.ok)
        raise DisclosureError(
            f"disclosure control cannot protect {bad} even with every other cell of its "
            "tables hidden; merge the variable's small categories in the config "
            "(report.participant_tables) or leave the variable out of the report"
        )
    return status, findings


class DisclosureError(ValueError):
    """The tables as configured cannot be published safely."""


def shown_value(cell: Cell, status: str, threshold: int) -> str:
    """How a cell is written: the count, '<threshold', '–', or '≈rounded'."""
    if status == PRIMARY or (status == PUBLIC and 0 < cell.value < threshold):
        return f"<{threshold}"  # a small count the source published is not repeated here
    if status in (SECONDARY, WITHHELD):
        return HIDDEN_MARK
    if status == ROUNDED:
        return f"≈{rounded(cell.value)}"
    return str(cell.value)


def frame(pub: Publication, status: Mapping[Cell, str], table: str, threshold: int) -> pd.DataFrame:
    """A registered table as it may be published: row, column, shown, status as published
    (DISPLAY); neither the true values of hidden cells nor which hidden ones are small."""
    cells = pub.table(table)
    return pd.DataFrame(
        {
            "row": [c.row for c in cells],
            "column": [c.column for c in cells],
            "shown": [shown_value(c, status[c], threshold) for c in cells],
            "status": [DISPLAY[status[c]] for c in cells],
        }
    )


def audit_summary(
    findings: Sequence[Finding], status: Mapping[Cell, str], pub: Publication
) -> pd.DataFrame:
    """What the audit found, without any hidden value: per table, its cells by status, how
    many small or hidden quantities the attacker tried among the tables linked with it
    (those sharing variables), the narrowest interval it was left with for one of them, and
    the interval the published source alone leaves for that quantity."""
    groups = components([*pub.cells, *pub.source])
    rows = []
    for name, meta in pub.tables.items():
        cells = pub.table(name)
        used = set().union(*(c.variables for c in cells))
        linked = {" × ".join(sorted(g)) for g in groups if g & used}
        mine = [f for f in findings if f.component in linked]
        narrow = min(mine, key=lambda f: (f.hi - f.lo, f.source_hi - f.source_lo), default=None)
        counts = pd.Series([DISPLAY[status[c]] for c in cells]).value_counts()
        rows.append(
            {
                "table": name,
                "description": meta["description"],
                "cells": len(cells),
                **{s: int(counts.get(s, 0)) for s in dict.fromkeys(DISPLAY.values())},
                "quantities_audited": len(mine),
                "narrowest_interval": f"[{narrow.lo}, {narrow.hi}]" if narrow else "",
                "source_alone": f"[{narrow.source_lo}, {narrow.source_hi}]" if narrow else "",
                "protected": all(f.ok for f in mine),
            }
        )
    return pd.DataFrame(rows)


def natural_order(found: Sequence[str], order: Sequence[str]) -> list[str]:
    """`found` values in the order of `order`, then the others sorted, the no-answer label last."""
    known = [v for v in order if v in set(found)]
    return (
        known
        + sorted(v for v in found if v not in set(known) and v != NO_ANSWER)
        + ([NO_ANSWER] if NO_ANSWER in set(found) else [])
    )
