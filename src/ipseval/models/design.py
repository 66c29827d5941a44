"""Model specifications from config, and the design matrices they define.

A *predictor* is a config entry (`models.predictors`) naming an analysis variable and how it
is coded; a *specification* is a named list of predictors; a *term* is one column of the
design matrix (a numeric predictor, or one non-reference level of a categorical one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ipseval.common.io import term_column

INTERCEPT = "Intercept"


class ModelSpecError(ValueError):
    """A model that cannot be fitted as specified (names outcome, specification, predictor)."""


@dataclass(frozen=True)
class Predictor:
    """How one analysis variable enters a model (from `models.predictors` in config)."""

    name: str
    label: str
    column: str
    type: str
    centre: float = 0.0
    scale: float = 1.0
    reference: str | None = None
    collapse: Mapping[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    programme_level: bool = False
    bins: tuple[float, ...] = ()
    bin_labels: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, name: str, cfg: Mapping[str, Any]) -> Predictor:
        """Build from a validated config entry."""
        return cls(
            name=name,
            label=cfg["label"],
            column=cfg["column"],
            type=cfg["type"],
            centre=float(cfg.get("centre", 0.0)),
            scale=float(cfg.get("scale", 1.0)),
            reference=cfg.get("reference"),
            collapse=dict(cfg.get("collapse", {})),
            missing=tuple(cfg.get("missing", ())),
            programme_level=cfg.get("level", "participant") == "programme",
            bins=tuple(float(b) for b in cfg.get("bins", ())),
            bin_labels=tuple(cfg.get("bin_labels", ())),
        )

    @property
    def categorical(self) -> bool:
        """True for a treatment-coded categorical predictor."""
        return self.type == "categorical"

    def code(self, values: pd.Series) -> pd.Series:
        """Coded values: (x - centre) / scale as float, or collapsed level labels as object;
        missing (and codes listed in `missing`) as NaN."""
        if not self.categorical:
            return (pd.to_numeric(values, errors="raise").astype(float) - self.centre) / self.scale
        if self.bins:  # a numeric column cut into bands: (b0, b1], (b1, b2], ...
            cut = pd.cut(pd.to_numeric(values), list(self.bins), labels=list(self.bin_labels))
            values = pd.Series(cut.astype(object), index=values.index)
        out = values.astype(object).where(values.notna(), None)
        out = out.map(lambda v: None if v is None or v in self.missing else v)
        out = out.map(lambda v: self.collapse.get(v, v) if v is not None else None)
        return out.where(out.notna(), np.nan)


@dataclass(frozen=True)
class Term:
    """One design column."""

    name: str
    predictor: str
    level: str | None
    reference: str | None
    programme_level: bool
    label: str


@dataclass
class Specification:
    """A named predictor set, with the predictors resolved from config."""

    name: str
    predictors: tuple[Predictor, ...]

    @classmethod
    def from_config(cls, name: str, models_cfg: Mapping[str, Any]) -> Specification:
        """Resolve specification `name` from the `models` config section."""
        catalogue = models_cfg["predictors"]
        preds = []
        for p in models_cfg["specifications"][name]:
            if p not in catalogue:
                raise ModelSpecError(
                    f"specification {name!r}: unknown predictor {p!r}; "
                    f"defined predictors: {', '.join(sorted(catalogue))}"
                )
            preds.append(Predictor.from_config(p, catalogue[p]))
        return cls(name=name, predictors=tuple(preds))


def check_models_config(config: Mapping[str, Any]) -> None:
    """Cross-reference checks the JSON schema cannot express; raises ModelSpecError naming
    the unknown outcome, predictor or setting."""
    models = config["models"]
    for outcome in models["outcomes"]:
        if outcome not in config["outcomes"]:
            raise ModelSpecError(
                f"models.outcomes: unknown outcome {outcome!r}; "
                f"defined outcomes: {', '.join(sorted(config['outcomes']))}"
            )
    for spec in models["specifications"]:
        Specification.from_config(spec, models)
    for name, p in models["predictors"].items():
        if "bins" in p and (
            p["type"] != "categorical" or len(p.get("bin_labels", ())) != len(p["bins"]) - 1
        ):
            raise ModelSpecError(
                f"models.predictors.{name}: `bins` needs type categorical and one "
                "`bin_labels` entry per band (len(bins) - 1)"
            )
    for name in models["predictions"]:
        if name not in models["predictors"]:
            raise ModelSpecError(f"models.predictions: unknown predictor {name!r}")
        is_cat = models["predictors"][name]["type"] == "categorical"
        if (models["predictions"][name] == "levels") != is_cat:
            raise ModelSpecError(
                f"models.predictions.{name}: use `levels` for a categorical predictor and a "
                "list of values for a numeric one"
            )
    if models["programme_level_estimator"] not in models["estimators"]:
        raise ModelSpecError(
            f"models.programme_level_estimator: {models['programme_level_estimator']!r} "
            f"is not in models.estimators ({', '.join(models['estimators'])})"
        )
    extra = set(models["imputation"]["estimators"]) - set(models["estimators"])
    if extra:
        raise ModelSpecError(
            f"models.imputation.estimators: {sorted(extra)} not in models.estimators"
        )
    sim = config.get("simulation")
    if sim:
        spec = Specification.from_config(
            "simulation",
            {
                "predictors": models["predictors"],
                "specifications": {"simulation": sim["predictors"]},
            },
        )
        names = {p.name for p in spec.predictors}
        for term in sim["type_i_terms"]:
            if term.split("[")[0] not in names:
                raise ModelSpecError(
                    f"simulation.type_i_terms: {term!r} is not a term of a predictor in "
                    f"simulation.predictors ({', '.join(sorted(names))})"
                )


@dataclass
class Design:
    """The analysed data of one outcome x specification, coded but not yet dummy-expanded.

    `coded` holds one column per predictor (float, or level label); `levels` the levels of
    each categorical predictor, reference first, as found in the analysed rows.
    """

    outcome: str
    spec: Specification
    ids: pd.Series
    programme: pd.Series
    y: pd.Series
    coded: pd.DataFrame
    levels: dict[str, list[str]]
    n_missing_outcome: int

    def _where(self, predictor: str) -> str:
        return (
            f"outcome {self.outcome!r}, specification {self.spec.name!r}, predictor {predictor!r}"
        )

    @property
    def terms(self) -> list[Term]:
        """Design terms in column order (intercept excluded)."""
        terms: list[Term] = []
        for p in self.spec.predictors:
            if p.categorical:
                ref = self.levels[p.name][0]
                for lv in self.levels[p.name][1:]:
                    terms.append(
                        Term(f"{p.name}[{lv}]", p.name, lv, ref, p.programme_level, p.label)
                    )
            else:
                terms.append(Term(p.name, p.name, None, None, p.programme_level, p.label))
        return terms

    @property
    def term_names(self) -> list[str]:
        """Names of the design columns, intercept first."""
        return [INTERCEPT] + [t.name for t in self.terms]

    def complete_rows(self) -> np.ndarray:
        """Boolean mask of rows with every predictor observed."""
        return self.coded.notna().all(axis=1).to_numpy()

    def matrix(self, coded: pd.DataFrame | None = None) -> pd.DataFrame:
        """Dummy-expanded design matrix (float, intercept first) of `coded` (default: own
        rows); rows with a missing predictor must have been removed or imputed."""
        coded = self.coded if coded is None else coded
        cols: dict[str, np.ndarray] = {INTERCEPT: np.ones(len(coded))}
        for p in self.spec.predictors:
            v = coded[p.name]
            if p.categorical:
                unknown = set(v.dropna()) - set(self.levels[p.name])
                if unknown:
                    raise ModelSpecError(f"{self._where(p.name)}: unknown levels {sorted(unknown)}")
                for lv in self.levels[p.name][1:]:
                    cols[f"{p.name}[{lv}]"] = np.where(v.isna(), np.nan, (v == lv).astype(float))
            else:
                cols[p.name] = v.to_numpy(dtype=float)
        return pd.DataFrame(cols, index=coded.index)

    def complete_case(self) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
        """(y, X, programme) of the complete cases, checked to be estimable."""
        keep = self.complete_rows()
        y = self.y.to_numpy(dtype=float)[keep]
        X = self.matrix(self.coded.loc[keep])
        g = self.programme.to_numpy()[keep]
        check_estimable(y, X, self, "complete cases")
        return y, X, g


def check_estimable(y: np.ndarray, X: pd.DataFrame, design: Design, rows: str) -> None:
    """Stop with a message naming outcome, specification and predictor when the analysed rows
    have no events (or no non-events) or a predictor with a single level."""
    where = f"outcome {design.outcome!r}, specification {design.spec.name!r}"
    events = int(y.sum())
    if events == 0 or events == len(y):
        what = "no events" if events == 0 else "no non-events"
        raise ModelSpecError(f"{where}: {what} among the {len(y)} {rows}; nothing to model")
    for p in design.spec.predictors:
        cols = [c for c in X.columns if c == p.name or c.startswith(f"{p.name}[")]
        sub = X[cols].to_numpy()
        if p.categorical:
            present = int((sub.sum(axis=0) > 0).sum()) + int((sub.sum(axis=1) == 0).any())
        else:
            present = len(np.unique(sub[:, 0]))
        if present < 2:
            raise ModelSpecError(
                f"{where}, predictor {p.name!r} (column {p.column!r}): only one level in the "
                f"{len(y)} {rows}; drop it from the specification or widen the sample"
            )


def _ordered(found: list[str], p: Predictor, order: Sequence[str]) -> list[str]:
    """Levels in their natural order (a collapsed group at its first member's place)."""
    rank: dict[str, int] = {}
    for i, code in enumerate(order):
        rank.setdefault(p.collapse.get(code, code), i)
    return sorted(found, key=lambda lv: (rank.get(lv, len(rank)), lv))


def sample_mask(participants: pd.DataFrame, restrict: Mapping[str, Sequence[Any]]) -> np.ndarray:
    """Which rows a sample restriction (`models.restrict`: column -> allowed values) keeps."""
    keep = np.ones(len(participants), dtype=bool)
    for column, allowed in restrict.items():
        if column not in participants:
            raise ModelSpecError(f"models.restrict: column {column!r} is not in the data")
        keep &= participants[column].isin(list(allowed)).to_numpy()
    return keep


def restrict_rows(
    participants: pd.DataFrame, restrict: Mapping[str, Sequence[Any]]
) -> pd.DataFrame:
    """Only the rows whose `column` value is among the allowed values, for every column in
    `restrict` (a sample restriction from `models.restrict`)."""
    return participants.loc[sample_mask(participants, restrict)].reset_index(drop=True)


def predictor_problem(
    data: pd.DataFrame, p: Predictor, order: Sequence[str] = ()
) -> tuple[str, str] | None:
    """Why predictor `p` cannot enter a model of the rows `data`, or None: (problem, what
    was found) for a column that is absent, has no value, has one value only, or lacks the
    reference level."""
    if p.column not in data:
        return "column absent", "not a column of clean/participants.csv"
    coded = p.code(data[p.column]).dropna()
    if coded.empty:
        return "no value", f"all {len(data)} analysed rows missing"
    counts = coded.value_counts()
    if len(counts) == 1:
        return "one value only", f"{counts.index[0]!r} in all {len(coded)} rows with a value"
    if p.categorical and p.reference not in counts.index:
        found = ", ".join(f"{lv} ({counts[lv]})" for lv in _ordered(list(counts.index), p, order))
        return f"reference level {p.reference!r} does not occur", f"levels found: {found}"
    return None


def check_terms(
    participants: pd.DataFrame,
    designs: Sequence[Mapping[str, Any]],
    level_order: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Every predictor of every design (outcome x specification or specification-curve cell,
    as `{kind, name, outcome, sample, restrict, predictors}`) checked on the rows that design
    analyses: one row per problem, with what was found (`predictor_problem`); outcomes
    without events or non-events are rows with predictor ''."""
    rows = []
    for d in designs:
        data = (
            restrict_rows(participants, d.get("restrict") or {})
            if d.get("restrict")
            else participants
        )
        ycol = f"y_{d['outcome']}"
        head = {k: d.get(k, "") for k in ("kind", "name", "outcome", "sample")}
        y = data[ycol].dropna() if ycol in data else pd.Series(dtype=float)
        if d.get("restrict") and y.empty:  # the sample, not the outcome, is the problem
            rows.append(
                head
                | {
                    "predictor": "",
                    "column": ", ".join(d["restrict"]),
                    "problem": "empty sample",
                    "found": f"no participant with the outcome observed in sample "
                    f"{d.get('sample') or 'models.restrict'!r} "
                    f"({', '.join(f'{k} in {list(v)}' for k, v in d['restrict'].items())})",
                }
            )
            continue
        if y.sum() in (0, len(y)):
            what = "no events" if y.sum() == 0 else "no non-events"
            rows.append(
                head
                | {
                    "predictor": "",
                    "column": ycol,
                    "problem": what,
                    "found": f"{len(y)} rows with the outcome observed",
                }
            )
            continue
        analysed = data.loc[data[ycol].notna()]
        for name, cfg in d["predictors"].items():
            p = Predictor.from_config(name, cfg)
            problem = predictor_problem(analysed, p, (level_order or {}).get(p.column, ()))
            if problem:
                rows.append(
                    head
                    | {
                        "predictor": name,
                        "column": p.column,
                        "problem": problem[0],
                        "found": problem[1],
                    }
                )
    return pd.DataFrame(
        rows,
        columns=["kind", "name", "outcome", "sample", "predictor", "column", "problem", "found"],
    )


def describe_term_problems(table: pd.DataFrame, policy: str) -> str:
    """The check's problems as one message: each problem once, with the models it affects,
    and what to do."""
    lines = []
    for (predictor, column, problem), sub in table.groupby(
        ["predictor", "column", "problem"], sort=False
    ):
        places = list(
            dict.fromkeys(
                f"{r.outcome}/{r.name}" + (f"/{r.sample}" if r.sample else "")
                for r in sub.itertuples()
            )
        )
        where = ", ".join(places[:4]) + (f" and {len(places) - 4} more" if len(places) > 4 else "")
        what = f"predictor {predictor!r} (column {column!r})" if predictor else f"{column!r}"
        lines.append(f"  - {what}: {problem}; {sub['found'].iloc[0]} [in {where}]")
    empty = table["problem"] == "empty sample"
    outcomes = ((table["predictor"] == "") & ~empty).any()
    advice = []
    if empty.any():
        advice.append(
            "A sample without participants cannot be modelled: remove it from the "
            "specification-curve grids (multiverse.grids.<grid>.samples) or change its "
            "restriction (multiverse.samples, models.restrict); `multiverse: null` removes "
            "the specification curve."
        )
    if outcomes:
        advice.append(
            "An outcome without events or non-events cannot be modelled: remove it from "
            "models.outcomes (and the specification-curve grids)."
        )
    if not advice:
        advice.append(
            "Drop the predictor from the specification, choose a reference level that "
            "occurs (models.predictors.<name>.reference), or set `unavailable: drop` to fit "
            "the models without these predictors."
        )
    return (
        f"{len(lines)} problem(s) with the configured models on the clean data "
        f"(unavailable: {policy}):\n" + "\n".join(lines) + "\n" + " ".join(advice)
    )


def drop_checked(
    predictors: Sequence[str],
    check: pd.DataFrame,
    kind: str,
    name: str,
    outcome: str,
    sample: str = "",
) -> list[str]:
    """`predictors` without those the term check dropped for this design."""
    if check.empty:
        return list(predictors)
    hit = check[
        (check["kind"] == kind)
        & (check["name"] == name)
        & (check["outcome"] == outcome)
        & (check["sample"].fillna("") == sample)
    ]
    return [p for p in predictors if p not in set(hit["predictor"])]


def build_design(
    participants: pd.DataFrame,
    outcome: str,
    spec: Specification,
    level_order: Mapping[str, Sequence[str]] | None = None,
    id_column: str = "form_id",
    restrict: Mapping[str, Sequence[Any]] | None = None,
) -> Design:
    """Code the predictors of `spec` on the rows with an observed outcome `outcome`
    (and within `restrict`); `level_order` (column -> codes) orders categorical levels."""
    if restrict:
        participants = restrict_rows(participants, restrict)
    ycol = f"y_{outcome}"
    missing_cols = [
        c for c in [ycol] + [p.column for p in spec.predictors] if c not in participants
    ]
    if missing_cols:
        raise ModelSpecError(
            f"outcome {outcome!r}, specification {spec.name!r}: column(s) {missing_cols} not in "
            "the participant data; available: " + ", ".join(sorted(participants.columns))
        )
    observed = participants[ycol].notna().to_numpy()
    data = participants.loc[observed].reset_index(drop=True)
    coded = pd.DataFrame(
        {p.name: p.code(data[p.column]) for p in spec.predictors}, index=data.index
    )
    levels: dict[str, list[str]] = {}
    for p in spec.predictors:
        if not p.categorical:
            continue
        found = _ordered(
            sorted(set(coded[p.name].dropna())), p, (level_order or {}).get(p.column, [])
        )
        if p.reference not in found:
            problem, what = predictor_problem(data, p, (level_order or {}).get(p.column, ()))
            raise ModelSpecError(
                f"outcome {outcome!r}, specification {spec.name!r}, predictor {p.name!r}: "
                f"{problem} in the analysed data; {what}"
            )
        levels[p.name] = [p.reference] + [lv for lv in found if lv != p.reference]
    design = Design(
        outcome=outcome,
        spec=spec,
        ids=data[id_column] if id_column in data else pd.Series(np.arange(len(data))),
        programme=data["programme_id"],
        y=data[ycol].astype(float),
        coded=coded,
        levels=levels,
        n_missing_outcome=int((~observed).sum()),
    )
    check_estimable(design.y.to_numpy(), design.matrix().fillna(0.0), design, "analysed rows")
    return design


def terms_table(design: Design) -> pd.DataFrame:
    """One row per design term: how it is coded, for reviewers refitting elsewhere."""
    preds = {p.name: p for p in design.spec.predictors}
    rows = [
        {
            "term": INTERCEPT,
            "frame_column": "",
            "predictor": "",
            "column": "",
            "coding": "intercept",
            "level": "",
            "reference": "",
            "centre": np.nan,
            "scale": np.nan,
            "programme_level": False,
            "label": "Intercept (all predictors at reference / centre)",
        }
    ]
    for t in design.terms:
        p = preds[t.predictor]
        rows.append(
            {
                "term": t.name,
                "frame_column": term_column(t.name),
                "predictor": p.name,
                "column": p.column,
                "coding": "treatment dummy" if p.categorical else "(x - centre) / scale",
                "level": t.level or "",
                "reference": t.reference or "",
                "centre": np.nan if p.categorical else p.centre,
                "scale": np.nan if p.categorical else p.scale,
                "programme_level": p.programme_level,
                "label": p.label,
            }
        )
    return pd.DataFrame(rows)


def model_frame(design: Design, keep: np.ndarray, X: pd.DataFrame) -> pd.DataFrame:
    """The exact rows and design columns a fit used: id, programme, outcome, terms (each
    term's column named by `term_column`; terms.csv maps them)."""
    head = pd.DataFrame(
        {
            "form_id": design.ids.to_numpy()[keep],
            "programme_id": design.programme.to_numpy()[keep],
            f"y_{design.outcome}": design.y.to_numpy()[keep].astype(int),
        }
    )
    terms = X.drop(columns=INTERCEPT).reset_index(drop=True)
    return pd.concat([head, terms.rename(columns=term_column)], axis=1)


def events_per_parameter(y: np.ndarray, n_terms: int) -> float:
    """min(events, non-events) per estimated slope (the limiting sample size per parameter)."""
    events = float(np.sum(y))
    return min(events, len(y) - events) / max(n_terms, 1)
