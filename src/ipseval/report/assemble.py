"""The report page: every section's content from result files, rendered once."""

from __future__ import annotations

import hashlib
import platform
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import yaml

from ipseval.common.io import SYNTHETIC_NOTICE, read_result_csv, sha256
from ipseval.data.codebook import load_codebook
from ipseval.data.derive import read_participants
from ipseval.models import present
from ipseval.models.design import restrict_rows
from ipseval.provenance import citation
from ipseval.provenance.runinfo import duration, git_state, locked_versions, run_times, step_times
from ipseval.publication.datapackage import version
from ipseval.publication.disclosure import ALL
from ipseval.publication.publish import outcome_group
from ipseval.report.html import img, render, table
from ipseval.report.sections import (
    open_questions,
    participant_tables_html,
    programme_limitation,
    programme_section,
    reproduction_section,
    robustness,
    simulation_section,
)
from ipseval.report.text import (
    clear,
    coding_text,
    estimator_name,
    finding_sentence,
    localised,
    restriction_text,
    run_facts,
    spec_name,
    term_label,
    translations,
)


def _interval(value: float, low: float, high: float) -> str:
    if pd.isna(value):
        return "–"
    return f"{value:.2f} ({low:.2f}–{high:.2f})"


def variation_table(
    frame: pd.DataFrame, outcomes: Mapping[str, Any], synthetic: bool, t: Mapping[str, Any]
) -> pd.DataFrame:
    """Section 5's compact table: per outcome, the programme variation of the
    random-intercept fit (ICC, median odds ratio) and, on synthetic data, how many true
    coefficients the recommended estimator's intervals cover."""
    rows = []
    for r in frame.itertuples():
        row = {
            t["outcome"]: outcomes[r.outcome]["label"],
            t["icc"]: _interval(r.icc, r.icc_ci_low, r.icc_ci_high),
            t["mor"]: _interval(
                r.median_odds_ratio, r.median_odds_ratio_ci_low, r.median_odds_ratio_ci_high
            ),
        }
        if synthetic:
            row[t["truth_covered"]] = (
                t["truth_covered_text"].format(
                    k=int(r.truth_covered),
                    m=int(r.truth_terms),
                    estimator=estimator_name(r.truth_estimator, t),
                )
                if r.truth_terms
                else "–"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def build(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """Everything the page shows, from result files (paths in `inputs`) and the config
    as run (`params`); returns the HTML. Sections whose stage the run has not got
    (reproduction, specification curve, simulation study, literature) are left out."""
    cb = load_codebook(inputs["codebook"])
    everyone = read_participants(inputs["participants"], cb)
    restrict = params.get("restrict") or {}
    participants = restrict_rows(everyone, restrict)  # the run's sample, as its tables
    facts = run_facts(participants, params) | {"spec": spec_name(params["summary_spec"])}
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
    group_note = ""
    if params.get("outcome_groups") and not outcome_group(everyone, params):
        group_note = t["not_grouped"].format(label=params.get("outcome_groups_label") or "")
    sample_note = ""
    if restrict:
        sample_note = t["restricted_note"].format(
            what=restriction_text(restrict, params["models"]["predictors"], t),
            n=len(participants),
            everyone=len(everyone),
        )
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
    summaries = read_result_csv(inputs["summaries"])
    summaries = summaries[summaries["specification"] == params["summary_spec"]]
    for s in summaries.itertuples():
        sub = finds[finds["outcome"] == s.outcome]
        records = [r for r in sub.to_dict("records") if isinstance(r["term"], str) and r["term"]]
        rows = [r for r in records if pd.notna(r["odds_ratio"])]
        missing = [r for r in records if pd.isna(r["odds_ratio"])]  # not identified
        estimable = bool(getattr(s, "estimable", True))
        finding_rows.append(
            {
                "outcome": outcomes_cfg[s.outcome]["label"],
                "estimator": estimator_name(s.recommended_estimator, t),
                # a model with nothing to show says why, in one sentence
                "note": t["not_estimable"] if not estimable else ("" if records else t["no_terms"]),
                "unidentified": (
                    t["not_identified_terms"].format(
                        programmes=int(missing[0]["programmes"]),
                        terms="; ".join(term_label(r["term"], predictors, t) for r in missing),
                    )
                    if missing
                    else ""
                ),
                "evidence": [
                    finding_sentence(r, t, predictors, facts["level"]) for r in rows if clear(r)
                ],
                "unclear": [
                    finding_sentence(r, t, predictors, facts["level"]) for r in rows if not clear(r)
                ],
            }
        )
    repro = reproduction_section(inputs, params, t) if reproduce else None

    # 2. data
    # the cleaning account as the disclosure step wrote it (public/cleaning.csv and
    # public/excluded_reasons.csv): small numbers of excluded rows are not shown exactly
    accounting = read_result_csv(inputs["cleaning"], dtype=str, keep_default_na=False)
    reasons = read_result_csv(inputs["excluded_reasons"], dtype=str, keep_default_na=False)
    reasons = reasons.replace({ALL: t["total"]})[["reason", "file", "rows"]]
    unavailable = read_result_csv(inputs["unavailable"])
    todos = open_questions(params["config"], cb, t)

    # 4. participants and outcomes: the protected tables, as written by report_tables
    ptab = read_result_csv(inputs["participant_tables"], dtype=str, keep_default_na=False)
    ptables = participant_tables_html(ptab, t)
    samples = read_result_csv(inputs["model_samples"], dtype=str, keep_default_na=False)
    audit = read_result_csv(inputs["disclosure"], dtype=str, keep_default_na=False)

    # 5. models: one compact figure across specifications (each fit's working notebook is in
    # restricted/, not linked: the page links nothing outside public/)
    every = read_result_csv(inputs["estimates"])
    models_table = pd.DataFrame()
    if len(every):
        every["shown"] = [
            f"{r.odds_ratio:.2f} ({r.ci_low:.2f}–{r.ci_high:.2f})" for r in every.itertuples()
        ]
        every["what"] = [term_label(x, predictors, t) for x in every["term"]]
        every["outcome_label"] = [outcomes_cfg[o]["label"] for o in every["outcome"]]
        every["specification_name"] = [spec_name(s) for s in every["specification"]]
        models_table = every.pivot_table(
            index=["outcome_label", "what"],
            columns="specification_name",
            values="shown",
            aggfunc="first",
            sort=False,
        ).rename_axis(index=[t["outcome"], t["term"]], columns=None)
    sample_table = samples.assign(
        outcome=[outcomes_cfg[o]["label"] for o in samples["outcome"]],
        specification=[spec_name(s) for s in samples["specification"]],
    ).rename(columns={c: t[f"col_{c}"] for c in samples.columns})
    variation = variation_table(read_result_csv(inputs["variation"]), outcomes_cfg, synthetic, t)

    # robustness, simulation study, context: only where the run has them
    mv = robustness(inputs, t, predictors) if inputs.get("mv_summary") else None
    pc = programme_section(inputs, params, t, facts["level"])
    if pc is not None:
        t["limitations_text"] = [*t["limitations_text"], *programme_limitation(inputs, params, t)]
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
            spec_rows.append(
                {
                    t["specification"]: spec_name(spec),
                    t["predictor"]: p["label"],
                    t["coding"]: coding_text(p, t),
                    t["level_column"]: t[f"level_{p.get('level', 'participant')}"],
                }
            )
    settings = {k: v for k, v in models.items() if k not in ("specifications", "predictors")}

    # 8. provenance
    commit, dirty = git_state()
    config_text = yaml.safe_dump(params["config"], sort_keys=True, allow_unicode=True)
    inputs_rows = [{"file": f, "sha256": sha256(f)} for f in inputs["input_files"]]
    steps = step_times(inputs["benchmarks"])
    wall, cpu = run_times(inputs["benchmarks"])

    present_sections = [
        ("summary", "s1", True),
        ("data", "s2", True),
        ("reproduction", "s3", repro is not None),
        ("participants", "s4", True),
        ("predictors", "s5", True),
        ("programmes", "s_programmes", pc is not None),
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
        "sample_note": sample_note,
        "group_note": group_note,
        "threshold": threshold,
        "rates": rate_cards,
        "repro": repro,
        "findings": finding_rows,
        "accounting": table(accounting),
        "reasons": table(reasons) if len(reasons) else "",
        "unavailable": table(unavailable, code=("section", "name")) if len(unavailable) else "",
        "todos": todos,
        # table names carry specification keys: in words on the page
        "disclosure": table(
            audit.assign(**{c: audit[c].str.replace("_", " ") for c in ("table", "description")})
        ),
        "fig_participants": img(inputs["fig_participants"], t["fig_participants"]),
        "fig_outcomes": img(inputs["fig_outcomes"], t["fig_outcomes"]),
        "participant_tables": ptables,
        "fig_models": img(inputs["fig_models"], t["fig_forest"]),
        "models_table": table(models_table, index=True) if len(models_table) else "",
        "samples": table(sample_table),
        "variation": table(variation) if len(variation) else "",
        "mv": mv,
        "pc": pc,
        "sim": sim,
        "context_section": context,
        "estimators": table(
            present.estimator_legend(list(models["estimators"])).assign(
                estimator=lambda f: [estimator_name(e, t) for e in f["estimator"]]
            )
        ),
        "spec_table": table(pd.DataFrame(spec_rows)),
        "settings": yaml.safe_dump(settings, sort_keys=True, allow_unicode=True),
        "commit": commit,
        "dirty": dirty,
        "version": version(),
        "citation": citation.software(inputs["citation"]),
        "cite_sources": citation.sources(inputs["citation"]) if reproduce else [],
        "config_text": config_text,
        "config_sha": hashlib.sha256(config_text.encode()).hexdigest(),
        "inputs": table(pd.DataFrame(inputs_rows)),
        "packages": table(locked_versions(inputs["lock"])),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "steps": table(steps),
        "run_time": t["prov_wall_text"].format(wall=duration(wall), cpu=duration(cpu)),
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    return render(context)
