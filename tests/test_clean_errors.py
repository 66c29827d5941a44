"""Bad input: one clear error naming file, row, column, value and what is allowed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from ipseval.common.problems import InputError
from ipseval.data.clean import clean
from ipseval.data.codebook import Codebook

PROG = ROOT / "data/raw/programmes.csv"
FORMS = ROOT / "data/raw/coach_forms.csv"
AGE = "5. Deltagarens ålder:"
SEX = "4. Deltagarens kön:"
KOMMUN = "Verksamhetens kommun:"


def sample_forms(n: int = 30) -> pd.DataFrame:
    return pd.read_csv(FORMS, dtype=str, keep_default_na=False).head(n)


def write(frame: pd.DataFrame, path: Path, **kw: object) -> Path:
    frame.to_csv(path, index=False, **kw)
    return path


def run(tmp_path: Path, codebook: Codebook, outcomes: dict, forms: Path, **kw: object):
    return clean(PROG, forms, codebook, outcomes, "2013-06", **kw)


def broken_forms(tmp_path: Path, edits: dict[tuple[int, str], str]) -> Path:
    """The first 30 coach forms with cells replaced ({(frame row, column): value})."""
    f = sample_forms()
    for (row, column), value in edits.items():
        f.loc[row, column] = value
    return write(f, tmp_path / "forms.csv")


def problems_of(excinfo: pytest.ExceptionInfo[InputError]) -> list:
    return excinfo.value.problems


def test_every_problem_is_listed_with_file_row_column_value_allowed(
    tmp_path: Path, codebook: Codebook, outcomes: dict
) -> None:
    path = broken_forms(tmp_path, {(3, AGE): "trettio", (5, AGE): "93", (7, SEX): "Okänt"})
    with pytest.raises(InputError) as excinfo:
        run(tmp_path, codebook, outcomes, path)
    probs = {(p.row, p.column): p for p in problems_of(excinfo)}
    assert set(probs) == {(5, AGE), (7, AGE), (9, SEX)}
    # the offending text is never shown: it may be personal data (issue 7)
    assert probs[(5, AGE)].value == "‹masked: 7 characters›"
    assert probs[(5, AGE)].message == "not a whole number"
    assert probs[(7, AGE)].allowed == "a whole number from 16 to 80"
    assert "'Kvinna' | 'Man'" in probs[(9, SEX)].allowed
    message = str(excinfo.value)
    assert message.startswith("3 problems in the input data:")
    assert f"{path}, row 9, column '{SEX}': value ‹masked: 5 characters›" in message
    assert "Okänt" not in message and "trettio" not in message


def test_duplicate_id_and_unknown_programme(
    tmp_path: Path, codebook: Codebook, outcomes: dict
) -> None:
    first_id = sample_forms().loc[2, "Formulär-ID"]
    path = broken_forms(tmp_path, {(4, "Formulär-ID"): first_id, (6, KOMMUN): "Atlantis kommun"})
    with pytest.raises(InputError) as excinfo:
        run(tmp_path, codebook, outcomes, path)
    msgs = {(p.row, p.message) for p in problems_of(excinfo)}
    assert (6, "duplicate identifier (first seen in row 4)") in msgs
    assert (8, "programme does not exist") in msgs


def test_unknown_and_missing_columns(tmp_path: Path, codebook: Codebook, outcomes: dict) -> None:
    f = sample_forms().drop(columns=[AGE]).rename(columns={SEX: "4. Kön?"})
    path = write(f, tmp_path / "forms.csv")
    with pytest.raises(InputError) as excinfo:
        run(tmp_path, codebook, outcomes, path)
    found = {(p.column, p.message) for p in problems_of(excinfo)}
    assert ("4. Kön?", "unknown column (not in the codebook)") in found
    assert (AGE, "missing column") in found
    assert (SEX, "missing column") in found


def test_multi_select_answer_not_in_codebook(
    tmp_path: Path, codebook: Codebook, outcomes: dict
) -> None:
    col = codebook.coach_form["diagnosis"].column
    path = broken_forms(tmp_path, {(0, col): "Psykos;Schizofreni"})
    with pytest.raises(InputError) as excinfo:
        run(tmp_path, codebook, outcomes, path)
    (p,) = problems_of(excinfo)
    assert (p.row, p.column, p.value) == (2, col, "‹masked: 11 characters›")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"\xff\xfe1\x002\x00", "file holds NUL bytes"),
        (b"a,b\n\x81\x8d\x8f\n", "unreadable encoding"),
    ],
)
def test_unreadable_files(
    tmp_path: Path, codebook: Codebook, outcomes: dict, content: bytes, message: str
) -> None:
    path = tmp_path / "forms.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as excinfo:
        run(tmp_path, codebook, outcomes, path)
    assert message in str(excinfo.value)


def test_swedish_export_variants_read_alike(
    tmp_path: Path, codebook: Codebook, outcomes: dict
) -> None:
    f = sample_forms(40)
    reference = run(tmp_path, codebook, outcomes, write(f, tmp_path / "utf8.csv")).participants
    variants = {
        "cp1252_semicolon.csv": {"sep": ";", "encoding": "cp1252"},
        "bom_semicolon.csv": {"sep": ";", "encoding": "utf-8-sig"},
    }
    for name, kw in variants.items():
        got = run(tmp_path, codebook, outcomes, write(f, tmp_path / name, **kw)).participants
        pd.testing.assert_frame_equal(got, reference)
    xlsx = tmp_path / "forms.xlsx"
    f.to_excel(xlsx, index=False)
    pd.testing.assert_frame_equal(run(tmp_path, codebook, outcomes, xlsx).participants, reference)


def test_exclude_mode_logs_every_row_and_balances(
    tmp_path: Path, codebook: Codebook, outcomes: dict
) -> None:
    path = broken_forms(tmp_path, {(3, AGE): "200", (3, SEX): "?", (10, KOMMUN): "Atlantis kommun"})
    result = run(tmp_path, codebook, outcomes, path, on_invalid="exclude")
    assert len(result.participants) == 28
    ex = result.excluded.set_index("row")
    assert sorted(ex.index) == [5, 12]
    assert (
        "out of range" in ex.at[5, "reason"] and "answer not in the codebook" in ex.at[5, "reason"]
    )
    assert "programme does not exist" in ex.at[12, "reason"]
    acc = result.accounting.set_index("file").loc[str(path)]
    assert (acc.rows_in, acc.rows_kept, acc.rows_excluded) == (30, 28, 2)


def test_personal_data_never_leaves_ingestion(default_clean) -> None:
    frames = (default_clean.participants, default_clean.programmes)
    for frame in frames:
        text = frame.to_csv()
        assert "FIKTIV" not in text and "exempel.invalid" not in text and "000-000" not in text
    # free text (which may name people) is not carried either, only its recoded category
    assert "employment_wish" not in default_clean.participants.columns


def test_raw_input_is_not_modified(tmp_path: Path, codebook: Codebook, outcomes: dict) -> None:
    prog, forms = tmp_path / "p.csv", tmp_path / "f.csv"
    shutil.copy(PROG, prog)
    shutil.copy(FORMS, forms)
    before = (prog.read_bytes(), forms.read_bytes(), prog.stat().st_mtime_ns)
    clean(prog, forms, codebook, outcomes, "2013-06")
    assert (prog.read_bytes(), forms.read_bytes(), prog.stat().st_mtime_ns) == before


def test_a_programme_without_participants_is_named_in_the_cleaning_account(
    tmp_path: Path, codebook, outcomes
) -> None:
    """Issue 25: a programme in the survey that no form names was counted silently (33
    programmes for 32 with participants)."""
    raw = (ROOT / "data/raw/programmes.csv").read_bytes().decode("utf-8-sig")
    lines = raw.splitlines(keepends=True)
    column = lines[0].split(";").index("Verksamhetens kommun:")
    cells = lines[-1].split(";")
    cells[column] = "Extra kommun"
    extra = ";".join(cells)
    (tmp_path / "programmes.csv").write_text("".join([*lines, extra]), encoding="utf-8")
    res = clean(
        tmp_path / "programmes.csv", ROOT / "data/raw/coach_forms.csv", codebook, outcomes,
        "2013-06",
    )  # fmt: skip
    assert len(res.programmes) == 33 and res.participants["programme_id"].nunique() == 32
    note = res.accounting.loc[0, "notes"]
    assert "1 programme(s) without any participant form: P33" in note
    assert note.count("without any participant form") == 1
