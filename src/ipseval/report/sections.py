"""The optional sections of the report: reproduction, robustness, simulation study, the
open questions of a draft."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

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
