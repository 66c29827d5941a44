"""An export ipseval's drafts were not written against (issue 27): the shape a new user
brought, English headers, 12 sites, 600 participants, a diagnosis coded 1-4, and a site file
with the caseload. Written as CSV, xlsx, SPSS (.sav, with value labels and a user-missing
code) or Stata (.dta, with value labels and an extended missing value `.a`), from one seeded
draw with a known truth (`TRUTH`, log-odds), so that a report's estimates can be checked
against what made the data."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

N, SITES, SEED = 600, 12, 27
DX = {1: "Psychotic disorder", 2: "Mood disorder", 3: "Anxiety disorder", 4: "Other diagnosis"}
NOT_KNOWN = 9  # the SPSS file's user-missing code of primary_dx, and Stata's `.a`
# log-odds of competitive_job: per unit of a column, or of a level against the most common
TRUTH = {
    "intercept": -1.3,
    "site_sd": 0.4,
    "age_years": -0.03,  # per year, centred at 40
    "primary_dx": {1: -0.8, 2: 0.0, 3: -0.2, 4: 0.0},
    "employed_last_5y": 0.9,  # yes vs no
    "months_in_program": 0.05,  # per month, centred at 12
    "caseload": -0.04,  # per participant per coach, centred at 15 (site level)
}


def draw(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The site file and the participant export as numbers (codes), missing as NaN."""
    rng = np.random.default_rng(seed)
    sites = pd.DataFrame(
        {"site": [f"Site {k + 1:02d}" for k in range(SITES)],
         "caseload": rng.integers(8, 24, SITES).astype(float)}
    )  # fmt: skip
    site = rng.integers(0, SITES, N)
    age = rng.integers(19, 65, N).astype(float)
    dx = rng.choice(list(DX), size=N, p=[0.3, 0.35, 0.2, 0.15]).astype(float)
    employed = (rng.random(N) < 0.4).astype(float)
    months = rng.integers(0, 37, N).astype(float)
    u = rng.normal(0, TRUTH["site_sd"], SITES)
    eta = (
        TRUTH["intercept"]
        + u[site]
        + TRUTH["age_years"] * (age - 40)
        + np.array([TRUTH["primary_dx"][int(d)] for d in dx])
        + TRUTH["employed_last_5y"] * employed
        + TRUTH["months_in_program"] * (months - 12)
        + TRUTH["caseload"] * (sites["caseload"].to_numpy()[site] - 15)
    )
    job = (rng.random(N) < 1 / (1 + np.exp(-eta))).astype(float)
    age[rng.random(N) < 0.02] = np.nan
    dx[rng.random(N) < 0.03] = np.nan  # not known
    forms = pd.DataFrame(
        {
            "participant": [f"{k + 1:04d}" for k in range(N)],
            "site": sites["site"].to_numpy()[site],
            "age_years": age,
            "primary_dx": dx,
            "employed_last_5y": employed,
            "months_in_program": months,
            "competitive_job": job,
        }
    )
    return sites, forms


def _text(forms: pd.DataFrame) -> pd.DataFrame:
    """The export as a CSV or a workbook has it: numbers as digits, yes/no in words, a
    missing answer empty."""
    out = forms.astype(object)
    for c in ("age_years", "primary_dx", "months_in_program"):
        out[c] = [("" if pd.isna(v) else str(int(v))) for v in forms[c]]
    for c in ("employed_last_5y", "competitive_job"):
        out[c] = ["Yes" if v == 1 else "No" for v in forms[c]]
    return out


def write(folder: Path, fmt: str) -> tuple[Path, Path]:
    """Write the export in `fmt` (csv, xlsx, sav, dta) and the site file (CSV) into `folder`;
    returns (participant export, site file)."""
    import openpyxl
    import pyreadstat

    folder.mkdir(parents=True, exist_ok=True)
    sites, forms = draw()
    site_path = folder / "sites.csv"
    sites.assign(caseload=sites["caseload"].astype(int)).to_csv(site_path, index=False)
    path = folder / f"participants.{fmt}"
    if fmt in ("csv", "xlsx"):
        text = _text(forms)
        if fmt == "csv":
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(text.columns)
                writer.writerows(text.itertuples(index=False))
        else:
            book = openpyxl.Workbook()
            sheet = book.active
            sheet.append(list(text.columns))
            for row in text.itertuples(index=False):
                sheet.append([int(v) if str(v).isdigit() and i != 0 else v
                              for i, v in enumerate(row)])  # fmt: skip
            book.save(path)
        return path, site_path
    numbers = forms.assign(participant=forms["participant"].astype(float))
    yes_no = {0.0: "No", 1.0: "Yes"}
    labels = {"primary_dx": {float(k): v for k, v in DX.items()},
              "employed_last_5y": yes_no, "competitive_job": yes_no}  # fmt: skip
    column_labels = ["Participant number", "Site", "Age (years)", "Primary diagnosis",
                     "Employed in the last 5 years", "Months in the program",
                     "Competitive job at follow-up"]  # fmt: skip
    if fmt == "sav":
        numbers["primary_dx"] = numbers["primary_dx"].fillna(float(NOT_KNOWN))
        labels["primary_dx"][float(NOT_KNOWN)] = "Not known"
        pyreadstat.write_sav(
            numbers, str(path), column_labels=column_labels, variable_value_labels=labels,
            missing_ranges={"primary_dx": [float(NOT_KNOWN)]},
        )  # fmt: skip
    else:
        dx = numbers["primary_dx"].astype(object)
        numbers["primary_dx"] = dx.where(dx.notna(), "a")
        pyreadstat.write_dta(
            numbers, str(path), column_labels=column_labels, variable_value_labels=labels,
            missing_user_values={"primary_dx": ["a"]},
        )  # fmt: skip
    return path, site_path


def main(argv: list[str] | None = None) -> None:
    """Command line: write the export (docs/own-data.md's session)."""
    import argparse

    ap = argparse.ArgumentParser(description="Write the unseen-shaped synthetic export.")
    ap.add_argument("--out", required=True, help="folder to write into")
    ap.add_argument("--format", default="csv", choices=["csv", "xlsx", "sav", "dta"])
    args = ap.parse_args(argv)
    for path in write(Path(args.out), args.format):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
