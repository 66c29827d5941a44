"""The clean stage: raw exports -> validated, typed, derived analysis data."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .codebook import Codebook, normalise_label
from .derive import derive_participants, derive_programmes
from .parse import parse_form
from .problems import InputError, Problem
from .readers import read_table


@dataclass
class CleanResult:
    """Everything the clean stage produces."""

    programmes: pd.DataFrame
    participants: pd.DataFrame
    excluded: pd.DataFrame
    accounting: pd.DataFrame
    problems: list[Problem]


def sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _exclusions(problems: list[Problem], file: str, form_ids: Mapping[int, object]) -> pd.DataFrame:
    rows: dict[int, list[str]] = {}
    for p in problems:
        if p.file == file and p.row is not None:
            rows.setdefault(p.row, []).append(
                f"{p.column}: {p.message}" + (f" ('{p.value}')" if p.value is not None else "")
            )
    return pd.DataFrame(
        {
            "file": file,
            "row": list(rows),
            "id": [form_ids.get(r) for r in rows],
            "reason": ["; ".join(v) for v in rows.values()],
        },
        columns=["file", "row", "id", "reason"],
    )


def clean(
    programmes_path: str | Path,
    coach_forms_path: str | Path,
    cb: Codebook,
    outcomes: Mapping[str, Sequence[str]],
    survey_month: str,
    on_invalid: str = "stop",
) -> CleanResult:
    """Read, validate and derive. Raises InputError listing every problem (mode 'stop'),
    or excludes bad rows and logs each with its reason (mode 'exclude')."""
    if on_invalid not in {"stop", "exclude"}:
        raise ValueError(f"on_invalid must be 'stop' or 'exclude', not {on_invalid!r}")
    pp, fp = str(programmes_path), str(coach_forms_path)
    file_problems: list[Problem] = []
    raw = {}
    for path, form in ((pp, cb.programme_survey), (fp, cb.coach_form)):
        try:
            raw[path] = read_table(path, set(form.header_map()))
        except InputError as err:
            file_problems.extend(err.problems)
    if file_problems:
        raise InputError(file_problems)

    prog = parse_form(raw[pp], cb.programme_survey, cb, pp)
    forms = parse_form(raw[fp], cb.coach_form, cb, fp)
    if prog.file_problems or forms.file_problems:
        raise InputError(prog.file_problems + forms.file_problems)

    # cross-file check: every form's programme must exist (and not itself be excluded)
    bad_prog_rows = prog.bad_rows()
    known = {
        normalise_label(m): row for row, m in prog.data["municipality"].items() if m is not None
    }
    ref_problems: list[Problem] = []
    ref_header = cb.coach_form["municipality"].column
    allowed = "a municipality in " + Path(pp).name
    for row, m in forms.data["municipality"].items():
        key = None if m is None else normalise_label(m)
        if key not in known:
            ref_problems.append(
                Problem(fp, int(row), ref_header, m, allowed, "programme does not exist")
            )
        elif known[key] in bad_prog_rows:
            ref_problems.append(
                Problem(
                    fp,
                    int(row),
                    ref_header,
                    m,
                    allowed,
                    f"its programme (row {known[key]}) was excluded",
                )
            )
    problems = prog.row_problems + forms.row_problems + ref_problems
    if problems and on_invalid == "stop":
        raise InputError(problems)

    excluded = pd.concat(
        [
            _exclusions(problems, pp, dict(prog.data["municipality"].items())),
            _exclusions(problems, fp, dict(forms.data["form_id"].items())),
        ],
        ignore_index=True,
    )
    keep_prog = prog.data.drop(index=sorted(bad_prog_rows))
    bad_form_rows = forms.bad_rows() | {p.row for p in ref_problems if p.row is not None}
    keep_forms = forms.data.drop(index=sorted(bad_form_rows))

    programmes = derive_programmes(keep_prog, cb, survey_month)
    participants = derive_participants(keep_forms, programmes, cb, outcomes)

    accounting = pd.DataFrame(
        [
            {
                "file": path,
                "sha256": sha256(path),
                "rows_in": len(parsed.data),
                "rows_kept": len(kept),
                "rows_excluded": len(parsed.data) - len(kept),
            }
            for path, parsed, kept in ((pp, prog, programmes), (fp, forms, participants))
        ]
    )
    counts = excluded.groupby("file").size()
    for _, r in accounting.iterrows():
        if r.rows_in != r.rows_kept + r.rows_excluded or counts.get(r.file, 0) != r.rows_excluded:
            raise AssertionError(f"row accounting does not balance for {r.file}")
    return CleanResult(programmes, participants, excluded, accounting, problems)
