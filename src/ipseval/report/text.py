"""The report's words: translations, the run's facts in its prose, labels of terms and
the plain sentences of the findings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import yaml

from .html import TEMPLATES

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
}


def month_text(month: str, language: str) -> str:
    """'2019-10' as 'October 2019' (en) or 'oktober 2019' (sv)."""
    year, m = month.split("-")
    return f"{MONTHS[language].split()[int(m) - 1]} {year}"


def interval_level(alpha: float) -> str:
    """The interval level as printed, e.g. '95 %' for alpha 0.05."""
    return f"{100 * (1 - alpha):g} %"


def translations(language: str) -> dict[str, Any]:
    """Heading/label/caption key -> text in `language` ('en' or 'sv')."""
    table = yaml.safe_load((TEMPLATES / "translations.yaml").read_text(encoding="utf-8"))
    return {key: value[language] for key, value in table.items()}


def level_name(p: Mapping[str, Any], code: str) -> str:
    """A level of a categorical predictor in words: the config's `level_labels`, else the
    code with spaces for underscores."""
    return p.get("level_labels", {}).get(code, code.replace("_", " "))


def term_label(term: str, predictors: Mapping[str, Any], t: Mapping[str, Any]) -> str:
    """A term in words from the config: the predictor's label, and for a level of a
    categorical predictor the level against the reference ('Sex: male vs female')."""
    name, _, level = term.partition("[")
    p = predictors.get(name)
    if p is None:
        return term
    if not level:
        return p["label"]
    level = level_name(p, level.rstrip("]"))
    return f"{p['label']}: {level} {t['versus']} {level_name(p, str(p['reference']))}"


def estimator_name(estimator: str, t: Mapping[str, Any]) -> str:
    """An estimator in words ('bias-reduced GEE'), not its code."""
    return t.get(f"est_{estimator}", estimator)


def odds(r: Mapping[str, Any], t: Mapping[str, Any], level: str) -> str:
    """'OR 1.85 (95 % CI 1.20–2.86)': two decimals, the configured interval level."""
    return f"OR {r['odds_ratio']:.2f} ({level} {t['ci']} {r['ci_low']:.2f}–{r['ci_high']:.2f})"


def clear(r: Mapping[str, Any]) -> bool:
    """Whether the interval excludes 1 (only then does the report name a direction)."""
    return bool(r["ci_low"] > 1 or r["ci_high"] < 1)


def finding_sentence(
    r: Mapping[str, Any], t: Mapping[str, Any], predictors: Mapping[str, Any], level: str
) -> str:
    """One plain sentence for a finding row, in the language of translations `t`: a direction
    only where the interval excludes 1; a programme-level term names its estimator in words."""
    what = term_label(r["term"], predictors, t)
    if clear(r):
        direction = t["higher_odds"] if r["odds_ratio"] > 1 else t["lower_odds"]
        said = f"{what}: {direction}, {odds(r, t, level)}"
    else:
        said = f"{what}: {odds(r, t, level)}"
    if r["estimator"] != r["recommended_estimator"]:
        said += f" ({t['programme_level_basis']}: {estimator_name(r['estimator'], t)})"
    return said


def run_facts(participants: pd.DataFrame, params: Mapping[str, Any]) -> dict[str, str]:
    """The facts the report's prose states, from the run's data and config: number of
    programmes and participants, survey month, interval level, disclosure threshold."""
    return {
        "programmes": str(participants["programme_id"].nunique()),
        "participants": str(len(participants)),
        "survey_month": month_text(params["survey_month"], params["language"]),
        "level": interval_level(float(params["alpha"])),
        "threshold": str(params["threshold"]),
        "threshold_minus_one": str(int(params["threshold"]) - 1),
    }


def localised(t: Mapping[str, Any], facts: Mapping[str, str]) -> dict[str, Any]:
    """Translations with the run's facts filled in ('{programmes}', '{level}', ...)."""

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.format_map(_Keep(facts))
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    return {k: fill(v) for k, v in t.items()}


class _Keep(dict):
    """format_map mapping that leaves unknown placeholders as they are."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
