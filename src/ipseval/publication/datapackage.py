"""Each run's results as a Frictionless data package: `datapackage.json` beside the CSVs, with
a Table Schema per file (field names, types, descriptions, allowed levels, reference levels
of model-frame factors, missing values, primary keys) and the run's metadata (the synthetic
flag, the generator's seed, the config's hash, ipseval's version). The CSVs themselves stay
plain; `tests/test_outputs.py` validates every package with the frictionless library."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ipseval.common.io import load_yaml, sha256, term_column
from ipseval.data.codebook import Codebook
from ipseval.data.derive import level_orders

FIELDS = load_yaml(
    (Path(__file__).parents[1] / "templates" / "fields.yaml").read_text(encoding="utf-8")
)
PROFILE = "tabular-data-package"
# Each run has two tiers (docs/disclosure.md); every package and every resource says which.
TIERS = {
    "public": "may be published: every count in these tables went through the disclosure "
    "step (docs/disclosure.md)",
    "restricted": "not for publication: participant-level rows, or counts that did not go "
    "through the disclosure step; keep with the microdata under their data-protection terms",
}

# Analysis columns derived in ipseval.data.derive (beyond one column per codebook answer).
DERIVED = {
    "form_id": "Pseudonymous coach form (participant) identifier: anon-1, anon-2, ... in the "
    "export's row order (the export's own ids are only in restricted/clean/id_key.csv)",
    "programme_id": "Programme identifier (P01, ... in the programme file's order)",
    "time_gt_6m": "1 if the participant had been in the programme more than 6 months (Q1)",
    "age_band": "Age band of Tabell 9",
    "time_band": "Time in the programme in Tabell 11's two bands (up to / more than 6 months)",
    "work_history": "Time since last employment at intake (code of Q7)",
    "attachment_intake_weak": "1 if the labour-market attachment at intake was weak (Q9)",
    "attachment_now_weak": "1 if the labour-market attachment now is weak",
    "diagnosis_other_category": "The 'Annat, vad:' diagnosis text, recoded to a category",
    "diagnosis_row": "Row of Tabell 10 (diagnosis hierarchy)",
    "diagnosis_group": "Diagnosis group: the most severe diagnosis ticked (Tabell 10's hierarchy)",
    "income_intake_code": "Main income source at intake (Tabell 12's categories)",
    "income_intake_row": "Row of Tabell 12 (income at intake)",
    "income_now_code": "Main income source now (Tabell 12's categories)",
    "income_now_row": "Row of Tabell 12 (income now)",
    "occupation_code": "Current occupation (Q16, 'Annat, vad:' recoded as in Tabell 11)",
    "occupation_row": "Row of Tabell 11 (occupation)",
    "grant_total": "Government grant 2011-2013 in total (kr)",
    "start_quarter": "Quarter the programme started work with participants (Tabell 3)",
    "months_active": "Months from the programme's start to the survey month",
    "fte_band": "Coach full-time equivalents, banded as Tabell 7",
    "caseload_band": "Participants per coach, banded as Tabell 8",
}


def table_kind(rel: str, context: str = "") -> str:
    """The kind of a result CSV from its path under its package's folder; `context` is
    'multiverse' or 'simulation' for those folders' own packages."""
    parts = Path(rel).with_suffix("").parts
    stem = parts[-1]
    if context == "multiverse":
        return (
            "specifications" if parts[0] == "cells" else {"summary": "mv_summary"}.get(stem, stem)
        )
    if context == "simulation":
        return "sim_replicates" if stem.startswith("replicates_") else f"sim_{stem}"
    if parts[0] == "models" and len(parts) == 2:
        return {
            "coefficients": "coefficients_all",
            "summaries": "summaries",
            "fit_statistics": "fit_statistics_all",
            "truth": "truth_all",
        }[stem]
    if parts[0] == "reproduction" and stem == "summary":
        return "repro_summary"
    if parts[0] == "programmes":  # the programme stage's restricted tables (issue 28)
        return f"pc_{stem}"
    return stem


def _field_type(values: pd.Series) -> str:
    v = values.dropna()
    if v.empty:
        return "string"
    if pd.api.types.is_bool_dtype(v):
        return "boolean"
    if pd.api.types.is_integer_dtype(v):
        return "integer"
    if pd.api.types.is_float_dtype(v):
        return "number"
    return "string"


def _codebook_descriptions(cb: Codebook) -> dict[str, str]:
    """Descriptions of the columns that come from the codebook's variables."""
    out: dict[str, str] = {}
    forms = [f for f in (cb.coach_form, cb.programme_survey) if f is not None]
    for form in forms:
        for v in form.variables:
            q = f"Q{v.question}: " if v.question else ""
            where = "programme survey" if form is cb.programme_survey else "coach form"
            out.setdefault(v.name, f"{q}{v.column} ({where}; answer as given)")
            if v.type == "categorical":
                out.setdefault(f"{v.name}_code", f"Code of the answer to {q}{v.column}")
                out.setdefault(f"{v.name}_group", f"{q}{v.column}, grouped as in the report")
            for code in v.codes if v.type == "multi" else ():
                out[term_column(f"{v.name}_has_{code}")] = (
                    f"1 if '{code}' is ticked in {q}{v.column}"
                )
                out[f"dx_{code}"] = f"1 if '{code}' is ticked in {q}{v.column}"
    return out


def _schema(
    frame: pd.DataFrame,
    kind: str,
    extra: Mapping[str, str],
    enums: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    table = FIELDS["tables"].get(kind, {})
    described = {**FIELDS["common"], **extra, **table.get("fields", {})}
    for col in frame.columns:  # the simulation study's per-term columns
        m = re.fullmatch(r"type_i_(.+?)(_mcse)?", col)
        if m and col not in described:
            what = "Monte Carlo standard error of the type-I" if m.group(2) else "Type-I"
            described[col] = f"{what} error of the null term {m.group(1)}"
        m = re.fullmatch(r"(left|enrolled)_(.+)", col)  # the outcome flow's columns
        if m and col not in described:
            described[col] = (
                f"Participants who had left: {m.group(2)} (programme survey)"
                if m.group(1) == "left"
                else f"Participants still enrolled with occupation {m.group(2)} (coach forms)"
            )
    fields = []
    for col in frame.columns:
        field: dict[str, Any] = {"name": col, "type": _field_type(frame[col])}
        if col in described:
            field["description"] = described[col]
        levels = enums.get(col)
        if levels and field["type"] == "string" and set(frame[col].dropna()) <= set(levels):
            field["constraints"] = {"enum": list(levels)}
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    key = table.get("primary_key")
    if key and set(key) <= set(frame.columns) and not frame.duplicated(key).any():
        schema["primaryKey"] = list(key)
    return schema


def _model_frame_extras(folder: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """Descriptions of a model frame's term columns, and its factors with their levels and
    reference levels, from the fit's terms.csv."""
    terms = pd.read_csv(folder / "terms.csv", keep_default_na=False)
    described, factors = {}, {}
    for t in terms.itertuples():
        if t.term == "Intercept":
            continue
        if t.coding == "treatment dummy":
            described[t.frame_column] = f"1 if {t.label} is {t.level} (reference: {t.reference})"
            factor = factors.setdefault(t.predictor, {"reference": t.reference, "levels": []})
            factor["levels"].append(t.level)
        else:
            described[t.frame_column] = f"{t.label}: (value - {t.centre}) / {t.scale}"
    outcome = next(
        c for c in pd.read_csv(folder / "model_frame.csv", nrows=0).columns if c.startswith("y_")
    )
    described[outcome] = f"1 if the participant has the outcome '{outcome[2:]}'"
    return described, factors


def resource(
    run_dir: Path, path: Path, codebook: Codebook | None, outcome_labels: Mapping[str, str]
) -> dict[str, Any]:
    """The data package resource (with its Table Schema) of one CSV of a run."""
    rel = path.relative_to(run_dir).as_posix()
    context = "multiverse" if run_dir.parent.name == "multiverse" else run_dir.name
    kind = table_kind(rel, context if context in {"multiverse", "simulation"} else "")
    frame = pd.read_csv(path)
    extra: dict[str, str] = {}
    enums: dict[str, Sequence[str]] = {}
    out: dict[str, Any] = {
        "name": re.sub(r"[^a-z0-9._-]", "-", rel.lower().removesuffix(".csv")),
        "path": rel,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
    }
    description = FIELDS["tables"].get(kind, {}).get("description")
    if description:
        out["description"] = description
    if kind in {"participants", "programmes"} and codebook is not None:
        extra = {**_codebook_descriptions(codebook), **DERIVED}
        for name, label in outcome_labels.items():
            extra[f"y_{name}"] = f"1 if the participant has the outcome: {label}"
        enums = level_orders(codebook)
    if kind == "model_frame":
        extra, factors = _model_frame_extras(path.parent)
        out["ipseval"] = {"factors": factors}
    out["schema"] = _schema(frame, kind, extra, enums)
    out["hash"] = "sha256:" + sha256(path)
    return out


def package(
    run_dir: str | Path,
    files: Sequence[str | Path],
    meta: Mapping[str, Any],
    codebook: Codebook | None = None,
    outcome_labels: Mapping[str, str] | None = None,
    tier: str = "restricted",
) -> dict[str, Any]:
    """The datapackage.json descriptor of the CSVs `files` under `run_dir`; `meta` holds the
    run's metadata (run_name, synthetic, generator_seed, config_sha256); `tier` is "public"
    (may be published) or "restricted" (microdata or counts outside the disclosure step)."""
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {sorted(TIERS)}, not {tier!r}")
    run_dir = Path(run_dir)
    resources = [
        resource(run_dir, Path(f), codebook, outcome_labels or {}) for f in sorted(map(str, files))
    ]
    for r in resources:
        r.setdefault("ipseval", {})["tier"] = tier
    synthetic = bool(meta["synthetic"])
    about = {
        "run_name": meta["run_name"],
        "synthetic": synthetic,
        "config_sha256": meta["config_sha256"],
        "version": version(),
        "tier": tier,
        "tier_note": TIERS[tier],
        "text_cells": "a text cell a spreadsheet would evaluate as a formula (starting with =, "
        "+, -, @, tab or carriage return, and not a number) is written with a leading "
        "apostrophe (OWASP's rule against CSV injection); remove it to read the text as given",
    }
    if synthetic:
        about["generator_seed"] = meta.get("generator_seed")
        about["notice"] = meta["notice"]
    title = f"ipseval results, run {meta['run_name']}"
    return {
        "profile": PROFILE,
        "name": re.sub(r"[^a-z0-9._-]", "-", f"ipseval-{meta['run_name']}".lower()),
        "title": title + (" (SYNTHETIC DATA)" if synthetic else ""),
        "description": meta.get("description", title),
        "version": version(),
        "ipseval": about,
        "resources": resources,
    }


def version() -> str:
    """ipseval's version (the package's own `__version__`, which a test keeps equal to
    pyproject.toml's and CITATION.cff's; the installed metadata can lag an edit)."""
    from ipseval import __version__

    return __version__


def config_sha256(config: Mapping[str, Any]) -> str:
    """SHA-256 of the config as run (canonical YAML, as the report's provenance shows it)."""
    text = yaml.safe_dump(dict(config), sort_keys=True, allow_unicode=True)
    return hashlib.sha256(text.encode()).hexdigest()


def write(path: str | Path, descriptor: Mapping[str, Any]) -> None:
    """Write a descriptor as stable, readable JSON."""
    from ipseval.common.io import write_atomic

    text = json.dumps(descriptor, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    write_atomic(path, text.encode("utf-8"))
