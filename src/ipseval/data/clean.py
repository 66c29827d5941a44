"""The clean stage: raw exports -> validated, typed, derived analysis data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ipseval.common.io import sha256
from ipseval.common.problems import InputError, Problem
from ipseval.data.codebook import Codebook, load_codebook, normalise_label
from ipseval.data.derive import derive_participants, derive_programmes, programmes_from_references
from ipseval.data.parse import parse_form, unanswered_rows
from ipseval.data.readers import read_table


@dataclass
class CleanResult:
    """Everything the clean stage produces."""

    programmes: pd.DataFrame
    participants: pd.DataFrame
    excluded: pd.DataFrame
    accounting: pd.DataFrame
    problems: list[Problem]
    key: pd.DataFrame  # pseudonym -> the export's own id (restricted/clean/id_key.csv)


def pseudonyms(ids: Mapping[int, object]) -> dict[int, str]:
    """A stable pseudonym for every form of the export: anon-1, anon-2, ... zero-padded to one
    width, in the export's row order (the same export gives the same pseudonyms). The export's
    own ids never leave the clean stage except in the key file of the restricted tier."""
    rows = sorted(ids)
    width = len(str(len(rows)))
    return {row: f"anon-{i:0{width}d}" for i, row in enumerate(rows, 1)}


EXCLUDED_COLUMNS = ["file", "row", "id", "reason", "rule"]


def _exclusions(problems: list[Problem], file: str, form_ids: Mapping[int, object]) -> pd.DataFrame:
    rows: dict[int, list[Problem]] = {}
    for p in problems:
        if p.file == file and p.row is not None:
            rows.setdefault(p.row, []).append(p)
    return pd.DataFrame(
        {
            "file": file,
            "row": list(rows),
            "id": [form_ids.get(r) for r in rows],
            # the reason with the (masked) value, for the analyst; the rule alone, for the
            # published count of excluded rows by reason (no value, no row)
            "reason": [
                "; ".join(
                    f"{p.column}: {p.message}" + (f" ({p.value})" if p.value is not None else "")
                    for p in found
                )
                for found in rows.values()
            ],
            "rule": [
                "; ".join(dict.fromkeys(f"{p.column}: {p.message}" for p in found))
                for found in rows.values()
            ],
        },
        columns=EXCLUDED_COLUMNS,
    )


def clean(
    programmes_path: str | Path | None,
    coach_forms_path: str | Path,
    cb: Codebook,
    outcomes: Mapping[str, Mapping[str, Any]],
    survey_month: str | None,
    on_invalid: str = "stop",
) -> CleanResult:
    """Read, validate and derive. Raises InputError listing every problem (mode 'stop'),
    or excludes bad rows and logs each with its reason (mode 'exclude'). Without a
    programme survey (`programmes_path` None) the programmes are those the forms name."""
    if on_invalid not in {"stop", "exclude"}:
        raise ValueError(f"on_invalid must be 'stop' or 'exclude', not {on_invalid!r}")
    if (programmes_path is None) != (cb.programme_survey is None):
        raise ValueError("a programme file needs the codebook's programme_survey, and vice versa")
    pp, fp = (None if programmes_path is None else str(programmes_path)), str(coach_forms_path)
    sources = (
        [(fp, cb.coach_form)] if pp is None else [(pp, cb.programme_survey), (fp, cb.coach_form)]
    )
    file_problems: list[Problem] = []
    raw, notes = {}, {}
    for path, form in sources:
        try:
            table = read_table(path, set(form.header_map()))
            raw[path], notes[path] = table.frame, table.notes
        except InputError as err:
            file_problems.extend(err.problems)
    if file_problems:
        raise InputError(file_problems)

    forms = parse_form(raw[fp], cb.coach_form, cb, fp)
    prog = None if pp is None else parse_form(raw[pp], cb.programme_survey, cb, pp)
    parsed_file_problems = forms.file_problems + ([] if prog is None else prog.file_problems)
    if parsed_file_problems:
        raise InputError(parsed_file_problems)

    ref_var = cb.coach_form.programme_ref
    ref_problems: list[Problem] = []
    bad_prog_rows: set[int] = set()
    if prog is not None:
        # cross-file check: every form's programme must exist (and not itself be excluded)
        bad_prog_rows = prog.bad_rows()
        key_var = cb.programme_survey.id_variable
        known = {normalise_label(m): row for row, m in prog.data[key_var].items() if m is not None}
        allowed = f"a {key_var} in " + Path(pp).name
        for row, m in forms.data[ref_var.name].items():
            key = None if m is None else normalise_label(m)
            if key not in known:
                ref_problems.append(
                    Problem(fp, int(row), ref_var.column, m, allowed, "programme does not exist")
                )
            elif known[key] in bad_prog_rows:
                ref_problems.append(
                    Problem(
                        fp,
                        int(row),
                        ref_var.column,
                        m,
                        allowed,
                        f"its programme (row {known[key]}) was excluded",
                    )
                )
    else:
        for row, m in forms.data[ref_var.name].items():
            if m is None:
                ref_problems.append(
                    Problem(fp, int(row), ref_var.column, m, "a programme name", "no programme")
                )
    prog_problems = [] if prog is None else prog.row_problems
    problems = prog_problems + forms.row_problems + ref_problems
    if problems and on_invalid == "stop":
        raise InputError(problems)

    unanswered = set(unanswered_rows(forms, cb.coach_form)) - forms.bad_rows()
    bad_form_rows = forms.bad_rows() | {p.row for p in ref_problems if p.row is not None}
    keep_forms = forms.data.drop(index=sorted(bad_form_rows | unanswered))
    if prog is not None:
        keep_prog = prog.data.drop(index=sorted(bad_prog_rows))
        programmes = derive_programmes(keep_prog, cb, survey_month)
    else:
        programmes = programmes_from_references(keep_forms, cb)
    participants = derive_participants(keep_forms, programmes, cb, outcomes)

    ids = dict(forms.data[cb.coach_form.id_variable].items())
    alias = pseudonyms(ids)
    # the export's ids replaced by pseudonyms from here on (every result, every log); by row,
    # not by id, so that forms without an id get pseudonyms of their own
    if len(participants) != len(keep_forms):
        raise AssertionError("the derived participants are not the kept forms, row for row")
    participants["form_id"] = [alias[r] for r in keep_forms.index]
    key = pd.DataFrame(
        {
            "form_id": [alias[r] for r in sorted(ids)],
            "file": fp,
            "row": sorted(ids),
            "export_id": [ids[r] for r in sorted(ids)],
        }
    )
    ids = alias
    no_answers = pd.DataFrame(
        {
            "file": fp,
            "row": sorted(unanswered),
            "id": [ids.get(r) for r in sorted(unanswered)],
            "reason": "no answers: every question of the form is empty",
            "rule": "no answers: every question of the form is empty",
        },
        columns=EXCLUDED_COLUMNS,
    )
    excluded = [pd.concat([_exclusions(problems, fp, ids), no_answers], ignore_index=True)]
    parts = [(fp, forms, participants)]
    if prog is not None:
        key_values = dict(prog.data[cb.programme_survey.id_variable].items())
        excluded.insert(0, _exclusions(problems, pp, key_values))
        parts.insert(0, (pp, prog, programmes))
        empty = sorted(set(programmes["programme_id"]) - set(participants["programme_id"]))
        if empty:  # kept (the survey describes them) but no participant's form names them
            notes[pp].append(
                f"{len(empty)} programme(s) without any participant form: {', '.join(empty)} "
                "(kept in clean/programmes.csv; no participant-level result includes them)"
            )
    excluded_rows = pd.concat(excluded, ignore_index=True)
    accounting = pd.DataFrame(
        [
            {
                "file": path,
                "sha256": sha256(path),
                "rows_in": len(parsed.data),
                "rows_kept": len(kept),
                "rows_excluded": len(parsed.data) - len(kept),
                "notes": "; ".join(notes[path] + parsed.notes),
            }
            for path, parsed, kept in parts
        ]
    )
    counts = excluded_rows.groupby("file").size()
    for _, r in accounting.iterrows():
        if r.rows_in != r.rows_kept + r.rows_excluded or counts.get(r.file, 0) != r.rows_excluded:
            raise AssertionError(f"row accounting does not balance for {r.file}")
    return CleanResult(programmes, participants, excluded_rows, accounting, problems, key)


def run(
    inputs: Mapping[str, Any],
    outputs: Mapping[str, Any],
    problems_log: str | Path,
    params: Mapping[str, Any],
    stderr: Any = None,
) -> int:
    """The clean stage as the workflow runs it: clean, write the outputs (atomically, only on
    success) and the problems log; on bad input write one short message (every problem in
    the log) and return 1, leaving no output file."""
    import sys

    from ipseval.common.io import write_csv
    from ipseval.common.problems import write_problems

    stderr = stderr or sys.stderr
    try:
        result = clean(
            inputs.get("programmes"),
            inputs["coach_forms"],
            load_codebook(inputs["codebook"]),
            params["outcomes"],
            params["survey_month"],
            on_invalid=params["on_invalid"],
        )
    except InputError as err:
        write_problems(err.problems, problems_log)
        stderr.write(f"\nipseval clean: {err}\nAll problems: {problems_log}\n")
        return 1
    write_problems(result.problems, problems_log)
    write_csv(result.programmes, outputs["programmes"])
    write_csv(result.participants, outputs["participants"])
    write_csv(result.excluded, outputs["excluded"])
    write_csv(result.accounting, outputs["accounting"])
    write_csv(result.key, outputs["key"])
    return 0
