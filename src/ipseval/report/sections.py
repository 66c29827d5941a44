"""The optional sections of the report: reproduction, robustness, simulation study, the
open questions of a draft."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ipseval.common.io import read_result_csv
from ipseval.data.codebook import Codebook
from ipseval.report.html import img, table
from ipseval.report.text import term_label
from ipseval.reproduction.reproduce import read_check, side_by_side, summarise


def reproduction_section(
    inputs: Mapping[str, Any], params: Mapping[str, Any], t: Mapping[str, Any]
) -> dict[str, Any]:
    """Section 3 and the published headline figures: every published cell beside its
    reproduction (only when the run reproduces Socialstyrelsen 2013's tables)."""
    check = read_check(inputs["reproduction"])  # the public version (publish)
    head = read_result_csv(inputs["headline"])
    tables = []
    for name in dict.fromkeys(check.loc[check["table"] != "text", "table"]):
        tables.append(
            {
                "name": name,
                "anchor": "repro-" + re.sub(r"\W+", "-", name).strip("-").lower(),
                "html": table(
                    side_by_side(check, name).rename_axis(index=None, columns=None),
                    index=True,
                    classes="repro",
                ),
            }
        )
    text_figs = check[check["table"] == "text"][
        ["row", "kind", "published", "reproduced", "status"]
    ]
    return {
        "n_cells": len(check),
        "n_match": int((check["status"] == "match").sum()),
        "n_incons": int((check["status"] == "source_inconsistent").sum()),
        "counts": table(summarise(check)),
        "headline": [
            {
                "label": t[r.key],
                "published": f"{r.published_pct:.0f} %",
                "reproduced": "–" if pd.isna(r.reproduced_pct) else f"{r.reproduced_pct:.1f} %",
                "status": r.status,
            }
            for r in head.itertuples()
        ],
        "tables": tables,
        "text_figures": table(text_figs),
        "inconsistencies": table(pd.read_csv(inputs["inconsistencies"])),
    }


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def robustness(
    inputs: Mapping[str, Any], t: Mapping[str, Any], predictors: Mapping[str, Any]
) -> dict[str, Any]:
    """Section 6: the specification curve of the grid the run has (`mv_*` inputs)."""
    summ = read_result_csv(inputs["mv_summary"])
    summ["term"] = [term_label(x, predictors, t) for x in summ["term"]]
    by_choice = read_result_csv(inputs["mv_by_choice"])
    by_choice["term"] = [term_label(x, predictors, t) for x in by_choice["term"]]
    sentences = [
        t["robust_sentence"].format(
            term=r.term,
            below=_pct(r.share_below_1),
            n=r.estimated,
            total=r.specifications,
            sig_neg=_pct(r.share_significant_negative),
            sig_pos=_pct(r.share_significant_positive),
            median=f"{r.median_odds_ratio:.2f}",
            low=f"{r.min_odds_ratio:.2f}",
            high=f"{r.max_odds_ratio:.2f}",
        )
        for r in summ.itertuples()
        if r.estimated
    ]
    specs = read_result_csv(inputs["mv_specifications"])
    return {
        "grid": Path(inputs["mv_summary"]).parent.name,
        "n_specs": len(
            specs.drop_duplicates(
                ["outcome", "predictor_set", "sample", "missing_data", "estimator"]
            )
        ),
        "sentences": sentences,
        "figure": img(inputs["mv_figure"], t["fig_curve"]),
        "summary": table(summ),
        "by_choice": table(by_choice),
    }


def simulation_section(inputs: Mapping[str, Any]) -> dict[str, Any] | None:
    """Section 7: the simulation study's tables and figure, when the study has been run."""
    if not inputs.get("sim_summary"):
        return None
    head = read_result_csv(inputs["sim_headline"])
    shown = head.copy()
    for col in shown.columns:
        if col.startswith(("type_i", "mean_cov", "min_cov", "failed")):
            shown[col] = [f"{100 * v:.1f} %" for v in shown[col]]  # rates as percentages
    return {
        "replicates": int(head["replicates"].max()),
        "headline": table(shown),
        "figure": img(inputs["sim_figure"], "simulation study"),
        "summary": table(read_result_csv(inputs["sim_summary"]).round(3)),
    }


# --- figures of section 4 and 6 -------------------------------------------------------------


def participant_tables_html(ptab: pd.DataFrame, t: Mapping[str, Any]) -> list[dict[str, str]]:
    """Section 4's tables from the protected participant tables (`count` as published:
    digits, "<t" or "–"), each hidden cell with the note that says why, never as small."""
    out = []
    for label, sub in ptab.groupby("variable", sort=False):
        shown = pd.DataFrame(
            {
                "": sub["level_label"] if "level_label" in sub else sub["level"],
                t["count"]: sub["count"],
                t["status_column"]: [t.get(f"status_{s}", "") for s in sub["status"]],
            }
        )
        out.append({"label": label, "html": table(shown)})
    return out


def open_questions(config: Mapping[str, Any], cb: Codebook, t: Mapping[str, Any]) -> list[str]:
    """The questions a draft left open (issue 27), as HTML list items: the codebook's `todo`
    of each column, then the configuration's `todo` list. Their text is the files' own
    (column headers and names, never answers); `name` in backticks is shown as code."""

    def html(text: str) -> str:
        parts = str(text).split("`")
        return "".join(
            f"<code>{escape(p)}</code>" if i % 2 else escape(p) for i, p in enumerate(parts)
        )

    out = []
    for form in (cb.programme_survey, cb.coach_form):
        for var in form.variables if form is not None else ():
            if var.todo:
                column = f"`{var.column or var.name}`"
                where = t["todo_codebook"].format(form=form.title, column=column)
                out.append(f"{html(where)}: {html(var.todo)}")
    out += [f"{escape(t['todo_config'])}: {html(q)}" for q in config.get("todo", [])]
    return out


def _or(x: float, beyond: float | None = None) -> str:
    """An odds ratio as the report writes it (two decimals); an infinite one (a minimum
    detectable odds ratio the grid never reached) as '> the grid's largest'."""
    if pd.isna(x):
        return "–"
    if np.isinf(x):
        return f"> {beyond:g}" if beyond else "–"
    return f"{x:.2f}"


def programme_section(
    inputs: Mapping[str, Any], params: Mapping[str, Any], t: Mapping[str, Any], level: str
) -> dict[str, Any] | None:
    """The programme comparison, practice and outcome, and the participants who had left
    (issue 28), from the public files only: the disclosure step has already decided which
    programme may be shown. None where the run has no such stage."""
    settings = params.get("programme_comparison")
    if not settings or not inputs.get("programme_comparison"):
        return None
    outcomes = params["outcome_definitions"]
    label = {o: outcomes[o]["label"] for o in settings["outcomes"] if o in outcomes}
    predictors = settings["predictors"]
    case_mix = (
        "; ".join(
            predictors[p]["label"]
            for p in settings["case_mix"]
            if p in predictors and predictors[p].get("level", "participant") != "programme"
        )
        or t["pc_no_case_mix"]
    )
    comparison = read_result_csv(inputs["programme_comparison"], dtype=str, keep_default_na=False)
    variation = read_result_csv(inputs["programme_variation"]).set_index("outcome")
    positions = []
    for outcome in label:
        c = comparison[comparison["outcome"] == outcome]
        if outcome not in variation.index:
            continue
        v = variation.loc[outcome]
        share = v["variance_explained_by_case_mix"]
        explained = (
            t["pc_explained"].format(share=f"{100 * share:.0f} %")
            if pd.notna(share) and share > 0
            else t["pc_not_explained"]
        )
        shown = c[c["position"] != ""]
        positions.append(
            t["pc_position"].format(
                outcome=label[outcome],
                shown=len(shown),
                above=int((shown["position"] == "above").sum()),
                below=int((shown["position"] == "below").sum()),
                level=level,
                hidden=len(c) - len(shown),
                mor_null=f"{v['mor_null']:.2f}",
                mor_adjusted=f"{v['mor_adjusted']:.2f}",
                explained=explained,
            )
        )
    items = settings["practice"]["items"]
    practice = read_result_csv(inputs["practice"])
    rows, set_rows = [], []
    beyond = max(settings["practice"]["power"]["odds_ratios"])
    for r in practice.itertuples():
        row = {
            t["col_item"]: items.get(r.item, {}).get("label", r.item),
            t["outcome"]: label.get(r.outcome, r.outcome),
            t["col_or_ci"]: f"{_or(r.odds_ratio)} ({_or(r.ci_low)}–{_or(r.ci_high)})",
            t["col_programmes"]: int(r.programmes),
            t["col_mdor"]: _or(r.minimum_detectable_or, beyond),
        }
        if r.model == "single":
            rows.append(row | {t["col_p_holm"]: "–" if pd.isna(r.p_holm) else f"{r.p_holm:.2f}"})
        else:
            set_rows.append(row)
    power = settings["practice"]["power"]
    flow = flow_tables(inputs, label, t)
    time = time_sentences(inputs, label, t)
    return {
        "intro": t["pc_intro"].format(case_mix=case_mix),
        "positions": positions,
        "funnel": img(inputs["fig_funnel"], t["fig_funnel"]),
        "caterpillar": img(inputs["fig_caterpillar"], t["fig_caterpillar"]),
        "practice_note": t["pc_practice_note"].format(
            k=practice.loc[practice["model"] == "single", "item"].nunique(),
            g=int(practice["programmes"].max()) if len(practice) else 0,
            power=f"{100 * power['power']:.0f} %",
            replicates=power["replicates"],
        ),
        "skipped": skipped_lines(inputs, items, predictors, label, t),
        "practice": table(pd.DataFrame(rows)) if rows else "",
        "practice_set": table(pd.DataFrame(set_rows)) if set_rows else "",
        **flow,
        "time": time,
    }


def flow_tables(
    inputs: Mapping[str, Any], label: Mapping[str, str], t: Mapping[str, Any]
) -> dict[str, str]:
    """The leavers by reason and the rates among everyone ever enrolled, as published."""
    reasons = read_result_csv(inputs["leaver_reasons"], dtype=str, keep_default_na=False)
    if not len(reasons):
        return {"reasons": "", "ever": ""}
    from ipseval.publication.disclosure import ALL

    reasons = reasons.assign(
        reason=[t["total"] if r == ALL else t.get(f"reason_{r}", r) for r in reasons["reason"]]
    )[["reason", "count"]].rename(columns={"reason": t["col_reason"], "count": t["col_count"]})
    leavers = read_result_csv(inputs["leavers"])
    ever = []
    for r in leavers.itertuples():
        known = pd.notna(r.rate_low)
        ever.append(
            {
                t["outcome"]: label.get(r.outcome, r.outcome),
                t["col_stock"]: f"{100 * r.stock_rate:.1f} %" if known else "–",
                t["col_ever"]: f"{100 * r.rate_low:.1f}–{100 * r.rate_high:.1f} %"
                if known
                else "–",
            }
        )
    return {"reasons": table(reasons), "ever": table(pd.DataFrame(ever))}


def time_sentences(
    inputs: Mapping[str, Any], label: Mapping[str, str], t: Mapping[str, Any]
) -> list[str]:
    """The length-bias check of time in the programme, in words."""
    check = read_result_csv(inputs["time_check"])
    out = []
    for outcome, part in check.groupby("outcome", sort=False):
        by = part.set_index("sample")["odds_ratio"]
        keys = ["crude, stock", "crude, leavers all longer", "crude, leavers all shorter"]
        if not all(k in by.index for k in keys):
            continue
        low, high = sorted([by[keys[1]], by[keys[2]]])
        text = t["pc_time"].format(
            outcome=label.get(outcome, outcome),
            stock=_or(by[keys[0]]),
            low=_or(low),
            high=_or(high),
        )
        none = part[part["sample"] == "programmes no one had left, crude"]
        if len(none):
            r = none.iloc[0]
            value = (
                t["pc_time_or"].format(
                    value=_or(r["odds_ratio"]), low=_or(r["ci_low"]), high=_or(r["ci_high"])
                )
                if pd.notna(r["odds_ratio"])
                else t["pc_time_too_few"]
            )
            text += " " + t["pc_time_none_left"].format(k=int(r["programmes"]), value=value)
        out.append(text)
    return out


def programme_limitation(
    inputs: Mapping[str, Any], params: Mapping[str, Any], t: Mapping[str, Any]
) -> list[str]:
    """The limitation the programme stage found: the power at this number of programmes
    (the median minimum detectable odds ratio of the items) and the range the leavers leave
    for the time-in-programme odds ratio (of the first outcome compared)."""
    practice = read_result_csv(inputs["practice"])
    single = practice[practice["model"] == "single"]
    if not len(single):
        return []
    power = params["programme_comparison"]["practice"]["power"]
    mdor = single["minimum_detectable_or"].median()
    check = read_result_csv(inputs["time_check"])
    first = check[check["outcome"] == params["programme_comparison"]["outcomes"][0]]
    by = first.set_index("sample")["odds_ratio"]
    keys = ["crude, leavers all longer", "crude, leavers all shorter"]
    if not all(k in by.index for k in keys):
        return []
    low, high = sorted(by[k] for k in keys)
    return [
        t["pc_limitation"].format(
            k=int(single["programmes"].max()),
            mdor=f"≈{_or(mdor, max(power['odds_ratios']))}",
            low=_or(low),
            high=_or(high),
        )
    ]


def skipped_lines(
    inputs: Mapping[str, Any],
    items: Mapping[str, Any],
    predictors: Mapping[str, Any],
    label: Mapping[str, str],
    t: Mapping[str, Any],
) -> list[str]:
    """What the programme stage left out, in words of the report's language (the reasons
    in full are in restricted/programmes/skipped.csv)."""
    if not inputs.get("pc_skipped"):
        return []
    skipped = read_result_csv(inputs["pc_skipped"], dtype=str, keep_default_na=False)
    out = []
    for r in skipped.itertuples():
        name = {
            "practice": items.get(r.name, {}).get("label", r.name),
            "case mix": predictors.get(r.name, {}).get("label", r.name),
        }.get(r.part, label.get(r.name, r.name))
        what = t.get("pc_skip_" + r.part.replace(" ", "_"), r.part)
        out.append(escape(what.format(name=name)))
    return out
