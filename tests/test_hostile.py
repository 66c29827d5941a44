"""Hostile exports (issue 7): every case of the catalogue in tests/hostile.py, through the
clean stage as the workflow runs it. Accepted exports read exactly as the reference; rejected
ones give one short message naming file, line, column and the mistake, with no traceback and
no output written; the raw file is never modified; planted personal data appears nowhere."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hostile import PII, RAW, Case, base_forms_text, catalogue
from support import ROOT

from ipseval.common.io import read_result_csv
from ipseval.data.clean import run

CASES = catalogue()
OUTPUTS = ("programmes", "participants", "excluded", "accounting", "key")


def params() -> dict:
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    return {
        "outcomes": cfg["outcomes"],
        "survey_month": cfg["survey_month"],
        "on_invalid": "stop",
        "synthetic": True,
    }


def clean_stage(folder: Path, programmes: Path, forms: Path, **changes: object):
    """Run the clean stage into `folder/out`; (exit code, message, output paths)."""
    out = {k: folder / "out" / f"{k}.csv" for k in OUTPUTS}
    inputs = {
        "programmes": str(programmes),
        "coach_forms": str(forms),
        "codebook": str(ROOT / "config/codebook.yaml"),
    }
    err = io.StringIO()
    code = run(inputs, out, folder / "problems.csv", params() | changes, stderr=err)
    return code, err.getvalue(), out


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("reference")
    forms = folder / "forms.csv"
    forms.write_text(base_forms_text(), encoding="utf-8")
    code, message, out = clean_stage(folder, RAW / "programmes.csv", forms)
    assert code == 0, message
    return read_result_csv(out["participants"])


def test_the_catalogue_is_large_and_covers_xlsx() -> None:
    assert len(CASES) >= 25
    assert sum("xlsx" in c.name for c in CASES) >= 4
    assert {c.expect for c in CASES} == {"same", "noted", "excluded", "rejected"}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_export(case: Case, tmp_path: Path, reference: pd.DataFrame) -> None:
    made = case.make(tmp_path)
    raw_sha = hashlib.sha256(made.read_bytes()).hexdigest()
    programmes, forms = RAW / "programmes.csv", tmp_path / "forms.csv"
    if case.target == "coach_forms":
        forms = made
    else:
        forms.write_text(base_forms_text(), encoding="utf-8")
        programmes = made
    code, message, out = clean_stage(tmp_path, programmes, forms)
    assert hashlib.sha256(made.read_bytes()).hexdigest() == raw_sha, "raw file modified"
    assert "Traceback" not in message
    for text in PII.values():
        assert text not in message
        assert text not in (tmp_path / "problems.csv").read_text(encoding="utf-8")
    if case.expect == "rejected":
        assert code == 1
        assert case.text in message, message
        assert len(message.strip().splitlines()) <= 14, message
        assert not any(p.exists() for p in out.values()), "a rejected run wrote output"
        assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True
        return
    assert code == 0, message
    got = read_result_csv(out["participants"])
    accounting = read_result_csv(out["accounting"], keep_default_na=False)
    notes = " ".join(accounting["notes"])
    if case.expect == "excluded":
        excluded = read_result_csv(out["excluded"])
        assert case.text in " ".join(excluded["reason"])
        assert len(got) == len(reference) - 1
        return
    pd.testing.assert_frame_equal(got, reference)
    if case.expect == "noted":
        assert case.text in notes, notes


def test_personal_data_in_answer_cells_is_masked_under_both_policies(tmp_path: Path) -> None:
    from hostile import AGE, SEX, forms_rows, set_cell, to_csv

    rows = set_cell(forms_rows(), 3, SEX, PII["name"])
    rows = set_cell(rows, 5, AGE, PII["phone"])
    rows = set_cell(rows, 7, SEX, PII["email"])
    forms = tmp_path / "forms.csv"
    forms.write_text(to_csv(rows), encoding="utf-8")
    for policy in ("stop", "exclude"):
        folder = tmp_path / policy
        folder.mkdir()
        code, message, out = clean_stage(folder, RAW / "programmes.csv", forms, on_invalid=policy)
        written = [message] + [p.read_text(encoding="utf-8") for p in folder.rglob("*.csv")]
        for text in PII.values():
            assert not any(text in w for w in written), (policy, text)
        assert "looks like an e-mail address" in " ".join(written)
        if policy == "exclude":
            assert code == 0
            assert len(read_result_csv(out["excluded"])) == 3


def test_a_cell_that_begins_like_a_mask_is_masked_all_the_same(tmp_path: Path) -> None:
    """A problem's value is masked once; a value already masked is left alone. Only a whole
    mask counts as one: a cell that merely begins with the mask's words (found by hypothesis
    in CI) is a person's text like any other."""
    from hostile import SEX, forms_rows, set_cell, to_csv

    planted = "‹masked " + PII["name"]
    forms = tmp_path / "forms.csv"
    forms.write_text(to_csv(set_cell(forms_rows(), 3, SEX, planted)), encoding="utf-8")
    code, message, _ = clean_stage(tmp_path, RAW / "programmes.csv", forms)
    assert code != 0
    outputs = [p for p in tmp_path.rglob("*.csv") if p != forms]
    written = [message] + [p.read_text(encoding="utf-8") for p in outputs]
    assert not any(PII["name"] in w for w in written), message
    assert f"‹masked: {len(planted)} characters›" in message


def test_a_copy_of_the_default_programmes_is_read_alike(tmp_path: Path) -> None:
    shutil.copy(RAW / "programmes.csv", tmp_path / "p.csv")
    forms = tmp_path / "f.csv"
    forms.write_text(base_forms_text(), encoding="utf-8")
    code, message, _ = clean_stage(tmp_path, tmp_path / "p.csv", forms)
    assert code == 0, message


@pytest.fixture(scope="module")
def example_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from support import copy_repo

    return copy_repo(tmp_path_factory.mktemp("pii"))


@pytest.mark.parametrize("policy", ["stop", "exclude"])
def test_planted_personal_data_reaches_no_output_and_no_terminal(
    example_copy: Path, policy: str
) -> None:
    """A name, a phone number and an e-mail typed into answer cells of the second example's
    export: found in no file the run writes (report included) and nowhere in the terminal."""
    from conftest import snakemake

    repo, run_name = example_copy, f"pii_{policy}"
    folder = repo / "data" / run_name
    folder.mkdir()
    shutil.copy(repo / "data/examples/region/enheter.csv", folder / "enheter.csv")
    frame = pd.read_csv(
        repo / "data/examples/region/deltagare.csv", sep=";", dtype=str, keep_default_na=False
    )
    frame.loc[3, "Kön"] = PII["name"]
    frame.loc[5, "Ålder (år)"] = PII["phone"]
    frame.loc[7, "Huvuddiagnos"] = PII["email"]
    frame.to_csv(folder / "deltagare.csv", sep=";", index=False)
    raw = hashlib.sha256((folder / "deltagare.csv").read_bytes()).hexdigest()
    override = repo / "config" / f"{run_name}.yaml"
    override.write_text(
        f"run_name: {run_name}\ncleaning: {{on_invalid: {policy}}}\n"
        f"data: {{programmes: data/{run_name}/enheter.csv, "
        f"coach_forms: data/{run_name}/deltagare.csv}}\n",
        encoding="utf-8",
    )
    r = snakemake(
        repo, "--configfile", "config/examples/region.yaml", str(override.relative_to(repo))
    )
    terminal = r.stdout + r.stderr
    assert (r.returncode == 0) == (policy == "exclude"), terminal[-3000:]
    assert "Traceback" not in terminal
    assert hashlib.sha256((folder / "deltagare.csv").read_bytes()).hexdigest() == raw
    results = repo / "results" / run_name
    files = [p for p in results.rglob("*") if p.is_file()]
    assert files
    for text in PII.values():
        assert text not in terminal, text
        for p in files:
            assert text.encode() not in p.read_bytes(), (p, text)
    assert "looks like a phone number" in terminal + "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in files if p.suffix == ".csv"
    )
    if policy == "exclude":
        page = (results / "public/index.html").read_text(encoding="utf-8")
        # the excluded rows by rule, through the disclosure step: no value, not even masked
        assert "Kön: answer not in the codebook" in page and "‹masked" not in page
        reasons = read_result_csv(results / "public/excluded_reasons.csv", dtype=str)
        assert not [v for v in reasons["rows"] if v.isdigit() and 0 < int(v) < 5]
        assert len(read_result_csv(results / "restricted/clean/excluded_rows.csv")) == 3
    else:
        assert not (results / "restricted/clean/participants.csv").exists()


def test_a_formula_cell_without_a_stored_value_is_a_problem_not_an_empty_answer(
    tmp_path: Path,
) -> None:
    """Issue 25: a workbook written by a program that does not compute holds formulas
    without values; they were read as empty answers, silently."""
    import openpyxl

    from ipseval.common.problems import InputError
    from ipseval.data.codebook import normalise_label
    from ipseval.data.readers import read_table

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Löpnummer", "Ålder (år)"])
    sheet.append(["R1", 34])
    sheet.append(["R2", "=A1+70"])  # openpyxl stores the formula and no value
    path = tmp_path / "forms.xlsx"
    book.save(path)
    with pytest.raises(InputError) as err:
        read_table(path, {normalise_label("Löpnummer"), normalise_label("Ålder (år)")})
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (3, "Ålder (år)")
    assert problem.message.startswith("formula without a value: open and save the workbook")
    assert "A1+70" not in str(err.value)  # shown masked, like any answer not allowed


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("19811218-9876", "a personal identity number"),
        ("811218-9876", "a personal identity number"),
        ("198112189876", "a personal identity number"),
        ("850769-9802", "a coordination number"),  # day + 60
        ("anna.svensson@exempel.invalid", "an e-mail address"),
        ("070-123 45 67", "a telephone number"),
        ("+46 70 123 45 67", "a telephone number"),
        ("19811218-9875", None),  # check digit wrong
        ("F0001", None),
        ("123456", None),  # a running number
        ("20130601", None),  # a date alone
        ("R-0042", None),
    ],
)
def test_identity_numbers_are_recognised_and_running_numbers_are_not(
    text: str, kind: str | None
) -> None:
    from ipseval.common.problems import identity_kind

    assert identity_kind(text) == kind


def test_personal_identity_numbers_as_participant_ids_are_refused_masked(tmp_path: Path) -> None:
    """Issue 25: personal identity numbers in the form id reached clean/participants.csv
    and every model frame, silently; now the run stops naming the rows, the number masked."""
    from hostile import rows_of, to_csv

    rows = rows_of(ROOT / "data/raw/coach_forms.csv")
    col = rows[0].index("Löpnummer") if "Löpnummer" in rows[0] else 0
    rows[1][col], rows[2][col] = "19811218-9876", "070-123 45 67"
    forms = tmp_path / "coach_forms.csv"
    forms.write_text(to_csv(rows), encoding="utf-8")
    code, message, out = clean_stage(tmp_path, ROOT / "data/raw/programmes.csv", forms)
    problems = (tmp_path / "problems.csv").read_text(encoding="utf-8")
    assert code != 0 and not out["participants"].exists()
    assert "the id looks like a personal identity number" in message + problems
    assert "the id looks like a telephone number" in message + problems
    for text in ("19811218", "9876", "123 45 67"):
        assert text not in message and text not in problems


@pytest.mark.e2e
def test_formula_cells_in_ids_and_programme_names_reach_no_output_as_formulas(
    example_copy: Path,
) -> None:
    """Issue 25: ids and programme names such as =HYPERLINK(...), @SUM(...) and +Gnosjö
    reached clean/participants.csv, clean/programmes.csv and the model frames unchanged;
    Excel evaluates them on opening. Every CSV the run writes is checked."""
    import csv

    from conftest import snakemake

    repo, run_name = example_copy, "formulas"
    folder = repo / "data" / run_name
    folder.mkdir()
    teams = (repo / "data/examples/region/enheter.csv").read_bytes().decode("cp1252")
    forms = pd.read_csv(
        repo / "data/examples/region/deltagare.csv", sep=";", dtype=str, keep_default_na=False
    )
    renamed = {"Team Ask": "+Team Ask", "Team Ek": "@Team Ek", "Team Lind": "-Team Lind"}
    for old, new in renamed.items():
        teams = teams.replace(f"{old},", f"{new},")
        forms.loc[forms["Team"] == old, "Team"] = new
    forms.loc[0, "Löpnummer"] = '=HYPERLINK("http://x","click")'
    forms.loc[1, "Löpnummer"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    (folder / "enheter.csv").write_bytes(teams.encode("cp1252"))
    forms.to_csv(folder / "deltagare.csv", sep=";", index=False)
    override = repo / "config" / f"{run_name}.yaml"
    override.write_text(
        f"run_name: {run_name}\ndata: {{programmes: data/{run_name}/enheter.csv, "
        f"coach_forms: data/{run_name}/deltagare.csv}}\n",
        encoding="utf-8",
    )
    r = snakemake(
        repo, "--configfile", "config/examples/region.yaml", str(override.relative_to(repo))
    )
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    results = repo / "results" / run_name
    csvs = sorted(results.rglob("*.csv"))
    assert len(csvs) > 20
    seen = set()
    for path in csvs:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    seen.add(cell)
                    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        try:
                            float(cell)
                        except ValueError:
                            pytest.fail(f"{path.relative_to(results)}: formula cell {cell!r}")
    # the names are there, as text
    assert {"'+Team Ask", "'@Team Ek", "'-Team Lind"} <= seen
    assert '\'=HYPERLINK("http://x","click")' in seen


FORMULAS = ('=HYPERLINK("http://x","click")', "@SUM(1+1)*cmd|' /C calc'!A0", "+46 70 123 45 67")


def formula_cells(results: Path) -> list[str]:
    """Every cell of every CSV and workbook under `results` that a spreadsheet would
    evaluate (starts with =, +, -, @, tab or carriage return and is not a number)."""
    import csv

    import openpyxl

    def evaluated(cell: str) -> bool:
        if cell[:1] not in ("=", "+", "-", "@", "\t", "\r"):
            return False
        try:
            float(cell)
        except ValueError:
            return True
        return False

    found = []
    for path in sorted(results.rglob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            found += [f"{path}: {c!r}" for row in csv.reader(handle) for c in row if evaluated(c)]
    for path in sorted(results.rglob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                found += [
                    f"{path}: {c.value!r}"
                    for c in row
                    if c.data_type == "f" or (isinstance(c.value, str) and evaluated(c.value))
                ]
    return found


@pytest.mark.e2e
def test_formulas_and_identity_numbers_in_ids_and_free_text_reach_no_output(
    example_copy: Path,
) -> None:
    """Issue 25: the default export with formulas in the form ids and in two free-text
    answers, and a personal identity number in a free-text answer, run whole (report, data
    packages, workbook): no file the run writes holds a formula a spreadsheet evaluates, the
    export's ids are only in restricted/clean/id_key.csv (as text), and the free text is in
    no file at all."""
    from conftest import snakemake
    from hostile import rows_of, to_csv

    repo, run_name = example_copy, "free_text"
    rows = rows_of(repo / "data/raw/coach_forms.csv")
    header = rows[0]
    wish = next(i for i, h in enumerate(header) if h.startswith("2. "))
    goal = next(i for i, h in enumerate(header) if h.startswith("3. "))
    rows[1][0], rows[2][0] = FORMULAS[0], FORMULAS[1]
    rows[3][wish], rows[4][goal], rows[5][wish] = FORMULAS[1], FORMULAS[0], "19811218-9876"
    rows[6][goal] = FORMULAS[2]  # a phone number a spreadsheet reads as a sum
    (repo / "data" / run_name).mkdir()
    (repo / "data" / run_name / "coach_forms.csv").write_text(to_csv(rows), encoding="utf-8")
    override = repo / "config" / f"{run_name}.yaml"
    override.write_text(
        f"run_name: {run_name}\ndata: {{coach_forms: data/{run_name}/coach_forms.csv}}\n"
        "multiverse: null\n",
        encoding="utf-8",
    )
    r = snakemake(repo, "all", "excel", f"--configfile={override.relative_to(repo)}")
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    results = repo / "results" / run_name
    assert (results / "public/tables.xlsx").exists()
    assert formula_cells(results) == []
    key = pd.read_csv(results / "restricted/clean/id_key.csv", dtype=str)
    assert {"'" + FORMULAS[0], "'" + FORMULAS[1]} <= set(key["export_id"])
    for path in (p for p in results.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for text in ("HYPERLINK", "cmd|", "19811218-9876", "123 45 67"):
            if path.name == "id_key.csv" and text in ("HYPERLINK", "cmd|"):
                continue
            assert text.encode() not in data, (path, text)
    terminal = r.stdout + r.stderr
    assert "19811218" not in terminal and "HYPERLINK" not in terminal


@pytest.mark.e2e
def test_identity_numbers_as_ids_stop_the_run_and_reach_no_file(example_copy: Path) -> None:
    """Issue 25: the second example's export with personal identity numbers, a
    samordningsnummer and an e-mail address as participant ids, run as a user runs it: the
    run stops at the clean stage with the rows named and the numbers masked; no file under
    results/ and nothing in the terminal holds them."""
    from conftest import snakemake

    repo, run_name = example_copy, "identity_ids"
    folder = repo / "data" / run_name
    folder.mkdir()
    forms = pd.read_csv(
        repo / "data/examples/region/deltagare.csv", sep=";", dtype=str, keep_default_na=False
    )
    planted = ["19811218-9876", "811278-9873", "anna.andersson@example.se"]
    for i, value in enumerate(planted):
        forms.loc[i, "Löpnummer"] = value
    forms.to_csv(folder / "deltagare.csv", sep=";", index=False)
    override = repo / "config" / f"{run_name}.yaml"
    override.write_text(
        f"run_name: {run_name}\ndata: {{coach_forms: data/{run_name}/deltagare.csv}}\n",
        encoding="utf-8",
    )
    r = snakemake(
        repo, "--configfile", "config/examples/region.yaml", str(override.relative_to(repo))
    )
    terminal = r.stdout + r.stderr
    assert r.returncode != 0 and "Traceback" not in terminal
    problems = (repo / "results" / run_name / "restricted/logs/clean_problems.csv").read_text(
        encoding="utf-8"
    )
    for kind in ("a personal identity number", "a coordination number", "an e-mail address"):
        assert f"the id looks like {kind}" in terminal + problems, kind
    results = repo / "results" / run_name
    assert not (results / "restricted/clean/participants.csv").exists()
    files = [p for p in results.rglob("*") if p.is_file()]
    for value in planted:
        assert value not in terminal, value
        for p in files:
            assert value.encode() not in p.read_bytes(), (p, value)


def test_every_form_gets_a_pseudonym_and_only_the_key_holds_the_export_ids(
    tmp_path: Path,
) -> None:
    """Issue 25: the export's ids reached clean/participants.csv and every model frame. Now
    each form has a pseudonym of its own, in the export's row order (excluded forms too), and
    the key is the only output that holds the export's ids."""
    from hostile import rows_of, to_csv

    rows = rows_of(ROOT / "data/raw/coach_forms.csv")[:41]
    rows[3][0] = ""  # a form without an id: excluded
    forms = tmp_path / "forms.csv"
    forms.write_text(to_csv(rows), encoding="utf-8")
    code, message, out = clean_stage(tmp_path, RAW / "programmes.csv", forms, on_invalid="exclude")
    assert code == 0, message
    participants = read_result_csv(out["participants"], dtype=str)
    key = read_result_csv(out["key"], dtype=str, keep_default_na=False)
    assert list(key["form_id"]) == [f"anon-{i:02d}" for i in range(1, 41)]
    assert list(key["export_id"]) == [r[0] for r in rows[1:]]
    assert participants["form_id"].is_unique and len(participants) == 39
    assert set(participants["form_id"]) == set(key["form_id"]) - {"anon-03"}
    excluded = read_result_csv(out["excluded"], dtype=str)
    assert list(excluded["id"]) == ["anon-03"] and "empty identifier" in excluded["rule"][0]
    ids = {r[0] for r in rows[1:]} - {""}
    for name, path in out.items():
        if name != "key":
            text = path.read_text(encoding="utf-8")
            assert not [i for i in ids if re.search(rf"\b{re.escape(i)}\b", text)], name
