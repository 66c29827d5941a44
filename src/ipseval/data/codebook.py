"""The codebook: variables, their Swedish answer labels and how to match them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipseval.common.io import load_yaml

VARIABLE_TYPES = {
    "id",
    "personal",
    "programme_ref",
    "categorical",
    "multi",
    "integer",
    "number",
    "month",
    "text",
}

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u201c\u201d\u201e\u00ab\u00bb"), '"') | dict.fromkeys(
    map(ord, "\u2018\u2019\u201a"), "'"
)


def normalise_label(text: str) -> str:
    """Key for matching labels and headers: NFC, folded dashes/quotes, single spaces, casefold."""
    text = unicodedata.normalize("NFC", str(text)).translate(_DASHES).translate(_QUOTES)
    text = text.replace("\u00a0", " ").replace("\ufeff", "")
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Level:
    """One allowed answer: the form's Swedish label, a short English code, and optionally
    how a report names it (`display`, English; `display_sv`, Swedish), for exports whose
    labels are not words (a diagnosis coded 1-4)."""

    label: str
    code: str
    display: str | None = None
    display_sv: str | None = None

    def words(self, language: str) -> str | None:
        """How a report in `language` names this answer, where the codebook says."""
        return self.display_sv if language == "sv" and self.display_sv else self.display


@dataclass(frozen=True)
class Recode:
    """A free-text recoding rule: a case-insensitive regex and the category it gives."""

    pattern: re.Pattern[str]
    category: str


@dataclass(frozen=True)
class Variable:
    """A codebook variable (one column of an export)."""

    name: str
    column: str
    type: str
    question: str | None = None
    levels: tuple[Level, ...] = ()
    min: Any = None
    max: Any = None
    required: bool = True
    recode: tuple[Recode, ...] = ()
    default: str | None = None
    source: str | None = None
    todo: str | None = None  # a question a draft left open (the report lists it)
    _by_key: dict[str, Level] = field(default_factory=dict, compare=False, repr=False)

    def match(self, text: str) -> Level | None:
        """Return the level whose label matches `text` after normalisation, or None."""
        return self._by_key.get(normalise_label(text))

    def allowed(self) -> str:
        """Describe what this variable accepts, for error messages."""
        if self.levels:
            return " | ".join(f"'{lv.label}'" for lv in self.levels)
        if self.type in {"integer", "number"}:
            kind = "a whole number" if self.type == "integer" else "a number (decimal comma ok)"
            return f"{kind} from {self.min} to {self.max}"
        if self.type == "month":
            return f"a month such as 'mars 2012' or '2012-03', from {self.min} to {self.max}"
        if self.type == "id":
            return "a non-empty value, unique in the file"
        return "any text"

    def recode_text(self, text: str) -> str:
        """Map a free-text answer to a category with the first matching rule."""
        for rule in self.recode:
            if rule.pattern.search(text):
                return rule.category
        return self.default or "other"

    @property
    def codes(self) -> list[str]:
        """The level codes in codebook order."""
        return [lv.code for lv in self.levels]

    def label_of(self, code: str) -> str:
        """The Swedish label for a level code."""
        for lv in self.levels:
            if lv.code == code:
                return lv.label
        raise KeyError(f"{self.name}: no level with code {code!r}")


@dataclass(frozen=True)
class Form:
    """One survey instrument (programme survey or coach form)."""

    key: str
    title: str
    id_variable: str
    variables: tuple[Variable, ...]

    def __getitem__(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(f"{self.key}: no variable {name!r} in the codebook")

    @property
    def programme_ref(self) -> Variable:
        """The variable naming the participant's programme (type programme_ref)."""
        refs = [v for v in self.variables if v.type == "programme_ref"]
        if len(refs) != 1:
            raise ValueError(f"codebook: {self.key} needs exactly one programme_ref variable")
        return refs[0]

    def header_map(self) -> dict[str, Variable]:
        """Normalised header (and variable name) -> variable."""
        out: dict[str, Variable] = {}
        for v in self.variables:
            out[normalise_label(v.column)] = v
            out[normalise_label(v.name)] = v
        return out


@dataclass(frozen=True)
class Codebook:
    """The whole data contract."""

    programme_survey: Form | None  # None: the evaluation has no programme survey
    coach_form: Form
    multi_select_separator: str
    missing_labels: frozenset[str]

    def is_missing(self, text: str) -> bool:
        """True if a cell is item non-response."""
        return normalise_label(text) in self.missing_labels


def _variable(spec: dict[str, Any]) -> Variable:
    vtype = spec["type"]
    if vtype not in VARIABLE_TYPES:
        raise ValueError(f"codebook: variable {spec.get('name')!r} has unknown type {vtype!r}")
    levels = tuple(
        Level(
            str(lv["label"]),
            str(lv["code"]),
            None if lv.get("display") is None else str(lv["display"]),
            None if lv.get("display_sv") is None else str(lv["display_sv"]),
        )
        for lv in spec.get("levels", [])
    )
    recode = tuple(
        Recode(re.compile(r["pattern"], re.IGNORECASE), str(r["category"]))
        for r in spec.get("recode", [])
    )
    q = spec.get("question")
    return Variable(
        name=spec["name"],
        column=spec["column"],
        type=vtype,
        question=None if q is None else str(q),
        levels=levels,
        min=spec.get("min"),
        max=spec.get("max"),
        required=bool(spec.get("required", True)),
        recode=recode,
        default=spec.get("default"),
        source=spec.get("source"),
        todo=None if spec.get("todo") is None else str(spec["todo"]),
        _by_key={normalise_label(lv.label): lv for lv in levels},
    )


def _form(key: str, spec: dict[str, Any]) -> Form:
    variables = tuple(_variable(v) for v in spec["variables"])
    names = [v.name for v in variables]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ValueError(f"codebook: {key} defines {sorted(dupes)} more than once")
    return Form(key=key, title=spec["title"], id_variable=spec["key"], variables=variables)


SCHEMA = Path(__file__).with_name("codebook.schema.yaml")


def _where(raw: Any, path: Sequence[Any]) -> str:
    """A place in the codebook as its author reads it: `coach_form.variables[3] (sex).levels[1]`."""
    out, node = "", raw
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                out += f" ({node['name']})"
        else:
            out += f".{step}" if out else str(step)
            node = node.get(step) if isinstance(node, dict) else None
    return out or "the codebook"


def schema_problems(raw: Any) -> list[str]:
    """The codebook's departures from its JSON schema (codebook.schema.yaml), one line each,
    with a hint for the YAML slips that change data silently."""
    import jsonschema

    schema = load_yaml(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for err in sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path))):
        where = _where(raw, list(err.absolute_path))
        if err.validator == "additionalProperties":
            allowed = ", ".join(err.schema.get("properties", {}))
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})), key=str)
            hint = ""
            if any(err.instance.get(k) is None for k in extra):
                hint = (
                    " (a comma inside an unquoted label in {...}? put the label in quotes: "
                    'label: "..., ...")'
                )
            out.append(f"{where}: unexpected key(s) {extra}{hint}; allowed: {allowed}")
        elif err.validator == "type" and isinstance(err.instance, bool):
            out.append(
                f"{where}: {err.instance} is read as a yes/no value, not text "
                "(YAML reads unquoted yes, no, on, off, true, false so); put it in quotes"
            )
        elif err.validator == "type" and isinstance(err.instance, float):
            out.append(
                f"{where}: {err.instance!r} is read as a number, not text (YAML drops "
                "trailing zeros: 1.10 is 1.1); put it in quotes"
            )
        elif err.validator == "required":
            out.append(f"{where}: {err.message.replace(' property', ' key')}")
        else:
            out.append(f"{where}: {err.message}")
    return out


def load_codebook(path: str | Path) -> Codebook:
    """Load the codebook YAML, check it against its schema, and sanity-check it."""
    raw = load_yaml(Path(path).read_text(encoding="utf-8"))
    problems = schema_problems(raw)
    if problems:
        raise ValueError("the codebook breaks its format:\n      " + "\n      ".join(problems))
    coach_form = _form("coach_form", raw["coach_form"])
    coach_form.programme_ref  # noqa: B018 - raises if the forms cannot be tied to programmes
    survey = raw.get("programme_survey")
    return Codebook(
        programme_survey=None if survey is None else _form("programme_survey", survey),
        coach_form=coach_form,
        multi_select_separator=raw.get("multi_select_separator", ";"),
        missing_labels=frozenset(normalise_label(x) for x in raw.get("missing_labels", [""])),
    )
