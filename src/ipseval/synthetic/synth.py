"""Seeded generator of the SYNTHETIC default microdata, calibrated to the published tables.

Every figure the report publishes about programmes and participants (Tabell 1, 3-14 and the
text figures in data/raw/published/) comes out exactly when the pipeline tabulates the files
this writes; everything else follows config/synthetic.yaml (distributions and the documented
logistic "truth"). Run as
``python -m ipseval.synthetic.synth --config config/synthetic.yaml --out DIR``.
"""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ipseval.data.codebook import Codebook, load_codebook
from ipseval.data.derive import COOP_VARS, EMPLOYER_VARS, INCOME_ROWS, STMT_VARS, months_between
from ipseval.reproduction.published import load_table, parse_count

SWEDISH_MONTH_NAMES = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
AGE_RANGES = {
    "Upp till 29 år": (18, 29),
    "30–39 år": (30, 39),
    "40–49 år": (40, 49),
    "50–59 år": (50, 59),
    "60 år eller äldre": (60, 65),
}
QUARTERS = {  # Tabell 3 row -> (year, first month)
    "2012 jan-mar": (2012, 1),
    "2012 apr-jun": (2012, 4),
    "2012 jul-sep": (2012, 7),
    "2012 okt-dec": (2012, 10),
    "2013 jan-mar": (2013, 1),
    "2013 apr-jun": (2013, 4),
    "2013 jul-sep": (2013, 7),
}
# occupation ladder (Q16 codes), highest rung first
# the bottom rung of the occupation ladder (split at random among these Q16 categories)
BOTTOM_RUNG = ("none", "social_cooperative", "work_unspecified", "protected_employment", "other")
OCC_FROM_T11 = {
    "Lönearbete": "regular_work",
    "Arbete via lönebidrag": "wage_subsidy_work",
    "Oavlönat arbete (ex. praktik)": "unpaid_work",
    "Studier/kompetenshöjning": "studies",
    "Kommunal daglig verksamhet": "daily_activity",
    "Ingen sysselsättning": "none",
    "Socialt kooperativ el. motsv.": "social_cooperative",
    "Arbete ospecificerat": "work_unspecified",
    "OSA": "protected_employment",
    "Annat": "other",
}
OCC_OTHER_TEXT = {
    "social_cooperative": ["Socialt kooperativ", "Fontänhus", "Ideell förening"],
    "work_unspecified": ["Arbete", "Extrajobb", "Timanställning, oklart vilken form"],
    "protected_employment": ["OSA", "OSA-anställning"],
    "other": ["Sjukskriven", "Föräldraledig", "Väntar på besked", "Behandling"],
}
DX_OTHER_TEXT = ["Personlighetsstörning", "Ätstörning", "PTSD", "Tvångssyndrom"]
DX_ID_TEXT = ["Lindrig utvecklingsstörning", "Utvecklingsstörning"]
WISHES = [
    "Arbete i butik",
    "Lagerarbete",
    "Studier",
    "Arbete med djur",
    "Kontorsarbete",
    "Vård och omsorg",
    "Restaurang",
    "Vet inte än",
]
GOALS = ["Deltidsarbete", "Heltidsarbete", "Examen", "Anställning", "Praktik som leder till arbete"]


def allocate(total: int, weights: Sequence[float]) -> np.ndarray:
    """Split an integer total in proportion to weights (largest remainder, stable ties)."""
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    base = np.floor(raw).astype(int)
    order = np.argsort(-(raw - base), kind="stable")
    base[order[: total - base.sum()]] += 1
    return base


def counts_to_list(counts: Mapping[str, int], rng: np.random.Generator) -> list[str]:
    """Exactly counts[k] copies of each key, in random order."""
    items = [k for k, n in counts.items() for _ in range(int(n))]
    return [items[i] for i in rng.permutation(len(items))]


def assign_by_rank(
    idx: np.ndarray, score: np.ndarray, counts: Sequence[tuple[str, int]]
) -> dict[int, str]:
    """Give the highest-scoring units the first category, and so on, with exact counts."""
    if sum(n for _, n in counts) != len(idx):
        raise ValueError("counts do not add up to the units to assign")
    order = idx[np.argsort(-score[idx], kind="stable")]
    out: dict[int, str] = {}
    pos = 0
    for cat, n in counts:
        for i in order[pos : pos + n]:
            out[int(i)] = cat
        pos += n
    return out


def _choice(rng: np.random.Generator, probs: Mapping[str, float], size: int) -> np.ndarray:
    keys = list(probs)
    p = np.array([probs[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _published_counts(directory: Path, number: str, column: str) -> dict[str, int]:
    t = load_table(directory, number)
    return {r: int(parse_count(v)) for r, v in t[column].items() if r != "Totalt"}


# --------------------------------------------------------------------------------------------
# programmes
# --------------------------------------------------------------------------------------------
def make_programmes(cfg: dict[str, Any], published: Path, rng: np.random.Generator) -> pd.DataFrame:
    """32 programmes: real names and grants (Tabell 1), synthetic survey answers."""
    cal = cfg["calibration"]
    t1 = load_table(published, "01").drop(index="Totalt")
    p = pd.DataFrame({"municipality": t1.index})
    for year in ("2011", "2012", "2013"):
        p[f"grant_{year}"] = t1[year].map(parse_count).astype(int).to_numpy()
    n = len(p)
    total_grant = p[["grant_2011", "grant_2012", "grant_2013"]].sum(axis=1).to_numpy()

    # Q7 start (Tabell 3): programmes granted in 2011 tend to start earlier
    t3 = _published_counts(published, "03", "Antal")
    no_answer = rng.choice(n, size=t3.pop("Ej svar"), replace=False)
    rest = np.setdiff1d(np.arange(n), no_answer)
    early = (p["grant_2011"].to_numpy() > 0).astype(float) + rng.normal(0, 0.6, n)
    order = rest[np.argsort(-early[rest], kind="stable")]
    quarters = [q for q, k in t3.items() for _ in range(k)]
    start: list[str | None] = [None] * n
    for i, q in zip(order, quarters, strict=True):
        year, first = QUARTERS[q]
        start[int(i)] = f"{year:04d}-{first + int(rng.integers(0, 3)):02d}"
    p["start_month"] = start
    survey = cfg["survey_month"]
    months_active = np.array(
        [10.0 if s is None else max(0, months_between(s, survey)) for s in start]
    )

    # Q10 full-time posts (Tabell 7) and Q9 head count (103 in all)
    fte = np.full(n, np.nan)
    fixed = cal["largest_fte"]
    fixed_idx = [int(np.flatnonzero(p["municipality"] == m)[0]) for m in fixed]
    for i, m in zip(fixed_idx, fixed, strict=True):
        fte[i] = fixed[m]
    t7 = _published_counts(published, "07", "Antal")
    others = np.setdiff1d(np.arange(n), fixed_idx)
    missing_fte = int(rng.choice(others))
    others = others[others != missing_fte]
    rank = others[np.argsort(-(np.log(total_grant[others]) + rng.normal(0, 0.4, len(others))))]
    n_mid = t7["Över 2,0 upp till 5,0 heltidstjänster"]
    fte[rank[:n_mid]] = rng.choice(np.arange(2.25, 5.01, 0.25), size=n_mid)
    fte[rank[n_mid:]] = rng.choice(np.array([0.5, 0.75, 1.0, 1.5, 2.0]), size=len(rank) - n_mid)
    coaches = np.where(np.isnan(fte), 2, np.ceil(np.nan_to_num(fte, nan=2.0))).astype(int)
    coaches = np.maximum(coaches, 1)
    extra = cal["coaches_total"] - coaches.sum()
    if extra < 0:
        raise ValueError("coach head count below the sum of posts; change the seed")
    for i in rng.choice(n, size=extra, replace=True):
        coaches[i] += 1
    p["n_coaches"] = coaches
    p["coach_fte"] = fte

    # Q11 participants per coach (Tabell 8): newer programmes have smaller caseloads
    t8 = _published_counts(published, "08", "Antal verksamheter")
    bands = {
        "1–5 deltagare": (1, 5),
        "6–10 deltagare": (6, 10),
        "11–15 deltagare": (11, 15),
        "16–22 deltagare": (16, 22),
    }
    score = months_active + rng.normal(0, 4, n)
    order = np.argsort(score, kind="stable")
    caseload = np.zeros(n)
    pos = 0
    for band, k in t8.items():
        lo, hi = bands[band]
        members = order[pos : pos + k]
        values = rng.integers(lo, hi + 1, size=k).astype(float)
        if band == "16–22 deltagare":  # the band's printed limits occur in the data
            values[:2] = [lo, hi]
        caseload[members] = values
        pos += k
    p["caseload"] = caseload

    # forms per programme (for Tabell 5 and the ended counts below)
    size = caseload * np.where(np.isnan(fte), coaches * 0.8, fte)
    min_forms = cal["min_forms_per_programme"]
    n_forms = min_forms + allocate(cfg["participants"] - min_forms * n, size)
    p["_n_forms"] = n_forms
    p["_months_active"] = months_active

    # Q19a-c, Q20a ended (171 in all), more where the programme has run longer
    for col, k in cal["ended"].items():
        w = n_forms * np.maximum(months_active, 0.5)
        p[col] = rng.multinomial(k, w / w.sum())

    # Q22a-27a cooperation (Tabell 4) and Q28a-g statements (Tabell 6)
    group_values = {
        "Instämmer inte alls/i låg grad (1-2)": (1, 2),
        "Instämmer delvis (3-4)": (3, 4),
        "Instämmer helt/i hög grad (5-6)": (5, 6),
        "Redan välfungerande samarbete": (7, 7),
    }
    for number, cols in (("04", COOP_VARS), ("06", STMT_VARS)):
        t = load_table(published, number)
        for col, (_, row) in zip(cols, t.iterrows(), strict=True):
            counts = {g: int(parse_count(row[g])) for g in t.columns if g != "Totalt"}
            counts["missing"] = n - sum(counts.values())
            groups = counts_to_list(counts, rng)
            p[col] = [
                None
                if g == "missing"
                else int(rng.integers(group_values[g][0], group_values[g][1] + 1))
                for g in groups
            ]

    # employer types of participants at workplaces (Tabell 5)
    t5 = _published_counts(published, "05", "Antal")
    for row, col in zip(t5, EMPLOYER_VARS, strict=True):
        p[col] = rng.multinomial(t5[row], n_forms / n_forms.sum())
    return p


# --------------------------------------------------------------------------------------------
# participants
# --------------------------------------------------------------------------------------------
def make_participants(
    cfg: dict[str, Any], published: Path, programmes: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """914 coach forms as codes (rendered to Swedish labels by `render_coach_forms`)."""
    cal, truth = cfg["calibration"], cfg["truth"]
    n = int(cfg["participants"])
    prog_idx = np.repeat(np.arange(len(programmes)), programmes["_n_forms"].to_numpy())
    d = pd.DataFrame({"prog": prog_idx})
    ma = programmes["_months_active"].to_numpy()[prog_idx]

    # time in programme (Q1): >6 months only where the programme has run > 6 months
    t11 = load_table(published, "11")
    miss = cal["forms_without_occupation_by_time"]
    n_gt6 = int(parse_count(t11.loc["Totalt", "Mer än 6 månader"])) + miss["gt6m"]
    eligible = np.flatnonzero(ma >= 7)
    score = ma + rng.gumbel(0, 3, n)
    gt6 = eligible[np.argsort(-score[eligible], kind="stable")[:n_gt6]]
    if len(gt6) < n_gt6:
        raise ValueError("too few forms in programmes running > 6 months; change the seed")
    time = np.empty(n, dtype=object)
    time[gt6] = "gt6m"
    for i in np.setdiff1d(np.arange(n), gt6):
        allowed = ["lt1m"] + (["1_3m"] if ma[i] >= 2 else []) + (["3_6m"] if ma[i] >= 4 else [])
        w = np.array([{"lt1m": 0.15, "1_3m": 0.35, "3_6m": 0.5}[a] for a in allowed])
        time[i] = allowed[rng.choice(len(allowed), p=w / w.sum())]
    d["time"] = time
    d["stratum"] = np.where(time == "gt6m", "gt6m", "le6m")

    # sex and age (Tabell 9 exactly, incl. 2 forms with age but no sex, 15 without age)
    t9 = load_table(published, "09").drop(index="Totalt")
    cells: list[tuple[str, str | None]] = []
    for band, row in t9.iterrows():
        w, m, tot = (int(parse_count(row[c])) for c in ("Kvinna", "Man", "Totalt"))
        cells += [(band, "female")] * w + [(band, "male")] * m + [(band, None)] * (tot - w - m)
    no_age = cal["sex_of_forms_without_age"]
    cells += [("Ej svar", "female")] * no_age["female"] + [("Ej svar", "male")] * no_age["male"]
    if len(cells) != n:
        raise ValueError("Tabell 9 and the forms without age do not add up to the participants")
    cells = [cells[i] for i in rng.permutation(n)]
    d["age_band"] = [c[0] for c in cells]
    d["sex"] = [c[1] for c in cells]
    d["age"] = [
        None if b == "Ej svar" else int(rng.integers(AGE_RANGES[b][0], AGE_RANGES[b][1] + 1))
        for b in d["age_band"]
    ]

    # diagnosis (Tabell 10 exactly)
    d["dx_row"] = counts_to_list(_published_counts(published, "10", "Antal"), rng)
    d["psychosis"] = d["dx_row"].str.startswith("Psykos").astype(int)

    # unpublished covariates
    d["education"] = _choice(rng, cfg["education"], n)
    d["registered_af"] = _choice(rng, cfg["registered_af"], n)
    d["referral"] = _choice(rng, cfg["referral"], n)
    wh_codes = ["lt6m", "6m_2y", "2y_5y", "gt5y", "never", "unknown"]
    d["work_history"] = [
        wh_codes[
            rng.choice(
                6, p=np.array(cfg["work_history_by_age"][b]) / sum(cfg["work_history_by_age"][b])
            )
        ]
        for b in d["age_band"]
    ]

    # latent employment index (the documented truth)
    u = rng.normal(0, truth["programme_sd"], len(programmes))
    age = pd.to_numeric(d["age"]).fillna(truth["age_centre"]).to_numpy(dtype=float)
    caseload = programmes["caseload"].to_numpy()[prog_idx]
    eta = (
        truth["age_per_10_years"] * (age - truth["age_centre"]) / 10
        + d["work_history"].map(truth["work_history"]).to_numpy(dtype=float)
        + truth["psychosis"] * d["psychosis"].to_numpy()
        + d["education"].map(truth["education"]).to_numpy(dtype=float)
        + truth["caseload_per_5"] * (caseload - truth["caseload_centre"]) / 5
        + u[prog_idx]
    )
    d["eta"] = eta
    latent = eta + rng.logistic(0, 1, n)

    # occupation (Q16): Tabell 11 by time stratum; sex split of the top rungs from the text
    occ = np.full(n, None, dtype=object)
    t11_counts = {
        s: {OCC_FROM_T11[r]: int(parse_count(v)) for r, v in t11[col].items() if r != "Totalt"}
        for s, col in (("le6m", "Upp till 6 månader"), ("gt6m", "Mer än 6 månader"))
    }
    for stratum in ("le6m", "gt6m"):
        pool = np.flatnonzero(d["stratum"].to_numpy() == stratum)
        no_q16 = rng.choice(pool, size=miss[stratum], replace=False)
        pool = np.setdiff1d(pool, no_q16)
        counts = t11_counts[stratum]
        for rung in ("regular_work", "wage_subsidy_work"):
            for sex in ("female", "male"):
                k = cal[rung][stratum][sex]
                cand = pool[d["sex"].to_numpy()[pool] == sex]
                top = cand[np.argsort(-latent[cand], kind="stable")[:k]]
                occ[top] = rung
                pool = np.setdiff1d(pool, top)
            if sum(cal[rung][stratum].values()) != counts[rung]:
                raise ValueError(f"calibration of {rung} does not match Tabell 11")
        rest_counts = [
            ("work_or_studies", counts["unpaid_work"] + counts["studies"]),
            ("daily_activity", counts["daily_activity"]),
            (
                "rest",
                sum(counts[k] for k in BOTTOM_RUNG),
            ),
        ]
        ladder = assign_by_rank(pool, latent, rest_counts)
        ws = np.array([i for i, c in ladder.items() if c == "work_or_studies"])
        # studies go to the younger of those at work or in studies
        young = -age + rng.normal(0, 8, n)
        for i, c in assign_by_rank(
            ws, young, [("studies", counts["studies"]), ("unpaid_work", counts["unpaid_work"])]
        ).items():
            occ[i] = c
        for i in (i for i, c in ladder.items() if c == "daily_activity"):
            occ[i] = "daily_activity"
        rest = np.array([i for i, c in ladder.items() if c == "rest"])
        labels = counts_to_list(
            {k: counts[k] for k in BOTTOM_RUNG},
            rng,
        )
        for i, c in zip(rest, labels, strict=True):
            occ[i] = c
    d["occupation"] = occ
    level = (
        pd.Series(occ)
        .map(
            {
                "regular_work": 5,
                "wage_subsidy_work": 4,
                "unpaid_work": 3,
                "studies": 3,
                "daily_activity": 2,
            }
        )
        .fillna(1)
        .to_numpy()
    )

    # attachment at intake (Q9) and now (Q18), exact transition counts
    tr = cal["attachment_transitions"]
    intake_counts = {a: sum(tr[a].values()) for a in ("W", "S", "N")}
    intake_none = rng.choice(n, size=intake_counts["N"], replace=False)
    assessed = np.setdiff1d(np.arange(n), intake_none)
    wh_rank = (
        pd.Series(d["work_history"])
        .map({"lt6m": 3, "6m_2y": 2, "2y_5y": 1, "gt5y": 0, "never": -1, "unknown": 0})
        .to_numpy(dtype=float)
    )
    intake = np.full(n, "N", dtype=object)
    for i, c in assign_by_rank(
        assessed,
        wh_rank + rng.normal(0, 1.2, n),
        [("S", intake_counts["S"]), ("W", intake_counts["W"])],
    ).items():
        intake[i] = c
    now = np.full(n, "N", dtype=object)
    for a in ("W", "S", "N"):
        members = np.flatnonzero(intake == a)
        # ranked by occupation: the weak who became strong (and the few strong who became
        # weak) are those with the most (least) occupation
        order = [("S", tr[a]["S"]), ("N", tr[a]["N"]), ("W", tr[a]["W"])]
        sc = level + rng.normal(0, 0.8, n)
        if a != "N":  # 'no assessment now' is unrelated to occupation
            nn = rng.choice(members, size=tr[a]["N"], replace=False)
            now[nn] = "N"
            members = np.setdiff1d(members, nn)
            order = [o for o in order if o[0] != "N"]
        for i, c in assign_by_rank(members, sc, order).items():
            now[i] = c
    d["attachment_intake"] = [_attachment_level(c, rng) for c in intake]
    d["attachment_now"] = [_attachment_level(c, rng) for c in now]

    # income at intake (Tabell 12, random) and now (wage categories for the workers)
    t12 = load_table(published, "12")
    inc_row_code = {v: k for k, v in INCOME_ROWS.items()}

    def inc_counts(col: str) -> dict[str, int]:
        return {inc_row_code[r]: int(parse_count(v)) for r, v in t12[col].items() if r != "Totalt"}

    d["income_intake"] = counts_to_list(inc_counts("Vid inskrivning"), rng)
    now_counts = inc_counts("Vid mättillfället")
    income_now = np.full(n, None, dtype=object)
    reg = rng.permutation(np.flatnonzero(occ == "regular_work"))
    sub = rng.permutation(np.flatnonzero(occ == "wage_subsidy_work"))
    n_sub_other = cal["wage_and_other_among_wage_subsidy_workers"]
    wage_other_reg = now_counts["wage_and_other"] - n_sub_other
    plan = [
        (reg[: now_counts["wage"]], "wage"),
        (reg[now_counts["wage"] :], "wage_and_other"),
        (sub[: now_counts["wage_subsidy"]], "wage_subsidy"),
        (
            sub[now_counts["wage_subsidy"] : now_counts["wage_subsidy"] + n_sub_other],
            "wage_and_other",
        ),
    ]
    if len(reg) - now_counts["wage"] != wage_other_reg:
        raise ValueError("income calibration does not match the regular workers")
    for members, cat in plan:
        income_now[members] = cat
    left = np.flatnonzero(income_now == None)  # noqa: E711 - numpy object comparison
    left_counts = dict(now_counts)
    for cat in ("wage", "wage_subsidy", "wage_and_other"):
        left_counts[cat] = 0
    for i, c in zip(left, counts_to_list(left_counts, rng), strict=True):
        income_now[i] = c
    d["income_now"] = income_now

    # Q13 economic risk, Q15 economic situation (Tabell 14), Q17 extent (Tabell 13)
    d["economic_risk"] = counts_to_list(cal["economic_risk"], rng)
    t14 = _published_counts(published, "14", "Antal")
    sit = np.full(n, None, dtype=object)
    missing_sit = rng.choice(n, size=t14["Ej svar"] + t14["Vet ej"], replace=False)
    sit[missing_sit[: t14["Vet ej"]]] = "unknown"
    rest = np.setdiff1d(np.arange(n), missing_sit)
    for i, c in assign_by_rank(
        rest,
        level + rng.normal(0, 1.5, n),
        [("better", t14["Bättre"]), ("same", t14["Samma"]), ("worse", t14["Sämre"])],
    ).items():
        sit[i] = c
    d["economic_situation"] = sit
    t13 = _published_counts(published, "13", "Antal")
    occupied = np.flatnonzero(pd.Series(occ).notna().to_numpy() & (occ != "none"))
    nones = np.flatnonzero(occ == "none")
    extra = rng.choice(nones, size=cal["extent_answered_without_occupation"], replace=False)
    answered = np.concatenate([occupied, extra])
    extent = np.full(n, None, dtype=object)
    for i, c in assign_by_rank(
        answered,
        level + rng.normal(0, 1.0, n),
        [
            ("76_100", t13["76-100 % av heltid"]),
            ("51_75", t13["51-75 % av heltid"]),
            ("26_50", t13["26-50 % av heltid"]),
            ("1_25", t13["1-25 % av heltid"]),
        ],
    ).items():
        extent[i] = c
    d["extent"] = extent
    return d


def _attachment_level(group: str, rng: np.random.Generator) -> str | None:
    if group == "W":
        return str(rng.choice(["very_weak", "fairly_weak"], p=[0.45, 0.55]))
    if group == "S":
        return str(rng.choice(["fairly_strong", "very_strong"], p=[0.8, 0.2]))
    return [None, "no_opinion", "unknown"][int(rng.choice(3, p=[0.3, 0.3, 0.4]))]


# --------------------------------------------------------------------------------------------
# rendering with the forms' own Swedish labels
# --------------------------------------------------------------------------------------------
def _income_ticks(cat: str, when: str, rng: np.random.Generator) -> tuple[list[str], str]:
    """Q12/Q14 tick codes and 'Annat, vad:' text for an income category."""
    other_src = ["social_assistance", "unemployment_insurance"]
    if when == "intake":
        table = {
            "wage": (["other"], "Lön från deltidsanställning"),
            "wage_and_other": (["social_insurance", "other"], "Lön (timanställning)"),
            "study_allowance": (["study_allowance"], ""),
        }
    else:
        table = {
            "wage": (["wage"], ""),
            "wage_subsidy": (["wage_subsidy"], ""),
            "wage_and_other": (
                [
                    str(rng.choice(["wage", "wage_subsidy"])),
                    str(rng.choice(["social_insurance", "social_assistance"])),
                ],
                "",
            ),
            "study_allowance": (["other"], "Studiemedel"),
        }
    common = {
        "social_insurance": (["social_insurance"], ""),
        "social_assistance": (["social_assistance"], ""),
        "unemployment_insurance": (["unemployment_insurance"], ""),
        "social_insurance_and_other": (
            (["social_insurance", str(rng.choice(other_src))], "")
            if rng.random() < 0.7
            else (["social_insurance", "other"], "Bostadstillägg")
        ),
        "activity_support": (["other"], "Aktivitetsstöd"),
        "none": (["other"], "Ingen försörjning"),
        "other": (["other"], str(rng.choice(["Pension", "Stöd från anhöriga", "Underhållsstöd"]))),
        "no_answer": ([], ""),
    }
    return (table | common)[cat]


def _dx_ticks(row: str, rng: np.random.Generator) -> tuple[list[str], str]:
    order = ["psychosis", "bipolar", "depression", "neuropsychiatric", "anxiety", "substance_use"]
    names = dict(
        zip(
            ["Psykos", "Bipolär", "Depression", "Neuropsykiatrisk", "Ångest", "Missbruk"],
            order,
            strict=True,
        )
    )
    if row == "Ej svar":
        return [], ""
    if row == "Vet ej":
        return ["unknown"], ""
    if row == "Annat":
        return ["other"], str(rng.choice(DX_OTHER_TEXT))
    if row.startswith("Utvecklingsstörning"):
        return ["other"], str(rng.choice(DX_ID_TEXT))
    top = names[row.split(" ")[0]]
    if row.endswith("(endast)"):
        return [top], ""
    lower = [*order[order.index(top) + 1 :], "other"]
    k = 1 + int(rng.random() < 0.3 and len(lower) > 1)
    extra = sorted(rng.choice(len(lower), size=k, replace=False))
    ticks = [top] + [lower[i] for i in extra]
    text = ""
    if "other" in ticks:
        text = str(rng.choice(DX_OTHER_TEXT + DX_ID_TEXT))
    return ticks, text


def render_coach_forms(
    d: pd.DataFrame, programmes: pd.DataFrame, cb: Codebook, rng: np.random.Generator
) -> pd.DataFrame:
    """Coach forms as a web-survey export: Swedish headers and answer labels."""
    f = cb.coach_form
    sep = cb.multi_select_separator

    def lab(name: str, code: str | None) -> str:
        return "" if code is None or code == "missing" or pd.isna(code) else f[name].label_of(code)

    def multi(name: str, codes: list[str]) -> str:
        return sep.join(f[name].label_of(c) for c in codes)

    rows = []
    n_coaches = programmes["n_coaches"].to_numpy()
    for i, r in d.iterrows():
        prog = programmes.iloc[r["prog"]]
        coach = int(rng.integers(1, n_coaches[r["prog"]] + 1))
        cid = f"{r['prog'] + 1:02d}{coach:02d}"
        dx, dx_text = _dx_ticks(r["dx_row"], rng)
        inc_i, inc_i_text = _income_ticks(r["income_intake"], "intake", rng)
        inc_n, inc_n_text = _income_ticks(r["income_now"], "now", rng)
        occ = r["occupation"]
        occ_code, occ_text = occ, ""
        if occ in OCC_OTHER_TEXT:
            occ_code, occ_text = "other", str(rng.choice(OCC_OTHER_TEXT[occ]))
        edu = r["education"]
        rows.append(
            {
                "Ditt namn:": f"Testcoach {cid} (FIKTIV)",
                "Ditt telefonnummer:": f"000-000 {cid}",
                "Din e-post:": f"coach{cid}@exempel.invalid",
                "Verksamhetens kommun:": prog["municipality"],
                "_i": i,
                "time_in_programme": lab("time_in_programme", r["time"]),
                "employment_wish": str(rng.choice(WISHES)) if rng.random() < 0.9 else "",
                "goal": str(rng.choice(GOALS)) if rng.random() < 0.9 else "",
                "sex": lab("sex", r["sex"]),
                "age": "" if r["age"] is None or pd.isna(r["age"]) else str(int(r["age"])),
                "education": lab("education", edu),
                "education_other": "Folkhögskola" if edu == "other" else "",
                "last_employed": lab("last_employed", r["work_history"]),
                "registered_af": lab("registered_af", r["registered_af"]),
                "attachment_intake": lab("attachment_intake", r["attachment_intake"]),
                "diagnosis": multi("diagnosis", dx),
                "diagnosis_other": dx_text,
                "referral": lab("referral", r["referral"]),
                "referral_other": "Kriminalvården" if r["referral"] == "other" else "",
                "income_intake": multi("income_intake", inc_i),
                "income_intake_other": inc_i_text,
                "economic_risk": lab("economic_risk", r["economic_risk"]),
                "income_now": multi("income_now", inc_n),
                "income_now_other": inc_n_text,
                "economic_situation": lab("economic_situation", r["economic_situation"]),
                "occupation": lab("occupation", occ_code),
                "occupation_other": occ_text,
                "occupation_extent": lab("occupation_extent", r["extent"]),
                "attachment_now": lab("attachment_now", r["attachment_now"]),
            }
        )
    out = pd.DataFrame(rows)
    out = out.iloc[rng.permutation(len(out))].reset_index(drop=True)  # export order
    out.insert(0, "Formulär-ID", [f"F{i + 1:04d}" for i in range(len(out))])
    out = out.drop(columns="_i")
    return out.rename(columns={v.name: v.column for v in f.variables})


def render_programmes(p: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """The programme survey as an Excel-style export (decimal comma)."""
    form = cb.programme_survey

    def num(x: float) -> str:
        if pd.isna(x):
            return ""
        return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0").replace(".", ",")

    out = pd.DataFrame(
        {
            "Ditt namn:": [f"Testledare {i + 1:02d} (FIKTIV)" for i in range(len(p))],
            "Ditt telefonnummer:": [f"000-111 {i + 1:02d}" for i in range(len(p))],
            "Din e-post:": [f"projektledare{i + 1:02d}@exempel.invalid" for i in range(len(p))],
            "municipality": p["municipality"],
        }
    )
    for col in ("grant_2011", "grant_2012", "grant_2013"):
        out[col] = p[col].astype(str)
    out["start_month"] = [
        "" if not isinstance(s, str) else f"{SWEDISH_MONTH_NAMES[int(s[5:]) - 1]} {s[:4]}"
        for s in p["start_month"]
    ]
    out["n_coaches"] = p["n_coaches"].astype(str)
    out["coach_fte"] = p["coach_fte"].map(num)
    out["caseload"] = p["caseload"].map(num)
    for col in ("ended_regular_work", "ended_wage_subsidy", "ended_studies", "ended_dropout"):
        out[col] = p[col].astype(str)
    for var in form.variables:
        if var.type == "categorical":
            out[var.name] = [
                "" if v is None or pd.isna(v) else var.levels[int(v) - 1].label for v in p[var.name]
            ]
    for col in (
        "employer_public",
        "employer_private",
        "employer_voluntary",
        "employer_social_coop",
        "employer_other",
    ):
        out[col] = p[col].astype(str)
    return out.rename(columns={v.name: v.column for v in form.variables})


def to_csv_bytes(frame: pd.DataFrame, sep: str, bom: bool, newline: str) -> bytes:
    """Deterministic CSV bytes."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(frame.columns)
    writer.writerows(frame.astype(str).itertuples(index=False, name=None))
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def generate(
    config_path: str | Path, codebook_path: str | Path, published: str | Path
) -> dict[str, bytes]:
    """Generate the two synthetic files; returns {filename: bytes}."""
    cfg = yaml.safe_load(Path(config_path).read_text(encoding="utf-8"))
    cb = load_codebook(codebook_path)
    rng = np.random.default_rng(int(cfg["seed"]))
    pub = Path(published)
    programmes = make_programmes(cfg, pub, rng)
    participants = make_participants(cfg, pub, programmes, rng)
    forms = render_coach_forms(participants, programmes, cb, rng)
    prog = render_programmes(programmes, cb)
    return {
        # programme survey as Swedish Excel saves CSV: ';', decimal comma, BOM, CRLF
        "programmes.csv": to_csv_bytes(prog, ";", True, "\r\n"),
        # coach forms as a web-survey export: ',', UTF-8, LF
        "coach_forms.csv": to_csv_bytes(forms, ",", False, "\n"),
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: write the synthetic files into --out."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="config/synthetic.yaml")
    ap.add_argument("--codebook", default="config/codebook.yaml")
    ap.add_argument("--published", default="data/raw/published")
    ap.add_argument("--out", default="data/raw")
    args = ap.parse_args(argv)
    for name, data in generate(args.config, args.codebook, args.published).items():
        (Path(args.out) / name).write_bytes(data)
        print(f"wrote {Path(args.out) / name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
