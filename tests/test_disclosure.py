"""Disclosure control that survives an audit (docs/disclosure.md): the rule at its boundary,
linked tables, nested outcomes, a secondary choice that cannot be replayed, the registry of
what the report folder may hold, and an attacker that reads the written files of the default
run and of the second example evaluation and tries every hidden or small count with integer
programs (scipy's `milp`) written here, apart from the package's own."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import optimize
from support import examples

from ipseval.common.io import read_result_csv
from ipseval.data.codebook import load_codebook
from ipseval.publication import disclosure as dc
from ipseval.publication import publish
from ipseval.report.tables import natural_orders
from ipseval.reproduction.reproduce import read_check


def people_with(**counts: int) -> pd.DataFrame:
    """Participants with one variable `group` taking each level `counts` times."""
    return pd.DataFrame({"group": [k for k, n in counts.items() for _ in range(n)]})


def one_way(people: pd.DataFrame, source: list[dc.Cell] | None = None) -> dc.Publication:
    """A publication of one table: participants by `group`, with its total."""
    levels = {"group": list(dict.fromkeys(people["group"]))}
    pub = dc.Publication(levels, source=source or [], total=len(people))
    pub.register("groups", dc.crosstab_cells(people, "groups", "group", None, levels), "t")
    return pub


def shown(pub: dc.Publication, status: dict, threshold: int) -> dict[str, str]:
    """Row -> the text the table shows."""
    f = dc.frame(pub, status, "groups", threshold)
    return dict(zip(f["row"], f["shown"], strict=True))


# --- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_the_threshold_boundary(threshold: int) -> None:
    # a count of threshold - 1 is hidden as "<threshold", with one more cell so that the
    # total does not give it; a count of exactly the threshold is shown, nothing hidden
    below = people_with(a=threshold - 1, b=40, c=50, d=60)
    pub = one_way(below)
    status, findings = dc.protect(pub, below, threshold)
    out = shown(pub, status, threshold)
    assert out["a"] == f"<{threshold}"
    assert sum(v == dc.HIDDEN_MARK for v in out.values()) == 1
    assert out[dc.ALL] == str(len(below)) and all(f.ok for f in findings)
    at = people_with(a=threshold, b=40, c=50, d=60)
    pub = one_way(at)
    status, _ = dc.protect(pub, at, threshold)
    assert shown(pub, status, threshold) == {
        "a": str(threshold),
        "b": "40",
        "c": "50",
        "d": "60",
        dc.ALL: str(len(at)),
    }


def test_zeros_and_large_counts_are_shown() -> None:
    people = people_with(a=20, b=30)
    pub = one_way(people)
    pub.levels["group"].append("c")  # a level nobody has: a zero
    pub.cells, pub.tables = [], {}
    pub.register("groups", dc.crosstab_cells(people, "groups", "group", None, pub.levels), "t")
    status, _ = dc.protect(pub, people, 5)
    assert shown(pub, status, 5) == {"a": "20", "b": "30", "c": "0", dc.ALL: "50"}


def test_naive_suppression_is_broken_by_a_linked_table_and_the_step_protects_it() -> None:
    # The report's table shows a=2 of 4 groups. The published source (like Tabell 10 beside
    # the report's diagnosis groups) already gives b exactly. A rule that looks at the table
    # alone hides a and the smallest other cell, b; the attacker takes b from the source and
    # the total minus the shown cells gives a exactly.
    people = people_with(a=2, b=30, c=40, d=50)
    source = [dc.Cell("source", "b", "", 30, dc.condition(group="b"))]
    pub = one_way(people, source)
    cell = {c.row: c for c in pub.cells}
    naive = {c: dc.SHOWN for c in pub.cells}
    naive[cell["a"]], naive[cell["b"]] = dc.PRIMARY, dc.SECONDARY
    broken = [f for f in dc.audit(pub, naive, people, 5) if not f.ok]
    assert [(f.what, f.lo, f.hi) for f in broken] == [("groups: a / Totalt", 2, 2)]
    # the step knows the source: b is public, another cell is hidden with a, and the
    # attacker is left with the whole range "<5" states
    status, findings = dc.protect(pub, people, 5)
    assert status[cell["b"]] == dc.PUBLIC and status[cell["a"]] == dc.PRIMARY
    assert {status[cell["c"]], status[cell["d"]]} == {dc.SHOWN, dc.SECONDARY}
    a = next(f for f in findings if f.what == "groups: a / Totalt")
    assert (a.lo, a.hi) == (1, 4) and all(f.ok for f in findings)


def test_nested_outcome_definitions_do_not_give_a_small_difference() -> None:
    # regular work (36) is inside paid work (38): both shown, their difference (2 people in
    # wage-subsidy work only) would be a small count in plain sight
    occ = ["regular"] * 36 + ["subsidy"] * 2 + ["none"] * 60
    people = pd.DataFrame({"occ": occ})
    levels = {"occ": ["regular", "subsidy", "none"]}
    pub = dc.Publication(levels, total=len(people))
    cells = [
        dc.count_cell(people, "outcomes", "regular_work", "events", occ="regular"),
        dc.count_cell(people, "outcomes", "paid_work", "events", occ=["regular", "subsidy"]),
        dc.count_cell(people, "outcomes", "any", "answered", occ=levels["occ"]),
    ]
    pub.register("outcomes", cells, "t")
    naive = {c: dc.SHOWN for c in cells}
    broken = [f for f in dc.audit(pub, naive, people, 5) if not f.ok]
    assert [(f.lo, f.hi) for f in broken] == [(2, 2)]  # paid minus regular: exactly 2
    status, findings = dc.protect(pub, people, 5)
    assert sum(status[c] == dc.SECONDARY for c in cells) >= 1
    diffs = [f for f in findings if f.kind in ("small difference", "small atom")]
    assert diffs and all(f.hi - f.lo >= dc.MIN_WIDTH for f in diffs)


def test_the_secondary_choice_depends_on_the_pattern_not_on_the_values() -> None:
    # With "hide the smallest other cell", the hidden cell is known to be the smallest, which
    # an attacker can replay. The step draws it at random (seeded) among the candidates: swap
    # the values of two candidates and the same position is hidden.
    first = people_with(a=2, b=10, c=20, d=30)
    swapped = people_with(a=2, b=20, c=10, d=30)
    hidden = []
    for people in (first, swapped):
        pub = one_way(people)
        status, _ = dc.protect(pub, people, 5)
        hidden.append({c.row for c in pub.cells if status[c] == dc.SECONDARY})
    assert hidden[0] == hidden[1] and len(hidden[0]) == 1
    # and over seeds each candidate is drawn, the smallest not more than its share
    draws = []
    for seed in range(60):
        pub = one_way(first)
        status, _ = dc.protect(pub, first, 5, seed=seed)
        draws += [c.row for c in pub.cells if status[c] == dc.SECONDARY]
    assert set(draws) == {"b", "c", "d"} and draws.count("b") < 35


def test_a_withheld_small_cell_looks_like_any_hidden_cell() -> None:
    # a small count shown "–" (withheld: its "<5" would have been narrowed) is published
    # exactly as a larger count hidden to protect it: nothing says which hidden cell is small
    people = people_with(a=1, b=5, c=40, d=50)
    pub = one_way(people)
    cell = {c.row: c for c in pub.cells}
    status = {c: dc.SHOWN for c in pub.cells}
    status[cell["a"]], status[cell["b"]] = dc.WITHHELD, dc.SECONDARY
    f = dc.frame(pub, status, "groups", 5).set_index("row")
    assert f.loc[["a", "b"], "shown"].tolist() == [dc.HIDDEN_MARK] * 2
    assert f.loc[["a", "b"], "status"].tolist() == ["hidden"] * 2
    summary = dc.audit_summary([], status, pub)
    assert "withheld" not in summary.columns and "secondary" not in summary.columns
    assert summary.loc[0, "hidden"] == 2


def test_an_unregistered_table_cannot_be_written(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="not registered with the disclosure step"):
        publish.write(pd.DataFrame({"x": [1]}), tmp_path / "counts_by_programme.csv")
    assert not (tmp_path / "counts_by_programme.csv").exists()
    publish.write(pd.DataFrame({"x": [1]}), tmp_path / "findings.csv")  # registered


# --- an attacker written apart from the package, on any table ------------------------------


def bounds(a_eq: np.ndarray, lo: np.ndarray, hi: np.ndarray, c: np.ndarray) -> tuple[int, int]:
    """min and max of c @ x over non-negative integer x with lo <= a_eq @ x <= hi."""
    cons = optimize.LinearConstraint(a_eq, lo, hi)
    out = []
    for sign in (1, -1):
        r = optimize.milp(sign * c, constraints=cons, integrality=np.ones(len(c)))
        assert r.success, r.message
        out.append(round(sign * r.fun))
    return out[0], out[1]


def known(text: str, threshold: int) -> tuple[float, float] | None:
    """What a published text tells: a count, '<t', '≈k' or nothing ('–')."""
    if text.isdigit():
        return int(text), int(text)
    if text == f"<{threshold}":
        return 1, threshold - 1
    if text.startswith("≈"):
        k = int(text[1:])
        return max(0, k - 2), k + 2
    assert text == dc.HIDDEN_MARK, text
    return None


@st.composite
def two_way(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    """Participants by two variables (2-4 levels each), many cells small."""
    rows, cols = draw(st.integers(2, 4)), draw(st.integers(2, 3))
    values = draw(
        st.lists(
            st.one_of(st.integers(0, 6), st.integers(5, 60)),
            min_size=rows * cols,
            max_size=rows * cols,
        )
    )
    records = []
    for (i, j), n in zip(itertools.product(range(rows), range(cols)), values, strict=True):
        records += [(f"r{i}", f"c{j}")] * n
    people = pd.DataFrame(records, columns=["r", "c"])
    return people, draw(st.integers(3, 8))


# found by hypothesis in a fresh-clone run: counts 1, 4, 1 in one column, threshold 3; the
# total (public) minus the 4 is a small difference that only hiding the 4 protects
FOUND = pd.DataFrame([("r0", "c1")] + [("r1", "c1")] * 4 + [("r2", "c1")], columns=["r", "c"])
# found by `make explore`: a table the step refuses (a 1 at r1 / c1 it cannot protect)
REFUSED = pd.DataFrame(
    [("r0", "c0")] * 3 + [("r0", "c1")] * 3 + [("r1", "c1")] + [("r1", "c2")] * 3
    + [("r2", "c0")] * 3 + [("r2", "c2")],
    columns=["r", "c"],
)  # fmt: skip


@settings(max_examples=examples(40), deadline=None)  # 40 tables (fixed in `make test`: conftest)
@example((FOUND, 3))
@example((REFUSED, 3))
@given(two_way())
def test_no_small_count_is_shown_or_can_be_narrowed_in_any_two_way_table(case) -> None:
    people, t = case
    if len(people) < 2 * t:
        return
    levels = {
        "r": sorted(set(people["r"])),
        "c": sorted(set(people["c"])),
    }
    pub = dc.Publication(levels, total=len(people))
    pub.register("t", dc.crosstab_cells(people, "t", "r", "c", levels), "two-way")
    try:
        status, _ = dc.protect(pub, people, t)
    except dc.DisclosureError as err:
        # a refusal publishes nothing, so it is safe; that the step refuses some tables it
        # might protect is the known limitation of test_a_table_the_step_refuses_..., found
        # here by `make explore` (a 3 x 3 table with a 1, threshold 3)
        assert "t: " in str(err)
        return
    f = dc.frame(pub, status, "t", t)
    # no count from 1 to t - 1 is printed
    assert not any(s.isdigit() and 0 < int(s) < t for s in f["shown"])
    # the attacker: unknown interior counts, every printed text as a constraint
    atoms = list(itertools.product(levels["r"], levels["c"]))
    rows, lo, hi = [], [], []
    for r, c, text in zip(f["row"], f["column"], f["shown"], strict=True):
        k = known(text, t)
        if k is None:
            continue
        rows.append([(r in (a[0], dc.ALL)) and (c in (a[1], dc.ALL)) for a in atoms])
        lo.append(k[0])
        hi.append(k[1])
    a_eq = np.array(rows, dtype=float)
    width = dc.protection_width(t)
    truth = people.value_counts().to_dict()
    for cell, r, c, text in zip(pub.cells, f["row"], f["column"], f["shown"], strict=True):
        ind = np.array([(r in (a[0], dc.ALL)) and (c in (a[1], dc.ALL)) for a in atoms], float)
        if text == f"<{t}":  # learns nothing beyond the label
            assert bounds(a_eq, np.array(lo), np.array(hi), ind) == (1, t - 1), (r, c)
        elif text == dc.HIDDEN_MARK and 0 < cell.value < t:
            b = bounds(a_eq, np.array(lo), np.array(hi), ind)
            assert b[1] - b[0] >= width, (r, c, b)
    for (r, c), n in truth.items():  # every small interior count, hidden or not in a table
        if 0 < n < t:
            ind = np.array([a == (r, c) for a in atoms], float)
            b = bounds(a_eq, np.array(lo), np.array(hi), ind)
            assert b[1] - b[0] >= width, (r, c, n, b)


# --- the written report of real runs -------------------------------------------------------


def run_params(run: Path) -> dict[str, Any]:
    """What report_tables takes from the config, from the run's own config.yaml."""
    cfg = yaml.safe_load((run / "public/config.yaml").read_text(encoding="utf-8"))
    m, rep = cfg["models"], cfg["report"]
    return {
        "participant_tables": rep.get("participant_tables", {"variables": {}}),
        "outcome_groups": rep.get("outcome_groups", {}).get("column"),
        "outcomes": list(m["outcomes"]),
        "outcome_definitions": cfg["outcomes"],
        "specifications": list(m["specifications"]),
        "specification_predictors": m["specifications"],
        "predictors": m["predictors"],
        "alpha": m["alpha"],
        "threshold": rep["disclosure_threshold"],
        "codebook": cfg["data"]["codebook"],
    }


def written(run: Path) -> dict[tuple[str, str, str], str]:
    """Every count the report folder's CSVs print: (table, row, column) -> text."""
    out = {}
    report = run / "public"
    p = read_result_csv(report / "participant_tables.csv", dtype=str, keep_default_na=False)
    for r in p.itertuples():
        out[(f"participants: {r.variable}", r.level, dc.ALL)] = r.count
    o = read_result_csv(report / "outcome_rates.csv", dtype=str, keep_default_na=False)
    for r in o.itertuples():
        out[("outcomes: events", r.outcome, r.group)] = r.events
        out[("outcomes: answered", r.outcome, r.group)] = r.n
    s = read_result_csv(report / "model_samples.csv", dtype=str, keep_default_na=False)
    columns = {
        "n_analysed": "analysed",
        "events": "events",
        "n_complete_case": "complete cases",
        "events_complete_case": "events, complete cases",
    }
    for r in s.to_dict("records"):
        for col, name in columns.items():
            out[(f"model samples: {r['specification']}", r["outcome"], name)] = r[col]
    return out


def nested(inner: dc.Cell, outer: dc.Cell) -> bool:
    """Every participant `inner` counts is, by the definitions alone, counted by `outer`."""
    mine = dict(inner.where)
    return all(v in mine and set(mine[v]) <= set(levels) for v, levels in outer.where)


@pytest.fixture(params=["default", "example"])
def run(request: pytest.FixtureRequest) -> Path:
    """The results folder of the default run, and of the second example evaluation."""
    return request.getfixturevalue("default_run" if request.param == "default" else "example_run")


@pytest.mark.e2e
def test_the_attacker_learns_nothing_from_the_written_report(run: Path, capsys) -> None:
    params = run_params(run)
    t = params["threshold"]
    root = run.parents[1]
    participants = read_result_csv(run / "restricted/clean/participants.csv")
    check = run / "restricted/reproduction/check.csv"
    source = publish.source_cells(read_check(check)) if check.exists() else []
    orders = natural_orders(load_codebook(root / params["codebook"]))
    pub, people = publish.build(participants, params, orders, source)
    text = written(run)
    # every registered cell is in the files, and nothing else is
    assert set(text) == {(c.table, c.row, c.column) for c in pub.cells}
    # no count from 1 to t - 1 is printed (the source's own small counts included)
    small = {k: v for k, v in text.items() if v.isdigit() and 0 < int(v) < t}
    assert not small, small
    width = dc.protection_width(t)
    narrowest, tried = None, 0
    for variables in dc.components([*pub.cells, *pub.source]):
        att = dc.Attacker(variables, pub.levels)  # the atoms; knowledge from the files only
        att.know((), len(people), len(people))
        src = dc.Attacker(variables, pub.levels)
        src.know((), len(people), len(people))
        for c in pub.source:
            if c.variables <= variables:
                att.know(c.where, c.value, c.value)
                src.know(c.where, c.value, c.value)
        mine = [c for c in pub.cells if c.variables <= variables]
        for c in mine:
            k = known(text[(c.table, c.row, c.column)], t)
            if k is not None:
                att.know(c.where, *k)
        quantities = [(c, att.members(c.where)) for c in mine if 0 < c.value < t]
        if len(att.atoms) <= dc.MAX_ATOMS_FOR_ATOM_CHECK:
            counts = dc.atom_counts(people, att)
            quantities += [
                (None, np.eye(len(att.atoms))[i])
                for i in np.flatnonzero((counts > 0) & (counts < t))
            ]
        exact = [c for c in mine if text[(c.table, c.row, c.column)].isdigit()]
        for inner, outer in itertools.permutations(exact, 2):
            if nested(inner, outer) and 0 < outer.value - inner.value < t:
                quantities.append((None, att.members(outer.where) - att.members(inner.where)))
        for cell, ind in quantities:
            slo, shi = src.bounds(ind)
            if shi - slo < width:
                continue  # the published source alone gives it
            lo, hi = att.bounds(ind)
            tried += 1
            if cell is not None and text[(cell.table, cell.row, cell.column)] == f"<{t}":
                assert lo <= max(1, slo) and hi >= min(t - 1, shi), (cell, lo, hi)
            else:
                assert hi - lo >= width, (cell, lo, hi)
            if narrowest is None or hi - lo < narrowest[1] - narrowest[0]:
                narrowest = (lo, hi)
    summary = read_result_csv(run / "public/disclosure.csv")
    assert summary["protected"].all()
    with capsys.disabled():
        print(
            f"\n[disclosure audit, {run.name}] {len(pub.tables)} tables, {len(pub.cells)} "
            f"cells: {int(summary['small'].sum())} shown <{t}, "
            f"{int(summary['hidden'].sum())} hidden (–), {int(summary['rounded'].sum())} "
            f"rounded, {int(summary['public'].sum())} as published; {tried} small or "
            f"hidden quantities tried; narrowest interval {narrowest}"
        )


@pytest.mark.e2e
def test_the_cleaning_account_and_the_reproduction_give_no_count_outside_the_step(
    run: Path,
) -> None:
    """Issue 25: the excluded rows by reason and file, and the rows read, are audited by an
    attacker built here from public/ alone; a reproduced value is published only where the
    source's own figures give it."""
    t = run_params(run)["threshold"]
    width = dc.protection_width(t)
    truth = read_result_csv(run / "restricted/clean/excluded_rows.csv", dtype=str)
    shown = read_result_csv(run / "public/excluded_reasons.csv", dtype=str, keep_default_na=False)
    account = read_result_csv(run / "public/cleaning.csv", dtype=str, keep_default_na=False)
    kept = dict(zip(account["file"], account["rows_kept"].astype(int), strict=True))
    for a in account.itertuples():  # read = kept + excluded: shown together or not at all
        assert a.rows_read == "–" or int(a.rows_read) == int(a.rows_kept) + int(a.rows_excluded), a
    reasons = sorted(set(truth["rule"]))
    files = list(kept)
    atoms = [(r, f) for r in reasons for f in files]
    att = dc.Attacker({"reason", "file"}, {"reason": reasons, "file": files})
    for r in shown.itertuples():
        k = known(r.rows, t)
        if k is not None:
            where = []
            if r.reason != dc.ALL:
                where.append(("reason", (r.reason,)))
            if r.file != dc.ALL:
                where.append(("file", (r.file,)))
            att.know(tuple(where), *k)
    for a in account.itertuples():
        if a.rows_read != "–" and a.file in files:  # read - kept = excluded from the file
            n = int(a.rows_read) - kept[a.file]
            att.know((("file", (a.file,)),), n, n)
    counts = truth.groupby(["rule", "file"]).size()
    for (reason, file), n in counts.items():
        if 0 < n < t:
            lo, hi = att.bounds(np.array([a == (reason, file) for a in atoms], float))
            assert hi - lo >= width, (reason, file, n, lo, hi)
    for (reason,), n in truth.groupby(["rule"]).size().items():
        assert not (
            0 < n < t
            and shown.query("reason == @reason and file == @dc.ALL")["rows"].eq(str(n)).any()
        ), reason
    # the reproduction: a value beside its published one only where the source gives it
    check = run / "restricted/reproduction/check.csv"
    if check.exists():
        full = read_result_csv(check, dtype=str, keep_default_na=False)
        public = read_result_csv(run / "public/reproduction.csv", dtype=str, keep_default_na=False)
        assert len(full) == len(public)
        open_ = public["status"].isin(["match", "source_inconsistent"])
        assert (public.loc[~open_, "reproduced"] == "").all()
        assert (public.loc[open_, "reproduced"] == full.loc[open_, "reproduced"]).all()


@pytest.mark.e2e
def test_every_file_of_the_report_folder_is_registered(run: Path) -> None:
    files = {p.name for p in (run / "public").iterdir() if p.is_file()}
    assert files, "the public folder is empty"
    unregistered = files - set(publish.REGISTRY)
    assert not unregistered, f"written without the disclosure step: {sorted(unregistered)}"
    # the figures and the rates show a share only where both its counts are shown
    rates = read_result_csv(run / "public/outcome_rates.csv", dtype=str, keep_default_na=False)
    for r in rates.itertuples():
        assert (r.share != "") == (r.events.isdigit() and r.n.isdigit() and int(r.n) > 0)


# --- what the report page says about a hidden cell -------------------------------------------


def test_a_large_category_hidden_by_secondary_suppression_is_not_labelled_small() -> None:
    # 2 of 902 in a third category: the total is public, so hiding the 2 alone would leave it
    # derivable; the step hides one of the large categories as well. The page must show that
    # large category as hidden ("–", with why), never as "<5" (issue: the Sex panel showed
    # only men with "2 level(s) <5", hiding ~430 women as if they were few)
    from ipseval.report.sections import participant_tables_html
    from ipseval.report.text import localised, translations

    people = people_with(women=430, men=470, other=2)
    pub = one_way(people)
    status, _ = dc.protect(pub, people, 5)
    f = dc.frame(pub, status, "groups", 5)
    ptab = f.rename(columns={"row": "level", "shown": "count"}).assign(variable="Sex")
    large_hidden = [
        r.level for r in ptab.itertuples() if r.level in ("women", "men") and r.count == "–"
    ]
    assert len(large_hidden) == 1, ptab  # secondary suppression hid a large category
    t = localised(translations("en"), {"threshold": "5", "threshold_minus_one": "4"})
    (html,) = [p["html"] for p in participant_tables_html(ptab, t)]
    row = re.search(rf"<td>{large_hidden[0]}</td>(.*?)</tr>", html, re.S).group(1)
    assert "–" in row and "hidden so that no small count can be recovered" in row
    assert "&lt;5" not in row and "fewer than" not in row
    # the category shown carries its count, and no row claims a large count is small
    assert re.search(r"<td[^>]*>(430|470)</td>", html)
    assert html.count("fewer than 5") <= 1


def test_the_attacker_knows_a_rounded_count_to_within_half_the_base_and_no_more() -> None:
    # 23 shown rounded as 25: the attacker learns [23, 27] from it, nothing narrower, nothing
    # wider (a wider interval would pass an audit a real attacker could beat)
    people = people_with(a=23, b=40)
    pub = one_way(people)
    cell = {c.row: c for c in pub.cells}
    status = {c: dc.SHOWN for c in pub.cells}
    status[cell["a"]] = dc.ROUNDED
    for c in pub.cells:  # no total: the rounded cell is all the attacker knows about "a"
        if c.row not in ("a", "b"):
            status[c] = dc.SECONDARY
    pub.total = None
    att = dc.attacker_for({"group"}, pub, status, 5)
    assert att.bounds(att.members(cell["a"].where)) == pytest.approx((23, 27))
    assert att.bounds(att.members(cell["b"].where)) == pytest.approx((40, 40))
    assert dc.rounded(23) == 25 and dc.rounded(22) == 20 and dc.rounded(2) == 0
    # a 1 shown as "≈0": the attacker knows 0 to 2 (counts are never negative), not 1 to 2
    people = people_with(a=1, b=40)
    pub = one_way(people)
    pub.total = None
    cell = {c.row: c for c in pub.cells}
    status = {c: dc.SECONDARY for c in pub.cells}
    status[cell["a"]], status[cell["b"]] = dc.ROUNDED, dc.SHOWN
    att = dc.attacker_for({"group"}, pub, status, 5)
    assert att.bounds(att.members(cell["a"].where)) == (0, 2)


@settings(max_examples=examples(60), deadline=None)
@given(st.data())
def test_the_attackers_atoms_of_a_definition_are_those_it_names(data: st.DataObject) -> None:
    """Attacker.members (vectorised over the atoms) against its definition, atom by atom:
    an atom belongs where each variable of the component named in the definition has one of
    the allowed levels; variables outside the component, and levels no atom has, change
    nothing."""
    levels = {"a": ["x", "y", "z"], "b": ["1", "2"], "c": ["p", "q", "r", "s"], "d": ["m"]}
    variables = set(data.draw(st.sets(st.sampled_from("abc"), min_size=1)))
    att = dc.Attacker(variables, levels)
    names = data.draw(st.lists(st.sampled_from("abcd"), unique=True))
    where = [
        (v, tuple(data.draw(st.lists(st.sampled_from([*levels[v], "other"]), max_size=4))))
        for v in names
    ]
    expected = [
        all(atom[att.variables.index(v)] in allowed for v, allowed in where if v in variables)
        for atom in att.atoms
    ]
    assert att.members(where).tolist() == [float(e) for e in expected]


def test_a_count_of_one_and_a_difference_just_below_the_threshold_are_audited(
    monkeypatch,
) -> None:
    # the smallest counts and differences are the ones a slip at the boundary would let out
    people = people_with(a=1, b=9, c=40)
    pub = one_way(people)
    status = {c: dc.SHOWN for c in pub.cells}
    att = dc.attacker_for({"group"}, pub, status, 5)
    found = dc.sensitive_quantities(pub, {"group"}, status, att, people, 5)
    labels = {(kind, label) for kind, label, _ in found}
    assert ("small atom", "group=a") in labels  # a count of 1 is small
    # nested published cells: "a or b" (10) over "b" (9) differ by 1, a small difference;
    # "b or c" (49) over "c" (40) differ by 9, not (atoms left out: a difference equal to a
    # small atom would be counted once, as the atom)
    monkeypatch.setattr(dc, "MAX_ATOMS_FOR_ATOM_CHECK", 0)
    pub2 = one_way(people)
    pub2.register(
        "t2",
        [
            dc.Cell("t2", "a or b", "all", 10, (("group", ("a", "b")),)),
            dc.Cell("t2", "b or c", "all", 49, (("group", ("b", "c")),)),
        ],
        "t2",
    )
    cell = {c.row: c for c in pub2.cells}
    status2 = {c: dc.SHOWN for c in pub2.cells}
    att2 = dc.attacker_for({"group"}, pub2, status2, 5)
    found2 = dc.sensitive_quantities(pub2, {"group"}, status2, att2, people, 5)
    diffs = [ind for kind, _, ind in found2 if kind == "small difference"]
    atom_a = att2.members(cell["a"].where)
    atom_b = att2.members(cell["b"].where)
    assert any(np.array_equal(d, atom_a) for d in diffs)  # 10 - 9 = 1 is audited
    assert not any(np.array_equal(d, atom_b) for d in diffs)  # 49 - 40 = 9 is not small


def refused_three_by_three() -> tuple[pd.DataFrame, dc.Publication]:
    """A 3 x 3 table (threshold 3) the step refuses; found by hypothesis's random search."""
    counts = {("r0", "c2"): 2, ("r1", "c0"): 3, ("r1", "c1"): 3, ("r2", "c0"): 1}
    counts |= {("r2", "c1"): 3, ("r2", "c2"): 1}
    people = pd.DataFrame([key for key, n in counts.items() for _ in range(n)], columns=["r", "c"])
    levels = {"r": ["r0", "r1", "r2"], "c": ["c0", "c1", "c2"]}
    pub = dc.Publication(levels, total=len(people))
    pub.register("t", dc.crosstab_cells(people, "t", "r", "c", levels), "two-way")
    return people, pub


@pytest.mark.xfail(
    strict=True,
    raises=dc.DisclosureError,
    reason="known limitation: the step refuses this 3 x 3 table (a withheld 1 it cannot widen) "
    "instead of finding a suppression pattern; refusing publishes nothing, so it is safe, "
    "but a better search would publish more",
)
def test_a_table_the_step_refuses_although_it_may_be_protectable() -> None:
    people, pub = refused_three_by_three()
    dc.protect(pub, people, 3)


# --- the pieces, one at a time (each expected value follows from the construction) ----------


def two_tables(
    people: pd.DataFrame | None = None, total: int | None = None
) -> tuple[pd.DataFrame, dc.Publication]:
    """Two unlinked one-way tables, "groups" by `group` (levels a, b, c) and "others" by
    `other` (x, y); by default of a=2, b=30, c=40 and x=10, y=62, with no total published."""
    if people is None:
        people = people_with(a=2, b=30, c=40).assign(other=["x"] * 10 + ["y"] * 62)
    levels = {"group": ["a", "b", "c"], "other": ["x", "y"]}
    pub = dc.Publication(levels, total=total)
    pub.register("groups", dc.crosstab_cells(people, "groups", "group", None, levels), "g")
    pub.register("others", dc.crosstab_cells(people, "others", "other", None, levels), "o")
    return people, pub


def test_a_two_way_table_has_every_cell_and_both_margins() -> None:
    people = pd.DataFrame({"r": ["p", "p", "q"], "c": ["u", "v", "v"]})
    cells = dc.crosstab_cells(people, "t", "r", "c", {"r": ["p", "q"], "c": ["u", "v"]})
    assert [(c.row, c.column, c.value) for c in cells] == [
        ("p", "u", 1),
        ("p", "v", 1),
        ("p", dc.ALL, 2),
        ("q", "u", 0),
        ("q", "v", 1),
        ("q", dc.ALL, 1),
        (dc.ALL, "u", 1),
        (dc.ALL, "v", 2),
        (dc.ALL, dc.ALL, 3),
    ]
    assert {c.kind for c in cells} == {"count"}  # suppressed if small (not "rounded")


def test_the_attacker_uses_every_cell_of_its_component_wherever_it_is_listed() -> None:
    # the cells of `groups` come first; the attacker of `other` must still read all of
    # `others` after skipping them, and knows x exactly
    _, pub = two_tables()
    status = {c: dc.SHOWN for c in pub.cells}
    att = dc.attacker_for({"other"}, pub, status, 5)
    x = next(c for c in pub.cells if c.row == "x")
    assert att.bounds(att.members(x.where)) == (10, 10)


def test_a_system_no_integer_counts_satisfy_is_an_error_not_a_fraction() -> None:
    # a + b = 1, b + c = 1, a + c = 1: the linear relaxation has a = b = c = 1/2, but no
    # counts (non-negative integers) satisfy all three
    att = dc.Attacker({"g"}, {"g": ["a", "b", "c"]})
    for pair in (("a", "b"), ("b", "c"), ("a", "c")):
        att.know((("g", pair),), 1, 1)
    with pytest.raises(RuntimeError, match="attacker's program failed"):
        att.bounds(att.members((("g", ("a",)),)))


def test_where_the_relaxation_is_fractional_the_bounds_are_the_integer_ones() -> None:
    # a + b, b + c, a + c each 0 or 1: a + b + c is at most 1 in counts (two of them 1
    # would make a pair 2), while the linear relaxation reaches 3/2 at a = b = c = 1/2
    # (rounded: 2). The bounds are the integer program's, not the relaxation's.
    att = dc.Attacker({"g"}, {"g": ["a", "b", "c"]})
    for pair in (("a", "b"), ("b", "c"), ("a", "c")):
        att.know((("g", pair),), 0, 1)
    assert att.bounds(att.members((("g", ("a", "b", "c")),))) == (0, 1)
    relaxed = optimize.milp(
        -np.ones(3),
        constraints=optimize.LinearConstraint(np.vstack(att.rows), att.lo, att.hi),
        bounds=optimize.Bounds(0, dc.UNBOUNDED),
    )
    assert -relaxed.fun == pytest.approx(1.5)  # the case the integer program must decide


def test_atom_counts_are_the_true_counts() -> None:
    people, _ = two_tables()
    att = dc.Attacker({"group", "other"}, {"group": ["a", "b", "c"], "other": ["x", "y"]})
    counts = dict(zip(att.atoms, dc.atom_counts(people, att), strict=True))
    assert counts == {
        ("a", "x"): 2,
        ("a", "y"): 0,
        ("b", "x"): 8,
        ("b", "y"): 22,
        ("c", "x"): 0,
        ("c", "y"): 40,
    }


def test_protection_width_is_the_labels_range_below_min_width() -> None:
    # "<3" says 1 or 2 (an interval of width 1); from threshold 5 on, MIN_WIDTH (3)
    assert [dc.protection_width(t) for t in (3, 4, 5, 10)] == [1, 2, 3, 3]


def test_how_a_public_cell_is_shown_at_the_threshold_boundary() -> None:
    cell = {v: dc.Cell("t", "r", "c", v, ()) for v in (0, 1, 4, 5)}
    shown_public = {v: dc.shown_value(c, dc.PUBLIC, 5) for v, c in cell.items()}
    assert shown_public == {0: "0", 1: "<5", 4: "<5", 5: "5"}
    assert dc.shown_value(cell[5], dc.WITHHELD, 5) == dc.HIDDEN_MARK
    assert dc.shown_value(dc.Cell("t", "r", "c", 23, ()), dc.ROUNDED, 5) == "≈25"


def test_each_kind_of_sensitive_quantity_is_named(monkeypatch) -> None:
    people = people_with(a=2, b=3, c=40)
    pub = one_way(people)
    cell = {c.row: c for c in pub.cells}
    status = {c: dc.SHOWN for c in pub.cells}
    status[cell["a"]], status[cell["b"]] = dc.PRIMARY, dc.WITHHELD
    att = dc.attacker_for({"group"}, pub, status, 5)
    found = {
        label: kind
        for kind, label, _ in dc.sensitive_quantities(pub, {"group"}, status, att, people, 5)
    }
    assert found == {"groups: a / Totalt": "primary cell", "groups: b / Totalt": "withheld cell"}
    # the atom check runs up to and including MAX_ATOMS_FOR_ATOM_CHECK atoms (here 3)
    status = {c: dc.SHOWN for c in pub.cells}
    monkeypatch.setattr(dc, "MAX_ATOMS_FOR_ATOM_CHECK", 3)
    kinds = [k for k, _, _ in dc.sensitive_quantities(pub, {"group"}, status, att, people, 5)]
    assert kinds.count("small atom") == 2
    monkeypatch.setattr(dc, "MAX_ATOMS_FOR_ATOM_CHECK", 2)
    kinds = [k for k, _, _ in dc.sensitive_quantities(pub, {"group"}, status, att, people, 5)]
    assert "small atom" not in kinds


def test_the_audit_covers_every_component_and_skips_only_what_the_source_pins() -> None:
    # two unlinked tables, each with small atoms: group a=1, b=2 (c=40) and other x=3 (y=40)
    people = people_with(a=1, b=2, c=40).assign(other=["x"] * 3 + ["y"] * 40)
    _, pub = two_tables(people, total=len(people))
    status = {c: dc.SHOWN for c in pub.cells}
    findings = dc.audit(pub, status, people, 5, cache={})
    atoms = {f.what: f for f in findings if f.kind == "small atom"}
    assert set(atoms) == {"group=a", "group=b", "other=x"}
    # nothing is published beforehand: the source alone leaves each atom 0 to 43
    assert all((f.source_lo, f.source_hi) == (0, 43) for f in atoms.values())
    # the source gives a exactly: a is pinned before the report and not audited, b (listed
    # after it) still is
    pub.source = [dc.Cell("source", "a", "", 1, dc.condition(group="a"))]
    findings = dc.audit(pub, status, people, 5, cache={})
    atoms = {f.what: f for f in findings if f.kind == "small atom"}
    assert set(atoms) == {"group=b", "other=x"}
    assert (atoms["group=b"].source_lo, atoms["group=b"].source_hi) == (0, 42)


def test_a_quantity_the_source_leaves_exactly_min_width_wide_is_audited() -> None:
    # with 3 participants published, the source leaves a in [0, 3]: width 3 = MIN_WIDTH, not
    # pinned, so a and b are audited (and, shown exactly, fail); with 2, [0, 2] is pinned
    for people, audited in ((people_with(a=1, b=2), True), (people_with(a=1, b=1), False)):
        pub = one_way(people)
        status = {c: dc.SHOWN for c in pub.cells}
        findings = [f for f in dc.audit(pub, status, people, 5) if f.kind == "small atom"]
        assert bool(findings) == audited
        assert all(not f.ok and (f.source_lo, f.source_hi) == (0, len(people)) for f in findings)


def test_the_summary_reports_each_table_with_its_own_linked_findings() -> None:
    people = people_with(a=1, b=2, c=40).assign(other=["x"] * 3 + ["y"] * 40)
    _, pub = two_tables(people, total=len(people))
    status, findings = dc.protect(pub, people, 5)
    summary = dc.audit_summary(findings, status, pub).set_index("table")
    assert summary.columns.tolist() == [
        "description",
        "cells",
        "shown",
        "public",
        "small",
        "hidden",
        "rounded",
        "quantities_audited",
        "narrowest_interval",
        "source_alone",
        "protected",
    ]
    for name, var in (("groups", "group"), ("others", "other")):
        mine = [f for f in findings if f.component == var]
        cells = pub.table(name)
        row = summary.loc[name]
        assert row["description"] == {"groups": "g", "others": "o"}[name]
        assert row["cells"] == len(cells)
        assert row["quantities_audited"] == len(mine) > 0
        for display in ("shown", "public", "small", "hidden", "rounded"):
            assert row[display] == sum(dc.DISPLAY[status[c]] == display for c in cells)
        narrow = min(mine, key=lambda f: (f.hi - f.lo, f.source_hi - f.source_lo))
        assert row["narrowest_interval"] == f"[{narrow.lo}, {narrow.hi}]"
        assert row["source_alone"] == f"[{narrow.source_lo}, {narrow.source_hi}]"
        assert row["protected"] == all(f.ok for f in mine)
    assert summary.loc["others", "rounded"] == 0 and summary.loc["groups", "small"] == 2


def test_the_narrowest_interval_is_the_narrowest_then_the_least_pinned_by_the_source() -> None:
    people = people_with(a=2, b=40)
    pub = one_way(people)
    status = {c: dc.SHOWN for c in pub.cells}
    f = [
        dc.Finding("group", "w", "small atom", 0, 9, True, 0, 9),
        dc.Finding("group", "low", "small atom", 0, 5, True, 0, 9),  # wider, lower
        dc.Finding("group", "n1", "small atom", 2, 6, True, 10, 20),
        dc.Finding("group", "n2", "small atom", 3, 7, True, 0, 15),
        dc.Finding("other", "elsewhere", "small atom", 1, 1, False, 0, 9),
    ]
    row = dc.audit_summary(f, status, pub).iloc[0]
    # equally narrow (4): the one the source alone pins more (10 to 20, not 0 to 15)
    assert (row["narrowest_interval"], row["source_alone"]) == ("[2, 6]", "[10, 20]")
    assert row["quantities_audited"] == 4 and bool(row["protected"])
    empty = dc.audit_summary([], status, pub).iloc[0]
    assert (empty["narrowest_interval"], empty["source_alone"]) == ("", "")
    assert empty["quantities_audited"] == 0 and bool(empty["protected"])


def test_natural_order_and_rounding() -> None:
    found = ["b", dc.NO_ANSWER, "z", "a", "c"]
    assert dc.natural_order(found, ["c", "x", "a"]) == ["c", "a", "b", "z", dc.NO_ANSWER]
    assert dc.natural_order(["b", "a"], []) == ["a", "b"]
    assert [dc.rounded(v) for v in (0, 2, 3, 7, 8, 12, 13)] == [0, 0, 5, 5, 10, 10, 15]


def test_a_rounded_cell_is_rounded_and_a_two_way_summary_counts_its_findings() -> None:
    people = pd.DataFrame({"r": ["p"] * 2 + ["q"] * 40, "c": ["u", "v"] + ["u"] * 20 + ["v"] * 20})
    levels = {"r": ["p", "q"], "c": ["u", "v"]}
    pub = dc.Publication(levels, total=len(people))
    pub.register("t", dc.crosstab_cells(people, "t", "r", "c", levels), "two-way")
    n = dc.count_cell(people, "sizes", "q", "n", kind="rounded", r="q")  # a sample size
    pub.register("sizes", [n], "sample size")
    status, findings = dc.protect(pub, people, 5)
    assert status[n] == dc.ROUNDED
    summary = dc.audit_summary(findings, status, pub).set_index("table")
    mine = [f for f in findings if f.component == "c × r"]
    assert mine and summary.loc["t", "quantities_audited"] == len(mine)
    assert summary.loc["sizes", "rounded"] == 1


def test_an_atom_of_two_variables_is_named_by_both() -> None:
    people = pd.DataFrame({"r": ["p", "q", "q"], "c": ["u", "v", "v"]})
    levels = {"r": ["p", "q"], "c": ["u", "v"]}
    pub = dc.Publication(levels, total=3)
    pub.register("t", dc.crosstab_cells(people, "t", "r", "c", levels), "two-way")
    status = {c: dc.SHOWN for c in pub.cells}
    att = dc.attacker_for({"r", "c"}, pub, status, 5)
    labels = [lb for k, lb, _ in dc.sensitive_quantities(pub, {"r", "c"}, status, att, people, 5)]
    assert "c=u, r=p" in labels and "c=v, r=q" in labels


def test_two_nested_cells_with_the_same_count_are_not_a_small_difference() -> None:
    # level a is empty: "a or b" and "b" are both 9; their difference, 0, is a zero, which
    # the report shows anyway, not a small count to protect
    people = people_with(b=9, c=40)
    pub = dc.Publication({"group": ["a", "b", "c"]}, total=49)
    cells = [
        dc.count_cell(people, "t", "a or b", "n", group=["a", "b"]),
        dc.count_cell(people, "t", "b", "n", group="b"),
    ]
    pub.register("t", cells, "nested")
    status = {c: dc.SHOWN for c in cells}
    att = dc.attacker_for({"group"}, pub, status, 5)
    found = dc.sensitive_quantities(pub, {"group"}, status, att, people, 5)
    assert not [k for k, _, _ in found if k == "small difference"]


def test_a_small_count_the_source_gives_exactly_is_not_audited() -> None:
    # the source publishes a = 4: nothing the report shows can tell the attacker more
    people = people_with(a=4, b=40)
    pub = one_way(people, [dc.Cell("source", "a", "", 4, dc.condition(group="a"))])
    status = {c: dc.SHOWN for c in pub.cells}
    assert "group=a" not in {f.what for f in dc.audit(pub, status, people, 5)}


def test_an_interval_exactly_min_width_wide_protects() -> None:
    # a = 1 and b = 2 both hidden, only their total (3) public: each is 0 to 3 to the
    # attacker, an interval of MIN_WIDTH (3), which is enough
    people = people_with(a=1, b=2)
    pub = one_way(people)
    cell = {c.row: c for c in pub.cells}
    status = {c: dc.SECONDARY for c in pub.cells}
    status[cell[dc.ALL]] = dc.PUBLIC
    atoms = [f for f in dc.audit(pub, status, people, 5) if f.kind == "small atom"]
    assert [(f.what, f.lo, f.hi, f.ok) for f in atoms] == [
        ("group=a", 0, 3, True),
        ("group=b", 0, 3, True),
    ]


def test_lines_are_the_rows_and_columns_of_two_or_more_cells() -> None:
    cells = [
        dc.Cell("t", "p", "u", 1, ()),
        dc.Cell("t", "p", dc.ALL, 1, ()),
        dc.Cell("t", dc.ALL, "u", 1, ()),
        dc.Cell("t", dc.ALL, dc.ALL, 1, ()),
        dc.Cell("t", "q", "w", 1, ()),
    ]
    got = [[(c.row, c.column) for c in ln] for ln in dc.lines(cells)]
    assert got == [
        [("p", "u"), ("p", dc.ALL)],
        [(dc.ALL, "u"), (dc.ALL, dc.ALL)],
        [("p", "u"), (dc.ALL, "u")],
        [("p", dc.ALL), (dc.ALL, dc.ALL)],
    ]


def test_public_cells_are_those_the_source_alone_fixes() -> None:
    # no total and no source: nothing is public (and the attacker knows nothing to solve)
    people = people_with(a=2, b=40).assign(other=["x"] * 30 + ["y"] * 12)
    levels = {"group": ["a", "b"], "other": ["x", "y"]}
    pub = dc.Publication(levels)
    pub.register("groups", dc.crosstab_cells(people, "groups", "group", None, levels), "g")
    pub.register("others", dc.crosstab_cells(people, "others", "other", None, levels), "o")
    assert dc.public_cells(pub) == set()
    # the source gives `other`'s x and y (no total): x, y and their sum are public;
    # `group`, listed first, has no source and is skipped, not the end of the search
    pub.source = [
        dc.Cell("source", "x", "", 30, dc.condition(other="x")),
        dc.Cell("source", "y", "", 12, dc.condition(other="y")),
    ]
    assert {(c.table, c.row) for c in dc.public_cells(pub)} == {
        ("others", "x"),
        ("others", "y"),
        ("others", dc.ALL),
    }


def test_a_table_that_cannot_be_protected_is_refused_naming_what_and_how() -> None:
    # the 3 x 3 case of the xfail above: the message names each quantity left exposed and
    # what the user can do
    people, pub = refused_three_by_three()
    with pytest.raises(dc.DisclosureError) as err:
        dc.protect(pub, people, 3)
    message = str(err.value)
    assert re.fullmatch(
        r"disclosure control cannot protect t: \S+ / \S+ \((primary|withheld) cell\)"
        r"(; t: \S+ / \S+ \(\w+ \w+\))* even with every other cell of its tables hidden; "
        r"merge the variable's small categories in the config \(report\.participant_tables\) "
        r"or leave the variable out of the report",
        message,
    ), message


def test_an_evaluation_smaller_than_the_threshold_publishes_no_table() -> None:
    # 4 participants, all in one group, threshold 5: the public total gives the group's 4
    # whatever is hidden; every quantity audited fails, and the step refuses
    people = people_with(a=4)
    levels = {"group": ["a", "b"]}
    pub = dc.Publication(levels, total=4)
    pub.register("groups", dc.crosstab_cells(people, "groups", "group", None, levels), "t")
    with pytest.raises(dc.DisclosureError, match="cannot protect groups: a / Totalt"):
        dc.protect(pub, people, 5)


def test_a_few_excluded_rows_are_not_shown_exactly_nor_by_rows_read_minus_kept() -> None:
    # issue 25: "2 excluded for Ålder (år): out of range" was printed as is; so were the rows
    # read, from which the rows kept (the published total) give the excluded rows exactly
    accounting = pd.DataFrame(
        {
            "file": ["forms.csv", "sites.csv"],
            "sha256": ["a" * 64, "b" * 64],
            "rows_in": [103, 12],
            "rows_kept": [100, 12],
            "rows_excluded": [3, 0],
            "notes": ["", ""],
        }
    )
    excluded = pd.DataFrame(
        {
            "file": ["forms.csv"] * 3,
            "row": ["4", "9", "17"],
            "id": ["anon-004", "anon-009", "anon-017"],
            "reason": [
                "Ålder (år): out of range (130)",
                "Ålder (år): out of range (‹masked›)",
                "Kön: not an allowed answer (‹masked›)",
            ],
            "rule": ["Ålder (år): out of range"] * 2 + ["Kön: not an allowed answer"],
        }
    )
    tables, _, _, findings = publish.cleaning_tables(accounting, excluded, 5)
    shown = tables["excluded_reasons"]
    assert not [v for v in shown["rows"] if v.isdigit() and 0 < int(v) < 5]
    assert set(shown["rows"]) <= {"<5", "–", "0"}
    account = tables["cleaning"].set_index("file")
    assert account.loc["forms.csv", "rows_read"] == "–"  # 103 - 100 would give the 3
    assert account.loc["forms.csv", "rows_excluded"] in ("<5", "–")
    assert account.loc["sites.csv", ["rows_read", "rows_excluded"]].tolist() == ["12", "0"]
    assert findings and all(f.ok for f in findings)
    # none of it names a row, an id or a value
    text = tables["cleaning"].to_csv() + shown.to_csv()
    assert "anon-" not in text and "17" not in text and "masked" not in text
    assert "130" not in text
    # and with nothing excluded there is nothing to hide
    none = publish.cleaning_tables(accounting.assign(rows_in=[100, 12]), excluded[:0], 5)[0]
    assert none["cleaning"]["rows_read"].tolist() == ["100", "12"]
    assert none["excluded_reasons"].empty


def test_a_reproduced_value_that_differs_is_published_as_its_status_only() -> None:
    check = pd.DataFrame(
        {
            "table": ["Tabell 9"] * 3,
            "row": ["18–24 år", "25–34 år", "35–44 år"],
            "column": ["Antal"] * 3,
            "kind": ["count"] * 3,
            "published": ["88", "27", "3"],
            "reproduced": ["88", "26", ""],
            "status": ["match", "differs", "not_determined"],
            "note": ["", "", ""],
        }
    )
    public = publish.public_reproduction(check)
    assert public["reproduced"].tolist() == ["88", "", ""]
    assert public["status"].tolist() == check["status"].tolist()
    head = pd.DataFrame(
        {"id": ["a", "b"], "reproduced_pct": [3.97, 12.3], "status": ["match", "differs"]}
    )
    assert publish.public_headline(head)["reproduced_pct"].isna().tolist() == [False, True]


# --- linked tables (issue 25, point 6) -----------------------------------------------------------


@st.composite
def linked_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[tuple[str, dict]], int]:
    """Participants by three variables a, b, c (2-3 levels each, many counts small) and two or
    three published tables linked through them: a shared margin (a x b with a x c), a cycle
    (a x b, b x c, a x c), or nested categories (a x b with a coarse grouping of a x c)."""
    sizes = [draw(st.integers(2, 3)) for _ in range(3)]
    levels = {v: [f"{v}{i}" for i in range(n)] for v, n in zip("abc", sizes, strict=True)}
    atoms = list(itertools.product(*levels.values()))
    values = draw(
        st.lists(
            st.one_of(st.integers(0, 3), st.integers(4, 25)),
            min_size=len(atoms),
            max_size=len(atoms),
        )
    )
    records = [atom for atom, n in zip(atoms, values, strict=True) for _ in range(n)]
    people = pd.DataFrame(records, columns=list("abc"))
    shape = draw(st.sampled_from(["shared margin", "cycle", "nested"]))
    tables = {
        "shared margin": [("a", {"col": "b"}), ("a", {"col": "c"})],
        "cycle": [("a", {"col": "b"}), ("b", {"col": "c"}), ("a", {"col": "c"})],
        "nested": [("a", {"col": "b"}), ("a", {"col": "c", "coarse": levels["a"][:2]})],
    }[shape]
    return people, tables, draw(st.integers(3, 6))


def linked_publication(
    people: pd.DataFrame, tables: list[tuple[str, dict]], levels: dict[str, list[str]]
) -> dc.Publication:
    """The tables as registered cells (margins included); a coarse row groups levels of a."""
    pub = dc.Publication(levels, total=len(people))
    for k, (row, spec) in enumerate(tables):
        name, col = f"t{k}", spec["col"]
        if "coarse" not in spec:
            pub.register(name, dc.crosstab_cells(people, name, row, col, levels), name)
            continue
        groups = {"+".join(spec["coarse"]): spec["coarse"]}
        groups |= {lv: [lv] for lv in levels[row] if lv not in spec["coarse"]}
        cells = []
        for g, members in [*groups.items(), (dc.ALL, levels[row])]:
            for c in [*levels[col], dc.ALL]:
                where = {row: members, col: levels[col] if c == dc.ALL else c}
                cells.append(dc.count_cell(people, name, g, c, **where))
        pub.register(name, cells, name)
    return pub


def joint_attacker_bounds(
    pub: dc.Publication, status: dict, t: int, levels: dict[str, list[str]]
) -> Any:
    """An attacker written here over every combination of a, b and c at once (not one table
    or one component at a time): every text the tables print, and the total, as constraints.
    Returns the indicator of a definition over those combinations, and the attacker's
    (min, max) of an indicator."""
    names = list(levels)
    atoms = list(itertools.product(*levels.values()))

    def indicator(where: tuple) -> np.ndarray:
        allowed = dict(where)
        return np.array(
            [all(a[i] in allowed.get(v, a[i : i + 1]) for i, v in enumerate(names)) for a in atoms],
            float,
        )

    rows, lo, hi = [np.ones(len(atoms))], [pub.total], [pub.total]
    for c in pub.cells:
        k = known(dc.shown_value(c, status[c], t), t)
        if k is not None:
            rows.append(indicator(c.where))
            lo.append(k[0])
            hi.append(k[1])
    a_eq = np.array(rows)
    return indicator, lambda ind: bounds(a_eq, np.array(lo), np.array(hi), ind)


def audit_linked(people: pd.DataFrame, tables: list[tuple[str, dict]], t: int) -> list[str]:
    """What the joint attacker narrows in the step's output: [] when protected."""
    levels = {v: sorted(set(people[v])) for v in "abc"}
    pub = linked_publication(people, tables, levels)
    try:
        status, _ = dc.protect(pub, people, t)
    except dc.DisclosureError:
        return []  # refusing to publish is safe
    indicator, attack = joint_attacker_bounds(pub, status, t, levels)
    width = dc.protection_width(t)
    failures = []
    for c in pub.cells:
        text = dc.shown_value(c, status[c], t)
        if text.isdigit() and 0 < int(text) < t:
            failures.append(f"{dc.label_of(c)} printed as {text}")
        if 0 < c.value < t and not text.isdigit():
            lo, hi = attack(indicator(c.where))
            if text == f"<{t}" and not (lo <= 1 and hi >= t - 1):
                failures.append(f"{dc.label_of(c)} '<{t}' narrowed to [{lo}, {hi}]")
            elif text == dc.HIDDEN_MARK and hi - lo < width:
                failures.append(f"{dc.label_of(c)} hidden but narrowed to [{lo}, {hi}]")
    # every small count of two variables some table crosses, wherever it is not printed
    for row, spec in tables:
        col = spec["col"]
        for key, n in people.groupby([row, col]).size().items():
            if 0 < n < t:
                lo, hi = attack(indicator(((row, (key[0],)), (col, (key[1],)))))
                if hi - lo < width:
                    failures.append(
                        f"{row}={key[0]}, {col}={key[1]} ({n}) narrowed to [{lo}, {hi}]"
                    )
    return failures


# found by this property with the attacker's links cut (components one per variable set): a x b
# and a x c share the margin of a; audited one table at a time, a2 / b1 '<3' is pinned to 1
SHARED_MARGIN = (
    pd.DataFrame(
        [("a1", "b0", "c1")] + [("a1", "b1", "c1")] * 4 + [("a2", "b1", "c1")]
        + [("a2", "b2", "c0")] * 2 + [("a2", "b2", "c1")],
        columns=list("abc"),
    ),
    [("a", {"col": "b"}), ("a", {"col": "c"})],
    3,
)  # fmt: skip


@settings(max_examples=examples(25), deadline=None)  # 25 cases (fixed in `make test`: conftest)
@example(SHARED_MARGIN)
@given(linked_tables())
def test_no_small_count_can_be_narrowed_across_linked_tables(case) -> None:
    people, tables, t = case
    if len(people) < 2 * t:
        return
    assert audit_linked(people, tables, t) == []


def test_an_attacker_that_ignores_links_publishes_a_narrowable_count(monkeypatch) -> None:
    """The property above fails if the step audits each table on its own: with the links cut
    (one component per variable set, not per group of linked variables) the step publishes
    a count the joint attacker pins."""

    def unlinked(cells):
        return [set(v) for v in {frozenset(c.variables) for c in cells if c.variables}]

    assert audit_linked(*SHARED_MARGIN) == []
    monkeypatch.setattr(dc, "components", unlinked)
    assert audit_linked(*SHARED_MARGIN)
