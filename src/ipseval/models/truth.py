"""The synthetic default's generating coefficients, expressed as the terms of a model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ipseval.data.derive import DIAGNOSIS_HIERARCHY
from ipseval.models.design import Design

_DIAGNOSIS_CODES = [c for c, _ in DIAGNOSIS_HIERARCHY] + [
    "intellectual_disability",
    "other",
    "unknown",
]


def truth_by_column(truth: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per analysis column: a slope per unit (`per_unit`) or a log-odds per code (`levels`),
    from a generator's `truth` section: config/synthetic.yaml's own form, or already per
    column (`{column: {per_unit: b} | {levels: {code: b}}}`, as the second example's)."""
    if "age_per_10_years" not in truth:
        return {
            col: dict(spec)
            for col, spec in truth.items()
            if isinstance(spec, Mapping) and ({"per_unit", "levels"} & set(spec))
        }
    return {
        "age": {"per_unit": truth["age_per_10_years"] / 10},
        "caseload": {"per_unit": truth["caseload_per_5"] / 5},
        "work_history": {"levels": dict(truth["work_history"])},
        "diagnosis_group": {
            "levels": {c: truth["psychosis"] if c == "psychosis" else 0.0 for c in _DIAGNOSIS_CODES}
        },
        "education_code": {
            "levels": {k: v for k, v in truth["education"].items() if k != "missing"}
        },
    }


def truth_for_terms(design: Design, by_col: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """Generating coefficient of every term that has one (conditional, log-odds scale), from
    truths per analysis column (`truth_by_column`, or a simulation's own).

    A collapsed level has a truth only if all the codes it merges share one; columns without
    a truth (on the synthetic default: sex and time in programme, fixed by published counts;
    the intake variables) give none.
    """
    out: dict[str, float] = {}
    for p in design.spec.predictors:
        spec = by_col.get(p.column)
        if spec is None:
            continue
        if not p.categorical:
            if "per_unit" in spec:
                out[p.name] = spec["per_unit"] * p.scale
            continue
        if "levels" not in spec:  # a slope cut into bands has no single truth per band
            continue
        values = spec["levels"]

        def level_value(level: str, p=p, values=values) -> float | None:
            members = {v for c, v in values.items() if p.collapse.get(c, c) == level}
            return members.pop() if len(members) == 1 else None

        ref = level_value(design.levels[p.name][0])
        for lv in design.levels[p.name][1:]:
            v = level_value(lv)
            if v is not None and ref is not None:
                out[f"{p.name}[{lv}]"] = v - ref
    return out


TRUTH_COLUMNS = [
    "term",
    "estimator",
    "method",
    "truth",
    "estimate",
    "error",
    "ci_low_logodds",
    "ci_high_logodds",
    "covered",
]


def truth_table(coefficients: pd.DataFrame, truth: Mapping[str, float]) -> pd.DataFrame:
    """Truth beside each estimate, with whether the interval covers it (log-odds scale)."""
    rows = coefficients[coefficients["term"].isin(list(truth))].copy()
    rows["truth"] = rows["term"].map(truth)
    rows["ci_low_logodds"] = np.log(rows["ci_low"])
    rows["ci_high_logodds"] = np.log(rows["ci_high"])
    rows["covered"] = (rows["ci_low_logodds"] <= rows["truth"]) & (
        rows["truth"] <= rows["ci_high_logodds"]
    )
    rows["error"] = rows["estimate"] - rows["truth"]
    return rows[TRUTH_COLUMNS].reset_index(drop=True)
