"""Derivations follow the report's categorisations; cases built by hand."""

from __future__ import annotations

import pytest

from ipseval.derive import diagnosis_group, diagnosis_row, income_category, start_quarter_label
from ipseval.parse import parse_month, parse_number


@pytest.mark.parametrize(
    ("ticks", "other", "row"),
    [
        ({"psychosis"}, None, "Psykos (endast)"),
        ({"psychosis", "depression"}, None, "Psykos + annat"),
        ({"depression", "anxiety"}, None, "Depression + annat"),
        ({"anxiety", "bipolar"}, None, "Bipolär + annat"),  # hierarchy, not tick order
        ({"substance_use", "other"}, "other", "Missbruk + annat"),
        ({"neuropsychiatric"}, "other", "Neuropsykiatrisk + annat"),  # text without the tick
        ({"other"}, "intellectual_disability", "Utvecklingsstörning el. motsv. (”i huvudsak”)"),
        ({"other"}, "other", "Annat"),
        ({"unknown"}, None, "Vet ej"),
        ({"psychosis", "unknown"}, None, "Psykos (endast)"),
        (None, None, "Ej svar"),
    ],
)
def test_diagnosis_hierarchy(ticks: set | None, other: str | None, row: str) -> None:
    assert diagnosis_row(None if ticks is None else frozenset(ticks), other) == row


def test_diagnosis_group_codes() -> None:
    assert diagnosis_group("Psykos + annat") == "psychosis"
    assert diagnosis_group("Ej svar") == "missing"


@pytest.mark.parametrize(
    ("ticks", "other", "code"),
    [
        ({"wage"}, None, "wage"),
        ({"wage_subsidy"}, None, "wage_subsidy"),
        ({"wage", "social_insurance"}, None, "wage_and_other"),
        ({"other"}, "wage", "wage"),  # intake has no 'Lön' box: it comes from the text
        ({"social_insurance"}, None, "social_insurance"),
        ({"social_insurance", "social_assistance"}, None, "social_insurance_and_other"),
        ({"social_insurance", "other"}, "other", "social_insurance_and_other"),
        ({"other"}, "activity_support", "activity_support"),
        ({"other"}, "none", "none"),
        ({"social_assistance", "unemployment_insurance"}, None, "social_assistance"),
        (None, None, "no_answer"),
    ],
)
def test_income_hierarchy(ticks: set | None, other: str | None, code: str) -> None:
    assert income_category(None if ticks is None else frozenset(ticks), other) == code


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("mars 2012", "2012-03"),
        ("Mars -12", "2012-03"),
        ("2012-03", "2012-03"),
        ("okt 2012", "2012-10"),
        ("2013-06-15", "2013-06"),
        ("våren 2012", None),
        ("13/2012", None),
    ],
)
def test_parse_month(text: str, month: str | None) -> None:
    assert parse_month(text) == month


def test_parse_number_decimal_comma() -> None:
    assert parse_number("2,5") == 2.5
    assert parse_number(" 13 ") == 13
    assert parse_number("tre") is None


def test_start_quarter_label() -> None:
    assert start_quarter_label("2012-11") == "2012 okt-dec"
    assert start_quarter_label(None) == "Ej svar"
