"""The codebook covers the forms and keeps their Swedish labels verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, SOURCES

from ipseval.data.codebook import Codebook, load_codebook, normalise_label

REPORT = SOURCES / "socialstyrelsen-2013-12-19-ips-evaluation.sv.txt"


def test_every_coach_form_question_1_to_18_is_defined(codebook: Codebook) -> None:
    questions = {v.question for v in codebook.coach_form.variables if v.question}
    assert {str(q) for q in range(1, 19)} <= questions


def test_personal_fields_are_marked_personal(codebook: Codebook) -> None:
    for form in (codebook.coach_form, codebook.programme_survey):
        personal = {v.column for v in form.variables if v.type == "personal"}
        assert personal == {"Ditt namn:", "Ditt telefonnummer:", "Din e-post:"}


@pytest.mark.skipif(not REPORT.exists(), reason="shared/sources not beside the checkout")
def test_coach_form_labels_are_verbatim_from_bilaga_1b(codebook: Codebook) -> None:
    text = REPORT.read_text(encoding="utf-8")
    bilaga_1b = text[text.index("Coachformulär – IPS") :]
    lines = {normalise_label(line.lstrip("- ")) for line in bilaga_1b.splitlines()}
    for var in codebook.coach_form.variables:
        for level in var.levels:
            assert normalise_label(level.label) in lines, (var.name, level.label)


def test_issue_examples_are_labels(codebook: Codebook) -> None:
    f = codebook.coach_form
    assert f["attachment_intake"].match("Mycket svag").code == "very_weak"
    assert f["last_employed"].match("Varit anställd för 2 år till 5 år sedan").code == "2y_5y"
    assert f["registered_af"].match("Vet ej").code == "unknown"


def test_label_matching_tolerates_case_space_dashes_and_nfd(codebook: Codebook) -> None:
    import unicodedata

    f = codebook.coach_form
    assert f["occupation_extent"].match("  1–25 %  AV heltid ").code == "1_25"
    assert f["diagnosis"].match(unicodedata.normalize("NFD", "Ångest")).code == "anxiety"
    assert f["sex"].match("Kvinnor") is None


def test_free_text_recoding(codebook: Codebook) -> None:
    f = codebook.coach_form
    assert f["diagnosis_other"].recode_text("Lindrig utvecklingsstörning") == (
        "intellectual_disability"
    )
    assert f["diagnosis_other"].recode_text("PTSD") == "other"
    assert f["occupation_other"].recode_text("Fontänhuset") == "social_cooperative"
    assert f["occupation_other"].recode_text("OSA-anställning") == "protected_employment"
    assert f["income_now_other"].recode_text("Aktivitetsstöd") == "activity_support"
    assert f["income_intake_other"].recode_text("Ingen försörjning") == "none"


# --- the format: YAML slips that would change a label without a word are errors --------------

EXAMPLE_CODEBOOK = ROOT / "config/examples/region_codebook.yaml"


def _with_line(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE_CODEBOOK.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "codebook.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (  # a comma in an unquoted label cuts it: 'Depression' and a key 'ångest'
            '{label: "Depression/ångest", code: affective}',
            "{label: Depression, ångest, code: affective}",
            "coach_form.variables[4] (main_diagnosis).levels[2]: unexpected key(s) ['ångest'] "
            "(a comma inside an unquoted label",
        ),
        (  # an unquoted yes is a boolean, not the text 'yes'
            '{label: "Ja", code: "yes"}',
            "{label: Ja, code: yes}",
            "coach_form.variables[7] (hours_10).levels[0].code: True is read as a yes/no value",
        ),
        (  # 1.10 is the number 1.1
            '{label: "Man", code: male}',
            "{label: 1.10, code: male}",
            "coach_form.variables[2] (sex).levels[1].label: 1.1 is read as a number",
        ),
        (  # a misspelt key is not ignored
            '{name: age, column: "Ålder (år)", type: integer, min: 18, max: 67}',
            '{name: age, colum: "Ålder (år)", type: integer, min: 18, max: 67}',
            "coach_form.variables[3] (age): unexpected key(s) ['colum']",
        ),
    ],
    ids=["comma-in-label", "yes-unquoted", "decimal-label", "misspelt-key"],
)
def test_a_yaml_slip_in_the_codebook_is_an_error_naming_the_place(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    with pytest.raises(ValueError) as err:
        load_codebook(_with_line(tmp_path, old, new))
    assert expected in str(err.value)


def test_every_shipped_codebook_keeps_its_format() -> None:
    for path in [ROOT / "config/codebook.yaml", EXAMPLE_CODEBOOK]:
        load_codebook(path)  # raises on any departure from codebook.schema.yaml
