"""Figures of the model results (seaborn on matplotlib's Agg backend), saved byte-stably."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .io import write_atomic

SYNTHETIC_STAMP = "SYNTHETIC DATA"
_ESTIMATOR_ORDER = ["logit_cr1", "gee_br", "random_intercept", "firth"]


def _theme() -> None:
    sns.set_theme(style="whitegrid", context="paper", font_scale=1.1)


def save(fig: plt.Figure, path: str | Path, synthetic: bool) -> None:
    """Save a PNG without timestamps or software metadata (byte-stable), stamped when the
    data are synthetic, and close the figure."""
    if synthetic:
        fig.text(
            0.995,
            0.005,
            SYNTHETIC_STAMP,
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


def forest(coefs: pd.DataFrame, title: str, path: str | Path, synthetic: bool) -> None:
    """Odds ratios with intervals, one row per term, one colour per estimator x method."""
    _theme()
    data = coefs[coefs["term"] != "Intercept"].dropna(subset=["odds_ratio"]).copy()
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
    names = list(dict.fromkeys(preds["predictor"]))
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
            ax.errorbar(xs, y, yerr=[y - lo, hi - y], fmt="o", color="C0", capsize=3)
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
