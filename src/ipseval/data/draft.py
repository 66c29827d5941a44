"""A first codebook drafted from an export (issue 27, part 1; a first step): every column with
its header as written, a guessed type with the evidence for the guess, the observed answers
as levels with generated codes, and TODO where the data cannot answer the question.

    python -m ipseval.data.draft EXPORT [--programmes FILE] [--out DRAFT.yaml]

EXPORT and FILE may be CSV, .xlsx, SPSS (.sav, .zsav) or Stata (.dta); from SPSS and Stata the
value labels are the levels (those no case uses included) and the variable labels are shown
beside the columns. The draft is a codebook `load_codebook` accepts as written; read every
line before a real run. Answers are never copied into the draft from a column guessed to be
personal (names, phone numbers, e-mail, identity numbers) or free text.
The guessing rules are hand-written: no maintained library infers a survey codebook.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ipseval.common.problems import InputError, identity_kind
from ipseval.data.codebook import normalise_label
from ipseval.data.readers import STATISTICAL, Table, read_table

MISSING = ["", "NA", "N/A", "-", "Ej svar", "Uppgift saknas", "Saknas", "Missing"]
MAX_LEVELS = 30  # more distinct answers than this: free text, not a list of answers
PERSONAL_HEADER = re.compile(
    r"namn|name|telefon|phone|mobil|e-?post|e-?mail|personnummer|pnr|adress|address", re.I
)
PROGRAMME_HEADER = re.compile(r"program|site|team|enhet|kommun|unit|verksamhet|mottagning", re.I)
NAME_SHAPE = re.compile(r"[A-ZÅÄÖÉ][a-zåäöé]+(?:[ -][A-ZÅÄÖÉ][a-zåäöé]+)+")
INTEGER = re.compile(r"[+-]?\d+")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
MONTH = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")


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
    if programme_keys and answers and {normalise_label(a) for a in distinct} <= programme_keys:
        guess.type, guess.evidence = "programme_ref", evidence + "; every answer a programme"
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
        guess.type = "categorical"
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
    for kind, shape in (("integer", INTEGER), ("number", NUMBER)):
        if all(shape.fullmatch(a) for a in answers):
            numbers = [float(a.replace(",", ".")) for a in answers]
            guess.type = kind
            guess.low, guess.high = (f"{x:g}" for x in (min(numbers), max(numbers)))
            guess.evidence += f"; observed {guess.low} to {guess.high}"
            guess.todo = "min and max are the observed range: widen them to what is allowed"
            return guess
    parts = Counter(p.strip() for a in answers for p in a.split(";") if p.strip())
    if sum(";" in a for a in answers) >= 0.1 * len(answers) and len(parts) <= MAX_LEVELS:
        guess.type, guess.levels = "multi", _levels(sorted(parts, key=lambda p: -parts[p]))
        guess.evidence += "; several answers separated by ';'"
        return guess
    if len(distinct) <= MAX_LEVELS:
        guess.type = "categorical"
        guess.levels = _levels([a for a, _ in distinct.most_common()])
        if PROGRAMME_HEADER.search(header) and programme_keys is None:
            guess.todo = "a programme? then type: programme_ref (and give the programme file)"
        elif guess.todo:  # names of people must not be copied into the draft
            guess.type, guess.levels = "text", []
        return guess
    if may_be_id and len(distinct) == n and empty == 0:
        guess.type, guess.evidence = "id", evidence + "; one answer per row"
        return guess
    guess.todo = "free text: never written to cleaned data; add recode rules to use it"
    return guess


def _levels(labels: Sequence[str]) -> list[tuple[str, str]]:
    taken: set[str] = set()
    return [(str(label), snake(str(label), taken)) for label in labels]


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
        guesses.insert(0, Guess("form_id", "", "id", "no column has one answer per row"))
        guesses[0].todo = "which column identifies a form? none has one answer per row"
    if not any(g.type == "programme_ref" for g in guesses):
        refs = [g for g in guesses if g.todo and "programme_ref" in g.todo]
        if refs:
            refs[0].type, refs[0].levels = "programme_ref", []
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
        _, meta = reader(str(path), metadataonly=True)
        labels = {k: v for k, v in meta.column_names_to_labels.items() if v}
        value_labels = dict(meta.variable_value_labels)
    return table, labels, value_labels


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
    taken: set[str] = set()
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
        g.name = snake(header, taken)
        g.label = labels.get(header)
        out.append(g)
    return out


def _q(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)  # a YAML double-quoted scalar


def _variables(guesses: Sequence[Guess]) -> list[str]:
    lines = []
    for g in guesses:
        lines.append(f"    # {g.evidence}" + (f"; label: {g.label}" if g.label else ""))
        if g.todo:
            lines.append(f"    # TODO: {g.todo}")
        lines.append(f"    - name: {g.name}")
        lines.append(f"      column: {_q(g.column or g.name)}")
        lines.append(f"      type: {g.type}")
        if g.type == "personal" or not g.column:
            lines.append("      required: false")
        if g.low is not None:
            low, high = (x if g.type != "month" else _q(x) for x in (g.low, g.high))
            lines += [f"      min: {low}", f"      max: {high}"]
        if g.levels:
            lines.append("      levels:")
            lines += [f"        - {{label: {_q(lb)}, code: {_q(c)}}}" for lb, c in g.levels]
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
        f"# Every type is a guess with its evidence beside it; {todos} TODO(s) need an answer.",
        "# Names and codes are generated: rename them before you refer to them in a config.",
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


def main(argv: list[str] | None = None) -> None:
    """Command line: write the draft codebook of an export."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("forms", help="the participant export (CSV, .xlsx, .sav, .zsav, .dta)")
    ap.add_argument("--programmes", help="the programme export, if there is one")
    ap.add_argument("--out", default="-", help="where to write the draft (default: stdout)")
    args = ap.parse_args(argv)
    try:
        text, _, _ = draft(args.forms, args.programmes)
    except InputError as err:
        sys.exit(f"ipseval draft: {err}")
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"ipseval draft: wrote {args.out}; read every TODO before a run")


if __name__ == "__main__":
    main()
