"""The files of one fit, by name (the model_fit rule's outputs), and stacking them across
fits (pandas only: the Snakefile and the collecting job import it without the estimators)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ipseval.common.io import read_result_csv

RESULT_TABLES = (
    "coefficients",
    "fit_statistics",
    "warnings",
    "summary",
    "marginal_effects",
    "predictions",
    "calibration",
    "model_frame",
    "terms",
    "truth",
)
RESULT_FIGURES = ("forest", "predicted", "calibration")


def result_paths(directory: str | Path) -> dict[str, Path]:
    """Where one fit's files go in a folder, by name: `<table>` -> `<table>.csv`,
    `<figure>_png` -> `<figure>.png` (the names the workflow's model_fit outputs use)."""
    d = Path(directory)
    return {t: d / f"{t}.csv" for t in RESULT_TABLES} | {
        f"{f}_png": d / f"{f}.png" for f in RESULT_FIGURES
    }


def collect(paths: list[str]) -> pd.DataFrame:
    """Stack per-fit tables (…/models/<outcome>/<spec>/<table>.csv), tagging each row with
    its outcome and specification when the table does not carry them."""
    frames = []
    for path in paths:
        outcome, spec = Path(path).parts[-3:-1]
        frame = read_result_csv(path)
        if "outcome" not in frame:
            frame.insert(0, "specification", spec)
            frame.insert(0, "outcome", outcome)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
