"""The assembled report: the tables it is built from (`report_tables`), disclosure control,
and the single self-contained HTML page (`render`). Every number in the page comes from a
result file; this module only selects, formats and lays them out."""

from __future__ import annotations

import base64
import hashlib
import html
import platform
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
import yaml
from scipy import stats

from . import figures, present
from .codebook import Codebook, load_codebook
from .derive import AGE_BANDS, NO_ANSWER, level_orders
from .io import SYNTHETIC_NOTICE, read_result_csv
from .reproduce import read_check, side_by_side, summarise

TEMPLATES = Path(__file__).parent / "templates"
SUMMARY_FIELDS = [
    "n_analysed",
    "n_complete_case",
    "events",
    "events_per_parameter",
    "programmes",
    "separation",
    "recommended_estimator",
    "recommendation_reason",
]
SECONDARY = "×"  # a count hidden only so that a small one cannot be recovered from a total
HEADLINE = (  # text figure id -> translation key of its label
    ("regular_work_pct", "h_reg"),
    ("paid_work_incl_subsidy_pct", "h_paid"),
    ("closer_to_labour_market_pct", "h_closer"),
    ("any_occupation_pct", "h_any"),
    ("no_occupation_pct", "h_none"),
)
PARTICIPANT_VARIABLES = (  # column of participants.csv, label
    ("age_band", "Age band (Q5)"),
    ("sex", "Sex (Q4)"),
    ("diagnosis_group", "Diagnosis group (Q10, hierarchy)"),
    ("work_history", "Time since last employment (Q7)"),
    ("education_code", "Education (Q6)"),
)


def translations(language: str) -> dict[str, Any]:
    """Heading/label/caption key -> text in `language` ('en' or 'sv')."""
    table = yaml.safe_load((TEMPLATES / "translations.yaml").read_text(encoding="utf-8"))
    return {key: value[language] for key, value in table.items()}


# --- disclosure control --------------------------------------------------------------------


def suppress(counts: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Primary and secondary suppression of a table of counts with row and column margins.

    Primary: cells with 0 < count < threshold. Secondary: in any row or column with exactly
    one hidden cell (which the others and the margin would reveal), the smallest other
    non-zero cell is hidden too; repeated until no row or column has a lone hidden cell.
    Pass margins as the last row and column so that they are protected the same way.
    Returns 0 (show), 1 (primary: below the threshold) or 2 (secondary: hidden only to
    protect a primary cell) per cell. Hand-written:
    the maintained SDC libraries (sdcMicro, tau-argus) are R/Java, not Python packages.
    """
    values = counts.to_numpy(dtype=float)
    primary = (values > 0) & (values < threshold)
    hide = primary.copy()
    if not hide.any():
        return pd.DataFrame(0, index=counts.index, columns=counts.columns)
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines = hide if axis == 1 else hide.T
            vals = values if axis == 1 else values.T
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1:
                    candidates = np.where(~lines[i] & (vals[i] > 0), vals[i], np.inf)
                    if np.isfinite(candidates).any():
                        lines[i, int(np.argmin(candidates))] = True
                        changed = True
    code = np.where(primary, 1, np.where(hide, 2, 0))
    return pd.DataFrame(code, index=counts.index, columns=counts.columns)


def _order(found: Sequence[str], order: Sequence[str]) -> list[str]:
    known = [v for v in order if v in set(found)]
    return (
        known
        + sorted(v for v in found if v not in set(known) and v != NO_ANSWER)
        + ([NO_ANSWER] if NO_ANSWER in set(found) else [])
    )


def crosstab(
    participants: pd.DataFrame,
    column: str,
    by: str,
    threshold: int,
    orders: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Counts of `column` × `by` (missing shown as 'Ej svar') with margins, in the natural
    order of `orders`, suppressed: cells to hide are written '<threshold'."""
    orders = orders or {}
    d = (
        participants[[column, by]]
        .astype(object)
        .where(participants[[column, by]].notna(), NO_ANSWER)
    )
    table = pd.crosstab(d[column], d[by])
    table = table.reindex(
        index=_order(list(table.index), orders.get(column, [])),
        columns=_order(list(table.columns), orders.get(by, [])),
    )
    # margins are part of the table: a small row total is itself a small count, and every
    # row and column (with its margin) must not have exactly one hidden entry
    full = table.copy()
    full["Totalt"] = table.sum(axis=1)
    full.loc["Totalt"] = full.sum(axis=0)
    mask = suppress(full, threshold).to_numpy()
    return full.astype(object).where(mask != 1, f"<{threshold}").where(mask != 2, SECONDARY)


def natural_orders(cb: Codebook) -> dict[str, list[str]]:
    """Value order of the columns shown in section 4 (the form's order, the report's bands)."""
    orders: dict[str, list[str]] = dict(level_orders(cb))
    for q in ("sex", "time_in_programme"):
        orders[q] = [lv.label for lv in cb.coach_form[q].levels]
    orders["age_band"] = [label for _, label in AGE_BANDS]
    return orders


def participant_tables(
    participants: pd.DataFrame, threshold: int, orders: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    """Long table: variable, level, time in programme, count (or '<threshold')."""
    d = participants.copy()
    rows = []
    for column, label in PARTICIPANT_VARIABLES:
        t = crosstab(d, column, "time_in_programme", threshold, orders)
        for level, r in t.iterrows():
            for col, value in r.items():
                rows.append(
                    {
                        "variable": label,
                        "column": column,
                        "level": str(level),
                        "time_in_programme": str(col),
                        "count": str(value),
                    }
                )
    return pd.DataFrame(rows)


def outcomes_by_time(
    participants: pd.DataFrame, outcomes: Sequence[str], time_order: Sequence[str] = ()
) -> pd.DataFrame:
    """Share with each outcome by time in programme, with Wilson 95 % intervals."""
    rows = []
    times = _order(list(participants["time_in_programme"].dropna().unique()), time_order)
    for outcome in outcomes:
        y = participants[f"y_{outcome}"]
        for time in times:
            sub = y[participants["time_in_programme"] == time].dropna()
            k, n = int(sub.sum()), len(sub)
            ci = stats.binomtest(k, n).proportion_ci(method="wilson")
            rows.append(
                {
                    "outcome": outcome,
                    "time_in_programme": time,
                    "events": k,
                    "n": n,
                    "share": k / n,
                    "ci_low": ci.low,
                    "ci_high": ci.high,
                }
            )
    return pd.DataFrame(rows)


def missingness(
    participants: pd.DataFrame, predictors: Mapping[str, Mapping[str, Any]], threshold: int
) -> pd.DataFrame:
    """Missing values per model predictor (after its `missing` codes), suppressed below the
    threshold (a missing count alone reveals nothing about a cell, but small counts of
    non-response are still shown as '<threshold')."""
    rows = []
    n = len(participants)
    for name, p in predictors.items():
        v = participants[p["column"]]
        miss = v.isna() | v.isin(p.get("missing", []))
        k = int(miss.sum())
        small = 0 < k < threshold
        rows.append(
            {
                "predictor": name,
                "column": p["column"],
                "label": p["label"],
                "missing": f"<{threshold}" if small else str(k),
                "percent": "–" if small else f"{100 * k / n:.1f}",
                "of": n,
            }
        )
    return pd.DataFrame(rows)


# --- the summary -----------------------------------------------------------------------------


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


# Terms reported in the summary, in order (when in the core specification) -> translation key
# of their plain-words description.
TERM_KEYS = {
    "caseload": "term_caseload",
    "work_history[never]": "term_work_history_never",
    "age": "term_age",
    "diagnosis[psychosis]": "term_psychosis",
    "time_in_programme": "term_time",
}


def programme_level_terms(terms: Iterable[str], predictors: Mapping[str, Any]) -> set[str]:
    """The terms of `terms` that belong to a programme-level predictor (`level: programme`)."""
    names = [n for n, p in predictors.items() if p.get("level") == "programme"]
    return {t for t in terms if any(t == n or t.startswith(f"{n}[") for n in names)}


def findings(
    coefficients: pd.DataFrame,
    summaries: pd.DataFrame,
    predictors: Mapping[str, Any],
    programme_estimator: str,
    spec: str = "core",
) -> pd.DataFrame:
    """Key terms of `spec` per outcome (complete cases): participant-level terms from the
    outcome's recommended estimator, programme-level terms from `programme_estimator`
    (falling back to the recommended one where that was not fitted, e.g. under separation)."""
    rows = []
    cc = coefficients[
        (coefficients["specification"] == spec) & (coefficients["method"] == "complete_case")
    ]
    programme_terms = programme_level_terms(TERM_KEYS, predictors)
    for s in summaries[summaries["specification"] == spec].itertuples():
        fits = cc[cc["outcome"] == s.outcome]
        for term in TERM_KEYS:
            choice = [s.recommended_estimator]
            if term in programme_terms:
                choice.insert(0, programme_estimator)
            for estimator in choice:
                hit = fits[(fits["estimator"] == estimator) & (fits["term"] == term)]
                if len(hit) and pd.notna(hit["odds_ratio"].iloc[0]):
                    r = hit.iloc[0]
                    rows.append(
                        {
                            "outcome": s.outcome,
                            "specification": spec,
                            "term": term,
                            "level": "programme" if term in programme_terms else "participant",
                            "estimator": estimator,
                            "recommended_estimator": s.recommended_estimator,
                            "odds_ratio": r["odds_ratio"],
                            "ci_low": r["ci_low"],
                            "ci_high": r["ci_high"],
                            "p_value": r["p_value"],
                        }
                    )
                    break
    return pd.DataFrame(rows)


def finding_sentence(r: Mapping[str, Any], t: Mapping[str, Any]) -> str:
    """One plain sentence for a finding row, in the language of translations `t`."""
    direction = t["higher_odds"] if r["odds_ratio"] > 1 else t["lower_odds"]
    sure = "" if r["ci_low"] > 1 or r["ci_high"] < 1 else f" ({t['no_association']})"
    what = t[TERM_KEYS[r["term"]]] if r["term"] in TERM_KEYS else r["term"]
    # a programme-level term whose estimate comes from another estimator than the heading's
    own = r["estimator"] != r["recommended_estimator"]
    basis = f" [{r['estimator']}: {t['programme_level_basis']}]" if own else ""
    return (
        f"{what}: {direction}, OR {r['odds_ratio']:.2f} "
        f"({t['ci95']} {r['ci_low']:.2f}–{r['ci_high']:.2f}){sure}{basis}"
    )


# --- provenance ------------------------------------------------------------------------------


def sha256(path: str | Path) -> str:
    """SHA-256 of a file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def git_state(root: str | Path = ".") -> tuple[str, bool | None]:
    """(commit, dirty) of the working tree, or ('unknown', None) outside a git checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown", None
    return commit, bool(status.strip())


def locked_versions(lock: str | Path) -> pd.DataFrame:
    """package, version of every pin in the lock file."""
    pins = re.findall(
        r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", Path(lock).read_text(encoding="utf-8"), re.M
    )
    return pd.DataFrame(pins, columns=["package", "version"])


def step_times(benchmarks: str | Path) -> pd.DataFrame:
    """step, seconds from Snakemake's benchmark files under `benchmarks`."""
    rows = []
    for path in sorted(Path(benchmarks).rglob("*.tsv")):
        b = pd.read_csv(path, sep="\t")
        rows.append(
            {
                "step": str(path.relative_to(benchmarks).with_suffix("")),
                "seconds": float(b["s"].iloc[-1]),
            }
        )
    return pd.DataFrame(rows, columns=["step", "seconds"])


# --- rendering -------------------------------------------------------------------------------


def img(path: str | Path, alt: str) -> str:
    """An <img> with the PNG embedded as a data URI (the page needs no other file)."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


_NUMERIC_CELL = re.compile(r"<td>((?:&lt;)?[−\-–]?[\d.,\s%]*\d[\d.,\s%]*|–|×|inf|True|False)</td>")


def table(frame: pd.DataFrame, index: bool = False, classes: str = "") -> str:
    """A readable HTML table: text left-aligned, numeric cells right-aligned (class `num`)."""
    out = frame.to_html(
        index=index,
        border=0,
        classes=f"tbl {classes}".strip(),
        na_rep="–",
        escape=True,
        float_format=lambda x: f"{x:,.2f}",
    )
    return _NUMERIC_CELL.sub(r'<td class="num">\1</td>', out)


def render(context: Mapping[str, Any]) -> str:
    """The report page from its template and `context`."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2").render(**context)


def build(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """Everything the page shows, from result files (paths in `inputs`) and the config
    as run (`params`); returns the HTML."""
    t = translations(params["language"])
    synthetic = bool(params["synthetic"])
    threshold = int(params["threshold"])
    run_dir = Path(inputs["summaries"]).parents[1]
    check = read_check(inputs["check"])
    head = read_result_csv(inputs["headline"])
    finds = read_result_csv(inputs["findings"])
    outcomes_cfg = params["outcomes"]

    # 1. summary
    counts = summarise(check)
    n_cells = len(check)
    n_match = int((check["status"] == "match").sum())
    n_incons = int((check["status"] == "source_inconsistent").sum())
    head_rows = [
        {
            "label": t[r.key],
            "published": f"{r.published_pct:.0f} %",
            "reproduced": f"{r.reproduced_pct:.1f} %",
            "status": r.status,
        }
        for r in head.itertuples()
    ]
    finding_rows = []
    for outcome, sub in finds.groupby("outcome", sort=False):
        finding_rows.append(
            {
                "outcome": outcomes_cfg[outcome]["label"],
                "estimator": sub["recommended_estimator"].iloc[0],
                "items": [finding_sentence(r, t) for r in sub.to_dict("records")],
            }
        )

    # 2. data
    accounting = read_result_csv(inputs["accounting"])
    excluded = read_result_csv(inputs["excluded"])
    reasons = (
        excluded.groupby("reason").size().rename("rows").reset_index()
        if len(excluded)
        else pd.DataFrame()
    )

    # 3. reproduction
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
    incons = pd.read_csv(Path(params["published"]) / "inconsistencies.csv")

    # 4. participants and outcomes
    ptab = read_result_csv(inputs["participant_tables"], dtype=str, keep_default_na=False)
    ptables = []
    for label, sub in ptab.groupby("variable", sort=False):
        wide = present.pivot_in_order(sub, "level", "time_in_programme", "count")
        wide = wide.rename_axis(index=None, columns=None)
        ptables.append({"label": label, "html": table(wide, index=True)})

    # 5. models
    fits = []
    for outcome in params["model_outcomes"]:
        for spec in params["specifications"]:
            fit_dir = run_dir / "models" / outcome / spec
            fit = present.load_fit(fit_dir)
            summ = fit["summary"].iloc[0]
            warn = fit["warnings"]
            truth = fit["truth"]
            fits.append(
                {
                    "outcome": outcome,
                    "spec": spec,
                    "label": outcomes_cfg[outcome]["label"],
                    "anchor": f"fit-{outcome}-{spec}",
                    "summary": table(summ[SUMMARY_FIELDS].to_frame(t["fit_summary"]), index=True),
                    "warnings": table(warn) if len(warn) else "",
                    "forest": img(fit_dir / "forest.png", t["fig_forest"]),
                    "predicted": img(fit_dir / "predicted.png", t["fig_predicted"]),
                    "calibration": img(fit_dir / "calibration.png", t["fig_calibration"]),
                    "odds": table(present.odds_ratio_table(fit["coefficients"]), index=True),
                    "ame": table(present.marginal_effects_table(fit["marginal_effects"])),
                    "between": table(present.programme_variation(fit["fit_statistics"])),
                    "performance": table(present.performance_table(fit["fit_statistics"])),
                    "ccmi": table(present.cc_vs_mi(fit["coefficients"])),
                    "truth": table(present.truth_summary(truth))
                    if synthetic and len(truth)
                    else "",
                    "notebook": f"../models/{outcome}/{spec}/notebook.html",
                }
            )

    # 6. robustness, 7. simulation study
    mv = robustness(inputs, t)
    sim = simulation_section(inputs)

    # 8. context
    literature = pd.read_csv(inputs["literature"])

    # 7. methods
    models = params["models"]
    spec_rows = []
    for spec, names in models["specifications"].items():
        for name in names:
            p = models["predictors"][name]
            coding = (
                f"reference: {p['reference']}"
                if p["type"] == "categorical"
                else f"(x − {p['centre']:g}) / {p['scale']:g}"
            )
            spec_rows.append(
                {
                    "specification": spec,
                    "predictor": name,
                    "label": p["label"],
                    "coding": coding,
                    "level": p.get("level", "participant"),
                }
            )
    settings = {k: v for k, v in models.items() if k not in ("specifications", "predictors")}

    # 8. provenance
    commit, dirty = git_state()
    config_text = yaml.safe_dump(params["config"], sort_keys=True, allow_unicode=True)
    inputs_rows = [{"file": f, "sha256": sha256(f)} for f in params["input_files"]]
    steps = step_times(run_dir / "benchmarks")

    context = {
        "t": t,
        "lang": params["language"],
        "run_name": params["run_name"],
        "synthetic": synthetic,
        "synthetic_notice": SYNTHETIC_NOTICE,
        "threshold": threshold,
        "n_cells": n_cells,
        "n_match": n_match,
        "n_incons": n_incons,
        "counts": table(counts),
        "headline": head_rows,
        "findings": finding_rows,
        "accounting": table(accounting),
        "reasons": table(reasons) if len(reasons) else "",
        "missingness": table(
            read_result_csv(inputs["missingness"], dtype=str, keep_default_na=False)
        ),
        "repro_tables": tables,
        "text_figures": table(text_figs),
        "inconsistencies": table(incons),
        "fig_participants": img(inputs["fig_participants"], t["fig_participants"]),
        "fig_outcomes_time": img(inputs["fig_outcomes_time"], t["fig_outcomes_time"]),
        "participant_tables": ptables,
        "fits": fits,
        "mv": mv,
        "sim": sim,
        "fig_context": img(inputs["fig_context"], t["fig_context"]),
        "literature": table(
            literature[
                [
                    "citation",
                    "setting",
                    "group",
                    "employment_pct",
                    "comparison_group",
                    "comparison_pct",
                    "follow_up",
                ]
            ]
        ),
        "estimators": table(present.estimator_legend(list(models["estimators"]))),
        "spec_table": table(pd.DataFrame(spec_rows)),
        "settings": yaml.safe_dump(settings, sort_keys=True, allow_unicode=True),
        "commit": commit,
        "dirty": dirty,
        "config_text": config_text,
        "config_sha": hashlib.sha256(config_text.encode()).hexdigest(),
        "inputs": table(pd.DataFrame(inputs_rows)),
        "packages": table(locked_versions(params["lock"])),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "steps": table(steps),
        "total_seconds": float(steps["seconds"].sum()),
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    return render(context)


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def robustness(inputs: Mapping[str, Any], t: Mapping[str, Any]) -> dict[str, Any]:
    """Section 6: the specification curve of the grid the run has (`mv_*` inputs)."""
    summ = read_result_csv(inputs["mv_summary"])
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
        "by_choice": table(read_result_csv(inputs["mv_by_choice"])),
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


def participants_figure(ptab: pd.DataFrame, path: Path, synthetic: bool, threshold: int) -> None:
    """Bar charts of each participant characteristic (totals; suppressed cells omitted)."""
    import matplotlib.pyplot as plt

    figures._theme()
    first = ptab[ptab["variable"] == ptab["variable"].iloc[0]]
    margin = first[(first["level"] == "Totalt") & (first["time_in_programme"] != "Totalt")]
    ptab = pd.concat(
        [
            ptab,
            pd.DataFrame(
                {
                    "variable": "Time in programme (Q1)",
                    "level": margin["time_in_programme"],
                    "time_in_programme": "Totalt",
                    "count": margin["count"],
                }
            ),
        ]
    )
    groups = list(dict.fromkeys(ptab["variable"]))
    ncol = 3
    nrow = -(-len(groups) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(13, 3.6 * nrow), squeeze=False)
    for ax in axes.flat[len(groups) :]:
        ax.set_visible(False)
    for ax, label in zip(axes.flat, groups, strict=False):
        sub = ptab[
            (ptab["variable"] == label)
            & (ptab["time_in_programme"] == "Totalt")
            & (ptab["level"] != "Totalt")
        ]
        shown = sub[sub["count"].str.isdigit()]
        ax.barh(shown["level"], shown["count"].astype(int), color="C0")
        hidden = len(sub) - len(shown)
        if hidden:
            ax.text(
                0.98,
                0.02,
                f"{hidden} level(s) <{threshold} not shown",
                fontsize=8,
                ha="right",
                transform=ax.transAxes,
                color="0.4",
            )
        ax.invert_yaxis()
        ax.set_title(label, fontsize=11, loc="left")
        ax.tick_params(labelsize=9)
        ax.set_xlabel("Participants")
    fig.tight_layout()
    figures.save(fig, path, synthetic)


def outcomes_time_figure(
    frame: pd.DataFrame, labels: Mapping[str, str], path: Path, synthetic: bool
) -> None:
    """Share with each outcome by time in programme, with intervals."""
    import matplotlib.pyplot as plt

    figures._theme()
    fig, ax = plt.subplots(figsize=(8, 3.8))
    times = list(dict.fromkeys(frame["time_in_programme"]))
    outcomes = list(dict.fromkeys(frame["outcome"]))
    width = 0.8 / len(times)
    for k, time in enumerate(times):
        sub = frame[frame["time_in_programme"] == time].set_index("outcome").reindex(outcomes)
        x = np.arange(len(outcomes)) + (k - (len(times) - 1) / 2) * width
        y = sub["share"].to_numpy() * 100
        err = [y - sub["ci_low"].to_numpy() * 100, sub["ci_high"].to_numpy() * 100 - y]
        ax.bar(x, y, width, yerr=err, capsize=3, label=time, color=f"C{k}")
    ax.set_xticks(
        np.arange(len(outcomes)), [labels[o] for o in outcomes], rotation=12, ha="right", fontsize=8
    )
    ax.set_ylabel("Share of participants (%)")
    ax.legend(title="Time in programme (Q1)", frameon=False)
    fig.tight_layout()
    figures.save(fig, path, synthetic)


def context_figure(
    literature: pd.DataFrame,
    head: pd.DataFrame,
    labels: Mapping[str, str],
    path: Path,
    synthetic: bool,
) -> None:
    """This evaluation's rates beside the literature's, one horizontal bar each."""
    import matplotlib.pyplot as plt

    figures._theme()
    rows = []
    for r in head[head["id"] != "no_occupation_pct"].itertuples():
        rows.append(("This evaluation (June 2013): " + labels[r.key], r.reproduced_pct, "C3"))
    for r in literature.itertuples():
        short = (
            r.citation.split(".")[0].split(",")[0]
            + " et al. "
            + re.findall(r"(\d{4});", r.citation)[0]
        )
        rows.append((f"{short}: {r.group} ({r.setting})", r.employment_pct, "C0"))
        if not pd.isna(r.comparison_pct):
            rows.append((f"{short}: {r.comparison_group}", r.comparison_pct, "C7"))
    fig, ax = plt.subplots(figsize=(9, 0.36 * len(rows) + 1.2))
    ax.barh([r[0] for r in rows], [r[1] for r in rows], color=[r[2] for r in rows])
    for i, r in enumerate(rows):
        ax.text(r[1] + 0.8, i, f"{r[1]:.0f} %", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share in work (%)")
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    figures.save(fig, path, synthetic)


def write_tables(
    inputs: Mapping[str, Any], params: Mapping[str, Any], outputs: Mapping[str, Any]
) -> None:
    """Compute the report's own tables and figures from result files."""
    from .io import write_csv

    synthetic, threshold = bool(params["synthetic"]), int(params["threshold"])
    participants = read_result_csv(inputs["participants"])
    check = read_check(inputs["check"])
    head = headline(check)
    write_csv(head, outputs["headline"], synthetic)
    finds = findings(
        read_result_csv(inputs["coefficients"]),
        read_result_csv(inputs["summaries"]),
        params["predictors"],
        params["programme_level_estimator"],
    )
    write_csv(finds, outputs["findings"], synthetic)
    write_csv(
        missingness(participants, params["predictors"], threshold),
        outputs["missingness"],
        synthetic,
    )
    orders = natural_orders(load_codebook(inputs["codebook"]))
    ptab = participant_tables(participants, threshold, orders)
    write_csv(ptab, outputs["participant_tables"], synthetic)
    obt = outcomes_by_time(participants, params["outcomes"], orders["time_in_programme"])
    write_csv(obt, outputs["outcomes_by_time"], synthetic)
    labels = {o: params["outcome_labels"][o] for o in params["outcomes"]}
    participants_figure(ptab, Path(outputs["fig_participants"]), synthetic, threshold)
    outcomes_time_figure(obt, labels, Path(outputs["fig_outcomes_time"]), synthetic)
    t = translations(params["language"])
    context_figure(
        pd.read_csv(inputs["literature"]), head, t, Path(outputs["fig_context"]), synthetic
    )
