"""A first codebook and config override drafted from an export: every column with its header
as written, a guessed type with the evidence for the guess, the observed answers as levels
with generated codes, a first choice of outcome and predictors, and a `todo:` wherever the
data cannot answer the question (the report's Data section lists every one).

    python -m ipseval.data.draft EXPORT [--programmes FILE] [--out CODEBOOK.yaml]
                                 [--config OVERRIDE.yaml]

EXPORT and FILE may be CSV, .xlsx, SPSS (.sav, .zsav) or Stata (.dta); from SPSS and Stata the
value labels are the levels (those no case uses included) and the variable labels are shown
beside the columns. The codebook loads and the override runs to a report as written (the
override is treated as confidential data, `data.synthetic: false`); read every line and
answer every todo before the report is more than a first look. Answers are never copied
into the draft from a column guessed to be personal (names, phone numbers, e-mail, identity
numbers) or free text.
The guessing rules are hand-written: no maintained library infers a survey codebook.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ipseval.common.io import load_yaml, write_atomic
from ipseval.common.problems import InputError, identity_kind
from ipseval.data.codebook import normalise_label
from ipseval.data.readers import STATISTICAL, Table, read_table

MISSING = ["", "NA", "N/A", "-", "Ej svar", "Uppgift saknas", "Saknas", "Missing"]
MAX_LEVELS = 30  # more distinct answers than this: free text, not a list of answers
MAX_CODES = 6  # whole numbers 0-9 with at most this many values: codes of a list, not counts
MAX_PREDICTORS = 8  # the drafted specification's size; the others are listed, not fitted
PERSONAL_HEADER = re.compile(
    r"namn|name|telefon|phone|mobil|e-?post|e-?mail|personnummer|\bpnr\b|adress|address", re.I
)
PROGRAMME_HEADER = re.compile(r"program|site|team|enhet|kommun|unit|verksamhet|mottagning", re.I)
COUNT_HEADER = re.compile(r"antal|number|count|how many|hur många|\bn_", re.I)
AGE_HEADER = re.compile(r"(^|[^a-z])(age|ålder|alder)([^a-z]|$)", re.I)
CASELOAD_HEADER = re.compile(r"caseload|per (ips[- ])?coach|deltagare per|participants per", re.I)
START_HEADER = re.compile(r"start|began|opened|since|sedan", re.I)
# an outcome is recorded at follow-up; a column about the past is a predictor
OUTCOME_HEADER = re.compile(
    r"job|employ|work|arbet|anställ|syssel|occupation|outcome|utfall|wage|lön|competitive|"
    r"follow|uppfölj|status",
    re.I,
)
PAST_HEADER = re.compile(
    r"last[ _-]?\d|previous|prior|history|before|baseline|intake|tidigare|innan|inskriv|ever\b",
    re.I,
)
YES = re.compile(r"\b(?:yes|ja|true|sant)\b|employed|working|i arbete|arbetar", re.I)
WORK = re.compile(r"job|employ|work|arbete|anställ|lön|wage|competitive|open market|öppna", re.I)
NOT = re.compile(r"\bno\b|\bnot?\b|none|ingen|inte|ej\b|\bun|arbetslös|without|utan\b", re.I)
NAME_SHAPE = re.compile(r"[A-ZÅÄÖÉ][a-zåäöé]+(?:[ -][A-ZÅÄÖÉ][a-zåäöé]+)+")
INTEGER = re.compile(r"[+-]?\d+")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
MONTH = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")
# analysis names the 2013 forms' derivations read with that evaluation's own codes and types
# (ipseval.data.derive), and names derived for every evaluation: a drafted column never gets one
RESERVED = {
    "form_id", "programme_id", "age_band", "time_band", "time_gt_6m", "work_history",
    "time_in_programme", "last_employed", "diagnosis", "diagnosis_other", "diagnosis_group",
    "diagnosis_row", "occupation", "occupation_other", "occupation_code", "occupation_row",
    "income_intake", "income_intake_other", "income_now", "income_now_other",
    "attachment_intake", "attachment_now", "months_active", "start_quarter", "fte_band",
    "caseload_band", "grant_total", "coach_fte", "sex", "education", "referral",
    "registered_af",
}  # fmt: skip


class NoOutcome(ValueError):
    """The export has no column that could be an outcome: no override can be drafted."""


@dataclass
class Guess:
    """What the draft says of one column."""

    name: str
    column: str
    type: str
    evidence: str
    levels: list[tuple[str, str]] = field(default_factory=list)  # (label, code)
    low: str | None = None
    high: str | None = None
    todo: str | None = None
    label: str | None = None  # the variable label of an SPSS/Stata file
    counts: dict[str, int] = field(default_factory=dict)  # answer (label) -> rows
    centre: float | None = None  # numbers: the median
    spread: float | None = None  # numbers: the standard deviation

    @property
    def words(self) -> str:
        """How the column is named for people: the file's variable label, else the header (a
        header written as an identifier, `age_years`, in words: 'Age years')."""
        text = self.label or self.column or self.name
        if re.fullmatch(r"[A-Za-z0-9]+(?:[_.][A-Za-z0-9]+)+", text):
            text = re.sub(r"[_.]", " ", text)
            text = text[0].upper() + text[1:]
        return text

    def code_of(self, label: str) -> str:
        """The generated code of a level's label."""
        return next(c for lb, c in self.levels if lb == label)


def snake(text: str, taken: set[str] | None = None) -> str:
    """A snake_case name or code from a header or label (ASCII, unique among `taken`)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:30].strip("_") or "x"
    if out[0].isdigit() and not out.isdigit():
        out = f"x{out}"
    base, k = out, 2
    while taken is not None and out in taken:
        out, k = f"{base}_{k}", k + 1
    if taken is not None:
        taken.add(out)
    return out


def _answers(values: Sequence[str], missing: set[str]) -> list[str]:
    return [v.strip() for v in values if normalise_label(v) not in missing]


def guess_column(
    header: str,
    values: Sequence[str],
    missing: set[str],
    value_labels: Mapping[object, str] | None = None,
    programme_keys: set[str] | None = None,
    may_be_id: bool = True,
) -> Guess:
    """The type of one column, from its header and its answers (text as read); `may_be_id`
    False where the file's key is known (a programme file, where every column may be unique)."""
    answers = _answers(values, missing)
    n, distinct = len(values), Counter(answers)
    empty = 100 * (n - len(answers)) / n if n else 0
    evidence = f"{len(distinct)} distinct answers; {empty:.0f} % empty"
    guess = Guess(snake(header), header, "text", evidence)
    if programme_keys and answers:
        unknown = {normalise_label(a) for a in distinct} - programme_keys
        if not unknown:
            guess.type, guess.evidence = "programme_ref", evidence + "; every answer a programme"
            return guess
        if len(unknown) <= len(distinct) / 2:  # mostly programmes: a name the file lacks
            guess.type, guess.evidence = "programme_ref", evidence + "; most answers programmes"
            guess.todo = (
                f"{len(unknown)} of its {len(distinct)} answers name no programme of the "
                "programme file: add the programme there, or correct the answers (the clean "
                "step lists the rows)"
            )
            return guess
    named = sum(bool(NAME_SHAPE.fullmatch(a)) for a in answers)
    if PERSONAL_HEADER.search(header) or (
        answers
        and (
            sum(bool(identity_kind(a)) for a in answers) >= 0.5 * len(answers)
            or (named >= 0.5 * len(answers) and len(distinct) >= 0.5 * len(answers))
        )
    ):
        guess.type, guess.evidence = "personal", evidence + "; names, numbers or addresses"
        return guess
    if answers and named >= 0.5 * len(answers):
        guess.todo = "the answers look like names: if they name people, set type: personal"
    if value_labels:  # SPSS/Stata: the file's own list of answers
        guess.type, guess.counts = "categorical", dict(distinct)
        guess.levels = _levels(list(dict.fromkeys([*value_labels.values(), *distinct])))
        guess.evidence += f"; {len(value_labels)} value labels in the file"
        return guess
    if not answers:
        guess.todo = "no answers at all: what is this column, and is it needed?"
        return guess
    if may_be_id and len(distinct) == n and empty == 0 and INTEGER.fullmatch(answers[0] or "x"):
        guess.type, guess.evidence = "id", evidence + "; one answer per row"
        return guess
    if all(MONTH.fullmatch(a) for a in answers):
        guess.type, guess.low, guess.high = "month", min(answers)[:7], max(answers)[:7]
        return guess
    if (
        all(re.fullmatch(r"\d", a) for a in answers)
        and 2 <= len(distinct) <= MAX_CODES
        and not COUNT_HEADER.search(header)
    ):
        guess.type, guess.counts = "categorical", dict(distinct)
        guess.levels = _levels(sorted(distinct))
        guess.evidence += "; whole numbers 0-9 only: codes of a list"
        guess.todo = (
            "the answers are numbers: if they code a list, give each level a `display` name "
            "(the report shows the code otherwise); if they count something, set type: integer"
        )
        return guess
    for kind, shape in (("integer", INTEGER), ("number", NUMBER)):
        if all(shape.fullmatch(a) for a in answers):
            numbers = pd.Series([float(a.replace(",", ".")) for a in answers])
            guess.type = kind
            guess.low, guess.high = (f"{x:g}" for x in (numbers.min(), numbers.max()))
            guess.centre, guess.spread = float(numbers.median()), float(numbers.std(ddof=0))
            guess.evidence += f"; observed {guess.low} to {guess.high}"
            guess.todo = "min and max are the observed range: widen them to what is allowed"
            return guess
    parts = Counter(p.strip() for a in answers for p in a.split(";") if p.strip())
    if sum(";" in a for a in answers) >= 0.1 * len(answers) and len(parts) <= MAX_LEVELS:
        guess.type, guess.levels = "multi", _levels(sorted(parts, key=lambda p: -parts[p]))
        guess.evidence += "; several answers separated by ';'"
        return guess
    if len(distinct) <= MAX_LEVELS:
        guess.type, guess.counts = "categorical", dict(distinct)
        guess.levels = _levels([a for a, _ in distinct.most_common()])
        if PROGRAMME_HEADER.search(header) and programme_keys is None:
            guess.todo = "a programme? then type: programme_ref (and give the programme file)"
        elif guess.todo:  # names of people must not be copied into the draft
            guess.type, guess.levels, guess.counts = "text", [], {}
        return guess
    if may_be_id and len(distinct) == n and empty == 0 and not any(" " in a for a in answers):
        guess.type, guess.evidence = "id", evidence + "; one answer per row"
        return guess
    guess.todo = "free text: never written to cleaned data; add recode rules to use it"
    return guess


def _levels(labels: Sequence[str]) -> list[tuple[str, str]]:
    taken: set[str] = set()
    return [(str(label), snake(str(label), taken)) for label in labels]


def _name(g: Guess, programme_file: bool, taken: set[str]) -> str:
    """The analysis name: those ipseval derives from (`age` gives age bands, `caseload`
    caseload bands, a programme's `start_month` its months active by the survey month) where
    the header and the type say so; otherwise the header in snake_case, never a reserved name."""
    known = None
    if not programme_file and g.type == "integer" and AGE_HEADER.search(g.column):
        known = "age"
    elif programme_file and g.type in {"integer", "number"} and CASELOAD_HEADER.search(g.column):
        known = "caseload"
    elif programme_file and g.type == "month" and START_HEADER.search(g.column):
        known = "start_month"
    if known and known not in taken:
        taken.add(known)
        g.evidence += f"; named {known}, from which ipseval derives its own variables"
        return known
    return snake(g.column, taken)


def draft(
    forms: str | Path, programmes: str | Path | None = None
) -> tuple[str, list[Guess], list[Guess]]:
    """The draft codebook's YAML text, and the guesses for the forms and the programmes."""
    missing = {normalise_label(m) for m in MISSING}
    prog_guesses: list[Guess] = []
    keys: set[str] | None = None
    if programmes is not None:
        table, labels, value_labels = _read(programmes)
        frame = table.frame
        # the key: the first column with one answer per programme, whatever it looks like
        unique = [c for c in frame.columns if frame[c].str.strip().ne("").all()]
        unique = [c for c in unique if frame[c].nunique() == len(frame)]
        key = unique[0] if unique else None
        prog_guesses = _guess_all(frame, missing, labels, value_labels, None, key)
        if key is not None:
            keys = {normalise_label(v) for v in frame[key] if v.strip()}
        else:
            prog_guesses.insert(0, Guess("programme", "", "id", "no column has one answer per row"))
            prog_guesses[0].todo = "which column names the programme? none is unique"
    table, labels, value_labels = _read(forms)
    guesses = _guess_all(table.frame, missing, labels, value_labels, keys)
    if not any(g.type == "id" for g in guesses):
        guesses.insert(0, Guess("participant", "", "id", "no column has one answer per row"))
        guesses[0].todo = "which column identifies a form? none has one answer per row"
    if not any(g.type == "programme_ref" for g in guesses):
        refs = [g for g in guesses if g.todo and "programme_ref" in g.todo]
        if refs:
            refs[0].type, refs[0].levels, refs[0].counts = "programme_ref", [], {}
            refs[0].todo = "guessed from the header: check it names the programmes"
        else:
            refs = [Guess("programme", "", "programme_ref", "no column names programmes")]
            refs[0].todo = "which column names the participant's programme?"
            guesses.append(refs[0])
    return _yaml(forms, programmes, guesses, prog_guesses), guesses, prog_guesses


def _read(path: str | Path) -> tuple[Table, dict[str, str], dict[str, dict]]:
    table = read_table(path)
    labels: dict[str, str] = {}
    value_labels: dict[str, dict] = {}
    if Path(path).suffix.lower() in STATISTICAL:
        import pyreadstat

        reader = pyreadstat.read_dta if Path(path).suffix.lower() == ".dta" else pyreadstat.read_sav
        _, meta = reader(str(path), metadataonly=True, user_missing=True)
        labels = {k: v for k, v in meta.column_names_to_labels.items() if v}
        value_labels = {k: dict(v) for k, v in meta.variable_value_labels.items()}
        # a value the file defines as missing is read as an empty answer: not a level
        for column, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
            for r in ranges:
                value_labels.get(column, {}).update(
                    {v: None for v in value_labels.get(column, {}) if _in_range(v, r)}
                )
        for column, values in (getattr(meta, "missing_user_values", None) or {}).items():
            for v in values:
                value_labels.get(column, {}).pop(v, None)
        value_labels = {
            k: {v: lb for v, lb in labs.items() if lb is not None}
            for k, labs in value_labels.items()
        }
    return table, labels, value_labels


def _in_range(value: object, r: Mapping[str, Any]) -> bool:
    """Whether a value lies in an SPSS missing range ({lo, hi})."""
    try:
        return bool(float(r["lo"]) <= float(value) <= float(r["hi"]))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value == r["lo"]


def _guess_all(
    frame: pd.DataFrame,
    missing: set[str],
    labels: Mapping[str, str],
    value_labels: Mapping[str, Mapping[object, str]],
    keys: set[str] | None,
    key: str | None = None,
) -> list[Guess]:
    """Every column's guess, with one id per file: the column `key` where the file's key is
    known (a programme file, where every column may be unique), else the first column with
    one answer per row."""
    taken = set(RESERVED)
    out = []
    have_id = key is not None
    for header in frame.columns:
        if header == key:
            evidence = f"{len(frame)} programmes, one answer each: the programmes' key"
            g = Guess(header, header, "id", evidence)
        else:
            values = list(frame[header])
            g = guess_column(header, values, missing, value_labels.get(header), keys, not have_id)
            have_id = have_id or g.type == "id"
        g.name = _name(g, key is not None, taken)
        g.label = labels.get(header)
        out.append(g)
    return out


def _q(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)  # a YAML double-quoted scalar


def _display(label: str, code: str) -> str:
    """A level's `display` where its code is not its label: the label, as the report's name
    for the answer (a label of digits only is a code, not a name: no display)."""
    if label.isdigit() or re.sub(r"\W+", "_", label.lower()).strip("_") == code:
        return ""
    return f", display: {_q(label)}"


def _variables(guesses: Sequence[Guess]) -> list[str]:
    lines = []
    for g in guesses:
        lines.append(f"    # {g.evidence}" + (f"; label: {g.label}" if g.label else ""))
        lines.append(f"    - name: {g.name}")
        lines.append(f"      column: {_q(g.column or g.name)}")
        lines.append(f"      type: {g.type}")
        if g.type == "personal" or not g.column:
            lines.append("      required: false")
        if g.low is not None:
            low, high = (x if g.type != "month" else _q(x) for x in (g.low, g.high))
            lines += [f"      min: {low}", f"      max: {high}"]
        if g.todo:
            lines.append(f"      todo: {_q(g.todo)}")
        if g.levels:
            lines.append("      levels:")
            lines += [
                f"        - {{label: {_q(lb)}, code: {_q(c)}{_display(lb, c)}}}"
                for lb, c in g.levels
            ]
    return lines


def _form(section: str, path: str | Path, guesses: Sequence[Guess]) -> list[str]:
    key = next(g.name for g in guesses if g.type == "id")
    return [
        f"{section}:",
        f"  title: {_q(Path(path).name)}",
        f"  key: {key}",
        "  variables:",
        *_variables(guesses),
    ]


def _yaml(
    forms: str | Path,
    programmes: str | Path | None,
    guesses: Sequence[Guess],
    prog_guesses: Sequence[Guess],
) -> str:
    todos = sum(bool(g.todo) for g in [*guesses, *prog_guesses])
    head = [
        f"# DRAFT codebook of {Path(forms).name}"
        + (f" and {Path(programmes).name}" if programmes else "")
        + " (python -m ipseval.data.draft).",
        f"# Every type is a guess with its evidence beside it; {todos} `todo:` question(s) are",
        "# open: the report lists them until you answer each and delete its line. Names and",
        "# codes are generated: rename them before a config refers to them (and there too).",
        "# The format is config/codebook.yaml's (its header explains every field).",
        "",
        'multi_select_separator: ";"',
        "missing_labels: [" + ", ".join(_q(m) for m in MISSING) + "]",
        "",
    ]
    body = []
    if programmes is not None:
        body += [*_form("programme_survey", programmes, prog_guesses), ""]
    body += _form("coach_form", forms, guesses)
    return "\n".join(head + body) + "\n"


# --- the config override ------------------------------------------------------------------


def _nice(x: float) -> float:
    """The number of the form 1, 2 or 5 x 10^k nearest to `x` (on a log scale): a scale for
    a numeric predictor's odds ratio that a reader can say in words ("per 10 years")."""
    if not x or x != x or x <= 0:
        return 1.0
    k = math.floor(math.log10(x))
    return min((m * 10.0**j for j in (k - 1, k, k + 1) for m in (1, 2, 5)),
               key=lambda c: abs(math.log(c / x)))  # fmt: skip


def _outcomes(guesses: Sequence[Guess]) -> list[tuple[Guess, list[str], str]]:
    """Up to three outcome guesses (a categorical column, its answers that count, and why):
    headers that name work or a follow-up, not the past ("employed in the last 5 years" is
    a predictor), two-answer columns first, the last column on a tie (outcomes come last)."""
    cands = [(i, g) for i, g in enumerate(guesses) if g.type == "categorical" and len(g.levels) > 1]
    scored = []
    for i, g in cands:
        text = f"{g.column} {g.label or ''}"
        score = 2 * bool(OUTCOME_HEADER.search(text)) - 3 * bool(PAST_HEADER.search(text))
        scored.append((score + (len(g.levels) == 2), i, g))
    scored.sort(key=lambda x: (-x[0], -x[1]))
    chosen = [(g, "its header names work or a follow-up") for sc, _, g in scored if sc >= 2][:3]
    if not chosen and scored:
        binary = [g for _, g in cands if len(g.levels) == 2]
        g = (binary or [g for _, g in cands])[-1]
        chosen = [(g, "no header names work or a follow-up: the last column with a list")]
    out = []
    for g, why in chosen:
        labels = [lb for lb, _ in g.levels]
        used = {lb: g.counts.get(lb, 0) for lb in labels}
        if len(labels) == 2:
            yes = [lb for lb in labels if YES.search(lb) and not NOT.search(lb)]
            pos = yes if len(yes) == 1 else ["1"] if set(labels) == {"0", "1"} else []
        else:
            pos = [lb for lb in labels if WORK.search(lb) and not NOT.search(lb)]
        pos = pos or [min(labels, key=lambda lb: (used[lb] == 0, used[lb]))]  # the rarer answer
        out.append((g, [g.code_of(lb) for lb in pos], why))
    return out


def _predictors(
    guesses: Sequence[Guess],
    prog_guesses: Sequence[Guess],
    outcomes: set[str],
    defaults: Mapping[str, Any],
) -> list[tuple[str, dict[str, Any] | None, str, Guess]]:
    """Every usable column as a predictor: (key, its definition or None where the defaults'
    predictor of that column fits as it is, a comment, the column's guess)."""
    taken = set(defaults)
    out: list[tuple[str, dict[str, Any] | None, str, Guess]] = []
    for level, group in (("participant", guesses), ("programme", prog_guesses)):
        for g in group:
            if g.type in {"integer", "number"} and g.name not in outcomes:
                reuse = [
                    k for k, p in defaults.items()
                    if p.get("column") == g.name and p.get("type") == "numeric"
                    and p.get("level", "participant") == level
                ]  # fmt: skip
                if reuse:
                    out.append((reuse[0], None, f"config/config.yaml's `{reuse[0]}`", g))
                    continue
                scale = _nice(g.spread or 1.0)
                centre = round((g.centre or 0.0) / scale) * scale
                spec = {
                    "label": f"{g.words} (per {scale:g}, centred at {centre:g})",
                    "column": g.name,
                    "type": "numeric",
                    "centre": float(f"{centre:g}"),
                    "scale": float(f"{scale:g}"),
                }
                if level == "programme":
                    spec["level"] = "programme"
                why = f"median {g.centre:g}, standard deviation {g.spread:.3g}"
                out.append((snake(g.name, taken), spec, why, g))
            elif (
                level == "participant"
                and g.type == "categorical"
                and g.name not in outcomes
                and 1 < len(g.levels) <= 2 * MAX_CODES
            ):
                common = max(g.levels, key=lambda lc: g.counts.get(lc[0], 0))
                spec = {
                    "label": g.words,
                    "column": f"{g.name}_code",
                    "type": "categorical",
                    "reference": common[1],
                }
                why = f"reference: the most common answer, {common[0]!r}"
                out.append((snake(g.name, taken), spec, why, g))
    return out


def _flow(spec: Mapping[str, Any]) -> str:
    """A mapping as one line of YAML (strings quoted, numbers as written)."""
    items = []
    for k, v in spec.items():
        shown = _q(v) if isinstance(v, str) else f"{v:g}" if isinstance(v, float) else str(v)
        items.append(f"{k}: {shown}")
    return "{" + ", ".join(items) + "}"


def draft_config(
    forms: str | Path,
    programmes: str | Path | None,
    codebook: str | Path,
    config: str | Path,
    guesses: Sequence[Guess],
    prog_guesses: Sequence[Guess],
    defaults: Mapping[str, Any] | None = None,
) -> str:
    """The draft override's YAML text (to be written to `config`, whose name is the run's):
    the data paths, a first outcome and model from the guesses, and what the draft cannot
    know as `todo:` (listed in the report's Data section). `defaults`: config/config.yaml,
    so that its keys are not merged into by accident (a drafted name that is also a
    default's gets another) and its predictors of the same column are used as they are."""
    defaults = defaults or {}
    default_predictors = defaults.get("models", {}).get("predictors", {})
    outs = _outcomes(guesses)
    if not outs:
        raise NoOutcome(
            "no column has a list of answers (two or more) that could be the outcome, so no "
            "override was drafted; the codebook was: give the outcome's column its levels "
            "(type: categorical), or write the override by hand (docs/own-data.md)"
        )
    out_keys = set(defaults.get("outcomes", {}))
    preds = _predictors(guesses, prog_guesses, {g.name for g, _, _ in outs}, default_predictors)
    fitted, others = preds[:MAX_PREDICTORS], preds[MAX_PREDICTORS:]
    todo = [
        "`survey_month`: the month the outcome was recorded (YYYY-MM); without it the report "
        "says the month is not given, and a programme's months active are not derived",
    ]
    lines = [
        f"# DRAFT config override for {Path(forms).name} (python -m ipseval.data.draft),",
        "# merged into config/config.yaml. It runs as written; every choice below is a guess,",
        "# and the report's Data section lists each open `todo:` (here and in the codebook)",
        "# until you answer it and delete its line. Run it with",
        f'#   make run SNAKEMAKE_ARGS="--configfile={config}"',
        f"run_name: {snake(Path(config).stem)}   # results/<run_name>/",
        '# survey_month: "YYYY-MM"   # the month the outcome was recorded (see todo)',
        "data:",
        f"  coach_forms: {_q(forms)}",
        f"  programmes: {_q(programmes) if programmes else 'null'}",
        f"  codebook: {_q(codebook)}",
        "  # false: the export is treated as confidential (docs/disclosure.md). true only for",
        "  # data a generator made, with `generator:` naming its truth (docs/own-data.md)",
        "  synthetic: false",
        "  generator: null",
        "  published: null    # the 2013 report's tables: that evaluation's alone",
        "  literature: null",
        "# what config/config.yaml configures for the 2013 forms and these data lack drops out,",
        "# each item named in results/<run>/restricted/unavailable.csv and the report",
        "unavailable: drop",
        "reproduction: {enabled: false}",
        "simulation: null     # the estimators' simulation study: the 2013 design's",
        "multiverse: null     # the specification curve: add it once the models are settled",
        "outcomes:",
    ]
    keys = []
    for g, positive, why in outs:
        key = snake(g.name, out_keys)
        keys.append(key)
        shown = " or ".join(lb for lb, c in g.levels if c in positive)
        yes = len(positive) == 1 and (shown.isdigit() or bool(YES.fullmatch(shown)))
        spec = {"label": g.words if yes else f"{g.words}: {shown}", "variable": g.name}
        lines.append(f"  # {why}; counted as the outcome: {shown!r}")
        lines.append(f"  {key}: {_flow(spec)[:-1]}, positive: [{', '.join(map(_q, positive))}]}}")
        todo.append(
            f"outcome `{key}` is a guess ({why}): check its `variable` and which answers "
            "count (`positive`)"
        )
    lines += [
        "models:",
        "  outcomes: [" + ", ".join(keys) + "]",
    ]
    # a key with comments only would be null, which deletes the defaults' predictors
    own = any(spec is not None for _, spec, _, _ in preds)
    lines.append("  predictors:" if own else "  # predictors: config/config.yaml's, as they are")
    for key, spec, why, _ in preds:
        lines.append(f"    # {why}")
        if spec is None:
            lines[-1] += " (its definition there is used as it is)"
        else:
            lines.append(f"    {key}: {_flow(spec)}")
    lines.append("  specifications:")
    defaults_specs = defaults.get("models", {}).get("specifications", {})
    lines.append("    core: [" + ", ".join(k for k, *_ in fitted) + "]")
    lines += [f"    {k}: null" for k in defaults_specs if k != "core"]
    if others:
        todo.append(
            f"the model has the first {MAX_PREDICTORS} usable columns; not in it: "
            + ", ".join(f"`{k}`" for k, *_ in others)
        )
    todo.append(
        "the predictors are every usable column: keep those your question needs, and check "
        "each reference level, centre and scale"
    )
    tables = [(f"{g.name}_code", g.words) for *_, g in fitted if g.type == "categorical"]
    if any(g.name == "age" for *_, g in fitted):
        tables.insert(0, ("age_band", "Age band"))
    lines += [
        "report:",
        "  summary_specification: core",
        "  summary_terms: null   # every term of the core specification",
        "  outcome_groups: null",
    ]
    if tables:
        lines.append("  participant_tables:")
        lines.append("    variables: " + _flow(dict(tables)))
    else:
        lines.append("  participant_tables: null")
    lines.append("todo:")
    lines += [f"  - {_q(t)}" for t in todo]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Command line: write the draft codebook (and override) of an export."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("forms", help="the participant export (CSV, .xlsx, .sav, .zsav, .dta)")
    ap.add_argument("--programmes", help="the programme export, if there is one")
    ap.add_argument("--out", default="-", help="the draft codebook (default: standard output)")
    ap.add_argument("--config", help="the draft config override, which names --out as codebook")
    ap.add_argument(
        "--defaults",
        default="config/config.yaml",
        help="the configuration the override is merged into (default: %(default)s)",
    )
    ap.add_argument("--force", action="store_true", help="overwrite drafts that exist")
    args = ap.parse_args(argv)
    if args.config and args.out == "-":
        ap.error("--config needs --out: the override names the codebook file")
    targets = [Path(p) for p in (args.out, args.config) if p and p != "-"]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not args.force:
        sys.exit(f"ipseval draft: {', '.join(existing)} exists; edits would be lost (--force)")
    for path in (args.forms, args.programmes, args.config and args.defaults):
        if path and not Path(path).is_file():
            sys.exit(f"ipseval draft: no such file: {path}")
    try:
        text, guesses, prog_guesses = draft(args.forms, args.programmes)
    except InputError as err:
        sys.exit(f"ipseval draft: {err}")
    texts = {args.out: text}
    problem = None
    if args.config:
        defaults = load_yaml(Path(args.defaults).read_text(encoding="utf-8"))
        try:
            texts[args.config] = draft_config(
                args.forms, args.programmes, args.out, args.config, guesses, prog_guesses, defaults
            )
        except NoOutcome as err:
            problem = f"ipseval draft: {err}"
    for out, content in texts.items():
        if out == "-":
            sys.stdout.write(content)
            continue
        write_atomic(out, content.encode("utf-8"))
        print(f"ipseval draft: wrote {out}")
    if problem:
        sys.exit(problem)
    if args.out != "-":
        print("ipseval draft: read every line and answer every todo: the report lists them")


if __name__ == "__main__":
    main()
