"""Minimal foreign evaluations for the journey catalogue (issue 24): exports shaped like
neither the 2013 forms nor the second example (English headers, a diagnosis coded 1-4, a
site file or none), each with the short override a user would write from docs/own-data.md.

`write(repo, name)` writes a journey's export, codebook and override into a copy of the
repository and returns the override's path (relative to the copy). Every journey must run
whole (`rule all`, report included) or stop before any fit with one message.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

DIAGNOSES = {  # the export's code -> how the report names it (codebook `display`)
    "1": ("psychotic disorder", "psykossjukdom"),
    "2": ("mood disorder", "förstämningssyndrom"),
    "3": ("anxiety disorder", "ångestsyndrom"),
    "4": ("other diagnosis", "annan diagnos"),
}


@dataclass(frozen=True)
class Journey:
    """One foreign evaluation: what its export holds and what its override configures."""

    name: str
    description: str
    columns: tuple[str, ...]  # participant columns beyond id, site and the outcome
    site_file: bool
    override: dict[str, Any] = field(default_factory=dict)
    outcome: str = "months"  # how the outcome is drawn: "months", "dx4_none", "separated"
    n_sites: int = 9
    n: int = 335


def _models(specifications: dict[str, list[str]], **extra: Any) -> dict[str, Any]:
    """The models section of an override: the defaults' specifications deleted, these set."""
    return {
        "outcomes": ["job"],
        "specifications": {"core": None, "extended": None, **specifications},
        **extra,
    }


PREDICTORS = {
    "age": {"label": "Age (per 10 years)", "column": "age", "type": "numeric", "centre": 40,
            "scale": 10},
    "dx": {"label": "Primary diagnosis", "label_sv": "Huvuddiagnos", "column": "primary_dx_code",
           "type": "categorical", "reference": "2"},
    "months": {"label": "Months in the programme (per 6)", "column": "months_in_program",
               "type": "numeric", "centre": 12, "scale": 6},
    "long_stay": {"label": "In the programme a year or more", "column": "long_stay_code",
                  "type": "categorical", "reference": "no"},
    "site_fe": {"label": "Site", "column": "programme_id", "type": "categorical",
                "reference": "P01"},
}  # fmt: skip

JOURNEYS = {
    j.name: j
    for j in (
        Journey(
            "intercept_only",
            "only the programme and the outcome; no site file, no survey month, no participant "
            "tables, no grouping; an intercept-only model",
            (),
            site_file=False,
            override={
                "models": _models({"intercept": []}),
                "report": {
                    "summary_terms": None,
                    "summary_specification": "intercept",
                    "participant_tables": None,
                    "outcome_groups": None,
                },
            },
        ),
        Journey(
            "programme_only",
            "a site file with caseload; programme-level terms only, and the programme as a "
            "fixed effect (not estimable under programme-clustered inference with 9 sites)",
            ("age",),
            site_file=True,
            override={
                "survey_month": "2021-03",
                "models": _models(
                    {"programme_level": ["caseload"], "fixed_effects": ["site_fe"]},
                    predictors={"site_fe": PREDICTORS["site_fe"]},
                ),
                "report": {
                    "summary_terms": None,
                    "summary_specification": "fixed_effects",
                    "participant_tables": {"variables": {"age_band": "Age band"}},
                    "outcome_groups": None,
                },
            },
        ),
        Journey(
            "empty_group",
            "a grouping column that exists but is empty; a diagnosis coded 1-4 shown in words; "
            "no event among one diagnosis (separation: Firth alone)",
            ("age", "primary_dx", "months_in_program", "cohort"),
            site_file=True,
            outcome="dx4_none",
            override={
                "survey_month": "2021-03",
                "models": _models(
                    {"core": ["age", "dx", "months"]},
                    predictors={k: PREDICTORS[k] for k in ("dx", "months")},
                ),
                "report": {
                    "summary_terms": None,
                    "summary_specification": "core",
                    "participant_tables": {
                        "variables": {"primary_dx_code": "Primary diagnosis", "age_band": "Age"}
                    },
                    "outcome_groups": {"column": "cohort", "label": "Cohort"},
                },
            },
        ),
        Journey(
            "separated",
            "the outcome is decided by one answer (complete separation) and the user fits "
            "the maximum-likelihood estimators only: no estimator can fit; the report says why",
            ("age", "months_in_program", "long_stay"),
            site_file=True,
            outcome="separated",
            override={
                "survey_month": "2021-03",
                "models": _models(
                    {"core": ["age", "long_stay"]},
                    predictors={"long_stay": PREDICTORS["long_stay"]},
                    estimators=["logit_cr1", "gee_br", "random_intercept"],
                    programme_level_estimator="gee_br",
                    imputation={"estimators": ["logit_cr1"]},
                ),
                "report": {
                    "summary_terms": None,
                    "summary_specification": "core",
                    "participant_tables": {"variables": {"long_stay_code": "A year or more"}},
                    "outcome_groups": {"column": "long_stay_code", "label": "A year or more"},
                },
            },
        ),
    )
}


def codebook(j: Journey) -> dict[str, Any]:
    """The journey's codebook (English headers and answers)."""
    variables: list[dict[str, Any]] = [
        {"name": "participant", "column": "participant", "type": "id"},
        {"name": "site", "column": "site", "type": "programme_ref"},
    ]
    catalogue = {
        "age": {"name": "age", "column": "age_years", "type": "integer", "min": 16, "max": 70},
        "primary_dx": {
            "name": "primary_dx",
            "column": "primary_dx",
            "type": "categorical",
            "levels": [
                {"label": code, "code": code, "display": en, "display_sv": sv}
                for code, (en, sv) in DIAGNOSES.items()
            ],
        },
        "months_in_program": {
            "name": "months_in_program",
            "column": "months_in_program",
            "type": "integer",
            "min": 0,
            "max": 120,
        },
        "cohort": {
            "name": "cohort",
            "column": "cohort",
            "type": "categorical",
            "levels": [{"label": "A", "code": "a"}, {"label": "B", "code": "b"}],
        },
        "long_stay": {
            "name": "long_stay",
            "column": "long_stay",
            "type": "categorical",
            "levels": [{"label": "Yes", "code": "yes"}, {"label": "No", "code": "no"}],
        },
    }
    variables += [catalogue[c] for c in j.columns]
    variables.append(
        {
            "name": "competitive_job",
            "column": "competitive_job",
            "type": "categorical",
            "levels": [{"label": "Yes", "code": "yes"}, {"label": "No", "code": "no"}],
        }
    )
    out: dict[str, Any] = {
        "multi_select_separator": ";",
        "missing_labels": ["", "NA"],
        "coach_form": {"title": "Participant export", "key": "participant", "variables": variables},
    }
    if j.site_file:
        out["programme_survey"] = {
            "title": "Site file",
            "key": "site",
            "variables": [
                {"name": "site", "column": "site", "type": "id"},
                {"name": "caseload", "column": "caseload", "type": "number", "min": 0, "max": 60},
            ],
        }
    return out


def export(j: Journey, seed: int = 2021) -> tuple[list[list[str]], list[list[str]]]:
    """Rows (header first) of the site file and of the participant export."""
    rng = np.random.default_rng(seed)
    sites = [f"Site {chr(65 + k)}" for k in range(j.n_sites)]
    caseload = rng.integers(8, 25, j.n_sites)
    site_of = np.sort(rng.integers(0, j.n_sites, j.n))
    age = rng.integers(19, 64, j.n)
    dx = rng.choice(list(DIAGNOSES), size=j.n, p=[0.3, 0.35, 0.2, 0.15])
    months = rng.integers(0, 36, j.n)
    u = rng.normal(0, 0.4, j.n_sites)
    eta = -1.0 + u[site_of] - 0.02 * (age - 40) + 0.04 * (months - 12)
    job = rng.random(j.n) < 1 / (1 + np.exp(-eta))
    if j.outcome == "dx4_none":
        job &= dx != "4"
    if j.outcome == "separated":
        job = months >= 12
    answers = {
        "age": [str(a) for a in age],
        "primary_dx": list(dx),
        "months_in_program": [str(m) for m in months],
        "cohort": [""] * j.n,
        "long_stay": ["Yes" if m >= 12 else "No" for m in months],
    }
    columns = [v["column"] for v in codebook(j)["coach_form"]["variables"]]
    rows = [columns]
    for i in range(j.n):
        rows.append(
            [
                f"X{i + 1:04d}",
                sites[site_of[i]],
                *(answers[c][i] for c in j.columns),
                "Yes" if job[i] else "No",
            ]
        )
    site_rows = [["site", "caseload"], *([s, str(c)] for s, c in zip(sites, caseload, strict=True))]
    return site_rows, rows


def write(repo: Path, name: str) -> str:
    """Write journey `name`'s export, codebook and override into the copy `repo`; returns
    the override's path relative to `repo`."""
    j = JOURNEYS[name]
    folder = repo / "data" / "journeys" / name
    folder.mkdir(parents=True, exist_ok=True)
    site_rows, rows = export(j)
    for file, content in (("sites.csv", site_rows), ("participants.csv", rows)):
        if file == "sites.csv" and not j.site_file:
            continue
        with (folder / file).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(content)
    cb_path = repo / "config" / "journeys" / f"{name}_codebook.yaml"
    cb_path.parent.mkdir(parents=True, exist_ok=True)
    cb_path.write_text(yaml.safe_dump(codebook(j), allow_unicode=True), encoding="utf-8")
    override: dict[str, Any] = {
        "run_name": f"journey_{name}",
        "data": {
            "programmes": f"data/journeys/{name}/sites.csv" if j.site_file else None,
            "coach_forms": f"data/journeys/{name}/participants.csv",
            "codebook": f"config/journeys/{name}_codebook.yaml",
            "published": None,
            "literature": None,
            "generator": None,
            "synthetic": False,
        },
        "unavailable": "drop",
        "reproduction": {"enabled": False},
        "multiverse": None,
        "simulation": None,
        "outcomes": {
            "job": {"label": "Competitive job", "variable": "competitive_job", "positive": ["yes"]},
        },
        **j.override,
    }
    path = repo / "config" / "journeys" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(override, allow_unicode=True), encoding="utf-8")
    return str(path.relative_to(repo))
