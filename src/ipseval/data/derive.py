"""Derived analysis variables, following the report's own categorisations (Bilaga 1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ipseval.common.io import term_column
from ipseval.data.codebook import Codebook, normalise_label

# --- Tabell 3: start quarter ----------------------------------------------------------------
QUARTER_LABELS = {1: "jan-mar", 2: "apr-jun", 3: "jul-sep", 4: "okt-dec"}
NO_ANSWER = "Ej svar"

# --- Tabell 4 and 6: grouped agreement scales ----------------------------------------------
AGREEMENT_GROUPS = {
    "1": "Instämmer inte alls/i låg grad (1-2)",
    "2": "Instämmer inte alls/i låg grad (1-2)",
    "3": "Instämmer delvis (3-4)",
    "4": "Instämmer delvis (3-4)",
    "5": "Instämmer helt/i hög grad (5-6)",
    "6": "Instämmer helt/i hög grad (5-6)",
    "7": "Redan välfungerande samarbete",
}

# programme-survey variables behind Tabell 4, 6 and 5, in the tables' row order
COOP_VARS = (
    "coop_psychiatry",
    "coop_municipal",
    "coop_social_insurance",
    "coop_employment_service",
    "coop_employers",
    "coop_user_orgs",
)
STMT_VARS = (
    "stmt_individual_adaptation",
    "stmt_wishes_met",
    "stmt_long_term_support",
    "stmt_employers_willing",
    "stmt_municipal_competence",
    "stmt_model_deviation",
    "stmt_competition",
)
EMPLOYER_VARS = (
    "employer_public",
    "employer_private",
    "employer_voluntary",
    "employer_social_coop",
    "employer_other",
)

# --- Tabell 7 and 8: bands -----------------------------------------------------------------
FTE_BANDS = (
    (2.0, "Upp till 2,0 heltidstjänster"),
    (5.0, "Över 2,0 upp till 5,0 heltidstjänster"),
    (np.inf, "Över 5,0 heltidstjänster"),
)
CASELOAD_BANDS = (
    (5, "1–5 deltagare"),
    (10, "6–10 deltagare"),
    (15, "11–15 deltagare"),
    (22, "16–22 deltagare"),
    (np.inf, "Över 22 deltagare"),
)

# --- Tabell 11's columns: time in programme in two bands ------------------------------------
TIME_BANDS = {False: "Upp till 6 månader", True: "Mer än 6 månader"}

# --- Tabell 9: age bands -------------------------------------------------------------------
AGE_BANDS = (
    (29, "Upp till 29 år"),
    (39, "30–39 år"),
    (49, "40–49 år"),
    (59, "50–59 år"),
    (np.inf, "60 år eller äldre"),
)

# --- Tabell 10: diagnosis hierarchy (most severe first) -------------------------------------
DIAGNOSIS_HIERARCHY = (
    ("psychosis", "Psykos"),
    ("bipolar", "Bipolär"),
    ("depression", "Depression"),
    ("neuropsychiatric", "Neuropsykiatrisk"),
    ("anxiety", "Ångest"),
    ("substance_use", "Missbruk"),
)
DX_INTELLECTUAL = "Utvecklingsstörning el. motsv. (”i huvudsak”)"

# --- Tabell 11: occupation (Q16, with 'Annat, vad:' recoded) --------------------------------
OCCUPATION_ROWS = {
    "regular_work": "Lönearbete",
    "wage_subsidy_work": "Arbete via lönebidrag",
    "unpaid_work": "Oavlönat arbete (ex. praktik)",
    "studies": "Studier/kompetenshöjning",
    "daily_activity": "Kommunal daglig verksamhet",
    "none": "Ingen sysselsättning",
    "social_cooperative": "Socialt kooperativ el. motsv.",
    "work_unspecified": "Arbete ospecificerat",
    "protected_employment": "OSA",
    "other": "Annat",
}

# --- Tabell 12: income source (Q12/Q14, multi-select with 'Annat, vad:' recoded) -------------
INCOME_ROWS = {
    "wage": "Lön",
    "wage_subsidy": "Lön via lönebidrag",
    "wage_and_other": "Lön och annan kompletterande inkomstkälla",
    "social_insurance": "Ersättning från Försäkringskassan",
    "social_assistance": "Försörjningsstöd",
    "unemployment_insurance": "A-kassa",
    "study_allowance": "Studiemedel",
    "social_insurance_and_other": "Försäkringskassa och annan kompletterande inkomstkälla",
    "activity_support": "Aktivitetsstöd",
    "none": "Ingen försörjning",
    "other": "Annan inkomstkälla",
    "no_answer": NO_ANSWER,
}
# Single non-wage, non-FK sources in the order the report lists them; the report does not say
# how it classified combinations of these, so the first listed wins (documented choice).
_INCOME_PRIORITY = (
    "social_assistance",
    "unemployment_insurance",
    "study_allowance",
    "activity_support",
    "other",
)
WEAK = {"very_weak", "fairly_weak"}
STRONG = {"fairly_strong", "very_strong"}


def _isna(value: object) -> bool:
    """True for None, NaN and pandas' NA (pandas 3 stores missing strings as NaN)."""
    return value is None or (not isinstance(value, (frozenset, set, list)) and bool(pd.isna(value)))


def _band(value: float | None, bands: Sequence[tuple[float, str]]) -> str:
    if _isna(value):
        return NO_ANSWER
    for upper, label in bands:
        if value <= upper:
            return label
    raise AssertionError(value)  # pragma: no cover


def months_between(start: str, end: str) -> int:
    """Whole months from 'YYYY-MM' start to 'YYYY-MM' end."""
    y0, m0 = map(int, start.split("-"))
    y1, m1 = map(int, end.split("-"))
    return (y1 * 12 + m1) - (y0 * 12 + m0)


def start_quarter_label(month: str | None) -> str:
    """Tabell 3 row label for a start month ('2012-03' -> '2012 jan-mar')."""
    if _isna(month):
        return NO_ANSWER
    year, m = map(int, month.split("-"))
    return f"{year} {QUARTER_LABELS[(m - 1) // 3 + 1]}"


def months_active(start: str | None, survey_month: str | None) -> int | None:
    """Whole months from a programme's start month to the survey month: 0 in the month it
    started, and 0 for a start after the survey month (not yet active then; Tabell 3 has
    such a start); None when either month is not known."""
    if _isna(start) or survey_month is None:
        return None
    return max(0, months_between(start, survey_month))


def derive_programmes(prog: pd.DataFrame, cb: Codebook, survey_month: str | None) -> pd.DataFrame:
    """Programme-level analysis variables (one row per programme, file order): the survey's
    own variables, and the report's derivations of those of them the codebook has (months
    active only where the survey month is given)."""
    form = cb.programme_survey
    out = prog.copy().reset_index(drop=True)
    out.insert(0, "programme_id", [f"P{i + 1:02d}" for i in range(len(out))])
    have = set(out.columns)
    grants = ["grant_2011", "grant_2012", "grant_2013"]
    if set(grants) <= have:
        out["grant_total"] = out[grants].sum(axis=1, min_count=1)
    if "start_month" in have:
        out["start_quarter"] = [start_quarter_label(m) for m in out["start_month"]]
        out["months_active"] = [months_active(m, survey_month) for m in out["start_month"]]
    if "coach_fte" in have:
        out["fte_band"] = [_band(v, FTE_BANDS) for v in out["coach_fte"]]
    if "caseload" in have:
        out["caseload_band"] = [_band(v, CASELOAD_BANDS) for v in out["caseload"]]
    for var in form.variables if form is not None else ():
        if var.name in (*COOP_VARS, *STMT_VARS):  # Tabell 4 and 6's grouped 1-7 scales
            codes = {lv.label: lv.code for lv in var.levels}
            out[f"{var.name}_group"] = [
                NO_ANSWER if _isna(v) else AGREEMENT_GROUPS[codes[v]] for v in out[var.name]
            ]
    return out


# numbers derived in `derive_programmes`, carried to every participant of the programme
PROGRAMME_NUMBERS = ("grant_total", "months_active")


def programmes_from_references(forms: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """The programme table when there is no programme survey: one row per programme the
    coach forms name, in order of first appearance."""
    ref = cb.coach_form.programme_ref.name
    names = list(dict.fromkeys(v for v in forms[ref] if not _isna(v)))
    return pd.DataFrame({"programme_id": [f"P{i + 1:02d}" for i in range(len(names))], ref: names})


def _codes(values: pd.Series, var_levels: Mapping[str, str]) -> pd.Series:
    return values.map(lambda v: None if _isna(v) else var_levels[v])


def diagnosis_row(ticks: frozenset[str] | None, other_category: str | None) -> str:
    """Tabell 10 row from the Q10 ticks (codes) and the recoded 'Annat, vad:' text."""
    if not ticks:
        return NO_ANSWER
    chosen = [(code, label) for code, label in DIAGNOSIS_HIERARCHY if code in ticks]
    if chosen:
        top_code, top_label = chosen[0]
        others = (set(ticks) - {top_code, "unknown"}) | (
            {"other"} if other_category and "other" not in ticks else set()
        )
        return f"{top_label} (endast)" if not others else f"{top_label} + annat"
    if "other" in ticks:
        return DX_INTELLECTUAL if other_category == "intellectual_disability" else "Annat"
    return "Vet ej"


def diagnosis_group(row: str) -> str:
    """Hierarchical diagnosis group code (for models) from a Tabell 10 row."""
    for code, label in DIAGNOSIS_HIERARCHY:
        if row.startswith(label):
            return code
    return {
        DX_INTELLECTUAL: "intellectual_disability",
        "Annat": "other",
        "Vet ej": "unknown",
        NO_ANSWER: "missing",
    }[row]


def income_category(ticks: frozenset[str] | None, other_category: str | None) -> str:
    """Tabell 12 row code from the Q12/Q14 ticks (codes) and the recoded 'Annat' text.

    Hierarchy (the report states none; this one reproduces its rows): any wage together
    with another source -> 'wage_and_other'; wage subsidy; wage; Försäkringskassan together
    with another source; Försäkringskassan; then the single sources in the report's order.
    """
    if not ticks and not other_category:
        return "no_answer"
    sources = set(ticks or ()) - {"other"}
    if other_category:
        sources.add(other_category)
    elif ticks and "other" in ticks:
        sources.add("other")
    wages = sources & {"wage", "wage_subsidy"}
    rest = sources - {"wage", "wage_subsidy", "none"}
    if wages and rest:
        return "wage_and_other"
    if "wage_subsidy" in wages:
        return "wage_subsidy"
    if "wage" in wages:
        return "wage"
    if "social_insurance" in rest:
        return "social_insurance_and_other" if len(rest) > 1 else "social_insurance"
    for code in _INCOME_PRIORITY:
        if code in rest:
            return code
    return "none"


def programme_key(cb: Codebook) -> str:
    """The programme table's column that coach forms refer to: the programme survey's key,
    or (without a programme survey) the coach form's programme reference."""
    if cb.programme_survey is not None:
        return cb.programme_survey.id_variable
    return cb.coach_form.programme_ref.name


def derive_participants(
    forms: pd.DataFrame,
    programmes: pd.DataFrame,
    cb: Codebook,
    outcomes: Mapping[str, Mapping[str, Any]],
) -> pd.DataFrame:
    """Participant-level analysis variables, joined with their programme's variables.

    Every codebook variable gives columns by its type (categorical: the label verbatim and
    `<name>_code`; multi: a 0/1 column per code, `<name>_has_<code>`; number, integer, month: the
    value); the 2013 forms' derivations (Tabell 9-12: age bands, diagnosis hierarchy, income
    and occupation categories, work history) are made where the codebook has their sources.
    `outcomes`: name -> {variable (default `occupation`), positive codes}; `y_<name>` is 1
    when the variable's code (`<variable>_code`) is one of them."""
    form = cb.coach_form
    f = forms.reset_index(drop=True)
    have = set(f.columns)
    out = pd.DataFrame({"form_id": f[form.id_variable]})
    ref = form.programme_ref.name
    key = programmes[programme_key(cb)].map(normalise_label)
    pid = dict(zip(key, programmes["programme_id"], strict=True))
    out["programme_id"] = f[ref].map(lambda m: pid[normalise_label(m)]).astype(object)

    def codes(name: str) -> pd.Series:
        var = form[name]
        return _codes(f[name], {lv.label: lv.code for lv in var.levels})

    def present(*names: str) -> bool:
        return set(names) <= have

    # raw single-choice answers, Swedish labels verbatim
    singles = [v.name for v in form.variables if v.type == "categorical"]
    for name in singles:
        out[name] = f[name]
    if present("age"):
        out["age"] = pd.array(f["age"], dtype="Int64")

    # derived (the 2013 forms' own)
    if present("time_in_programme"):
        t = codes("time_in_programme")
        out["time_gt_6m"] = pd.array(
            [None if _isna(v) else int(v == "gt6m") for v in t], dtype="Int64"
        )
        out["time_band"] = [NO_ANSWER if _isna(v) else TIME_BANDS[v == "gt6m"] for v in t]
    if present("age"):
        out["age_band"] = [_band(a, AGE_BANDS) if a is not None else NO_ANSWER for a in f["age"]]
    for col, q in _CODED_FROM.items():
        if present(q):
            out[col] = codes(q)
    for when in ("intake", "now"):
        if present(f"attachment_{when}"):
            a = out[f"attachment_{when}_code"]
            out[f"attachment_{when}_weak"] = pd.array(
                [None if _isna(v) or (v not in WEAK | STRONG) else int(v in WEAK) for v in a],
                dtype="Int64",
            )

    # Q10 diagnosis (multi-select) through the report's hierarchy
    if present("diagnosis", "diagnosis_other") and form["diagnosis"].type == "multi":
        dx_var = form["diagnosis"]
        dx_codes = {lv.label: lv.code for lv in dx_var.levels}
        other_var = form["diagnosis_other"]
        dx_ticks = [None if _isna(v) else frozenset(dx_codes[x] for x in v) for v in f["diagnosis"]]
        dx_other = [None if _isna(v) else other_var.recode_text(v) for v in f["diagnosis_other"]]
        for code in dx_var.codes:
            out[f"dx_{code}"] = pd.array(
                [None if _isna(s) else int(code in s) for s in dx_ticks], dtype="Int64"
            )
        out["diagnosis_other_category"] = dx_other
        out["diagnosis_row"] = [
            diagnosis_row(s, o) for s, o in zip(dx_ticks, dx_other, strict=True)
        ]
        out["diagnosis_group"] = out["diagnosis_row"].map(diagnosis_group)

    # Q12 / Q14 income (multi-select)
    for when, q, q_other in (
        ("intake", "income_intake", "income_intake_other"),
        ("now", "income_now", "income_now_other"),
    ):
        if not present(q, q_other):
            continue
        var = form[q]
        cmap = {lv.label: lv.code for lv in var.levels}
        ticks = [None if _isna(v) else frozenset(cmap[x] for x in v) for v in f[q]]
        other = [None if _isna(v) else form[q_other].recode_text(v) for v in f[q_other]]
        cats = [income_category(s, o) for s, o in zip(ticks, other, strict=True)]
        out[f"income_{when}_code"] = cats
        out[f"income_{when}_row"] = [INCOME_ROWS[c] for c in cats]

    # Q16 occupation through Tabell 11's categories
    if present("occupation", "occupation_other"):
        occ = codes("occupation")
        occ_other = [
            None if _isna(v) else form["occupation_other"].recode_text(v)
            for v in f["occupation_other"]
        ]
        occ_code = [
            None if _isna(o) else (oo or "other") if o == "other" else o
            for o, oo in zip(occ, occ_other, strict=True)
        ]
        out["occupation_code"] = occ_code
        out["occupation_row"] = [None if _isna(c) else OCCUPATION_ROWS.get(c, c) for c in occ_code]

    # every other codebook variable by its type
    for var in form.variables:
        if var.name not in have or var.type in {"id", "personal", "programme_ref", "text"}:
            continue
        if var.type == "categorical" and f"{var.name}_code" not in out:
            out[f"{var.name}_code"] = codes(var.name)
        elif var.type == "multi" and var.name != "diagnosis":
            cmap = {lv.label: lv.code for lv in var.levels}
            for code in var.codes:
                out[term_column(f"{var.name}_has_{code}")] = pd.array(
                    [None if _isna(v) else int(code in {cmap[x] for x in v}) for v in f[var.name]],
                    dtype="Int64",
                )
        elif var.type in {"integer", "number", "month"} and var.name not in out:
            out[var.name] = f[var.name]

    for name, spec in outcomes.items():
        column = f"{spec.get('variable', 'occupation')}_code"
        pos = set(spec["positive"])
        out[f"y_{name}"] = pd.array(
            [None if _isna(c) else int(c in pos) for c in out[column]], dtype="Int64"
        )

    # programme-level variables: the programme survey's numbers and what is derived from them
    numeric = [
        v.name
        for v in (cb.programme_survey.variables if cb.programme_survey is not None else ())
        if v.type in {"integer", "number"}
    ]
    pcols = ["programme_id"] + [
        c for c in programmes.columns if c in {*numeric, *PROGRAMME_NUMBERS} and c not in out
    ]
    out = out.merge(programmes[pcols], on="programme_id", how="left", validate="many_to_one")
    return out


# Coded analysis columns -> the coach-form question their codes come from.
_CODED_FROM = {
    "sex_code": "sex",
    "education_code": "education",
    "work_history": "last_employed",
    "registered_af_code": "registered_af",
    "referral_code": "referral",
    "attachment_intake_code": "attachment_intake",
    "attachment_now_code": "attachment_now",
}


def level_orders(cb: Codebook) -> dict[str, list[str]]:
    """Natural order of the values of each categorical analysis column this codebook gives
    (the form's order; the report's hierarchy for diagnosis; Tabell 11-12's rows for income
    and occupation): `<name>` holds the labels, `<name>_code` the codes, for model tables."""
    form = cb.coach_form
    names = {v.name for v in form.variables}
    orders: dict[str, list[str]] = {}
    for var in form.variables:
        if var.type == "categorical":
            orders[var.name] = [lv.label for lv in var.levels]
            orders[f"{var.name}_code"] = var.codes
    orders |= {col: form[q].codes for col, q in _CODED_FROM.items() if q in names}
    if {"diagnosis", "diagnosis_other"} <= names and form["diagnosis"].type == "multi":
        orders["diagnosis_group"] = [c for c, _ in DIAGNOSIS_HIERARCHY] + [
            "intellectual_disability",
            "other",
            "unknown",
            "missing",
        ]
    for when in ("intake", "now"):
        if {f"income_{when}", f"income_{when}_other"} <= names:
            orders[f"income_{when}_code"] = list(INCOME_ROWS)
    if "time_in_programme" in names:
        orders["time_band"] = [*TIME_BANDS.values(), NO_ANSWER]
    if {"occupation", "occupation_other"} <= names:
        orders["occupation_code"] = list(
            dict.fromkeys([*form["occupation"].codes, *OCCUPATION_ROWS])
        )
    return orders


def read_participants(path: str | Path, cb: Codebook) -> pd.DataFrame:
    """`clean/participants.csv` with every categorical column of the codebook as text, so
    that answer codes that look like numbers ('1'-'4', '01') stay the codes the config
    names, not numbers."""
    from ipseval.common.io import read_result_csv

    header = pd.read_csv(path, nrows=0).columns
    text = [*level_orders(cb), "programme_id"]
    return read_result_csv(path, dtype={c: str for c in text if c in header})
