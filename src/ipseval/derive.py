"""Derived analysis variables, following the report's own categorisations (Bilaga 1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .codebook import Codebook, normalise_label

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


def derive_programmes(prog: pd.DataFrame, cb: Codebook, survey_month: str) -> pd.DataFrame:
    """Programme-level analysis variables (one row per programme, file order)."""
    form = cb.programme_survey
    out = prog.copy().reset_index(drop=True)
    out.insert(0, "programme_id", [f"P{i + 1:02d}" for i in range(len(out))])
    out["grant_total"] = out[["grant_2011", "grant_2012", "grant_2013"]].sum(axis=1, min_count=1)
    out["start_quarter"] = [start_quarter_label(m) for m in out["start_month"]]
    out["months_active"] = [
        None if _isna(m) else max(0, months_between(m, survey_month)) for m in out["start_month"]
    ]
    out["fte_band"] = [_band(v, FTE_BANDS) for v in out["coach_fte"]]
    out["caseload_band"] = [_band(v, CASELOAD_BANDS) for v in out["caseload"]]
    for var in form.variables:
        if var.type == "categorical":
            codes = {lv.label: lv.code for lv in var.levels}
            out[f"{var.name}_group"] = [
                NO_ANSWER if _isna(v) else AGREEMENT_GROUPS[codes[v]] for v in out[var.name]
            ]
    return out


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


def derive_participants(
    forms: pd.DataFrame,
    programmes: pd.DataFrame,
    cb: Codebook,
    outcomes: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """Participant-level analysis variables, joined with their programme's variables."""
    form = cb.coach_form
    f = forms.reset_index(drop=True)
    out = pd.DataFrame({"form_id": f["form_id"]})
    key = programmes["municipality"].map(normalise_label)
    pid = dict(zip(key, programmes["programme_id"], strict=True))
    out["programme_id"] = f["municipality"].map(lambda m: pid[normalise_label(m)])

    def codes(name: str) -> pd.Series:
        var = form[name]
        return _codes(f[name], {lv.label: lv.code for lv in var.levels})

    # raw single-choice answers, Swedish labels verbatim
    for name in (
        "time_in_programme",
        "sex",
        "education",
        "last_employed",
        "registered_af",
        "attachment_intake",
        "referral",
        "economic_risk",
        "economic_situation",
        "occupation",
        "occupation_extent",
        "attachment_now",
    ):
        out[name] = f[name]
    out["age"] = pd.array(f["age"], dtype="Int64")

    # derived
    t = codes("time_in_programme")
    out["time_gt_6m"] = pd.array([None if _isna(v) else int(v == "gt6m") for v in t], dtype="Int64")
    out["age_band"] = [_band(a, AGE_BANDS) if a is not None else NO_ANSWER for a in f["age"]]
    out["sex_code"] = codes("sex")
    out["education_code"] = codes("education")
    out["work_history"] = codes("last_employed")
    out["registered_af_code"] = codes("registered_af")
    out["referral_code"] = codes("referral")
    for when in ("intake", "now"):
        a = codes(f"attachment_{when}")
        out[f"attachment_{when}_code"] = a
        out[f"attachment_{when}_weak"] = pd.array(
            [None if _isna(v) or (v not in WEAK | STRONG) else int(v in WEAK) for v in a],
            dtype="Int64",
        )

    # Q10 diagnosis (multi-select) through the report's hierarchy
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
    out["diagnosis_row"] = [diagnosis_row(s, o) for s, o in zip(dx_ticks, dx_other, strict=True)]
    out["diagnosis_group"] = out["diagnosis_row"].map(diagnosis_group)

    # Q12 / Q14 income (multi-select)
    for when, q, q_other in (
        ("intake", "income_intake", "income_intake_other"),
        ("now", "income_now", "income_now_other"),
    ):
        var = form[q]
        cmap = {lv.label: lv.code for lv in var.levels}
        ticks = [None if _isna(v) else frozenset(cmap[x] for x in v) for v in f[q]]
        other = [None if _isna(v) else form[q_other].recode_text(v) for v in f[q_other]]
        cats = [income_category(s, o) for s, o in zip(ticks, other, strict=True)]
        out[f"income_{when}_code"] = cats
        out[f"income_{when}_row"] = [INCOME_ROWS[c] for c in cats]

    # Q16 occupation through Tabell 11's categories
    occ = codes("occupation")
    occ_other = [
        None if _isna(v) else form["occupation_other"].recode_text(v) for v in f["occupation_other"]
    ]
    occ_code = [
        None if _isna(o) else (oo or "other") if o == "other" else o
        for o, oo in zip(occ, occ_other, strict=True)
    ]
    out["occupation_code"] = occ_code
    out["occupation_row"] = [None if _isna(c) else OCCUPATION_ROWS[c] for c in occ_code]
    for name, positive in outcomes.items():
        pos = set(positive)
        out[f"y_{name}"] = pd.array(
            [None if _isna(c) else int(c in pos) for c in occ_code], dtype="Int64"
        )

    # programme-level variables
    pcols = ["programme_id", "caseload", "coach_fte", "n_coaches", "months_active"]
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
    """Natural order of the codes of each categorical analysis column (the form's order;
    the report's hierarchy for diagnosis; Tabell 12's rows for income), for model tables."""
    orders = {col: cb.coach_form[q].codes for col, q in _CODED_FROM.items()}
    orders["diagnosis_group"] = [c for c, _ in DIAGNOSIS_HIERARCHY] + [
        "intellectual_disability",
        "other",
        "unknown",
        "missing",
    ]
    orders["income_intake_code"] = list(INCOME_ROWS)
    orders["income_now_code"] = list(INCOME_ROWS)
    orders["occupation_code"] = list(OCCUPATION_ROWS)
    return orders
