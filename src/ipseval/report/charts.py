"""The report's own figures, drawn from the protected tables only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ipseval.models import figures
from ipseval.publication.disclosure import ALL


def participants_figure(
    ptab: pd.DataFrame, path: Path, synthetic: bool, t: Mapping[str, str] | None = None
) -> None:
    """Bar charts of each participant characteristic, from the protected table: hidden
    categories are named below the bars, with why, never drawn; words from translations
    `t` (English without)."""
    t = t or {}
    import matplotlib.pyplot as plt

    groups = list(dict.fromkeys(ptab["variable"]))
    if not groups:
        figures.notice(
            "No participant tables: the configuration names no column for them.",
            "",
            path,
            synthetic,
        )
        return
    figures._theme()
    ncol = min(3, len(groups))
    nrow = -(-len(groups) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.4 * ncol, 3.6 * nrow), squeeze=False)
    for ax in axes.flat[len(groups) :]:
        ax.set_visible(False)
    for ax, label in zip(axes.flat, groups, strict=False):
        sub = ptab[(ptab["variable"] == label) & (ptab["level"] != ALL)]
        shown = sub[sub["count"].str.isdigit()]
        ax.barh(shown["level_label"], shown["count"].astype(int), color="C0")
        notes = []
        for status, why in (
            ("small", t.get("chart_small", "not shown (fewer than the threshold)")),
            (
                "hidden",
                t.get("chart_hidden", "not shown (hidden so that no small count can be recovered)"),
            ),
        ):
            hidden = sub[sub["status"] == status]["level_label"].tolist()
            if hidden:
                notes.append(f"{why}: {', '.join(hidden)}")
        if notes:
            ax.text(
                0.98,
                0.02,
                "\n".join(notes),
                fontsize=7,
                ha="right",
                transform=ax.transAxes,
                color="0.35",
                wrap=True,
            )
        ax.invert_yaxis()
        ax.set_title(label, fontsize=11, loc="left")
        ax.tick_params(labelsize=9)
        ax.set_xlabel(t.get("chart_participants", "Participants"))
    fig.tight_layout()
    figures.save(fig, path, synthetic)


def outcomes_figure(
    frame: pd.DataFrame,
    labels: Mapping[str, str],
    by_label: str | None,
    level: str,
    path: Path,
    synthetic: bool,
) -> None:
    """Share with each outcome (per group of `by` where the run has one), with intervals."""
    import matplotlib.pyplot as plt

    figures._theme()
    frame = frame[frame["group"] != ALL] if by_label else frame[frame["group"] == ALL]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    groups = list(dict.fromkeys(frame["group"]))
    names = dict(zip(frame["group"], frame["group_label"], strict=True))
    outcomes = list(dict.fromkeys(frame["outcome"]))
    width = 0.8 / len(groups)
    for k, group in enumerate(groups):
        sub = frame[frame["group"] == group].set_index("outcome").reindex(outcomes)
        x = np.arange(len(outcomes)) + (k - (len(groups) - 1) / 2) * width
        y = sub["share"].to_numpy() * 100
        err = np.clip(
            [y - sub["ci_low"].to_numpy() * 100, sub["ci_high"].to_numpy() * 100 - y], 0, None
        )
        ax.bar(x, y, width, yerr=err, capsize=3, label=names[group], color=f"C{k}")
    ax.set_xticks(
        np.arange(len(outcomes)), [labels[o] for o in outcomes], rotation=12, ha="right", fontsize=8
    )
    ax.set_ylabel(f"Share of participants (%), {level} intervals")
    if by_label:
        ax.legend(title=by_label, frameon=False)
    fig.tight_layout()
    figures.save(fig, path, synthetic)


def context_figure(
    literature: pd.DataFrame,
    rates: pd.DataFrame,
    labels: Mapping[str, str],
    when: str,
    path: Path,
    synthetic: bool,
) -> None:
    """This evaluation's outcome rates beside the literature's, one horizontal bar each."""
    import matplotlib.pyplot as plt

    figures._theme()
    rows = []
    for r in rates[rates["group"] == ALL].itertuples():
        rows.append((f"This evaluation ({when}): {labels[r.outcome]}", 100 * r.share, "C3"))
    for r in literature.itertuples():
        short = (
            r.citation.split(".")[0].split(",")[0]
            + " et al. "
            + re.findall(r"(\d{4});", r.citation)[0]
        )
        rows.append((f"{short}: {r.group} ({r.setting})", r.employment_pct, "C0"))
        if not pd.isna(r.comparison_pct):
            rows.append((f"{short}: {r.comparison_group}", r.comparison_pct, "C7"))
    fig, ax = plt.subplots(figsize=(9, 0.36 * len(rows) + 1.2))
    ax.barh([r[0] for r in rows], [r[1] for r in rows], color=[r[2] for r in rows])
    for i, r in enumerate(rows):
        ax.text(r[1] + 0.8, i, f"{r[1]:.0f} %", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share in work (%)")
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    figures.save(fig, path, synthetic)


def models_figure(
    estimates: pd.DataFrame,
    outcome_labels: Mapping[str, str],
    term_labels: Mapping[str, str],
    level: str,
    path: Path,
    synthetic: bool,
) -> None:
    """One compact forest plot per outcome: each term's odds ratio and interval in every
    specification (offset markers), on a log scale with the line of no association."""
    import matplotlib.pyplot as plt

    figures._theme()
    outcomes = list(dict.fromkeys(estimates["outcome"])) if len(estimates) else []
    if not outcomes:
        fig, ax = plt.subplots(figsize=(8, 1.5))
        ax.text(0.5, 0.5, "No model estimates", ha="center", va="center")
        ax.set_axis_off()
        figures.save(fig, path, synthetic)
        return
    specs = list(dict.fromkeys(estimates["specification"]))
    terms = list(dict.fromkeys(estimates["term"]))
    ncol = min(2, len(outcomes))
    nrow = -(-len(outcomes) // ncol)
    height = 0.26 * len(terms) + 1.0
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(6.2 * ncol, height * nrow), squeeze=False, sharey=True
    )
    for ax in axes.flat[len(outcomes) :]:
        ax.set_visible(False)
    step = 0.7 / max(1, len(specs))
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        sub = estimates[estimates["outcome"] == outcome]
        for k, spec in enumerate(specs):
            rows = sub[sub["specification"] == spec].set_index("term").reindex(terms)
            y = np.arange(len(terms)) + (k - (len(specs) - 1) / 2) * step
            ok = rows["odds_ratio"].notna().to_numpy()
            ax.errorbar(
                rows["odds_ratio"][ok],
                y[ok],
                xerr=[
                    (rows["odds_ratio"] - rows["ci_low"])[ok],
                    (rows["ci_high"] - rows["odds_ratio"])[ok],
                ],
                fmt="o",
                ms=3.5,
                lw=1,
                capsize=0,
                color=f"C{k}",
                label=spec,
            )
        ax.axvline(1, color="0.4", lw=0.8, ls="--")
        ax.set_xscale("log")
        ax.set_title(outcome_labels.get(outcome, outcome), fontsize=10, loc="left")
        ax.set_yticks(np.arange(len(terms)), [term_labels.get(t, t) for t in terms], fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.set_xlabel(f"Odds ratio, {level} interval (log scale)", fontsize=8)
    axes.flat[0].invert_yaxis()  # shared: first term on top in every panel
    axes.flat[0].legend(title="Specification", fontsize=7, title_fontsize=7, frameon=False)
    fig.tight_layout()
    figures.save(fig, path, synthetic)


def _outcome_panels(
    frame: pd.DataFrame,
    labels: Mapping[str, str],
    path: Path,
    synthetic: bool,
    t: Mapping[str, str],
    height: float,
) -> tuple[Any, list[tuple[Any, str]]]:
    """One panel per outcome of `labels` that `frame` has, side by side; with none, the
    figure is a notice saying so (saved) and there are no panels."""
    import matplotlib.pyplot as plt

    outcomes = [o for o in labels if o in set(frame["outcome"])]
    if not outcomes:
        figures.notice(t.get("pc_none", "No programme comparison."), "", path, synthetic)
        return None, []
    figures._theme()
    fig, axes = plt.subplots(1, len(outcomes), figsize=(5.2 * len(outcomes), height), squeeze=False)
    return fig, list(zip(axes.flat, outcomes, strict=True))


def funnel_figure(
    comparison: pd.DataFrame,
    funnel: pd.DataFrame,
    labels: Mapping[str, str],
    path: Path,
    synthetic: bool,
    t: Mapping[str, str] | None = None,
) -> None:
    """Funnel plot per outcome: each programme's observed/expected ratio against its number
    of participants, with the control limits; only the programmes whose counts are shown
    (`comparison` as protected: a ratio where `ratio` is a number) are drawn, the others
    counted in the panel."""
    t = t or {}
    fig, panels = _outcome_panels(funnel, labels, path, synthetic, t, 3.9)
    for ax, outcome in panels:
        f = funnel[funnel["outcome"] == outcome]
        for level, style in zip(sorted(set(f["level"])), ("--", ":"), strict=False):
            part = f[f["level"] == level]
            name = f"{100 * level:g} %"
            ax.plot(part["n"], part["high"], style, color="grey", label=name)
            ax.plot(part["n"], part["low"], style, color="grey")
        ax.axhline(1.0, color="black", linewidth=0.8)
        c = comparison[comparison["outcome"] == outcome]
        ratio = pd.to_numeric(c["ratio"], errors="coerce")
        n = pd.to_numeric(c["n"], errors="coerce")
        drawn = ratio.notna() & n.notna()
        colours = c["position"].map({"above": "C2", "below": "C3"}).fillna("C0")
        ax.scatter(n[drawn], ratio[drawn], c=colours[drawn], s=22, zorder=3)
        hidden = int((~drawn).sum())
        if hidden:
            note = t.get("pc_not_drawn", "{k} programmes not drawn (counts under the threshold)")
            ax.text(
                0.98, 0.97, note.format(k=hidden),
                transform=ax.transAxes, ha="right", va="top", fontsize=7,
            )  # fmt: skip
        ax.set_xlabel(t.get("pc_axis_n", "participants analysed"))
        ax.set_ylabel(t.get("pc_axis_ratio", "observed / expected"))
        ax.set_title(labels[outcome], fontsize=9)
        top = np.nanmax([f["high"].quantile(0.9), ratio[drawn].max() if drawn.any() else 1.0])
        ax.set_ylim(0, max(2.0, float(top) * 1.1))
        ax.legend(
            fontsize=7, loc="upper left", title=t.get("pc_limits", "limits"), title_fontsize=7
        )
    if fig is not None:
        fig.tight_layout()
        figures.save(fig, path, synthetic)


def caterpillar_figure(
    caterpillar: pd.DataFrame,
    labels: Mapping[str, str],
    path: Path,
    synthetic: bool,
    t: Mapping[str, str] | None = None,
) -> None:
    """The random-intercept programme effects (odds ratio against the average programme)
    with their intervals, sorted, one panel per outcome; programmes not in `caterpillar`
    (not shown) are counted in the panel."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    t = t or {}
    fig, panels = _outcome_panels(caterpillar, labels, path, synthetic, t, 3.6)
    for ax, outcome in panels:
        c = caterpillar[caterpillar["outcome"] == outcome]
        c = c[pd.to_numeric(c["effect"], errors="coerce").notna()].sort_values("effect")
        x = np.arange(len(c))
        effect = np.exp(c["effect"].astype(float))
        low, high = np.exp(c["low"].astype(float)), np.exp(c["high"].astype(float))
        ax.errorbar(
            x, effect, yerr=[effect - low, high - effect], fmt="o", ms=3, color="C0", elinewidth=0.8
        )
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks([])
        ax.set_xlabel(t.get("pc_axis_rank", "programmes, by estimated effect"))
        ax.set_ylabel(t.get("pc_axis_effect", "odds ratio against the average programme"))
        ax.set_title(labels[outcome], fontsize=9)
    if fig is not None:
        fig.tight_layout()
        figures.save(fig, path, synthetic)
