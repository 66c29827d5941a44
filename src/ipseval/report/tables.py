"""The report's own tables and figures (the `report_tables` rule): findings from the
collected coefficients, and every count through the disclosure step first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ipseval.common.io import read_result_csv
from ipseval.data.codebook import Codebook, load_codebook
from ipseval.data.derive import AGE_BANDS, level_orders, read_participants
from ipseval.publication import disclosure as dc
from ipseval.publication import publish
from ipseval.report.charts import (
    caterpillar_figure,
    context_figure,
    funnel_figure,
    models_figure,
    outcomes_figure,
    participants_figure,
)
from ipseval.report.text import interval_level, level_words, month_text, term_label, translations
from ipseval.reproduction.reproduce import read_check

HEADLINE = (  # text figure id -> translation key of its label
    ("regular_work_pct", "h_reg"),
    ("paid_work_incl_subsidy_pct", "h_paid"),
    ("closer_to_labour_market_pct", "h_closer"),
    ("any_occupation_pct", "h_any"),
    ("no_occupation_pct", "h_none"),
)


FINDING_COLUMNS = [
    "outcome",
    "specification",
    "term",
    "level",
    "estimator",
    "recommended_estimator",
    "odds_ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "programmes",
    "note",
]


def natural_orders(cb: Codebook) -> dict[str, list[str]]:
    """Value order of the columns shown in section 4 (the form's order, the report's bands)."""
    orders: dict[str, list[str]] = dict(level_orders(cb))
    orders["age_band"] = [label for _, label in AGE_BANDS]
    return orders


def headline(check: pd.DataFrame) -> pd.DataFrame:
    """The evaluation's headline percentages as published and as reproduced."""
    text = check[check["table"] == "text"].set_index("row")
    rows = []
    for fid, key in HEADLINE:
        r = text.loc[fid]
        rows.append(
            {
                "id": fid,
                "key": key,
                "published_pct": float(r["published"]),
                "reproduced_pct": float(r["reproduced"]),
                "status": r["status"],
            }
        )
    return pd.DataFrame(rows)


def programme_level_terms(terms: Iterable[str], predictors: Mapping[str, Any]) -> set[str]:
    """The terms of `terms` that belong to a programme-level predictor (`level: programme`)."""
    names = [n for n, p in predictors.items() if p.get("level") == "programme"]
    return {t for t in terms if any(t == n or t.startswith(f"{n}[") for n in names)}


def summary_terms(
    coefficients: pd.DataFrame, spec: str, chosen: Sequence[str] | None = None
) -> list[str]:
    """The terms the summary reports: `chosen` (report.summary_terms) where fitted, else
    every term of `spec` in model order (the intercept aside)."""
    fitted = list(dict.fromkeys(coefficients.loc[coefficients["specification"] == spec, "term"]))
    fitted = [t for t in fitted if t != "Intercept"]
    return [t for t in chosen if t in fitted] if chosen else fitted


def findings(
    coefficients: pd.DataFrame,
    summaries: pd.DataFrame,
    predictors: Mapping[str, Any],
    programme_estimator: str,
    spec: str,
    chosen: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Key terms of `spec` per outcome (complete cases): participant-level terms from the
    outcome's recommended estimator, programme-level terms from `programme_estimator`
    (falling back to the recommended one where that was not fitted, e.g. under separation).
    Terms flagged degenerate are never findings. A term whose first-choice estimator's
    inference is not identified (a rank-deficient programme-clustered covariance) is a row
    without an estimate whose `note` says so; so is an outcome with no fit at all."""
    rows = []
    cc = coefficients[
        (coefficients["specification"] == spec) & (coefficients["method"] == "complete_case")
    ]
    status = cc["status"] if "status" in cc else pd.Series("ok", index=cc.index)
    terms = summary_terms(coefficients, spec, chosen)
    programme_terms = programme_level_terms(terms, predictors)
    for s in summaries[summaries["specification"] == spec].itertuples():
        base = {
            "outcome": s.outcome,
            "specification": spec,
            "recommended_estimator": s.recommended_estimator,
            "programmes": getattr(s, "programmes", np.nan),
        }
        if not getattr(s, "estimable", True):
            rows.append(base | {"term": "", "note": f"not estimable: {s.not_estimable_reason}"})
            continue
        fits = cc[(cc["outcome"] == s.outcome) & (status == "ok")]
        unidentified = cc[(cc["outcome"] == s.outcome) & (status == "not_identified")]
        for term in terms:
            choice = [s.recommended_estimator]
            if term in programme_terms:
                choice.insert(0, programme_estimator)
            level = "programme" if term in programme_terms else "participant"
            hit = unidentified[
                (unidentified["estimator"] == choice[0]) & (unidentified["term"] == term)
            ]
            if len(hit):
                note = f"not estimable with {base['programmes']} programmes"
                rows.append(
                    base | {"term": term, "level": level, "estimator": choice[0], "note": note}
                )
                continue
            for estimator in choice:
                hit = fits[(fits["estimator"] == estimator) & (fits["term"] == term)]
                if len(hit) and pd.notna(hit["odds_ratio"].iloc[0]):
                    r = hit.iloc[0]
                    rows.append(
                        base
                        | {
                            "term": term,
                            "level": level,
                            "estimator": estimator,
                            "odds_ratio": r["odds_ratio"],
                            "ci_low": r["ci_low"],
                            "ci_high": r["ci_high"],
                            "p_value": r["p_value"],
                            "note": "",
                        }
                    )
                    break
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def estimates(
    coefficients: pd.DataFrame,
    summaries: pd.DataFrame,
    predictors: Mapping[str, Any],
    programme_estimator: str,
    specifications: Sequence[str],
) -> pd.DataFrame:
    """Every term of every specification, chosen per term as the findings are (the report's
    compact forest plot and its table across specifications)."""
    parts = [
        findings(coefficients, summaries, predictors, programme_estimator, spec)
        for spec in specifications
    ]
    parts = [p[p["odds_ratio"].notna()] for p in parts]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FINDING_COLUMNS)


VARIATION = ("icc", "median_odds_ratio", "programme_sd")


def variation_and_truth(
    statistics: pd.DataFrame, truth: pd.DataFrame, summaries: pd.DataFrame, spec: str
) -> pd.DataFrame:
    """Per outcome of `spec`: the random-intercept fit's programme variation (SD, ICC and
    median odds ratio with intervals) and, on synthetic data, how many of the generator's
    true coefficients the recommended estimator's intervals cover (complete cases)."""
    rows = []
    for s in summaries[summaries["specification"] == spec].itertuples():
        row: dict[str, Any] = {"outcome": s.outcome, "specification": spec}
        st = statistics[
            (statistics["outcome"] == s.outcome)
            & (statistics["specification"] == spec)
            & (statistics["estimator"] == "random_intercept")
        ].set_index("statistic")["value"]
        for key in VARIATION:
            for suffix in ("", "_ci_low", "_ci_high"):
                row[key + suffix] = float(st.get(key + suffix, np.nan))
        tr = truth[
            (truth["outcome"] == s.outcome)
            & (truth["specification"] == spec)
            & (truth["estimator"] == s.recommended_estimator)
            & (truth["method"] == "complete_case")
        ]
        row |= {
            "truth_estimator": s.recommended_estimator if len(tr) else "",
            "truth_terms": len(tr),
            "truth_covered": int(tr["covered"].astype(bool).sum()) if len(tr) else 0,
            "truth_mean_error": float(tr["error"].mean()) if len(tr) else np.nan,
        }
        rows.append(row)
    columns = ["outcome", "specification"]
    columns += [k + x for k in VARIATION for x in ("", "_ci_low", "_ci_high")]
    columns += ["truth_estimator", "truth_terms", "truth_covered", "truth_mean_error"]
    return pd.DataFrame(rows, columns=columns)


def write_tables(
    inputs: Mapping[str, Any], params: Mapping[str, Any], outputs: Mapping[str, Any]
) -> None:
    """Compute the report's own tables and figures from result files: every count derived
    from the microdata goes through the disclosure step (ipseval.publication.disclosure) first."""
    synthetic, threshold = bool(params["synthetic"]), int(params["threshold"])
    language = params["language"]
    cb = load_codebook(inputs["codebook"])
    participants = read_participants(inputs["participants"], cb)  # restricted in build
    source = []
    if inputs.get("check"):
        check = read_check(inputs["check"])
        publish.write(publish.public_headline(headline(check)), outputs["headline"])
        publish.write(publish.public_reproduction(check), outputs["reproduction"])
        source = publish.source_cells(check)
    coefficients = read_result_csv(inputs["coefficients"])
    summaries = read_result_csv(inputs["summaries"])
    chosen = (params["predictors"], params["programme_level_estimator"])
    finds = findings(
        coefficients, summaries, *chosen, params["summary_spec"], params["summary_terms"]
    )
    publish.write(finds, outputs["findings"])
    every = estimates(coefficients, summaries, *chosen, params["specifications"])
    publish.write(every, outputs["estimates"])
    publish.write(
        variation_and_truth(
            read_result_csv(inputs["statistics"]),
            read_result_csv(inputs["truth"]),
            summaries,
            params["summary_spec"],
        ),
        outputs["variation"],
    )
    orders = natural_orders(cb)
    analysed = read_result_csv(inputs["pc_analysed"]) if inputs.get("pc_analysed") else None
    pub, people = publish.build(participants, params, orders, source, analysed)
    status, audited = dc.protect(pub, people, threshold)
    protected = publish.tables(pub, status, params, threshold)
    # levels in words in the report's language, beside the data's own values
    t = translations(language)
    columns = {label: column for column, label in params["participant_tables"]["variables"].items()}
    ptab = protected["participant_tables"]
    ptab.insert(
        2,
        "level_label",
        [
            level_words(columns[v], lv, cb, params["predictors"], t)
            for v, lv in zip(ptab["variable"], ptab["level"], strict=True)
        ],
    )
    rates = protected["outcome_rates"]
    group = params.get("outcome_groups") or ""
    rates.insert(
        2,
        "group_label",
        [level_words(group, g, cb, params["predictors"], t) for g in rates["group"]],
    )
    for name, frame in protected.items():
        publish.write(frame, outputs[name])
    cleaning, cpub, cstatus, caudit = publish.cleaning_tables(
        read_result_csv(inputs["accounting"]),
        read_result_csv(inputs["excluded"], dtype=str, keep_default_na=False),
        threshold,
    )
    for name, frame in cleaning.items():
        publish.write(frame, outputs[name])
    audit = dc.audit_summary(audited, status, pub)
    if cpub.tables:
        audit = pd.concat([audit, dc.audit_summary(caudit, cstatus, cpub)], ignore_index=True)
    if inputs.get("pc_comparison"):
        extra = programme_outputs(inputs, params, outputs, pub, status, rates, threshold, t)
        audit = pd.concat([audit, *extra], ignore_index=True)
    publish.write(audit, outputs["disclosure"])
    labels = {o: params["outcome_labels"][o] for o in params["outcomes"]}
    participants_figure(
        protected["participant_tables"], Path(outputs["fig_participants"]), synthetic, t
    )
    level = interval_level(float(params["alpha"]))
    grouped = publish.outcome_group(participants, params)
    by_label = params.get("outcome_groups_label") if grouped else None
    outcomes_figure(rates, labels, by_label, level, Path(outputs["fig_outcomes"]), synthetic)
    term_labels = {
        term: term_label(term, params["predictors"], t) for term in every.get("term", [])
    }
    models_figure(every, labels, term_labels, level, Path(outputs["fig_models"]), synthetic)
    if inputs.get("literature"):
        context_figure(
            pd.read_csv(inputs["literature"]),
            rates,
            labels,
            month_text(params["survey_month"], language),
            Path(outputs["fig_context"]),
            synthetic,
        )


def programme_outputs(
    inputs: Mapping[str, Any],
    params: Mapping[str, Any],
    outputs: Mapping[str, Any],
    pub: dc.Publication,
    status: Mapping[dc.Cell, str],
    rates: pd.DataFrame,
    threshold: int,
    t: Mapping[str, Any],
) -> list[pd.DataFrame]:
    """The programme stage's public files (issue 28): the comparison and the programme
    effects as the disclosure step allows, the estimates, the leavers through a disclosure
    step of their own, and the funnel and caterpillar plots drawn from the protected tables;
    returns the leavers' audit summary (empty list without leavers)."""
    pc = publish.programme_tables(
        pub,
        status,
        threshold,
        read_result_csv(inputs["pc_comparison"]),
        read_result_csv(inputs["pc_caterpillar"]),
    )
    for name, frame in pc.items():
        publish.write(frame, outputs[name])
    publish.write(read_result_csv(inputs["pc_variation"]), outputs["programme_variation"])
    practice = read_result_csv(inputs["pc_practice"])
    publish.write(practice.drop(columns=["n"]), outputs["practice"])
    time_check = read_result_csv(inputs["pc_time_check"])
    publish.write(time_check.drop(columns=["n", "smallest_cell"]), outputs["time_check"])
    settings = params["programme_comparison"]
    labels = {o: params["outcome_labels"].get(o, o) for o in settings["outcomes"]}
    synthetic = bool(params["synthetic"])
    funnel_figure(
        pc["programme_comparison"],
        read_result_csv(inputs["pc_funnel"]),
        labels,
        Path(outputs["fig_funnel"]),
        synthetic,
        t,
    )
    caterpillar_figure(
        pc["programme_effects"], labels, Path(outputs["fig_caterpillar"]), synthetic, t
    )
    flow = read_result_csv(inputs["pc_flow"])
    audits = []
    if len(flow):
        published = {}
        if inputs.get("check"):  # the source's counts of leavers, where reproduced exactly
            check = read_check(inputs["check"])
            text = check[(check["table"] == "text") & (check["status"] == "match")]
            published = {
                r.row: int(float(r.published))
                for r in text.itertuples()
                if r.row.startswith("ended_")
            }
        tables, lpub, lstatus, laudit = publish.leaver_tables(
            flow, rates, params["outcome_definitions"], settings["outcomes"], threshold, published
        )
        audits.append(dc.audit_summary(laudit, lstatus, lpub))
    else:
        tables = {
            "leaver_reasons": pd.DataFrame(columns=["reason", "count", "status"]),
            "leavers": pd.DataFrame(columns=["outcome", "leavers"]),
        }
    for name, frame in tables.items():
        publish.write(frame, outputs[name])
    return audits
