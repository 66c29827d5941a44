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

from . import citation, figures, present, publish
from . import disclosure as dc
from .codebook import Codebook, load_codebook
from .datapackage import version
from .derive import AGE_BANDS, level_orders
from .disclosure import ALL
from .io import SYNTHETIC_NOTICE, read_result_csv
from .reproduce import read_check, side_by_side, summarise

TEMPLATES = Path(__file__).parent / "templates"
HEADLINE = (  # text figure id -> translation key of its label
    ("regular_work_pct", "h_reg"),
    ("paid_work_incl_subsidy_pct", "h_paid"),
    ("closer_to_labour_market_pct", "h_closer"),
    ("any_occupation_pct", "h_any"),
    ("no_occupation_pct", "h_none"),
)
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
}


def month_text(month: str, language: str) -> str:
    """'2019-10' as 'October 2019' (en) or 'oktober 2019' (sv)."""
    year, m = month.split("-")
    return f"{MONTHS[language].split()[int(m) - 1]} {year}"


def interval_level(alpha: float) -> str:
    """The interval level as printed, e.g. '95 %' for alpha 0.05."""
    return f"{100 * (1 - alpha):g} %"


def translations(language: str) -> dict[str, Any]:
    """Heading/label/caption key -> text in `language` ('en' or 'sv')."""
    table = yaml.safe_load((TEMPLATES / "translations.yaml").read_text(encoding="utf-8"))
    return {key: value[language] for key, value in table.items()}


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
    Terms flagged degenerate (`status` other than ok) are never findings."""
    rows = []
    cc = coefficients[
        (coefficients["specification"] == spec) & (coefficients["method"] == "complete_case")
    ]
    if "status" in cc:
        cc = cc[cc["status"] == "ok"]
    terms = summary_terms(coefficients, spec, chosen)
    programme_terms = programme_level_terms(terms, predictors)
    for s in summaries[summaries["specification"] == spec].itertuples():
        fits = cc[cc["outcome"] == s.outcome]
        for term in terms:
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


def term_label(term: str, predictors: Mapping[str, Any], t: Mapping[str, Any]) -> str:
    """A term in words from the config: the predictor's label, and for a level of a
    categorical predictor the level against the reference ('Sex: male vs female')."""
    name, _, level = term.partition("[")
    p = predictors.get(name)
    if p is None:
        return term
    if not level:
        return p["label"]
    return f"{p['label']}: {level.rstrip(']')} {t['versus']} {p['reference']}"


def finding_sentence(
    r: Mapping[str, Any], t: Mapping[str, Any], predictors: Mapping[str, Any], level: str
) -> str:
    """One plain sentence for a finding row, in the language of translations `t`."""
    direction = t["higher_odds"] if r["odds_ratio"] > 1 else t["lower_odds"]
    sure = "" if r["ci_low"] > 1 or r["ci_high"] < 1 else f" ({t['no_association']})"
    what = term_label(r["term"], predictors, t)
    # a programme-level term whose estimate comes from another estimator than the heading's
    own = r["estimator"] != r["recommended_estimator"]
    basis = f" [{r['estimator']}: {t['programme_level_basis']}]" if own else ""
    return (
        f"{what}: {direction}, OR {r['odds_ratio']:.2f} "
        f"({level} {t['ci']} {r['ci_low']:.2f}–{r['ci_high']:.2f}){sure}{basis}"
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


def run_facts(participants: pd.DataFrame, params: Mapping[str, Any]) -> dict[str, str]:
    """The facts the report's prose states, from the run's data and config: number of
    programmes and participants, survey month, interval level, disclosure threshold."""
    return {
        "programmes": str(participants["programme_id"].nunique()),
        "participants": str(len(participants)),
        "survey_month": month_text(params["survey_month"], params["language"]),
        "level": interval_level(float(params["alpha"])),
        "threshold": str(params["threshold"]),
        "threshold_minus_one": str(int(params["threshold"]) - 1),
    }


def localised(t: Mapping[str, Any], facts: Mapping[str, str]) -> dict[str, Any]:
    """Translations with the run's facts filled in ('{programmes}', '{level}', ...)."""

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.format_map(_Keep(facts))
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    return {k: fill(v) for k, v in t.items()}


class _Keep(dict):
    """format_map mapping that leaves unknown placeholders as they are."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def build(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """Everything the page shows, from result files (paths in `inputs`) and the config
    as run (`params`); returns the HTML. Sections whose stage the run has not got
    (reproduction, specification curve, simulation study, literature) are left out."""
    participants = read_result_csv(inputs["participants"])
    facts = run_facts(participants, params) | {"spec": params["summary_spec"]}
    t = localised(translations(params["language"]), facts)
    reproduce = bool(params["reproduce"])
    if not reproduce:
        t["title"], t["synthetic_banner"] = t["title_other"], t["synthetic_banner_other"]
        t["limitations_text"] = t["limitations_other"]
        t["suppression_note"], t["status_public"] = (
            t["suppression_note_other"],
            t["status_public_other"],
        )
    synthetic = bool(params["synthetic"])
    threshold = int(params["threshold"])
    run_dir = Path(inputs["summaries"]).parents[1]
    finds = read_result_csv(inputs["findings"])
    outcomes_cfg = params["outcome_definitions"]
    predictors = params["models"]["predictors"]

    # 1. summary
    rates = read_result_csv(inputs["outcome_rates"])
    rate_cards = [
        {
            "label": outcomes_cfg[r.outcome]["label"],
            "value": f"{100 * r.share:.1f} %",
            "detail": f"{r.events} / {r.n} · {facts['level']} {t['ci']} "
            f"{100 * r.ci_low:.1f}–{100 * r.ci_high:.1f} %",
        }
        for r in rates[rates["group"] == ALL].itertuples()
    ]
    finding_rows = []
    for outcome, sub in finds.groupby("outcome", sort=False):
        finding_rows.append(
            {
                "outcome": outcomes_cfg[outcome]["label"],
                "estimator": sub["recommended_estimator"].iloc[0],
                "items": [
                    finding_sentence(r, t, predictors, facts["level"])
                    for r in sub.to_dict("records")
                ],
            }
        )
    repro = reproduction_section(inputs, params, t) if reproduce else None

    # 2. data
    accounting = read_result_csv(inputs["accounting"])
    excluded = read_result_csv(inputs["excluded"])
    reasons = (
        excluded.groupby("reason").size().rename("rows").reset_index()
        if len(excluded)
        else pd.DataFrame()
    )
    unavailable = read_result_csv(inputs["unavailable"])

    # 4. participants and outcomes: the protected tables, as written by report_tables
    ptab = read_result_csv(inputs["participant_tables"], dtype=str, keep_default_na=False)
    ptables = []
    for label, sub in ptab.groupby("variable", sort=False):
        shown = pd.DataFrame(
            {
                "": sub["level"],
                t["count"]: sub["count"],
                t["status_column"]: [t.get(f"status_{s}", "") for s in sub["status"]],
            }
        )
        ptables.append({"label": label, "html": table(shown)})
    samples = read_result_csv(inputs["model_samples"], dtype=str, keep_default_na=False)
    audit = read_result_csv(inputs["disclosure"], dtype=str, keep_default_na=False)

    # 5. models
    fits = []
    for outcome in params["model_outcomes"]:
        for spec in params["specifications"]:
            fit_dir = run_dir / "models" / outcome / spec
            fit = present.load_fit(fit_dir)
            warn = fit["warnings"]
            truth = fit["truth"]
            fits.append(
                {
                    "outcome": outcome,
                    "spec": spec,
                    "label": outcomes_cfg[outcome]["label"],
                    "anchor": f"fit-{outcome}-{spec}",
                    "summary": table(
                        samples[
                            (samples["outcome"] == outcome) & (samples["specification"] == spec)
                        ].drop(columns=["outcome", "specification"])
                    ),
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

    # robustness, simulation study, context: only where the run has them
    mv = robustness(inputs, t) if inputs.get("mv_summary") else None
    sim = simulation_section(inputs)
    context = None
    if inputs.get("literature"):
        literature = pd.read_csv(inputs["literature"])
        columns = ["citation", "setting", "group", "employment_pct", "comparison_group"]
        columns += ["comparison_pct", "follow_up"]
        context = {
            "figure": img(inputs["fig_context"], t["fig_context"]),
            "literature": table(literature[columns]),
        }

    # methods
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

    present_sections = [
        ("summary", "s1", True),
        ("data", "s2", True),
        ("reproduction", "s3", repro is not None),
        ("participants", "s4", True),
        ("predictors", "s5", True),
        ("robustness", "s_robust", mv is not None),
        ("simulation", "s_sim", sim is not None),
        ("context", "s6", context is not None),
        ("methods", "s7", True),
        ("provenance", "s8", True),
    ]
    shown = [(sid, key) for sid, key, on in present_sections if on]
    sections = [{"id": sid, "title": f"{i}. {t[key]}"} for i, (sid, key) in enumerate(shown, 1)]
    context = {
        "t": t,
        "sections": sections,
        "heading": {s["id"]: s["title"] for s in sections},
        "lang": params["language"],
        "run_name": params["run_name"],
        "synthetic": synthetic,
        "synthetic_notice": SYNTHETIC_NOTICE,
        "threshold": threshold,
        "rates": rate_cards,
        "repro": repro,
        "findings": finding_rows,
        "accounting": table(accounting),
        "reasons": table(reasons) if len(reasons) else "",
        "unavailable": table(unavailable) if len(unavailable) else "",
        "disclosure": table(audit),
        "fig_participants": img(inputs["fig_participants"], t["fig_participants"]),
        "fig_outcomes": img(inputs["fig_outcomes"], t["fig_outcomes"]),
        "participant_tables": ptables,
        "fits": fits,
        "mv": mv,
        "sim": sim,
        "context_section": context,
        "estimators": table(present.estimator_legend(list(models["estimators"]))),
        "spec_table": table(pd.DataFrame(spec_rows)),
        "settings": yaml.safe_dump(settings, sort_keys=True, allow_unicode=True),
        "commit": commit,
        "dirty": dirty,
        "version": version(),
        "citation": citation.software(inputs["citation"]),
        "cite_sources": citation.sources(inputs["citation"]),
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


def reproduction_section(
    inputs: Mapping[str, Any], params: Mapping[str, Any], t: Mapping[str, Any]
) -> dict[str, Any]:
    """Section 3 and the published headline figures: every published cell beside its
    reproduction (only when the run reproduces Socialstyrelsen 2013's tables)."""
    check = read_check(inputs["check"])
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
                "reproduced": f"{r.reproduced_pct:.1f} %",
                "status": r.status,
            }
            for r in head.itertuples()
        ],
        "tables": tables,
        "text_figures": table(text_figs),
        "inconsistencies": table(pd.read_csv(Path(params["published"]) / "inconsistencies.csv")),
    }


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


def participants_figure(ptab: pd.DataFrame, path: Path, synthetic: bool) -> None:
    """Bar charts of each participant characteristic, from the protected table: hidden
    categories are named below the bars, with why, never drawn."""
    import matplotlib.pyplot as plt

    figures._theme()
    groups = list(dict.fromkeys(ptab["variable"]))
    ncol = min(3, len(groups))
    nrow = -(-len(groups) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.4 * ncol, 3.6 * nrow), squeeze=False)
    for ax in axes.flat[len(groups) :]:
        ax.set_visible(False)
    for ax, label in zip(axes.flat, groups, strict=False):
        sub = ptab[(ptab["variable"] == label) & (ptab["level"] != ALL)]
        shown = sub[sub["count"].str.isdigit()]
        ax.barh(shown["level"], shown["count"].astype(int), color="C0")
        notes = []
        for status, why in (
            ("small", "fewer than the threshold"),
            ("hidden", "hidden so that no small count can be recovered"),
        ):
            hidden = sub[sub["status"] == status]["level"].tolist()
            if hidden:
                notes.append(f"not shown ({why}): {', '.join(hidden)}")
        if notes:
            ax.text(
                0.98,
                0.02,
                "\n".join(notes),
                fontsize=7,
                ha="right",
                transform=ax.transAxes,
                color="0.35",
                wrap=True,
            )
        ax.invert_yaxis()
        ax.set_title(label, fontsize=11, loc="left")
        ax.tick_params(labelsize=9)
        ax.set_xlabel("Participants")
    fig.tight_layout()
    figures.save(fig, path, synthetic)


def outcomes_figure(
    frame: pd.DataFrame,
    labels: Mapping[str, str],
    by_label: str | None,
    level: str,
    path: Path,
    synthetic: bool,
) -> None:
    """Share with each outcome (per group of `by` where the run has one), with intervals."""
    import matplotlib.pyplot as plt

    figures._theme()
    frame = frame[frame["group"] != ALL] if by_label else frame[frame["group"] == ALL]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    groups = list(dict.fromkeys(frame["group"]))
    outcomes = list(dict.fromkeys(frame["outcome"]))
    width = 0.8 / len(groups)
    for k, group in enumerate(groups):
        sub = frame[frame["group"] == group].set_index("outcome").reindex(outcomes)
        x = np.arange(len(outcomes)) + (k - (len(groups) - 1) / 2) * width
        y = sub["share"].to_numpy() * 100
        err = np.clip(
            [y - sub["ci_low"].to_numpy() * 100, sub["ci_high"].to_numpy() * 100 - y], 0, None
        )
        ax.bar(x, y, width, yerr=err, capsize=3, label=group, color=f"C{k}")
    ax.set_xticks(
        np.arange(len(outcomes)), [labels[o] for o in outcomes], rotation=12, ha="right", fontsize=8
    )
    ax.set_ylabel(f"Share of participants (%), {level} intervals")
    if by_label:
        ax.legend(title=by_label, frameon=False)
    fig.tight_layout()
    figures.save(fig, path, synthetic)


def context_figure(
    literature: pd.DataFrame,
    rates: pd.DataFrame,
    labels: Mapping[str, str],
    when: str,
    path: Path,
    synthetic: bool,
) -> None:
    """This evaluation's outcome rates beside the literature's, one horizontal bar each."""
    import matplotlib.pyplot as plt

    figures._theme()
    rows = []
    for r in rates[rates["group"] == ALL].itertuples():
        rows.append((f"This evaluation ({when}): {labels[r.outcome]}", 100 * r.share, "C3"))
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
    """Compute the report's own tables and figures from result files: every count derived
    from the microdata goes through the disclosure step (ipseval.disclosure) first."""
    synthetic, threshold = bool(params["synthetic"]), int(params["threshold"])
    language = params["language"]
    participants = read_result_csv(inputs["participants"])
    source = []
    if inputs.get("check"):
        check = read_check(inputs["check"])
        publish.write(headline(check), outputs["headline"])
        source = publish.source_cells(check)
    finds = findings(
        read_result_csv(inputs["coefficients"]),
        read_result_csv(inputs["summaries"]),
        params["predictors"],
        params["programme_level_estimator"],
        params["summary_spec"],
        params["summary_terms"],
    )
    publish.write(finds, outputs["findings"])
    orders = natural_orders(load_codebook(inputs["codebook"]))
    pub, people = publish.build(participants, params, orders, source)
    status, audited = dc.protect(pub, people, threshold)
    protected = publish.tables(pub, status, params, threshold)
    for name, frame in protected.items():
        publish.write(frame, outputs[name])
    publish.write(dc.audit_summary(audited, status, pub), outputs["disclosure"])
    rates = protected["outcome_rates"]
    labels = {o: params["outcome_labels"][o] for o in params["outcomes"]}
    participants_figure(
        protected["participant_tables"], Path(outputs["fig_participants"]), synthetic
    )
    level = interval_level(float(params["alpha"]))
    by_label = params.get("outcome_groups_label") if params.get("outcome_groups") else None
    outcomes_figure(rates, labels, by_label, level, Path(outputs["fig_outcomes"]), synthetic)
    if inputs.get("literature"):
        context_figure(
            pd.read_csv(inputs["literature"]),
            rates,
            labels,
            month_text(params["survey_month"], language),
            Path(outputs["fig_context"]),
            synthetic,
        )
