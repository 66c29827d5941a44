"""Figures of the model results (seaborn on matplotlib's Agg backend), saved byte-stably."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ipseval.common.io import write_atomic
from ipseval.models.plan import DIMENSIONS

SYNTHETIC_STAMP = "SYNTHETIC DATA"
_ESTIMATOR_ORDER = ["logit_cr1", "gee_br", "random_intercept", "firth"]


def _theme() -> None:
    sns.set_theme(style="whitegrid", context="paper", font_scale=1.1)


def save(fig: plt.Figure, path: str | Path, synthetic: bool, stamp: str = SYNTHETIC_STAMP) -> None:
    """Save a PNG without timestamps or software metadata (byte-stable), stamped (`stamp`)
    when the data are synthetic or simulated, and close the figure."""
    if synthetic:
        fig.text(
            0.995,
            0.005,
            stamp,
            ha="right",
            va="bottom",
            fontsize=8,
            color="#b00020",
            alpha=0.8,
        )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    write_atomic(path, buf.getvalue())


def notice(text: str, title: str, path: str | Path, synthetic: bool) -> None:
    """A figure with nothing to draw: one sentence saying why, under the title."""
    _theme()
    fig, ax = plt.subplots(figsize=(6, 1.2))
    ax.axis("off")
    ax.text(0.0, 0.5, text, fontsize=9, va="center", wrap=True)
    fig.suptitle(title, x=0.01, ha="left")
    save(fig, path, synthetic)


def forest(coefs: pd.DataFrame, title: str, path: str | Path, synthetic: bool) -> None:
    """Odds ratios with intervals, one row per term, one colour per estimator x method."""
    _theme()
    data = coefs[coefs["term"] != "Intercept"].dropna(subset=["odds_ratio"]).copy()
    if "status" in data:  # degenerate inference is not drawn as an interval
        data = data[data["status"] == "ok"]
    if data.empty:
        why = (
            "No odds ratios: the model has an intercept only."
            if len(coefs)
            else "No odds ratios: no estimator gave a fit (warnings.csv says why)."
        )
        notice(why, title, path, synthetic)
        return
    data["fit"] = data["estimator"] + np.where(data["method"] == "complete_case", "", " (MI)")
    fits = [f for e in _ESTIMATOR_ORDER for f in (e, f"{e} (MI)") if f in set(data["fit"])]
    terms = list(dict.fromkeys(data["term"]))
    colours = dict(zip(_ESTIMATOR_ORDER, sns.color_palette("colorblind", 4), strict=True))
    palette = {f: colours[f.removesuffix(" (MI)")] for f in fits}
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(terms) * max(1, len(fits) / 3) + 1.6))
    step = 0.8 / max(len(fits), 1)
    for k, fit in enumerate(fits):
        sub = data[data["fit"] == fit].set_index("term").reindex(terms)
        ypos = np.arange(len(terms)) + (k - (len(fits) - 1) / 2) * step
        ok = sub["odds_ratio"].notna().to_numpy()
        ax.errorbar(
            sub["odds_ratio"].to_numpy()[ok],
            ypos[ok],
            xerr=[
                (sub["odds_ratio"] - sub["ci_low"]).to_numpy()[ok],
                (sub["ci_high"] - sub["odds_ratio"]).to_numpy()[ok],
            ],
            fmt="o",
            ms=4,
            lw=1.2,
            capsize=2,
            color=palette[fit],
            label=fit,
            mfc="white" if fit.endswith("(MI)") else palette[fit],
        )
    ax.axvline(1.0, color="0.3", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_yticks(np.arange(len(terms)), terms)
    ax.invert_yaxis()
    ax.set_xlabel("Odds ratio (log scale) with 95% interval")
    ax.set_title(title, loc="left")
    ax.legend(
        title="Estimator (open: MI)", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False
    )
    save(fig, path, synthetic)


def predicted(
    preds: pd.DataFrame, labels: dict[str, str], title: str, path: str | Path, synthetic: bool
) -> None:
    """Average predicted probability with interval, one panel per grid predictor."""
    _theme()
    names = list(dict.fromkeys(preds["predictor"])) if len(preds) else []
    if not names:  # no term of this model is in models.predictions, or no fit
        notice(
            "No predicted probabilities: no term of this model has a grid in "
            "models.predictions, or no estimator gave a fit.",
            title,
            path,
            synthetic,
        )
        return
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.6), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        sub = preds[preds["predictor"] == name].sort_values("order")
        x = np.arange(len(sub))
        numeric = pd.to_numeric(sub["value"], errors="coerce").notna().all()
        xs = pd.to_numeric(sub["value"]).to_numpy() if numeric else x
        y, lo, hi = (sub[c].to_numpy() * 100 for c in ("probability", "ci_low", "ci_high"))
        if numeric:
            ax.fill_between(xs, lo, hi, alpha=0.25, color="C0", lw=0)
            ax.plot(xs, y, color="C0", lw=1.8)
        else:
            err = np.clip([y - lo, hi - y], 0, None)  # rounding can put a limit past the estimate
            ax.errorbar(xs, y, yerr=err, fmt="o", color="C0", capsize=3)
            ax.set_xticks(xs, sub["value"], rotation=30, ha="right")
        ax.set_xlabel(labels.get(name, name).split(" (")[0])
        ax.set_ylim(bottom=0)
    axes[0][0].set_ylabel("Predicted probability (%)")
    fig.suptitle(title, x=0.01, ha="left")
    fig.tight_layout()
    save(fig, path, synthetic)


def calibration_plot(
    bins: pd.DataFrame, stats_: dict[str, float], title: str, path: str | Path, synthetic: bool
) -> None:
    """Observed vs predicted risk by tenth of predicted risk, with the ideal line."""
    if bins.empty:
        notice("No calibration: no estimator gave a fit.", title, path, synthetic)
        return
    _theme()
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    top = float(max(bins["predicted"].max(), bins["observed"].max()) * 100 * 1.1)
    ax.plot([0, top], [0, top], color="0.4", ls="--", lw=0.8, label="Ideal")
    sns.scatterplot(
        x=bins["predicted"] * 100, y=bins["observed"] * 100, s=40, ax=ax, color="C0", legend=False
    )
    ax.plot(bins["predicted"] * 100, bins["observed"] * 100, color="C0", lw=1)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("Predicted (%)")
    ax.set_ylabel("Observed (%)")
    text = "\n".join(f"{k}: {v:.2f}" for k, v in stats_.items())
    ax.text(0.03, 0.97, text, transform=ax.transAxes, va="top", fontsize=8)
    ax.set_title(title, loc="left")
    save(fig, path, synthetic)


SIMULATED_STAMP = "SIMULATED DATA (uncalibrated generator)"


def simulation_figure(
    summary: pd.DataFrame,
    type_i_terms: list[str],
    scenario_labels: dict[str, str],
    alpha: float,
    path: str | Path,
) -> None:
    """Simulation study: interval coverage of every term (left) and the type-I error of the
    null terms (right), per estimator, with 95 % Monte Carlo intervals; one row per scenario."""
    _theme()
    scenarios = list(dict.fromkeys(summary["scenario"]))
    estimators = [e for e in _ESTIMATOR_ORDER if e in set(summary["estimator"])]
    colours = dict(zip(_ESTIMATOR_ORDER, sns.color_palette("colorblind", 4), strict=True))
    terms = list(dict.fromkeys(summary["term"]))
    fig, axes = plt.subplots(
        len(scenarios),
        2,
        figsize=(11, (0.3 * len(terms) + 1.2) * len(scenarios)),
        gridspec_kw={"width_ratios": [3, 2]},
        squeeze=False,
    )
    step = 0.7 / max(len(estimators), 1)
    for row, scenario in enumerate(scenarios):
        d = summary[summary["scenario"] == scenario]
        for col, (what, names, target) in enumerate(
            [("coverage", terms, 1 - alpha), ("rejection", type_i_terms, alpha)]
        ):
            ax = axes[row, col]
            for k, e in enumerate(estimators):
                sub = d[d["estimator"] == e].set_index("term").reindex(names)
                pos = np.arange(len(names)) - 0.35 + step * (k + 0.5)
                value, half = sub[what].to_numpy(), 1.96 * sub[f"{what}_mcse"].to_numpy()
                ax.errorbar(
                    value,
                    pos,
                    # Monte Carlo interval, clipped to the possible range of a proportion
                    xerr=[value - np.clip(value - half, 0, 1), np.clip(value + half, 0, 1) - value],
                    fmt="o",
                    ms=4,
                    color=colours[e],
                    label=e,
                )
            ax.axvline(target, color="0.3", lw=1, ls="--")
            ax.set_yticks(np.arange(len(names)), names)
            ax.invert_yaxis()
            title = (
                f"{scenario_labels.get(scenario, scenario)}\ncoverage of the "
                f"{1 - alpha:.0%} interval"
                if what == "coverage"
                else f"\ntype-I error at {alpha:.0%} (true effect 0)"
            )
            ax.set_title(title, fontsize=10, loc="left")
            ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    axes[0, 1].legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    save(fig, path, True, stamp=SIMULATED_STAMP)


_CLASS_COLOURS = {
    "significant_negative": "#0072b2",
    "not_significant": "#999999",
    "significant_positive": "#d55e00",
}


def specification_curve(
    specs: pd.DataFrame,
    focus: list[str],
    curves: list[pd.DataFrame],
    path: str | Path,
    synthetic: bool,
    words: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Per focus term: the ranked odds ratios with intervals (`curves`, one per term, from
    `multiverse.curve`), coloured by sign and significance, above a panel marking each
    specification's analytic choices. `words`
    names terms (`terms`), choices (`choices`: 'dimension=value') and dimensions
    (`dimensions`) for readers; without it the codes are shown."""
    words = words or {}
    terms, choices, dims_words = (words.get(k, {}) for k in ("terms", "choices", "dimensions"))
    _theme()
    dims = [*DIMENSIONS, "estimator"]
    rows = [(dim, v) for dim in dims for v in dict.fromkeys(specs[dim])]
    fig, axes = plt.subplots(
        2 * len(focus),
        1,
        figsize=(10, len(focus) * (3.2 + 0.2 * len(rows))),
        gridspec_kw={"height_ratios": [3.2, 0.2 * len(rows)] * len(focus)},
        squeeze=False,
        layout="constrained",
    )
    for k, (term, c) in enumerate(zip(focus, curves, strict=True)):
        top, bottom = axes[2 * k, 0], axes[2 * k + 1, 0]
        x = c["rank"].to_numpy()
        for cls, colour in _CLASS_COLOURS.items():
            sel = c["class"] == cls
            top.vlines(x[sel], c["or_low"][sel], c["or_high"][sel], color=colour, lw=1, alpha=0.6)
            top.scatter(
                x[sel], c["odds_ratio"][sel], s=14, color=colour, label=cls.replace("_", " ")
            )
        top.axhline(1.0, color="0.3", lw=1, ls="--")
        top.set_yscale("log")
        top.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        top.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        top.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        top.set_ylabel("odds ratio")
        top.set_title(
            f"{terms.get(term, term)}: {len(c)} specifications with an estimate (of "
            f"{int((specs['term'] == term).sum())})",
            loc="left",
            fontsize=10,
        )
        top.set_xlim(0.5, max(len(c), 1) + 0.5)
        top.set_xticks([])
        top.legend(loc="best", fontsize=7)
        for i, (dim, value) in enumerate(rows):
            sel = (c[dim] == value).to_numpy()
            bottom.scatter(x[sel], np.full(sel.sum(), i), s=6, marker="s", color="0.2")
        shown = [f"{dims_words.get(d, d)}: {choices.get(f'{d}={v}', v)}" for d, v in rows]
        bottom.set_yticks(range(len(rows)), shown, fontsize=7)
        bottom.set_ylim(len(rows) - 0.5, -0.5)
        bottom.set_xlim(0.5, max(len(c), 1) + 0.5)
        bottom.set_xlabel("specification (ranked by estimate)")
        bottom.grid(axis="x", visible=False)
    save(fig, path, synthetic)
