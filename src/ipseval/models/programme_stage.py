"""The programme stage (issue 28): programmes compared fairly, practice and outcome, and the
participants who had left, from the cleaned data and the `programme_comparison` config.

Every statistic comes from `models.programmes`, `models.practice` and `models.leavers`; this
module only runs them per outcome and says, in a table of its own (`skipped`), what a run's
data could not support and why, so that another evaluation's export goes through with the
parts its data allow.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ipseval.models import leavers as lv
from ipseval.models import practice as pr
from ipseval.models import programmes as pg
from ipseval.models.design import (
    INTERCEPT,
    ModelSpecError,
    Predictor,
    Specification,
    build_design,
    restrict_rows,
)
from ipseval.models.estimators import fit_gee_br, fit_random_intercept

# the columns of each table, so that an empty one (a part the data could not support) is
# still a CSV with its header
COLUMNS = {
    "comparison": [
        "outcome",
        "programme",
        "n",
        "observed",
        "expected",
        "ratio",
        "p_above",
        "p_below",
        "position",
    ],
    "funnel": ["outcome", "n", "level", "low", "high"],
    "caterpillar": ["outcome", "programme", "effect", "low", "high"],
    "variation": [
        "outcome",
        "sd_null",
        "sd_adjusted",
        "icc_null",
        "icc_adjusted",
        "mor_null",
        "mor_adjusted",
        "variance_explained_by_case_mix",
    ],
    "practice": [
        "outcome",
        "model",
        "item",
        "programmes",
        "n",
        "odds_ratio",
        "ci_low",
        "ci_high",
        "p_value",
        "p_holm",
        "minimum_detectable_or",
    ],
    "power": ["outcome", "item", "odds_ratio", "replicates", "power", "mcse"],
    "ever_enrolled": [
        "outcome",
        "stock_events",
        "stock_answered",
        "stock_rate",
        "leavers",
        "leaver_events",
        "leavers_status_unknown",
        "ever_enrolled",
        "rate_low",
        "rate_high",
    ],
    "time_check": [
        "outcome",
        "sample",
        "programmes",
        "n",
        "smallest_cell",
        "odds_ratio",
        "ci_low",
        "ci_high",
        "p_value",
    ],
    "skipped": ["part", "name", "reason"],
    "analysed": ["outcome", "form_id", "programme", "y"],
    "flow": ["programme_id", "ever_enrolled", "left", "still_enrolled"],
}


def with_header(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """`frame`, or the table's empty frame with its columns where it has none."""
    return frame if len(frame.columns) else pd.DataFrame(columns=COLUMNS[name])


MIN_CELL = 5  # the fewest participants in a cell of time x outcome for an odds ratio

TABLES = (
    "comparison",
    "funnel",
    "caterpillar",
    "variation",
    "practice",
    "power",
    "ever_enrolled",
    "time_check",
    "skipped",
    "analysed",
)  # and "flow", of the whole run (`flow_table`)


def case_mix(settings: Mapping[str, Any]) -> Specification:
    """The case-mix specification: the participant-level predictors of the configured set
    (a programme-level one would take up the very differences compared)."""
    preds = tuple(
        Predictor.from_config(name, settings["predictors"][name])
        for name in settings["case_mix"]
        if settings["predictors"][name].get("level", "participant") != "programme"
    )
    return Specification(name="case_mix", predictors=preds)


def _rows(frame: pd.DataFrame, **extra: Any) -> pd.DataFrame:
    return frame.assign(**extra)[[*extra, *frame.columns]]


def run(
    participants: pd.DataFrame,
    programmes: pd.DataFrame | None,
    level_order: Mapping[str, Any],
    settings: Mapping[str, Any],
) -> dict[str, pd.DataFrame]:
    """Every table of the stage (TABLES) for every outcome of `settings["outcomes"]`, with
    the outcome flow; what the Snakemake jobs compute one outcome at a time."""
    each = [
        run_outcome(participants, programmes, level_order, settings, o)
        for o in settings["outcomes"]
    ]
    out = collect(each)
    out["flow"] = flow_table(participants, programmes, settings)
    return out


def collect(each: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The tables of several outcomes, one below the other (a skip said once)."""
    out = {}
    for k in TABLES:
        frames = [e[k] for e in each if k in e and len(e[k])]
        out[k] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    out["skipped"] = out["skipped"].drop_duplicates() if len(out["skipped"]) else SKIPPED()
    return out


def SKIPPED(rows: list[dict[str, str]] | None = None) -> pd.DataFrame:
    """The table of what was skipped and why."""
    return pd.DataFrame(rows or [], columns=["part", "name", "reason"])


def run_outcome(
    participants: pd.DataFrame,
    programmes: pd.DataFrame | None,
    level_order: Mapping[str, Any],
    settings: Mapping[str, Any],
    outcome: str,
) -> dict[str, pd.DataFrame]:
    """The stage's tables of one outcome, restricted (the comparison has each programme's
    counts); `settings`: outcomes, outcome_definitions, predictors, case_mix, alpha,
    funnel_levels, quadrature_points, practice, leavers, time_predictor, restrict."""
    alpha = float(settings["alpha"])
    spec = case_mix(settings)
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in TABLES}
    skipped: list[dict[str, str]] = []
    practice_cfg = settings.get("practice") or {}
    items = (
        pr.coded_items(programmes, practice_cfg.get("items", {}))
        if programmes is not None
        else None
    )
    for name in practice_cfg.get("items", {}):
        if items is None or name not in items:
            skipped.append(
                {"part": "practice", "name": name, "reason": "not in the programme survey"}
            )

    def done() -> dict[str, pd.DataFrame]:
        out = {
            k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in parts.items()
        }
        out["skipped"] = SKIPPED(skipped)
        return out

    if settings.get("leavers"):
        _ever_enrolled(participants, programmes, settings, outcome, parts, skipped)
    # a case-mix predictor with one value in the analysed rows (e.g. time in the programme
    # in a sample restricted to it) says nothing about the case mix: left out, and said
    rows = (
        participants[participants[f"y_{outcome}"].notna()]
        if f"y_{outcome}" in participants
        else participants
    )
    if settings.get("restrict"):
        rows = restrict_rows(rows, settings["restrict"])
    varying = []
    for pred in spec.predictors:
        if pred.column in rows and pred.code(rows[pred.column]).nunique() < 2:
            skipped.append(
                {
                    "part": "case mix",
                    "name": pred.name,
                    "reason": "one value at most in the rows analysed",
                }
            )
        else:
            varying.append(pred)
    spec = Specification(name=spec.name, predictors=tuple(varying))
    try:
        design = build_design(
            participants, outcome, spec, level_order, restrict=settings.get("restrict")
        )
        y, X, g = design.complete_case()
    except ModelSpecError as err:
        skipped.append({"part": "comparison", "name": outcome, "reason": str(err)})
        return done()
    g = g.astype(str)
    if len(set(g)) < 3 or y.min() == y.max():
        skipped.append(
            {
                "part": "comparison",
                "name": outcome,
                "reason": "fewer than 3 programmes or no variation in the outcome",
            }
        )
        return done()
    # who the comparison analysed (restricted): the disclosure step counts these
    keep = design.complete_rows()
    parts["analysed"].append(
        pd.DataFrame(
            {
                "outcome": outcome,
                "form_id": design.ids.to_numpy()[keep],
                "programme": g,
                "y": y.astype(int),
            }
        )
    )
    p = pg.expected(y, X)
    cmp = pg.compare(y, p, g, alpha)
    parts["comparison"].append(_rows(cmp, outcome=outcome))
    rate = float(p.sum() / len(p))
    sizes = np.unique(
        np.linspace(max(2, cmp["n"].min() // 2), cmp["n"].max() * 1.1, 60).astype(int)
    )
    parts["funnel"].append(
        _rows(pg.funnel_curve(rate, sizes, settings["funnel_levels"]), outcome=outcome)
    )
    q = int(settings["quadrature_points"])
    null = fit_random_intercept(y, X[[INTERCEPT]], g, q, alpha)
    adjusted = fit_random_intercept(y, X, g, q, alpha)
    sd0, sd1 = null.extra["programme_sd"], adjusted.extra["programme_sd"]
    parts["variation"].append(pd.DataFrame([{"outcome": outcome, **pg.variation_change(sd0, sd1)}]))
    parts["caterpillar"].append(
        _rows(pg.caterpillar(y, X, g, adjusted.params.to_numpy(), sd1, alpha), outcome=outcome)
    )
    if items is not None and len(items.columns):
        assoc = pr.associations(y, X, g, items, practice_cfg.get("set", []), alpha)
        power_cfg = practice_cfg["power"]
        eta = X.to_numpy() @ adjusted.params.to_numpy()
        mdor = []
        for name in items.columns:
            table, at = pr.minimum_detectable(
                eta, X, g, items[name], max(sd1, 1e-6),
                power_cfg["odds_ratios"], int(power_cfg["replicates"]),
                int(power_cfg["seed"]), f"{outcome}:{name}", alpha, float(power_cfg["power"]),
            )  # fmt: skip
            parts["power"].append(_rows(table, outcome=outcome, item=name))
            mdor.append({"item": name, "minimum_detectable_or": at})
        assoc = assoc.merge(pd.DataFrame(mdor), on="item", how="left")
        parts["practice"].append(_rows(assoc, outcome=outcome))
    if settings.get("leavers"):
        _time_check(participants, programmes, y, X, g, settings, outcome, parts, skipped)
    return done()


def flow_table(
    participants: pd.DataFrame, programmes: pd.DataFrame | None, settings: Mapping[str, Any]
) -> pd.DataFrame:
    """The outcome flow per programme and overall (empty where the programme survey does
    not count the participants who had left, or the stage has `leavers` off)."""
    if not settings.get("leavers") or not _has_leavers(programmes) or not settings["outcomes"]:
        return pd.DataFrame()
    defs = settings["outcome_definitions"]
    variable = f"{defs[settings['outcomes'][0]].get('variable', 'occupation')}_code"
    return lv.flow(participants, programmes, variable)


def _has_leavers(programmes: pd.DataFrame | None) -> bool:
    return programmes is not None and all(c in programmes for c in lv.LEAVER_CODES)


def _ever_enrolled(
    participants: pd.DataFrame,
    programmes: pd.DataFrame | None,
    settings: Mapping[str, Any],
    outcome: str,
    parts: dict[str, list[pd.DataFrame]],
    skipped: list[dict[str, str]],
) -> None:
    """The outcome among everyone ever enrolled, with bounds (where the programme survey
    counts the participants who had left)."""
    if not _has_leavers(programmes):
        skipped.append(
            {
                "part": "leavers",
                "name": "participants who had left",
                "reason": "the programme survey does not count them",
            }
        )
        return
    assert programmes is not None
    left = {r: int(programmes[r].fillna(0).sum()) for r in lv.LEAVER_CODES}
    y = participants[f"y_{outcome}"].dropna()
    row = lv.ever_enrolled(
        int(y.sum()), len(y), left, settings["outcome_definitions"][outcome]["positive"]
    )
    parts["ever_enrolled"].append(pd.DataFrame([{"outcome": outcome, **row}]))


def _time_check(
    participants: pd.DataFrame,
    programmes: pd.DataFrame | None,
    y: np.ndarray,
    X: pd.DataFrame,
    g: np.ndarray,
    settings: Mapping[str, Any],
    outcome: str,
    parts: dict[str, list[pd.DataFrame]],
    skipped: list[dict[str, str]],
) -> None:
    """Length bias of the time-in-programme association: its adjusted odds ratio in every
    programme and in the programmes no participant had left (there the stock is everyone
    ever enrolled), and the crude odds ratio's range with the leavers added to either
    group."""
    term = settings.get("time_predictor")
    if term not in X.columns or not _has_leavers(programmes):
        skipped.append(
            {
                "part": "time check",
                "name": outcome,
                "reason": "no time-in-programme term, or no counts of leavers",
            }
        )
        return
    assert programmes is not None
    alpha = float(settings["alpha"])
    gone = programmes.set_index(programmes["programme_id"].astype(str))[list(lv.LEAVER_CODES)]
    none_left = set(gone.index[gone.fillna(0).sum(axis=1) == 0])
    x = X[term].to_numpy()
    longer = x > np.median(x) if len(np.unique(x)) > 2 else x == x.max()
    rows = []
    samples = (
        ("all programmes, adjusted for the case mix", np.ones(len(y), bool), list(X.columns)),
        ("all programmes, crude", np.ones(len(y), bool), [INTERCEPT, term]),
        ("programmes no one had left, crude", np.isin(g, list(none_left)), [INTERCEPT, term]),
    )
    for sample, keep, columns in samples:
        row: dict[str, Any] = {
            "outcome": outcome,
            "sample": sample,
            "programmes": len(set(g[keep])),
            "n": int(keep.sum()),
        }
        # every cell of time x outcome needs a few participants for an odds ratio at all
        cells = [int(((longer == a) & (y == b) & keep).sum()) for a in (0, 1) for b in (0, 1)]
        row["smallest_cell"] = min(cells)
        if min(cells) >= MIN_CELL and len(set(g[keep])) >= 3:
            row |= pr._term_row(fit_gee_br(y[keep], X.loc[keep, columns], g[keep]), term, alpha)
        rows.append(row)
    positive = set(settings["outcome_definitions"][outcome]["positive"])
    k = int(sum(programmes[r].fillna(0).sum() for r, c in lv.LEAVER_CODES.items() if c in positive))
    # the crude range on everyone with an answer and a time (Tabell 11's counts for the
    # default), not only the case mix's complete cases
    column = settings["predictors"][term]["column"]
    every = participants[[f"y_{outcome}", column]].dropna()
    if settings.get("restrict"):
        every = restrict_rows(participants, settings["restrict"])[[f"y_{outcome}", column]].dropna()
    t_all, y_all = every[column].to_numpy(dtype=float), every[f"y_{outcome}"].to_numpy(dtype=float)
    long_all = t_all > np.median(t_all) if len(np.unique(t_all)) > 2 else t_all == t_all.max()
    events = (int(y_all[~long_all].sum()), int(y_all[long_all].sum()))
    answered = (int((~long_all).sum()), int(long_all.sum()))
    if min(*events, *(a - e for a, e in zip(answered, events, strict=True))) > 0:
        for sample, value in lv.time_association_bounds(events, answered, k).items():
            rows.append(
                {
                    "outcome": outcome,
                    "sample": f"crude, {sample.replace('_', ' ')}",
                    "odds_ratio": value,
                }
            )
    parts["time_check"].append(pd.DataFrame(rows))


def write_outcome(
    inputs: Mapping[str, Any], settings: Mapping[str, Any], outcome: str, outputs: Mapping[str, Any]
) -> None:
    """The Snakemake job of one outcome: read the cleaned data, leave out the case-mix
    predictors the term check dropped for this outcome, run, write every table."""
    from ipseval.common.io import read_result_csv, write_csv
    from ipseval.data.codebook import load_codebook
    from ipseval.data.derive import level_orders, read_participants
    from ipseval.models.design import drop_checked

    cb = load_codebook(inputs["codebook"])
    participants = read_participants(inputs["participants"], cb)
    programmes = None
    if settings["has_programmes"]:
        programmes = read_result_csv(inputs["programmes"], dtype={"programme_id": str})
    check = read_result_csv(inputs["check"], keep_default_na=False)
    kept = drop_checked(
        settings["case_mix"], check, "specification", settings["case_mix_specification"], outcome
    )
    out = run_outcome(
        participants, programmes, level_orders(cb), {**settings, "case_mix": kept}, outcome
    )
    for name in TABLES:
        write_csv(with_header(out[name], name), outputs[name])


def write_collected(
    inputs: Mapping[str, Any], settings: Mapping[str, Any], outputs: Mapping[str, Any]
) -> None:
    """The Snakemake job that collects the outcomes' tables and adds the outcome flow."""
    from ipseval.common.io import read_result_csv, write_csv
    from ipseval.data.codebook import load_codebook
    from ipseval.data.derive import read_participants

    folder = Path(inputs["participants"]).parents[1] / "programmes"
    each = [
        {t: read_result_csv(folder / o / f"{t}.csv") for t in TABLES} for o in settings["outcomes"]
    ]
    out = collect(each)
    cb = load_codebook(inputs["codebook"])
    programmes = None
    if settings["has_programmes"]:
        programmes = read_result_csv(inputs["programmes"], dtype={"programme_id": str})
    out["flow"] = flow_table(read_participants(inputs["participants"], cb), programmes, settings)
    for name, frame in out.items():
        write_csv(with_header(frame, name), outputs[name])
