"""SPSS (.sav) and Stata (.dta) exports, made here with pyreadstat: value labels read as the
answers, values the file defines as missing read as empty, and the second example's forms
cleaned from either file exactly as from its CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml
from conftest import ROOT

from ipseval.common.problems import InputError
from ipseval.data.clean import clean
from ipseval.data.codebook import load_codebook, normalise_label
from ipseval.data.readers import read_table

EXAMPLE = yaml.safe_load((ROOT / "config/examples/region.yaml").read_text(encoding="utf-8"))
MISSING_CODE = 99  # "Uppgift saknas", declared user-missing in the SPSS file


def _small(path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": [1.0, 2.0, 3.0, 4.0],
            "dx": [1.0, 2.0, 99.0, np.nan],
            "age": [23.0, 41.5, np.nan, 60.0],
            "note": ["Åsa Öberg", "", "x", "y"],
            "start": [dt.date(2019, 1, 31), dt.date(2020, 2, 1), None, dt.date(2018, 12, 1)],
        }
    )
    labels = {"dx": {1: "Psykos", 2: "Depression", 99: "Uppgift saknas"}}
    if path.suffix == ".sav":
        pyreadstat.write_sav(
            frame,
            str(path),
            column_labels=["Löpnummer", "Diagnos", "Ålder", "Anteckning", "Start"],
            variable_value_labels=labels,
            missing_ranges={"dx": [MISSING_CODE]},
        )
    else:  # Stata has no user-missing numbers: 99 stays an answer with its label
        pyreadstat.write_dta(frame, str(path), variable_value_labels=labels)


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_labels_missing_values_numbers_and_dates_read_as_text(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"forms{suffix}"
    _small(path)
    table = read_table(path)
    f = table.frame
    assert list(f.columns) == ["id", "dx", "age", "note", "start"]  # variable names
    assert list(f.index) == [1, 2, 3, 4]  # the file's cases
    assert list(f["id"]) == ["1", "2", "3", "4"]  # no spurious '.0'
    # a value label is the answer; SPSS's user-missing 99 is empty, Stata's 99 its label
    third = "" if suffix == ".sav" else "Uppgift saknas"
    assert list(f["dx"]) == ["Psykos", "Depression", third, ""]
    assert list(f["age"]) == ["23", "41.5", "", "60"]
    assert list(f["note"]) == ["Åsa Öberg", "", "x", "y"]  # UTF-8 kept
    assert list(f["start"]) == ["2019-01-31", "2020-02-01", "", "2018-12-01"]
    assert "SPSS" in table.notes[0] if suffix == ".sav" else "Stata" in table.notes[0]


def test_a_damaged_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "forms.sav"
    path.write_bytes(b"$FL2 this is not really an SPSS file")
    with pytest.raises(InputError) as err:
        read_table(path)
    text = str(err.value)
    assert "forms.sav" in text and "not a readable SPSS file" in text


def _safe_codebook(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The second example's codebook with SPSS/Stata variable names as the form's columns
    (those files allow no spaces in a name); returns it and header -> variable name."""
    cb = yaml.safe_load((ROOT / EXAMPLE["data"]["codebook"]).read_text(encoding="utf-8"))
    names = {}
    for var in cb["coach_form"]["variables"]:
        names[var["column"]] = var["name"]
        var["column"] = var["name"]
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(cb, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, names


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_the_second_example_cleans_alike_from_spss_stata_and_csv(
    tmp_path: Path, suffix: str
) -> None:
    programmes = ROOT / EXAMPLE["data"]["programmes"]
    forms_csv = ROOT / EXAMPLE["data"]["coach_forms"]
    cb_path, names = _safe_codebook(tmp_path)
    cb = load_codebook(cb_path)
    missing = set(cb.missing_labels) - {""}
    text = read_table(forms_csv, set(names)).frame.rename(columns=names)
    # categorical answers as numeric codes with value labels, "Uppgift saknas" as the
    # user-missing 99 (SPSS) or an empty value (Stata), numbers as numbers
    data, value_labels = {}, {}
    for var in cb.coach_form.variables:
        column = text[var.name]
        if var.type == "categorical":
            codes = {normalise_label(lv.label): k for k, lv in enumerate(var.levels, 1)}
            value_labels[var.name] = {k: lv.label for k, lv in enumerate(var.levels, 1)}
            if suffix == ".sav":
                value_labels[var.name][MISSING_CODE] = "Uppgift saknas"
                codes |= {m: MISSING_CODE for m in missing}
            coded = column.map(lambda v, c=codes: c.get(normalise_label(v), np.nan))
            data[var.name] = coded.astype(float)
        elif var.type in {"integer", "number"}:
            data[var.name] = pd.to_numeric(column.replace(list(missing), ""), errors="coerce")
        else:
            data[var.name] = column
    frame = pd.DataFrame(data)
    path = tmp_path / f"deltagare{suffix}"
    if suffix == ".sav":
        user_missing = {v: [MISSING_CODE] for v in value_labels}
        pyreadstat.write_sav(
            frame, str(path), variable_value_labels=value_labels, missing_ranges=user_missing
        )
    else:
        pyreadstat.write_dta(frame, str(path), variable_value_labels=value_labels)

    if suffix == ".sav":  # the file does hold user-missing answers, not just empty ones
        raw, _ = pyreadstat.read_sav(str(path), user_missing=True)
        assert (raw[list(value_labels)] == MISSING_CODE).to_numpy().sum() == 7

    month = EXAMPLE["survey_month"]
    original = load_codebook(ROOT / EXAMPLE["data"]["codebook"])
    from_csv = clean(programmes, forms_csv, original, EXAMPLE["outcomes"], month)
    from_file = clean(programmes, path, cb, EXAMPLE["outcomes"], month)
    pd.testing.assert_frame_equal(
        from_file.participants.reset_index(drop=True),
        from_csv.participants.reset_index(drop=True),
    )
