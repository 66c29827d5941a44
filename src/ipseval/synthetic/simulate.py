"""Uncalibrated simulation of model-ready participant data with a known truth.

Unlike `ipseval.synthetic.synth` (which reproduces the published tables exactly and so has exactly
914 forms), this draws any number of participants in any number of programmes from a
random-intercept logistic model, for recovery tests, the simulation study of the
estimators and the benchmarks. Columns are named as in `clean/participants.csv`, so the
same specifications from config apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

DIAGNOSIS = {
    "depression": 0.30,
    "psychosis": 0.22,
    "bipolar": 0.08,
    "neuropsychiatric": 0.23,
    "anxiety": 0.05,
    "other": 0.12,
}
WORK_HISTORY = {
    "lt6m": 0.07,
    "6m_2y": 0.17,
    "2y_5y": 0.21,
    "gt5y": 0.20,
    "never": 0.23,
    "unknown": 0.12,
}


@dataclass
class Scenario:
    """Design and truth of one simulated data set."""

    # The truth is never a default here: it comes from a config (the study's
    # `simulation.truth`, or the synthetic default's via `truth_by_column`), the one place
    # where it is described. Log-odds per unit of an analysis column (`per_unit`, centred at
    # `centres[column]`, 0 where absent) or per level (`levels`).
    truth: dict[str, dict[str, Any]]
    centres: dict[str, float]
    n: int = 900
    programmes: int = 32
    intercept: float = -1.0  # log-odds at the centres, reference levels, <= 6 months
    programme_sd: float = 0.5
    age_missing: float = 0.0  # share of ages missing completely at random
    outcome: str = "sim"

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> Scenario:
        """A scenario from a config mapping (keys as the fields)."""
        return cls(**{k: v for k, v in cfg.items() if k in cls.__dataclass_fields__})


def _draw(rng: np.random.Generator, probs: Mapping[str, float], n: int) -> np.ndarray:
    keys = list(probs)
    p = np.array([probs[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def simulate(s: Scenario, seed: int) -> pd.DataFrame:
    """Participants with covariates and a binary outcome `y_<s.outcome>` drawn from
    logit P(y=1) = intercept + sum of truths + u_programme, u ~ N(0, programme_sd^2)."""
    rng = np.random.default_rng(seed)
    prog = np.sort(rng.integers(0, s.programmes, s.n))
    caseload_p = rng.integers(4, 23, s.programmes).astype(float)
    u = rng.normal(0.0, s.programme_sd, s.programmes)
    d = pd.DataFrame(
        {
            "form_id": np.arange(1, s.n + 1),
            "programme_id": prog + 1,
            "age": np.clip(np.round(rng.normal(35, 11, s.n)), 18, 65),
            "sex_code": _draw(rng, {"female": 0.48, "male": 0.52}, s.n),
            "diagnosis_group": _draw(rng, DIAGNOSIS, s.n),
            "work_history": _draw(rng, WORK_HISTORY, s.n),
            "time_gt_6m": rng.integers(0, 2, s.n),
            "caseload": caseload_p[prog],
        }
    )
    eta = np.full(s.n, s.intercept) + u[prog]
    for col, t in s.truth.items():
        if col not in d:
            raise ValueError(
                f"simulation truth: no column {col!r} in the simulated data "
                f"(it has {', '.join(d.columns.drop(['form_id', 'programme_id']))})"
            )
        if "per_unit" in t:
            eta += t["per_unit"] * (d[col].to_numpy(float) - float(s.centres.get(col, 0.0)))
        else:
            eta += d[col].map(t["levels"]).to_numpy(float)
    d[f"y_{s.outcome}"] = (rng.random(s.n) < special.expit(eta)).astype(int)
    if s.age_missing > 0:
        d["age"] = d["age"].mask(rng.random(s.n) < s.age_missing)
    return d
