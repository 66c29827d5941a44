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

from .. import citation, present
from ..datapackage import version
from ..disclosure import ALL
from ..io import SYNTHETIC_NOTICE, read_result_csv, sha256
from .html import img, render, table
from .provenance import duration, git_state, locked_versions, run_times, step_times
from .sections import (
    participant_tables_html,
    reproduction_section,
    robustness,
    simulation_section,
)
from .text import (
    clear,
    estimator_name,
    finding_sentence,
    level_name,
    localised,
    run_facts,
    term_label,
    translations,
)


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
        rows = sub.to_dict("records")
        finding_rows.append(
            {
                "outcome": outcomes_cfg[outcome]["label"],
                "estimator": estimator_name(sub["recommended_estimator"].iloc[0], t),
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
    ptables = participant_tables_html(ptab, t)
    samples = read_result_csv(inputs["model_samples"], dtype=str, keep_default_na=False)
    audit = read_result_csv(inputs["disclosure"], dtype=str, keep_default_na=False)

    # 5. models: one compact figure across specifications; each fit's detail in its notebook
    every = read_result_csv(inputs["estimates"])
    fits = [
        {
            "label": f"{outcomes_cfg[outcome]['label']}: {spec}",
            "notebook": f"../models/{outcome}/{spec}/notebook.html",
        }
        for outcome in params["model_outcomes"]
        for spec in params["specifications"]
    ]
    models_table = pd.DataFrame()
    if len(every):
        every["shown"] = [
            f"{r.odds_ratio:.2f} ({r.ci_low:.2f}–{r.ci_high:.2f})" for r in every.itertuples()
        ]
        every["what"] = [term_label(x, predictors, t) for x in every["term"]]
        every["outcome_label"] = [outcomes_cfg[o]["label"] for o in every["outcome"]]
        models_table = every.pivot_table(
            index=["outcome_label", "what"],
            columns="specification",
            values="shown",
            aggfunc="first",
            sort=False,
        ).rename_axis(index=[t["outcome"], t["term"]], columns=None)
    sample_table = samples.rename(columns={"outcome": t["outcome"]})

    # robustness, simulation study, context: only where the run has them
    mv = robustness(inputs, t, predictors) if inputs.get("mv_summary") else None
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
                f"reference: {level_name(p, str(p['reference']))}"
                if p["type"] == "categorical"
                else f"(x − {p['centre']:g}) / {p['scale']:g}"
            )
            spec_rows.append(
                {
                    "specification": spec,
                    "label": p["label"],
                    "coding": coding,
                    "level": p.get("level", "participant"),
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
        "fig_models": img(inputs["fig_models"], t["fig_forest"]),
        "models_table": table(models_table, index=True) if len(models_table) else "",
        "samples": table(sample_table),
        "mv": mv,
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
