"""The reproduction check on data and publications made to differ in known ways: every
expected status, value and text follows from the edit made (construction), not from the
code's own output."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import PUBLISHED

from ipseval.data.clean import CleanResult
from ipseval.reproduction.reproduce import (
    STATUSES,
    _fmt,
    _grant_years,
    _outcome_pct,
    _share,
    check,
    read_check,
    side_by_side,
    summarise,
    tabulate,
    verdict,
)


@pytest.fixture()
def published(tmp_path: Path) -> Path:
    """A writable copy of the transcribed tables, to edit one cell at a time."""
    return Path(shutil.copytree(PUBLISHED, tmp_path / "published"))


def _edit(folder: Path, number: str, row: str, column: str, value: str) -> None:
    path = folder / f"tabell_{number}.csv"
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert (t["rad"] == row).sum() == 1 and column in t
    t.loc[t["rad"] == row, column] = value
    t.to_csv(path, index=False)


def _cell(result: pd.DataFrame, table: str, row: str, column: str) -> pd.Series:
    hit = result[(result["table"] == table) & (result["row"] == row) & (result["column"] == column)]
    assert len(hit) == 1, (table, row, column)
    return hit.iloc[0]


# --- check: statuses -----------------------------------------------------------------------


def test_statuses_are_the_documented_categories_in_order(default_clean: CleanResult) -> None:
    result = check(default_clean.programmes, default_clean.participants, PUBLISHED)
    assert list(result["status"].cat.categories) == list(STATUSES)
    # a table's count column is a count and its percent column a percent
    assert _cell(result, "Tabell 14", "Samma", "Antal")["kind"] == "count"
    assert _cell(result, "Tabell 14", "Samma", "Procent")["kind"] == "percent"


def test_an_outcome_the_run_does_not_define_is_not_determined(default_clean) -> None:
    people = default_clean.participants.drop(columns="y_regular_work")
    result = check(default_clean.programmes, people, PUBLISHED)
    cell = _cell(result, "text", "regular_work_pct", "value")
    assert cell["status"] == "not_determined"
    assert cell["note"] == "the microdata do not determine this cell"
    assert cell["reproduced"] == ""


def test_a_text_figure_without_a_rule_is_not_determined(default_clean, published) -> None:
    figures = pd.read_csv(published / "text_figures.csv", dtype=str)
    extra = {"id": "not_a_known_figure", "section": "x", "value": "3", "unit": "count"}
    pd.concat([figures, pd.DataFrame([extra])]).to_csv(published / "text_figures.csv", index=False)
    result = check(default_clean.programmes, default_clean.participants, published)
    assert _cell(result, "text", "not_a_known_figure", "value")["status"] == "not_determined"


def test_a_percent_one_point_off_that_is_not_registered_differs(default_clean, published) -> None:
    # Tabell 14 'Samma': 662/914 = 72.4 %, printed 72; printed 73 instead is not in the registry
    _edit(published, "14", "Samma", "Procent", "73")
    result = check(default_clean.programmes, default_clean.participants, published)
    cell = _cell(result, "Tabell 14", "Samma", "Procent")
    assert (cell["status"], cell["note"]) == ("differs", "rounds to 72")
    assert cell["reproduced"] == f"{100 * 662 / 914:.4f}"


def test_a_registered_percent_is_accepted_only_within_one_point(default_clean, published) -> None:
    # Tabell 8 '6–10 deltagare' is registered: 12/32 = 37.5 %, printed 37. Printed 36 is
    # 1.5 points off, more than the registry's allowance of less than one point.
    _edit(published, "08", "6–10 deltagare", "Procent", "36")
    result = check(default_clean.programmes, default_clean.participants, published)
    assert _cell(result, "Tabell 8", "6–10 deltagare", "Procent")["status"] == "differs"


def test_a_registered_percent_exactly_one_point_off_differs(default_clean, published) -> None:
    # four of the twelve programmes moved out of the band: 8/32 = 25 % exactly; printed 24
    programmes = default_clean.programmes.copy()
    band = programmes.index[programmes["caseload_band"] == "6–10 deltagare"][:4]
    programmes.loc[band, "caseload_band"] = "1–5 deltagare"
    _edit(published, "08", "6–10 deltagare", "Procent", "24")
    result = check(programmes, default_clean.participants, published)
    cell = _cell(result, "Tabell 8", "6–10 deltagare", "Procent")
    assert (cell["reproduced"], cell["status"]) == ("25", "differs")


def test_a_count_that_is_not_registered_differs(default_clean, published) -> None:
    _edit(published, "14", "Samma", "Antal", "661")
    result = check(default_clean.programmes, default_clean.participants, published)
    cell = _cell(result, "Tabell 14", "Samma", "Antal")
    assert (cell["reproduced"], cell["status"], cell["note"]) == ("662", "differs", "")


def test_a_registered_count_without_a_value_by_design_differs(default_clean, published) -> None:
    # a registry entry that explains a count but gives no reproduced_by_design cannot turn a
    # difference into an accepted inconsistency
    registry = pd.read_csv(published / "inconsistencies.csv", dtype=str, keep_default_na=False)
    entry = {
        "id": "test_entry",
        "table": "Tabell 14",
        "row": "Samma",
        "column": "Antal",
        "published": "661",
        "reproduced_by_design": "",
        "explanation": "a test entry without a value by design",
    }
    registry = pd.concat([registry, pd.DataFrame([entry])])
    registry.to_csv(published / "inconsistencies.csv", index=False)
    _edit(published, "14", "Samma", "Antal", "661")
    result = check(default_clean.programmes, default_clean.participants, published)
    assert _cell(result, "Tabell 14", "Samma", "Antal")["status"] == "differs"


def test_a_published_column_the_data_cannot_give_is_not_determined(default_clean, published):
    t = pd.read_csv(published / "tabell_01.csv", dtype=str, keep_default_na=False)
    t["2014"] = "1"  # grants of a year the programme survey did not ask about
    t.to_csv(published / "tabell_01.csv", index=False)
    result = check(default_clean.programmes, default_clean.participants, published)
    cell = _cell(result, "Tabell 1", "Totalt", "2014")
    assert (cell["status"], cell["reproduced"]) == ("not_determined", "")


def test_a_printed_row_the_data_do_not_have_is_reproduced_as_zero(default_clean) -> None:
    people = default_clean.participants
    people = people[people["economic_situation"] != "Sämre"]
    result = check(default_clean.programmes, people, PUBLISHED)
    cell = _cell(result, "Tabell 14", "Sämre", "Antal")
    assert (cell["published"], cell["reproduced"], cell["status"]) == ("32", "0", "differs")


def test_a_category_the_report_does_not_print_is_listed(default_clean) -> None:
    people = default_clean.participants.copy()
    people.loc[people.index[0], "economic_situation"] = "Annat svar"
    result = check(default_clean.programmes, people, PUBLISHED)
    cell = _cell(result, "Tabell 14", "Annat svar", "Antal")
    assert cell.to_dict() == {
        "table": "Tabell 14",
        "row": "Annat svar",
        "column": "Antal",
        "kind": "count",
        "published": "",
        "reproduced": "1",
        "status": "differs",
        "note": "",
    }


# --- tabulate on frames made for it --------------------------------------------------------


def test_a_sex_nobody_has_is_a_column_of_zeros() -> None:
    men = pd.DataFrame({"age": [30.0, 50.0, np.nan], "age_band": ["30–39", "50–59", None]})
    men["sex"] = ["Man", "Man", "Man"]
    t = tabulate("09", pd.DataFrame(), men, pd.DataFrame())
    assert list(t.columns) == ["Kvinna", "Man", "Totalt"]
    assert t["Kvinna"].tolist() == [0, 0, 0] and t.loc["Totalt", "Man"] == 2


def test_table_11_leaves_out_forms_without_time_and_fills_empty_strata() -> None:
    d = pd.DataFrame(
        {
            "occupation_row": ["Lönearbete", "Lönearbete", "Studier", None],
            "time_gt_6m": [0.0, np.nan, 0.0, 1.0],
        }
    )
    t = tabulate("11", pd.DataFrame(), d, pd.DataFrame())
    assert t["Mer än 6 månader"].tolist() == [0, 0, 0]
    assert t["Upp till 6 månader"].tolist() == [1, 1, 2]
    assert t.loc["Totalt", "Totalt antal"] == 2


def test_an_unknown_table_number_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match="99"):
        tabulate("99", pd.DataFrame(), pd.DataFrame(), pd.DataFrame())


def test_shares_grants_and_formatting() -> None:
    assert np.isnan(_share(3, 0)) and _share(1, 1) == 100.0 and _share(1, 4) == 25.0
    grants = pd.DataFrame({"grant_2011": [1, 0], "grant_2012": [0, 0], "grant_2013": [1, 2]})
    assert _grant_years(grants, 2) == 1.0 and _grant_years(grants, 1) == 1.0
    assert _fmt(None) == "" and _fmt(float("nan")) == "" and _fmt(3.0) == "3"
    assert _fmt(1 / 3) == "0.3333"
    assert np.isnan(_outcome_pct(pd.DataFrame({"y_x": [np.nan]}), "x"))


# --- summary, verdict, side by side --------------------------------------------------------


def _result(statuses: list[str], tables: list[str]) -> pd.DataFrame:
    n = len(statuses)
    return pd.DataFrame(
        {
            "table": tables,
            "row": [f"r{i % 2}" for i in range(n)],
            "column": [f"c{i // 2}" for i in range(n)],
            "kind": ["count"] * n,
            "published": [str(i) for i in range(n)],
            "reproduced": [str(i + 1) for i in range(n)],
            "status": pd.Categorical(statuses, categories=STATUSES),
            "note": [""] * n,
        }
    )


def test_summarise_counts_every_status_per_table_in_report_order() -> None:
    r = _result(
        ["match", "differs", "match", "not_determined", "source_inconsistent"],
        ["text", "Tabell 10", "Tabell 2", "Tabell 2", "Tabell 10"],
    )
    s = summarise(r)
    assert s.columns.tolist() == ["table", *STATUSES, "cells"]
    assert s["table"].tolist() == ["Tabell 2", "Tabell 10", "text"]
    assert s.iloc[:, 1:].to_numpy().tolist() == [[1, 0, 0, 1, 2], [0, 1, 1, 0, 2], [1, 0, 0, 0, 1]]
    assert s.columns.name is None
    # a status no cell has is a column of zeros
    only = summarise(_result(["match", "match"], ["Tabell 3", "text"]))
    assert only.iloc[:, 1:].to_numpy().tolist() == [[2 - i, 0, 0, 0, 2 - i] for i in (1, 1)]


def test_verdict_fails_only_on_a_difference_with_on_mismatch_error() -> None:
    ok_result = _result(["match", "source_inconsistent"], ["Tabell 1", "Tabell 1"])
    ok, text = verdict(ok_result, "error")
    assert ok
    assert text == (
        "2 published cells checked: 1 match, 1 source_inconsistent, 0 differs, 0 not_determined\n"
    )
    bad = _result(["match", "differs"], ["Tabell 1", "Tabell 3"])
    ok, text = verdict(bad, "error")
    assert not ok
    assert text.splitlines()[1:] == [
        "  DIFFERS Tabell 3 | r1 | c0: published 1, reproduced 2",
        "reproduction FAILED (reproduction.on_mismatch: error)",
    ]
    ok, text = verdict(bad, "warn")
    assert ok
    assert text.splitlines()[-1] == (
        "differences recorded as findings (reproduction.on_mismatch: warn)"
    )


def test_side_by_side_marks_each_cell() -> None:
    r = _result(
        ["match", "source_inconsistent", "differs", "not_determined", "match"],
        ["T", "T", "T", "T", "U"],
    )
    t = side_by_side(r, "T")
    assert t.index.tolist() == ["r0", "r1"] and t.columns.tolist() == ["c0", "c1"]
    assert t.to_numpy().tolist() == [["0 | 1 ✓", "2 | 3 ✗"], ["1 | 2 ≈", "3 | 4 ?"]]


def test_read_check_keeps_the_written_text(tmp_path: Path) -> None:
    r = _result(["not_determined", "match"], ["T", "T"])
    r.loc[0, "published"], r.loc[1, "reproduced"] = "007", "NA"
    r.to_csv(tmp_path / "check.csv", index=False)
    back = read_check(tmp_path / "check.csv")
    assert back["published"].tolist() == ["007", "1"]
    assert back["reproduced"].tolist() == ["1", "NA"]
    assert list(back["status"].cat.categories) == list(STATUSES)
    assert back["status"].tolist() == ["not_determined", "match"]
