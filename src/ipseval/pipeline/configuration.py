"""The run's configuration before any job runs: how an override file changes the defaults,
and which configured outcomes, predictors and specification-curve entries the evaluation's
codebook can support.

Override semantics (JSON Merge Patch, RFC 7386, on top of Snakemake's own merge): a mapping
merges key by key into the default's; a list or a value replaces the default's; a YAML
`null` deletes the key (so `specifications: {extended: null}` removes a specification, and
`multiverse: null` the whole specification curve).

`unavailable: stop` (the default) stops the run at start-up naming everything the codebook
cannot support; `unavailable: drop` leaves each such item out and records why
(`results/<run>/restricted/unavailable.csv`, the log and the report).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ipseval.common.io import load_yaml
from ipseval.data.codebook import Codebook, load_codebook


class ConfigError(ValueError):
    """A configuration the run cannot start with; the message lists every problem."""


def delete_nulls(config: MutableMapping[str, Any]) -> None:
    """Remove every key whose value is None, recursively, in place (RFC 7386 deletion)."""
    for key in [k for k, v in config.items() if v is None]:
        del config[key]
    for value in config.values():
        if isinstance(value, MutableMapping):
            delete_nulls(value)


LANGUAGES = ("en", "sv")  # report.language
# The config's texts for people; `<key>_<language>` beside one gives it in that language.
TRANSLATABLE = ("label", "level_labels", "variables")


def localised(section: Any, language: str) -> Any:
    """A copy of a config section with its labels in `language`: wherever a mapping has
    `<key>_<language>` beside a translatable `<key>` (`label_sv`, `level_labels_sv`,
    `variables_sv`), that value replaces `<key>`'s (mappings are merged, so a level without
    a translation keeps its English label; the participant tables are those `variables`
    names, in either language); the translations themselves are left out."""
    if isinstance(section, list):
        return [localised(v, language) for v in section]
    if not isinstance(section, Mapping):
        return section
    variants = {f"{k}_{lang}" for k in TRANSLATABLE for lang in LANGUAGES}
    out = {k: localised(v, language) for k, v in section.items() if k not in variants}
    for key in TRANSLATABLE:
        translated = section.get(f"{key}_{language}")
        if translated is None:
            continue
        if isinstance(out.get(key), Mapping) and isinstance(translated, Mapping):
            if key == "variables":
                # a translation names a table; it never adds one (the defaults' Swedish names
                # of the 2013 columns must not bring back what an override or `drop` left out)
                out[key] = {k: translated.get(k, v) for k, v in out[key].items()}
            else:
                out[key] = {**out[key], **translated}
        else:
            out[key] = translated
    return out


def analysis_columns(cb: Codebook) -> dict[str, list[str] | None]:
    """Every column `clean/participants.csv` will have for this codebook -> its codes
    (categorical columns whose codes the codebook fixes) or None (numbers, free levels).
    Found by deriving from empty exports, so it cannot drift from `ipseval.data.derive`."""
    from ipseval.data.derive import derive_participants, derive_programmes, level_orders

    forms = pd.DataFrame(columns=[v.name for v in cb.coach_form.variables])
    if cb.programme_survey is not None:
        empty = pd.DataFrame(columns=[v.name for v in cb.programme_survey.variables])
        programmes = derive_programmes(empty, cb, "2000-01")
    else:
        programmes = pd.DataFrame(columns=["programme_id", cb.coach_form.programme_ref.name])
    programmes = programmes.astype({"programme_id": object})
    columns = derive_participants(forms, programmes, cb, {}).columns
    orders = level_orders(cb)
    return {c: orders.get(c) for c in columns}


@dataclass(frozen=True)
class Unavailable:
    """One configured item the evaluation's data cannot support."""

    section: str  # where in the config, e.g. "models.specifications.core"
    name: str
    reason: str

    def describe(self) -> str:
        """One line for messages."""
        return f"{self.section}: {self.name!r}: {self.reason}"


def _outcome_problem(spec: Mapping[str, Any], columns: Mapping[str, Any]) -> str | None:
    variable = spec.get("variable", "occupation")
    column = f"{variable}_code"
    if column not in columns:
        return f"its variable {variable!r} is not a categorical variable of the codebook"
    codes = columns[column] or []
    unknown = [c for c in spec["positive"] if c not in codes]
    if unknown:
        return f"codes {unknown} are not codes of {variable!r} (codes: {', '.join(codes)})"
    return None


def _predictor_problem(p: Mapping[str, Any], columns: Mapping[str, Any]) -> str | None:
    if p["column"] not in columns:
        return f"its column {p['column']!r} is not derived from this codebook"
    codes = columns[p["column"]]
    if p["type"] != "categorical" or codes is None or p.get("bins"):
        return None
    collapse = p.get("collapse", {})
    unknown = [c for c in [*collapse, *p.get("missing", [])] if c not in codes]
    if unknown:
        return f"codes {unknown} in collapse/missing are not codes of {p['column']!r}"
    levels = {collapse.get(c, c) for c in codes}
    if p["reference"] not in levels:
        return (
            f"reference level {p['reference']!r} is not a level of {p['column']!r} "
            f"(levels: {', '.join(sorted(levels))})"
        )
    return None


def resolve(config: MutableMapping[str, Any], cb: Codebook) -> list[Unavailable]:
    """Check every configured outcome, predictor in use, sample and focus term against the
    codebook. With `unavailable: stop` raise ConfigError listing all that fail; with
    `drop`, remove them from `config` (in place) and return what was removed and why."""
    columns = analysis_columns(cb)
    found: list[Unavailable] = []
    for name, spec in config["outcomes"].items():
        problem = _outcome_problem(spec, columns)
        if problem:
            found.append(Unavailable("outcomes", name, problem))
    predictors = config["models"]["predictors"]
    users: dict[str, list[str]] = {}
    for spec_name, names in config["models"]["specifications"].items():
        for p in names:
            users.setdefault(p, []).append(f"models.specifications.{spec_name}")
    mv = config.get("multiverse")
    if mv:
        for set_name, names in mv["predictor_sets"].items():
            for p in names:
                users.setdefault(p, []).append(f"multiverse.predictor_sets.{set_name}")
    for p, where in users.items():
        problem = None if p not in predictors else _predictor_problem(predictors[p], columns)
        if problem:
            found.append(
                Unavailable("models.predictors", p, f"{problem} (used in {', '.join(where)})")
            )
    if mv:
        for sample, rules in mv["samples"].items():
            for column, values in rules.items():
                if column not in columns:
                    found.append(
                        Unavailable("multiverse.samples", sample, f"column {column!r} is absent")
                    )
                elif columns[column] is not None and set(values) - set(columns[column]):
                    bad = sorted(set(values) - set(columns[column]))
                    found.append(
                        Unavailable(
                            "multiverse.samples", sample, f"{bad} are not codes of {column!r}"
                        )
                    )
    for column in config["models"].get("restrict", {}):
        if column not in columns:
            found.append(Unavailable("models.restrict", column, "column is absent"))
    tables = config["report"].get("participant_tables", {})
    for column in tables.get("variables", {}):
        if column not in columns:
            found.append(Unavailable("report.participant_tables", column, "column is absent"))
    groups = config["report"].get("outcome_groups")
    if groups and groups["column"] not in columns:
        found.append(Unavailable("report.outcome_groups", groups["column"], "column is absent"))
    sim = config.get("simulation")
    lacking = sorted(
        {u.name for u in found if u.section == "models.predictors"}
        & set(sim["predictors"] if sim else [])
    )
    if lacking:
        found.append(
            Unavailable(
                "simulation",
                "simulation",
                f"the study's model uses predictors this codebook cannot support: {lacking}",
            )
        )
    if not found:
        return []
    if config.get("unavailable", "stop") != "drop":
        lines = "\n".join(f"  - {u.describe()}" for u in found)
        raise ConfigError(
            f"{len(found)} configured item(s) that the codebook {config['data']['codebook']} "
            f"cannot support:\n{lines}\nFix them, delete them in your override (a YAML null "
            "deletes a key), or set `unavailable: drop` to leave them out with a warning."
        )
    _drop(config, found)
    return found


def _drop(config: MutableMapping[str, Any], found: list[Unavailable]) -> None:
    """Remove the unavailable items and whatever is left without content."""
    outcomes = {u.name for u in found if u.section == "outcomes"}
    preds = {u.name for u in found if u.section == "models.predictors"}
    samples = {u.name for u in found if u.section == "multiverse.samples"}
    for name in outcomes:
        del config["outcomes"][name]
    if any(u.section == "simulation" for u in found):
        del config["simulation"]
    models = config["models"]
    for name in preds:
        models["predictors"].pop(name, None)
    models["outcomes"] = [o for o in models["outcomes"] if o not in outcomes]
    for spec, names in models["specifications"].items():
        models["specifications"][spec] = [p for p in names if p not in preds]
    for column in {u.name for u in found if u.section == "models.restrict"}:
        del models["restrict"][column]
    models["predictions"] = {k: v for k, v in models["predictions"].items() if k not in preds}
    report = config["report"]
    report["summary_terms"] = [
        t for t in report.get("summary_terms", []) if t.split("[")[0] not in preds
    ]
    tables = report.get("participant_tables", {})
    for column in {u.name for u in found if u.section == "report.participant_tables"}:
        tables.get("variables", {}).pop(column, None)
    if any(u.section == "report.outcome_groups" for u in found):
        del report["outcome_groups"]
    pc = config.get("programme_comparison")
    if pc and pc.get("outcomes"):
        pc["outcomes"] = [o for o in pc["outcomes"] if o not in outcomes]
        if not pc["outcomes"]:
            del pc["outcomes"]  # back to the default: every outcome of the models
    mv = config.get("multiverse")
    if not mv:
        return
    mv["focus"] = [t for t in mv["focus"] if t.split("[")[0] not in preds]
    for set_name, names in mv["predictor_sets"].items():
        mv["predictor_sets"][set_name] = [p for p in names if p not in preds]
    for name in samples:
        del mv["samples"][name]
    for grid_name in list(mv["grids"]):
        grid = mv["grids"][grid_name]
        grid["outcomes"] = [o for o in grid["outcomes"] if o not in outcomes]
        grid["samples"] = [s for s in grid["samples"] if s not in samples]
        if not (grid["outcomes"] and grid["samples"] and grid["predictor_sets"]):
            del mv["grids"][grid_name]
    if not mv["focus"] or "default" not in mv["grids"]:
        del config["multiverse"]  # nothing left to show robustness of


def unavailable_table(found: list[Unavailable]) -> pd.DataFrame:
    """What was left out and why, as a table."""
    return pd.DataFrame(
        [{"section": u.section, "name": u.name, "reason": u.reason} for u in found],
        columns=["section", "name", "reason"],
    )


MAX_SCHEMA_ERRORS = 10


def schema_problems(config: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """The config's departures from the JSON schema, one short line each: where, what, and
    for a misspelt key its nearest valid spelling (not the schema itself)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    lines = []
    for err in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        where = ".".join(map(str, err.absolute_path)) or "(top level)"
        if err.validator == "additionalProperties":
            allowed = list(err.schema.get("properties", {}))
            for key in sorted(set(err.instance) - set(allowed)):
                near = difflib.get_close_matches(key, allowed, n=1)
                hint = (
                    f"; did you mean {near[0]!r}?" if near else f"; allowed: {', '.join(allowed)}"
                )
                lines.append(f"{where}: unknown key {key!r}{hint}")
        elif err.validator == "required":
            lines.append(f"{where}: {err.message}")
        elif err.validator == "enum":
            choices = ", ".join(map(repr, err.validator_value))
            lines.append(f"{where}: {err.instance!r} is not one of {choices}")
        else:
            lines.append(f"{where}: {err.message}")
    return lines


INPUT_KEYS = ("programmes", "coach_forms", "codebook", "literature", "generator")


def input_problems(data: Mapping[str, Any]) -> list[str]:
    """Each input file of `data` that the run could not read, in one line each: missing, a
    directory, or without read permission (named at start-up, not as a traceback from a
    job)."""
    import os

    out = []
    for key in INPUT_KEYS:
        if not data.get(key):
            continue
        path = Path(data[key])
        if not path.exists():
            out.append(f"data.{key}: {str(path)!r} does not exist")
        elif path.is_dir():
            out.append(f"data.{key}: {str(path)!r} is a folder; give the file inside it")
        elif not os.access(path, os.R_OK):
            out.append(
                f"data.{key}: {str(path)!r} cannot be read (no read permission): ask for "
                "read access, or copy the file somewhere you can read it"
            )
    return out


def data_bound_defaults(
    config: MutableMapping[str, Any], overrides: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Drop the defaults that describe the 2013 evaluation's data, not the run's: the survey
    month (June 2013) holds for another evaluation's data only if an override says so. Kept
    when the run reproduces the 2013 tables (its data are those forms). Returns what was
    dropped, for a note at start-up."""
    if config.get("reproduction", {}).get("enabled") or not overrides:
        return []
    if any("survey_month" in o for o in overrides) or "survey_month" not in config:
        return []
    del config["survey_month"]
    return ["survey_month"]


def level_labels_from_codebook(config: MutableMapping[str, Any], cb: Codebook) -> None:
    """Give each categorical predictor the codebook's `display` (and `display_sv`) names of
    its levels as `level_labels` (`level_labels_sv`), under those the config sets itself, so
    that every text naming a level (findings, tables, figures, notebooks) names it as the
    codebook does; an export that codes a diagnosis 1-4 is then never shown as '2 vs 1'."""
    for p in config.get("models", {}).get("predictors", {}).values():
        column = str(p.get("column", ""))
        if p.get("type") != "categorical" or not column.endswith("_code"):
            continue
        var = next((v for v in cb.coach_form.variables if f"{v.name}_code" == column), None)
        if var is None:
            continue
        for key, language in (("level_labels", "en"), ("level_labels_sv", "sv")):
            named = {lv.code: lv.words(language) for lv in var.levels if lv.words(language)}
            if named:
                p[key] = {**named, **p.get(key, {})}


def prepare(
    config: MutableMapping[str, Any],
    schema_path: str | Path,
    overrides: Sequence[Mapping[str, Any]] = (),
) -> list[Unavailable]:
    """Everything the workflow checks before the first job: deletions, the defaults bound
    to the 2013 data (`overrides`: the override files' and command line's own values), the
    schema, the codebook, what it can support, and the cross-references. Raises ConfigError
    (a short message, no traceback needed); returns the items left out under
    `unavailable: drop`."""
    from ipseval.models.design import ModelSpecError, check_models_config
    from ipseval.models.plan import check_config

    delete_nulls(config)
    data_bound_defaults(config, overrides)
    schema = load_yaml(Path(schema_path).read_text(encoding="utf-8"))
    problems = schema_problems(config, schema)
    if problems:
        shown = problems[:MAX_SCHEMA_ERRORS]
        more = len(problems) - len(shown)
        raise ConfigError(
            "\n".join(f"  - {p}" for p in shown) + (f"\n  ... and {more} more" if more else "")
        )
    unreadable = input_problems(config["data"])
    if unreadable:
        raise ConfigError("\n".join(f"  - {p}" for p in unreadable))
    path = Path(config["data"]["codebook"])
    try:
        cb = load_codebook(path)
    except (ValueError, KeyError, yaml.YAMLError) as err:
        raise ConfigError(f"  - data.codebook {str(path)!r}: {err}") from None
    if ("programmes" in config["data"]) != (cb.programme_survey is not None):
        raise ConfigError(
            "  - data.programmes and the codebook's programme_survey go together: give both "
            "(a programme survey export) or neither"
        )
    if config.get("reproduction", {}).get("enabled"):
        reproduction_prerequisites(config, cb)
    unavailable = resolve(config, cb)
    level_labels_from_codebook(config, cb)
    programme_comparison_problems(config)
    try:
        check_models_config(config)
        check_config(config)
    except ModelSpecError as err:
        raise ConfigError(f"  - {err}") from None
    return unavailable


def programme_comparison_problems(config: Mapping[str, Any]) -> None:
    """The cross-references of `programme_comparison` the schema cannot check (ConfigError
    naming each)."""
    pc = config.get("programme_comparison")
    if not pc:
        return
    problems = []
    if "case_mix" in pc and pc["case_mix"] not in config["models"]["specifications"]:
        problems.append(
            f"programme_comparison.case_mix {pc['case_mix']!r} is not a specification of "
            f"models.specifications ({', '.join(config['models']['specifications'])})"
        )
    for o in pc.get("outcomes", []):
        if o not in config["outcomes"]:
            problems.append(f"programme_comparison.outcomes: {o!r} is not a key of outcomes")
    for item in pc["practice"]["set"]:
        if item not in pc["practice"]["items"]:
            problems.append(
                f"programme_comparison.practice.set: {item!r} is not a key of practice.items"
            )
    for name, item in pc["practice"]["items"].items():
        if item["type"] == "binary" and not item.get("positive"):
            problems.append(
                f"programme_comparison.practice.items.{name}: a binary item needs `positive`"
            )
    if problems:
        raise ConfigError("\n".join(f"  - {p}" for p in problems))


# What the reproduction of Socialstyrelsen 2013's tables reads: the 2013 forms' derived
# columns (ipseval.reproduction.reproduce) and the transcribed tables.
REPRODUCTION_COLUMNS = (
    "age_band",
    "diagnosis_row",
    "income_intake_row",
    "income_now_row",
    "occupation_row",
    "time_in_programme",
    "sex",
)
REPRODUCTION_PROGRAMME_VARIABLES = (
    "municipality",
    "grant_2011",
    "start_month",
    "n_coaches",
    "coach_fte",
    "caseload",
    "ended_regular_work",
)


def reproduction_prerequisites(config: Mapping[str, Any], cb: Codebook) -> None:
    """Raise ConfigError unless the data are the 2013 forms and the published tables exist:
    the reproduction is that evaluation's, and meaningless (or a crash) for any other."""
    problems = []
    columns = analysis_columns(cb)
    survey = {v.name for v in cb.programme_survey.variables} if cb.programme_survey else set()
    lacking = [c for c in REPRODUCTION_COLUMNS if c not in columns]
    lacking += [v for v in REPRODUCTION_PROGRAMME_VARIABLES if v not in survey]
    if lacking:
        problems.append(
            f"the codebook lacks what the 2013 tables are made of: {', '.join(lacking)}"
        )
    folder = config["data"].get("published")
    if not folder or not sorted(Path(folder).glob("*.csv")):
        problems.append(f"data.published: no transcribed tables (*.csv) in {folder!r}")
    if problems:
        lines = "\n".join(f"  - reproduction.enabled: {p}" for p in problems)
        raise ConfigError(
            f"{lines}\n  The reproduction checks Socialstyrelsen 2013's published tables; for "
            "other data set `reproduction: {enabled: false}`."
        )
