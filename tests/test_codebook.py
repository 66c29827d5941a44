"""The codebook covers the forms and keeps their Swedish labels verbatim."""

from __future__ import annotations

import pytest
from conftest import SOURCES

from ipseval.data.codebook import Codebook, normalise_label

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
