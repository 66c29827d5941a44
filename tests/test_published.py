"""The transcription of the report's tables is checked against the totals the report prints."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import PUBLISHED

from ipseval.reproduction.published import (
    TABLES,
    count_column_for,
    is_percent_column,
    load_inconsistencies,
    load_table,
    parse_count,
    percent_matches,
    round_half_up,
    table_name,
)

# tables whose last row is a printed column total / whose last column is a printed row total
WITH_TOTAL_ROW = {"01", "03", "05", "07", "08", "09", "10", "11", "12", "13", "14"}
WITH_TOTAL_COLUMN = {"01", "04", "06", "09"}
# Tabell 9: 'Totalt' includes the 2 forms with age but without sex (914 - 899 = 15 without age)
ROW_TOTAL_EXCEPTIONS = {("09", "Upp till 29 år"): 1, ("09", "30–39 år"): 1, ("09", "Totalt"): 2}


def counts(table: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in table.columns if not is_percent_column(c)]
    return table[cols].map(parse_count)


@pytest.mark.parametrize("number", sorted(WITH_TOTAL_ROW))
def test_columns_sum_to_printed_total_row(number: str) -> None:
    t = counts(load_table(PUBLISHED, number))
    body = t.drop(index="Totalt")
    pd.testing.assert_series_equal(body.sum(), t.loc["Totalt"], check_names=False)


@pytest.mark.parametrize("number", sorted(WITH_TOTAL_COLUMN))
def test_rows_sum_to_printed_total_column(number: str) -> None:
    t = counts(load_table(PUBLISHED, number))
    body = t.drop(columns="Totalt")
    for row in t.index:
        gap = ROW_TOTAL_EXCEPTIONS.get((number, row), 0)
        assert body.loc[row].sum() + gap == t.at[row, "Totalt"], (number, row)


def test_tabell_11_rows_add_up_across_time_strata() -> None:
    t = counts(load_table(PUBLISHED, "11"))
    assert (t["Upp till 6 månader"] + t["Mer än 6 månader"] == t["Totalt antal"]).all()


def test_tabell_12_both_columns_total_914_forms() -> None:
    t = counts(load_table(PUBLISHED, "12"))
    assert t.loc["Totalt"].tolist() == [914, 914]


def test_sample_sizes_in_table_titles() -> None:
    # n printed in each title (Tabell 5 n=343, 9 n=899, 10 n=914, 11 n=906, 13 n=604)
    expected = {"05": 343, "09": 899, "10": 914, "11": 906, "13": 604, "14": 914, "03": 32}
    for number, n in expected.items():
        t = counts(load_table(PUBLISHED, number))
        assert t.loc["Totalt"].iloc[-1] == n, number


def test_rounding_anomalies_are_exactly_the_registered_ones() -> None:
    """Every printed percentage that is not the rounded count share is in the registry."""
    found = set()
    for number in TABLES:
        t = load_table(PUBLISHED, number)
        for col in (c for c in t.columns if is_percent_column(c)):
            src = count_column_for(t, col)
            den = parse_count(t.at["Totalt", src])
            for row in t.index:
                share = 100 * parse_count(t.at[row, src]) / den
                if not percent_matches(t.at[row, col], share):
                    found.add((table_name(number), row, col))
    reg = load_inconsistencies(PUBLISHED)
    registered = {
        (r.table, r.row, r.column) for r in reg.itertuples() if r.id.startswith("pct_rounding")
    }
    assert found == registered


def test_round_half_up_is_not_bankers_rounding() -> None:
    assert round_half_up(37.5) == 38
    assert round_half_up(2.5) == 3
    assert percent_matches("<1", 0.33)
    assert not percent_matches("<1", 0.55)


def test_sex_split_inconsistency_is_real_in_the_source() -> None:
    t11 = counts(load_table(PUBLISHED, "11"))
    text = pd.read_csv(PUBLISHED / "text_figures.csv").set_index("id")["value"].astype(float)
    assert text["regular_work_women"] + text["regular_work_men"] == 37
    assert t11.at["Lönearbete", "Totalt antal"] == 36
    assert (
        text["wage_subsidy_men"] + text["wage_subsidy_women"]
        == t11.at["Arbete via lönebidrag", "Totalt antal"]
    )


def test_grants_text_figures_follow_from_tabell_1() -> None:
    t = counts(load_table(PUBLISHED, "01")).drop(index="Totalt")
    years = (t[["2011", "2012", "2013"]] > 0).sum(axis=1)
    assert (years == 3).sum() == 7 and (years == 2).sum() == 23 and (years == 1).sum() == 2
