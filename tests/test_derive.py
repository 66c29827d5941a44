"""Derivations follow the report's categorisations; cases built by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from ipseval.data.derive import (
    derive_participants,
    derive_programmes,
    diagnosis_group,
    diagnosis_row,
    income_category,
    months_active,
    start_quarter_label,
)
from ipseval.data.parse import parse_month, parse_number


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


# --- derived variables pinned by hand (issue 24): months active, bands, time in programme ---


@pytest.mark.parametrize(
    ("start", "survey", "months"),
    [
        ("2013-06", "2013-06", 0),  # started in the survey month itself
        ("2013-05", "2013-06", 1),
        ("2012-06", "2013-06", 12),
        ("2012-01", "2013-06", 17),  # across a year end: 12 - 1 + 6
        ("2011-12", "2013-06", 18),
        ("2013-07", "2013-06", 0),  # a start after the survey: not yet active (Tabell 3 has one)
        ("2019-01", "2019-10", 9),
        (None, "2013-06", None),
        ("2012-01", None, None),  # no survey month given: not derived
    ],
)
def test_months_active_by_hand(start: str | None, survey: str | None, months: int | None) -> None:
    assert months_active(start, survey) == months


def test_months_active_reaches_the_programme_table_and_its_participants(codebook) -> None:
    """The programme table's months_active and every participant's copy, by hand."""
    prog = pd.DataFrame(
        {v.name: [None] * 3 for v in codebook.programme_survey.variables if v.type != "personal"}
    ).assign(
        municipality=["A kommun", "B kommun", "C kommun"],
        start_month=["2013-06", "2012-01", "2013-07"],
        caseload=[5.0, 5.5, 22.5],
        coach_fte=[2.0, 2.25, 5.5],
    )
    out = derive_programmes(prog, codebook, "2013-06")
    assert out["programme_id"].tolist() == ["P01", "P02", "P03"]
    assert out["months_active"].tolist() == [0, 17, 0]
    assert out["start_quarter"].tolist() == ["2013 apr-jun", "2012 jan-mar", "2013 jul-sep"]
    assert out["caseload_band"].tolist() == ["1–5 deltagare", "6–10 deltagare", "Över 22 deltagare"]
    assert out["fte_band"].tolist() == [
        "Upp till 2,0 heltidstjänster",
        "Över 2,0 upp till 5,0 heltidstjänster",
        "Över 5,0 heltidstjänster",
    ]
    assert derive_programmes(prog, codebook, None)["months_active"].isna().all()
    blank = {v.name: [None] * 5 for v in codebook.coach_form.variables if v.type != "personal"}
    forms = pd.DataFrame(
        blank
        | {
            "form_id": ["F1", "F2", "F3", "F4", "F5"],
            "municipality": ["A kommun", "B kommun", "C kommun", "B kommun", "A kommun"],
            "age": [29, 30, 59, 60, None],
            "time_in_programme": [
                "Mindre än 1 månad",
                "Mer än 3 månader upp till 6 månader",
                "Mer än 6 månader",
                None,
                "Mer än 6 månader",
            ],
            "last_employed": [
                "Varit anställd mindre än 6 månader sedan",
                "Varit anställd för mer än 6 månader sedan upp till 2 år sedan",
                "Aldrig haft en anställning",
                "Vet ej",
                None,
            ],
        }
    )
    people = derive_participants(forms, out, codebook, {})
    assert people["programme_id"].tolist() == ["P01", "P02", "P03", "P02", "P01"]
    assert people["months_active"].tolist() == [0, 17, 0, 17, 0]
    assert people["caseload"].tolist() == [5.0, 5.5, 22.5, 5.5, 5.0]
    assert people["age_band"].tolist() == [
        "Upp till 29 år",
        "30–39 år",
        "50–59 år",
        "60 år eller äldre",
        "Ej svar",
    ]
    assert people["time_gt_6m"].tolist() == [0, 0, 1, pd.NA, 1]
    assert people["time_band"].tolist() == [
        "Upp till 6 månader",
        "Upp till 6 månader",
        "Mer än 6 månader",
        "Ej svar",
        "Mer än 6 månader",
    ]
    assert people["work_history"].tolist()[:4] == ["lt6m", "6m_2y", "never", "unknown"]
    assert pd.isna(people["work_history"].iloc[4])
