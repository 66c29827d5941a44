"""The drafted codebook and override (ipseval.data.draft): from a CSV, an xlsx, an SPSS and a
Stata file made here, a codebook `load_codebook` accepts as written, types guessed as the
hand-written codebook of the second example has them, no personal answer copied into the
draft; an override that is a valid configuration; the session docs/own-data.md shows, with
the lines it says the user edited. The drafts run whole: tests/test_draft_journeys.py."""

from __future__ import annotations

import re
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
from ipseval.data.draft import draft, guess_column, main
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


# --- the draft override, and the session docs/own-data.md shows (issue 27) ------------------

GUIDE = ROOT / "docs/own-data.md"
PATCH = ROOT / "docs/own-data/first-report.patch"
SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"


def edited_lines(before: str, after: str) -> int:
    """Lines a user edited: changed, added or deleted lines (a changed line counts once)."""
    import difflib

    ops = difflib.SequenceMatcher(
        None, before.splitlines(), after.splitlines(), autojunk=False
    ).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in ops if op != "equal")


def session_drafts(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The guide's session up to its step 1, in `folder`: the export and the two drafts
    written by the documented command (paths relative to `folder`, as in the guide)."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    import unseen

    monkeypatch.chdir(folder)
    unseen.main(["--out", "data/unseen"])
    main(
        [
            "data/unseen/participants.csv",
            "--programmes",
            "data/unseen/sites.csv",
            "--out",
            "config/my_codebook.yaml",
            "--config",
            "config/my_evaluation.yaml",
            "--defaults",
            str(ROOT / "config/config.yaml"),
        ]
    )
    return folder / "config/my_codebook.yaml", folder / "config/my_evaluation.yaml"


def merged_config(override: Path) -> dict:
    """config/config.yaml with an override merged as Snakemake merges it."""
    from test_any_data import merged

    base = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    return merged(base, yaml.safe_load(override.read_text(encoding="utf-8")))


def todos(codebook: Path, override: Path) -> int:
    """The open questions of a pair of drafts (what the report lists)."""
    cb = load_codebook(codebook)
    asked = [v for f in (cb.programme_survey, cb.coach_form) for v in f.variables if v.todo]
    return len(asked) + len(yaml.safe_load(override.read_text(encoding="utf-8")).get("todo", []))


def test_the_guides_edits_apply_to_todays_drafts_and_are_the_lines_it_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    codebook, override = session_drafts(tmp_path, monkeypatch)
    drafted = {p: p.read_text(encoding="utf-8") for p in (codebook, override)}
    assert todos(codebook, override) == 7  # "with 7 open questions" (step 2)
    # the diff the guide shows is the patch its next block applies
    guide = GUIDE.read_text(encoding="utf-8")
    shown = re.search(r"```diff\n(.*?)```", guide, flags=re.S).group(1)
    assert shown == PATCH.read_text(encoding="utf-8")
    r = subprocess.run(
        ["patch", "-p1", "-i", str(PATCH)], cwd=tmp_path, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr  # the drafts are still what it was made on
    counted = {p.name: edited_lines(drafted[p], p.read_text(encoding="utf-8")) for p in drafted}
    said = re.search(
        r"\*\*(\d+) lines edited\*\*: (\d+) in\s+the codebook, (\d+) in the override", guide
    )
    assert said, "the guide states the count"
    total, in_codebook, in_override = map(int, said.groups())
    assert counted == {"my_codebook.yaml": in_codebook, "my_evaluation.yaml": in_override}
    assert total == in_codebook + in_override <= 15  # the goal
    assert todos(codebook, override) == 4  # "The three observed ranges and the predictors"


def test_the_draft_override_is_a_valid_configuration_with_its_guesses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipseval.pipeline.configuration import prepare

    _, override = session_drafts(tmp_path, monkeypatch)
    config = merged_config(override)
    dropped = prepare(config, SCHEMA)
    # the outcome names a job and not the past; "employed in the last 5 years" is a predictor
    assert config["outcomes"]["competitive_job"]["positive"] == ["yes"]
    assert config["models"]["outcomes"] == ["competitive_job"]
    core = config["models"]["specifications"]["core"]
    assert core == ["age", "primary_dx", "employed_last_5y", "months_in_program", "caseload"]
    # the defaults' own age and caseload (their columns are the draft's), untouched
    defaults = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    for name in ("age", "caseload"):
        assert config["models"]["predictors"][name] == defaults["models"]["predictors"][name]
    assert config["models"]["predictors"]["primary_dx"]["reference"] == "2"  # most common
    assert config["data"]["synthetic"] is False  # an export is confidential until told
    assert {u.name for u in dropped} >= {"regular_work", "paid_work"}  # the 2013 outcomes


def test_a_codebook_display_names_the_level_wherever_the_report_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first report of the guide's session said 'Primary diagnosis: 1 vs 2' in its
    findings although the codebook named the levels (`display`): only tables and charts
    read it."""
    import subprocess

    from ipseval.pipeline.configuration import prepare
    from ipseval.report.text import term_label

    _, override = session_drafts(tmp_path, monkeypatch)
    subprocess.run(["patch", "-p1", "-i", str(PATCH)], cwd=tmp_path, check=True)
    config = merged_config(override)
    prepare(config, SCHEMA)
    t = {"versus": "vs"}
    shown = term_label("primary_dx[1]", config["models"]["predictors"], t)
    assert shown == "Primary diagnosis: psychotic disorder vs mood disorder"


def test_the_second_examples_draft_override_finds_both_its_outcomes(tmp_path: Path) -> None:
    from ipseval.data.draft import draft_config

    _, forms, programmes = draft(FORMS, PROGRAMMES)
    defaults = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    text = draft_config(FORMS, PROGRAMMES, "cb.yaml", "x.yaml", forms, programmes, defaults)
    outcomes = yaml.safe_load(text)["outcomes"]
    by_variable = {o["variable"]: o["positive"] for o in outcomes.values()}
    assert by_variable == {
        "arbetat_minst_10_timmar_per_ve": ["ja"],
        # work on the open market or with wage subsidy; not studies, internship or none
        "sysselsattning_vid_uppfoljning": [
            "anstallning_pa_oppna_arbetsmar",
            "anstallning_med_lonestod",
        ],
    }


def test_the_draft_command_never_overwrites_and_says_what_is_wrong_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    codebook, override = session_drafts(tmp_path, monkeypatch)
    codebook.write_text("# my edits\n", encoding="utf-8")
    args = ["data/unseen/participants.csv", "--out", str(codebook), "--config", str(override)]
    with pytest.raises(SystemExit) as stop:
        main([*args, "--defaults", str(ROOT / "config/config.yaml")])
    assert "exists; edits would be lost" in str(stop.value.code)
    assert codebook.read_text(encoding="utf-8") == "# my edits\n"
    with pytest.raises(SystemExit) as stop:
        main(["data/unseen/nothing.csv", "--out", "x.yaml"])
    assert str(stop.value.code) == "ipseval draft: no such file: data/unseen/nothing.csv"
    assert not (tmp_path / "x.yaml").exists()


def test_the_guides_table_is_the_second_examples_draft_beside_its_codebook(
    tmp_path: Path,
) -> None:
    text, _, _ = draft(FORMS, PROGRAMMES)
    drafted = load_codebook(_write(tmp_path, text))
    hand = load_codebook(ROOT / EXAMPLE["data"]["codebook"])

    def said(v) -> str:
        return f"`{v.name}` {v.type}" + (f" {v.min}–{v.max}" if v.min is not None else "")

    rows = []
    for form in ("programme_survey", "coach_form"):
        for d in getattr(drafted, form).variables:
            h = next(v for v in getattr(hand, form).variables if v.column == d.column)
            if said(d) != said(h):
                rows.append([d.column, said(d), said(h)])
    guide = GUIDE.read_text(encoding="utf-8")
    table = guide.split("<!-- draft-vs-hand -->\n", 1)[1].split("\n\n", 1)[0]
    shown = [[c.strip() for c in line.strip("|").split("|")][:3] for line in table.splitlines()]
    assert shown[2:] == rows


def test_unique_free_text_is_not_an_id_and_no_id_is_asked(tmp_path: Path) -> None:
    """A comment column with a different text in every row was drafted as the id."""
    path = tmp_path / "forms.csv"
    pd.DataFrame(
        {
            "Enhet": ["Norr", "Söder"] * 20,
            "Kommentar": [f"text nummer {k} om deltagaren" for k in range(40)],
            "I arbete": ["0", "1"] * 20,
        }
    ).to_csv(path, sep=";", index=False)
    _, guesses, _ = draft(path)
    types = {g.column: g.type for g in guesses}
    assert types["Kommentar"] == "text"
    ids = [g for g in guesses if g.type == "id"]
    assert len(ids) == 1 and not ids[0].column and ids[0].todo  # asked, not invented


def test_without_a_possible_outcome_the_draft_says_so_and_writes_no_override(
    tmp_path: Path,
) -> None:
    path = tmp_path / "forms.csv"
    pd.DataFrame(
        {
            "id": range(1, 41),
            "team": ["a", "b"] * 20,
            "notes": [f"free text {k}" for k in range(40)],
        }
    ).to_csv(path, index=False)
    codebook, override = tmp_path / "cb.yaml", tmp_path / "cfg.yaml"
    with pytest.raises(SystemExit) as stop:
        main([str(path), "--out", str(codebook), "--config", str(override),
              "--defaults", str(ROOT / "config/config.yaml")])  # fmt: skip
    assert "no column has a list of answers" in str(stop.value.code)
    assert codebook.exists() and not override.exists()
    load_codebook(codebook)


def test_a_draft_whose_predictors_are_all_the_defaults_does_not_delete_them(
    tmp_path: Path,
) -> None:
    """An export whose only predictor was age (config/config.yaml's) drafted `predictors:`
    with comments only: YAML null, which deleted every default predictor, and the run
    stopped ('predictors' is a required property)."""
    from ipseval.data.draft import draft_config

    path = tmp_path / "forms.csv"
    pd.DataFrame(
        {
            "ID": [f"A{k:03d}" for k in range(60)],
            "Verksamhet": ["Kommun A", "Kommun B", "Kommun C"] * 20,
            "Ålder": [str(20 + k % 40) for k in range(60)],
            "Sysselsättning": ["Arbete", "Studier", "Ingen"] * 20,
        }
    ).to_csv(path, index=False)
    _, forms, _ = draft(path)
    defaults = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    override = yaml.safe_load(draft_config(path, None, "cb.yaml", "x.yaml", forms, [], defaults))
    assert override["models"].get("predictors", {}) is not None
    assert override["models"]["specifications"]["core"] == ["age"]


def test_a_header_that_holds_pnr_inside_a_word_is_not_personal() -> None:
    """'lopnr' (löpnummer, a running number) was taken for 'pnr' (personnummer)."""
    missing = {""}
    values = [str(k) for k in range(1, 41)]
    assert guess_column("lopnr", values, missing).type == "id"
    assert guess_column("pnr", values, missing).type == "personal"


def test_a_programme_column_naming_a_programme_the_file_lacks_is_still_the_programme(
    tmp_path: Path,
) -> None:
    """A participant file that names one site the site file lacks was drafted with its
    site column as a list of answers and a made-up programme column that does not exist,
    and the run stopped with a problem in every row."""
    sites = tmp_path / "sites.csv"
    pd.DataFrame({"site": [f"Site {k}" for k in range(1, 8)], "caseload": range(8, 15)}).to_csv(
        sites, index=False
    )
    forms = tmp_path / "p.csv"
    names = [f"Site {1 + k % 8}" for k in range(80)]  # Site 8 is not in the site file
    pd.DataFrame({"pid": [f"P{k}" for k in range(80)], "site": names}).to_csv(forms, index=False)
    _, guesses, _ = draft(forms, sites)
    refs = [g for g in guesses if g.type == "programme_ref"]
    assert [g.column for g in refs] == ["site"]
    assert "1 of its 8 answers" in refs[0].todo and "Site 8" not in refs[0].todo


def test_the_reports_open_questions_are_the_files_text_escaped(tmp_path: Path) -> None:
    from ipseval.report.sections import open_questions
    from ipseval.report.text import translations

    path = _write(
        tmp_path,
        "coach_form:\n  title: forms.csv\n  key: id\n  variables:\n"
        "    - {name: id, column: ID, type: id}\n"
        '    - {name: site, column: "<b>Site</b>", type: programme_ref, todo: "check `site`"}\n',
    )
    items = open_questions(
        {"todo": ["<script>x</script> in `run_name`"]}, load_codebook(path), translations("en")
    )
    assert items == [
        "codebook, forms.csv, column <code>&lt;b&gt;Site&lt;/b&gt;</code>: check <code>site</code>",
        "configuration: &lt;script&gt;x&lt;/script&gt; in <code>run_name</code>",
    ]
