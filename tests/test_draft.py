"""The drafted codebook (ipseval.data.draft): from a CSV, an xlsx, an SPSS and a Stata file made
here, a codebook `load_codebook` accepts as written, types guessed as the hand-written codebook
of the second example has them, and no personal answer copied into the draft."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
import yaml
from conftest import ROOT

from ipseval.data.clean import clean
from ipseval.data.codebook import load_codebook
from ipseval.data.draft import draft
from ipseval.data.readers import read_table

EXAMPLE = yaml.safe_load((ROOT / "config/examples/region.yaml").read_text(encoding="utf-8"))
PROGRAMMES = ROOT / EXAMPLE["data"]["programmes"]
FORMS = ROOT / EXAMPLE["data"]["coach_forms"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "draft.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_second_examples_draft_has_the_hand_written_types_and_cleans_every_row(
    tmp_path: Path,
) -> None:
    text, forms, programmes = draft(FORMS, PROGRAMMES)
    cb = load_codebook(_write(tmp_path, text))  # valid as written
    hand = load_codebook(ROOT / EXAMPLE["data"]["codebook"])
    guessed = {g.column: g.type for g in [*forms, *programmes]}
    written = {
        v.column: v.type for v in [*hand.coach_form.variables, *hand.programme_survey.variables]
    }
    assert set(guessed) == set(written)
    # what differs, and why: the caseload (a number of participants per coach) is whole in
    # these data, so the draft says integer where the hand-written codebook allows decimals
    differ = {c: (guessed[c], written[c]) for c in written if guessed[c] != written[c]}
    assert differ == {"Antal deltagare per IPS-coach": ("integer", "number")}
    # the levels are the observed answers, every one of the hand-written labels
    for var in hand.coach_form.variables:
        if var.levels:
            drafted = next(v for v in cb.coach_form.variables if v.column == var.column)
            assert {lv.label for lv in drafted.levels} == {lv.label for lv in var.levels}
    result = clean(PROGRAMMES, FORMS, cb, {}, EXAMPLE["survey_month"])
    assert len(result.participants) == len(read_table(FORMS).frame) == 355
    assert result.participants["programme_id"].nunique() == 12


def test_a_workbook_drafts_as_its_csv(tmp_path: Path) -> None:
    frame = read_table(FORMS).frame
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    path = tmp_path / "deltagare.xlsx"
    book.save(path)
    from_xlsx, _, _ = draft(path, PROGRAMMES)
    from_csv, _, _ = draft(FORMS, PROGRAMMES)
    assert from_xlsx.replace("deltagare.xlsx", "deltagare.csv") == from_csv  # but the name


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_spss_and_stata_labels_become_the_levels(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame(
        {
            "id": np.arange(1.0, 41.0),
            "dx": [1.0, 2.0] * 19 + [99.0, np.nan],
            "age": np.linspace(20, 60, 40).round(),
        }
    )
    labels = {"dx": {1: "Psykos", 2: "Depression", 3: "Bipolär", 99: "Uppgift saknas"}}
    path = tmp_path / f"forms{suffix}"
    if suffix == ".sav":
        pyreadstat.write_sav(
            frame,
            str(path),
            column_labels=["Löpnummer", "Huvuddiagnos", "Ålder"],
            variable_value_labels=labels,
            missing_ranges={"dx": [99]},
        )
    else:
        pyreadstat.write_dta(
            frame,
            str(path),
            column_labels=["Löpnummer", "Huvuddiagnos", "Ålder"],
            variable_value_labels=labels,
        )
    text, guesses, _ = draft(path)
    cb = load_codebook(_write(tmp_path, text))
    dx = next(v for v in cb.coach_form.variables if v.column == "dx")
    # every value label, the unused 'Bipolär' too, in the file's order
    assert [lv.label for lv in dx.levels][:3] == ["Psykos", "Depression", "Bipolär"]
    assert "label: Huvuddiagnos" in text  # the variable label beside the column
    assert {g.column: g.type for g in guesses if g.column} == {
        "id": "id",
        "dx": "categorical",
        "age": "integer",
    }
    assert any(g.type == "programme_ref" and g.todo for g in guesses)  # asked, not invented


def test_personal_answers_are_marked_and_never_copied(tmp_path: Path) -> None:
    people = {
        "Löpnummer": [str(k) for k in range(1, 41)],
        "Enhet": ["Norr", "Söder"] * 20,
        "Kontakt": [f"person{k}@exempel.invalid" for k in range(40)],
        "Mobil": [f"070-{k:03d} 12 34" for k in range(40)],
        "Deltagare": [f"Anna Andersson{'x' * k}".title() for k in range(40)],
        "Kommentar": [f"fritext nummer {k} om något" for k in range(40)],
    }
    path = tmp_path / "forms.csv"
    pd.DataFrame(people).to_csv(path, sep=";", index=False)
    text, guesses, _ = draft(path)
    load_codebook(_write(tmp_path, text))
    types = {g.column: g.type for g in guesses}
    assert types["Kontakt"] == types["Mobil"] == types["Deltagare"] == "personal"
    assert types["Kommentar"] == "text"
    for column in ("Kontakt", "Mobil", "Deltagare", "Kommentar"):
        for answer in people[column]:
            assert answer not in text
    enhet = next(g for g in guesses if g.column == "Enhet")
    assert enhet.type == "programme_ref" and enhet.todo  # from the header, to be checked
