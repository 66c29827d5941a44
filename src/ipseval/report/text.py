"""The report's words: translations, the run's facts in its prose, labels of terms and
the plain sentences of the findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import yaml

from ipseval.data.codebook import Codebook
from ipseval.data.derive import NO_ANSWER
from ipseval.publication.disclosure import ALL
from ipseval.report.html import TEMPLATES

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
}


NO_MONTH = {
    "en": "a month not given in the configuration",
    "sv": "en månad som inte anges i konfigurationen",
}


def month_text(month: str | None, language: str) -> str:
    """'2019-10' as 'October 2019' (en) or 'oktober 2019' (sv); a month not given says so."""
    if not month:
        return NO_MONTH[language]
    year, m = month.split("-")
    return f"{MONTHS[language].split()[int(m) - 1]} {year}"


def interval_level(alpha: float) -> str:
    """The interval level as printed, e.g. '95 %' for alpha 0.05."""
    return f"{100 * (1 - alpha):g} %"


def translations(language: str) -> dict[str, Any]:
    """Heading/label/caption key -> text in `language` ('en' or 'sv')."""
    table = yaml.safe_load((TEMPLATES / "translations.yaml").read_text(encoding="utf-8"))
    return {key: value[language] for key, value in table.items()} | {"language_code": language}


def level_name(p: Mapping[str, Any], code: str) -> str:
    """A level of a categorical predictor in words: the config's `level_labels`, else the
    code with spaces for underscores."""
    return p.get("level_labels", {}).get(code, code.replace("_", " "))


# The report's own bands (Tabell 9 and 11 of the 2013 report; survey labels in Swedish) in
# English words.
BANDS_EN = {
    "Upp till 29 år": "up to 29 years",
    "30–39 år": "30–39 years",
    "40–49 år": "40–49 years",
    "50–59 år": "50–59 years",
    "60 år eller äldre": "60 years or older",
    "Upp till 6 månader": "up to 6 months",
    "Mer än 6 månader": "more than 6 months",
}


def level_words(
    column: str,
    value: str,
    cb: Codebook,
    predictors: Mapping[str, Any],
    t: Mapping[str, Any],
) -> str:
    """A value of a column of the cleaned data in words, in the language of `t` (predictors
    localised to it): the no-answer and total labels translated; a level named by a predictor
    of that column (`level_labels`), else by the codebook (`display`); an export label in a
    Swedish report as the form has it; otherwise the code with spaces. Column values may be
    the export's labels (`sex`: 'Kvinna') or codes (`sex_code`: 'female')."""
    language = t["language_code"]
    if value == NO_ANSWER:
        return t["no_answer"]
    if value == ALL:
        return t["total"]
    if value in BANDS_EN:
        return BANDS_EN[value] if language == "en" else value
    level = None
    for form in (cb.coach_form, cb.programme_survey):
        names = {v.name: v for v in form.variables} if form is not None else {}
        if column in names:
            level = names[column].match(value)
        elif column.endswith("_code") and column.removesuffix("_code") in names:
            var = names[column.removesuffix("_code")]
            level = next((lv for lv in var.levels if lv.code == value), None)
        if level is not None:
            break
    code = level.code if level is not None else value
    for p in predictors.values():
        if p.get("column") in (column, f"{column}_code") and code in p.get("level_labels", {}):
            return str(p["level_labels"][code])
    if level is not None and level.words(language):
        return str(level.words(language))
    if level is not None and language == "sv":
        return level.label
    return code.replace("_", " ")


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


def restriction_text(
    restrict: Mapping[str, Any], predictors: Mapping[str, Any], t: Mapping[str, Any]
) -> str:
    """A sample restriction in words: each column by the label of the predictor that uses
    it ('In the programme more than 6 months: yes'), values 1/0 as yes/no, levels named."""
    parts = []
    for column, allowed in restrict.items():
        p = next((p for p in predictors.values() if p.get("column") == column), {})
        what = p.get("label", column.replace("_", " "))
        values = [
            t["yes"] if str(v) == "1" else t["no"] if str(v) == "0" else level_name(p, str(v))
            for v in allowed
        ]
        parts.append(f"{what}: {', '.join(values)}")
    return "; ".join(parts)


def coding_text(p: Mapping[str, Any], t: Mapping[str, Any]) -> str:
    """How a predictor enters the model, in words: a categorical one's reference level; a
    numeric one's centring and scaling, shown only where it is not the identity."""
    if p["type"] == "categorical":
        return f"{t['reference_level']}: {level_name(p, str(p['reference']))}"
    centre, scale = float(p.get("centre", 0)), float(p.get("scale", 1))
    if centre == 0 and scale == 1:
        return t["as_recorded"]
    if scale == 1:
        return f"x − {centre:g}"
    if centre == 0:
        return f"x / {scale:g}"
    return f"(x − {centre:g}) / {scale:g}"


def curve_words(
    specs: pd.DataFrame,
    focus: Sequence[str],
    predictors: Mapping[str, Any],
    outcome_labels: Mapping[str, str],
    t: Mapping[str, Any],
) -> dict[str, dict[str, str]]:
    """What a specification curve's panels say, in words: each focus term's label, each
    analytic choice ('dimension=value') and each dimension's name."""
    choices = {}
    for value in dict.fromkeys(specs["outcome"]):
        choices[f"outcome={value}"] = outcome_labels.get(value, spec_name(value))
    for dim in ("predictor_set", "sample"):
        for value in dict.fromkeys(specs[dim]):
            choices[f"{dim}={value}"] = spec_name(value)
    for value in dict.fromkeys(specs["missing_data"]):
        choices[f"missing_data={value}"] = t[f"method_{value}"]
    for value in dict.fromkeys(specs["estimator"]):
        choices[f"estimator={value}"] = estimator_name(value, t)
    return {
        "terms": {term: term_label(term, predictors, t) for term in focus},
        "choices": choices,
        "dimensions": {d: t[f"dim_{d}"] for d in ("outcome", "predictor_set", "sample",
                                                   "missing_data", "estimator")},
    }  # fmt: skip


def spec_name(spec: str) -> str:
    """A specification's config key as readers see it ('fixed_effects' as 'fixed effects')."""
    return spec.replace("_", " ")


def estimator_name(estimator: str, t: Mapping[str, Any]) -> str:
    """An estimator in words ('bias-reduced GEE'), not its code."""
    return t.get(f"est_{estimator}", estimator)


def odds(r: Mapping[str, Any], t: Mapping[str, Any], level: str) -> str:
    """'OR 1.85 (95 % CI 1.20–2.86)': two decimals, the configured interval level."""
    return f"OR {r['odds_ratio']:.2f} ({level} {t['ci']} {r['ci_low']:.2f}–{r['ci_high']:.2f})"


def clear(r: Mapping[str, Any]) -> bool:
    """Whether the interval excludes 1 (only then does the report name a direction); False
    for a row without an estimate."""
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
