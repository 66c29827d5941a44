"""Light-weight planning of fan-out jobs (which cells, which chunks), imported by the
Snakefile at start-up: kept free of the statistics stack so that start-up and a no-op run stay
fast (importing statsmodels and firthmodels costs about 2 s here)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ipseval.models.design import ModelSpecError

DIMENSIONS = ["outcome", "predictor_set", "sample", "missing_data"]


def chunks(replicates: int, chunk_size: int) -> list[tuple[int, int]]:
    """Replicate ranges [start, stop) of the jobs: `replicates` split into `chunk_size`s."""
    return [(a, min(a + chunk_size, replicates)) for a in range(0, replicates, chunk_size)]


def cells(grid: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Every cell (job) of a grid: the cross product of outcomes, predictor sets, samples
    and missing-data methods."""
    combos = itertools.product(
        grid["outcomes"], grid["predictor_sets"], grid["samples"], grid["missing_data"]
    )
    return pd.DataFrame(list(combos), columns=DIMENSIONS)


def check_config(config: Mapping[str, Any]) -> None:
    """Cross-references of `multiverse` the schema cannot express (raises ModelSpecError)."""
    if "multiverse" not in config:
        return
    mv, models = config["multiverse"], config["models"]
    focus_predictors = {t.split("[")[0] for t in mv["focus"]}
    for name, preds in mv["predictor_sets"].items():
        unknown = [p for p in preds if p not in models["predictors"]]
        if unknown:
            raise ModelSpecError(
                f"multiverse.predictor_sets.{name}: unknown predictor(s) {unknown}; "
                f"defined predictors: {', '.join(sorted(models['predictors']))}"
            )
        lacking = sorted(focus_predictors - set(preds))
        if lacking:
            raise ModelSpecError(
                f"multiverse.predictor_sets.{name}: lacks the focus predictor(s) {lacking} "
                "(every set must contain every multiverse.focus predictor)"
            )
    for grid_name, grid in mv["grids"].items():
        for key, known in (
            ("outcomes", config["outcomes"]),
            ("predictor_sets", mv["predictor_sets"]),
            ("samples", mv["samples"]),
        ):
            unknown = [v for v in grid[key] if v not in known]
            if unknown:
                raise ModelSpecError(
                    f"multiverse.grids.{grid_name}.{key}: unknown {unknown}; "
                    f"defined: {', '.join(sorted(known))}"
                )
