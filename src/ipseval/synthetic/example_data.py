"""The second example evaluation: seeded SYNTHETIC exports of a fictional regional IPS
follow-up, shaped unlike the 2013 forms (config/examples/region_codebook.yaml), with a
documented truth (config/examples/region_synthetic.yaml).

    python -m ipseval.synthetic.example_data --config config/examples/region_synthetic.yaml \
        --out data/examples/region

Not calibrated to any published table: it exists so that every stage of ipseval is exercised
on data it was not written around (issue 6). Answers are written as the export would hold
them: the codebook's Swedish labels, a comma-separated Windows-1252 team file with CRLF line
ends (as Swedish Excel saves it), a semicolon-separated UTF-8 participant file.
"""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy import special

from ipseval.common.io import write_atomic
from ipseval.data.codebook import Codebook, load_codebook

CODEBOOK = Path("config/examples/region_codebook.yaml")


def _draw(rng: np.random.Generator, probs: Mapping[str, float], n: int) -> list[str]:
    keys = list(probs)
    p = np.array([probs[k] for k in keys], dtype=float)
    return [keys[i] for i in rng.choice(len(keys), size=n, p=p / p.sum())]


def generate(cfg: Mapping[str, Any], cb: Codebook) -> tuple[list[list[str]], list[list[str]]]:
    """Rows (header first) of the team file and of the participant file."""
    rng = np.random.default_rng(cfg["seed"])
    truth, centres = cfg["truth"], cfg["centres"]
    form = cb.coach_form
    label = {v.name: {lv.code: lv.label for lv in v.levels} for v in form.variables}
    teams = cfg["teams"]
    survey = cb.programme_survey
    team_rows = [[v.column for v in survey.variables]]
    for t in teams:
        team_rows.append([t["name"], f"{t['caseload']}", t["start"]])
    u = rng.normal(0.0, truth["team_sd"], len(teams))
    lo, hi = cfg["participants_per_team"]
    rows = [[v.column for v in form.variables]]
    form_id = 0
    for k, team in enumerate(teams):
        n = int(rng.integers(lo, hi + 1))
        sex = _draw(rng, cfg["sex"], n)
        a = cfg["age"]
        age = np.clip(np.round(rng.normal(a["mean"], a["sd"], n)), a["min"], a["max"]).astype(int)
        dx = _draw(rng, cfg["main_diagnosis"], n)
        months = rng.integers(0, cfg["months_in_ips"]["max"] + 1, n)
        eta = (
            truth["intercept"]
            + u[k]
            + truth["age"]["per_unit"] * (age - centres["age"])
            + np.array([truth["sex_code"]["levels"][s] for s in sex])
            + np.array([truth["main_diagnosis_code"]["levels"][d] for d in dx])
            + truth["months_in_ips"]["per_unit"] * (months - centres["months_in_ips"])
            + truth["caseload"]["per_unit"] * (team["caseload"] - centres["caseload"])
        )
        latent = eta + special.logit(rng.random(n))  # + standard logistic noise
        miss = {v: rng.random(n) < p for v, p in cfg["missing"].items()}
        for i in range(n):
            form_id += 1
            occupation = next(
                (code for code, cut in cfg["ladder"].items() if latent[i] > cut), "none"
            )
            hours = "yes" if latent[i] > cfg["hours_10_cut"] else "no"
            rows.append(
                [
                    f"R{form_id:04d}",
                    team["name"],
                    label["sex"][sex[i]],
                    "" if miss["age"][i] else str(age[i]),
                    "Uppgift saknas"
                    if miss["main_diagnosis"][i]
                    else label["main_diagnosis"][dx[i]],
                    str(months[i]),
                    label["follow_up"][occupation],
                    "" if miss["hours_10"][i] else label["hours_10"][hours],
                ]
            )
    return team_rows, rows


def _csv(rows: list[list[str]], delimiter: str, newline: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    return buf.getvalue()


def write(config: str | Path, out: str | Path, codebook: str | Path = CODEBOOK) -> None:
    """Generate the two exports under `out` (enheter.csv, deltagare.csv)."""
    cfg = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    team_rows, rows = generate(cfg, load_codebook(codebook))
    out = Path(out)
    write_atomic(out / "enheter.csv", _csv(team_rows, ",", "\r\n").encode("cp1252"))
    write_atomic(out / "deltagare.csv", _csv(rows, ";", "\n").encode("utf-8"))


def main() -> None:
    """Command line: regenerate the example's exports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config/examples/region_synthetic.yaml")
    parser.add_argument("--out", default="data/examples/region")
    parser.add_argument("--codebook", default=str(CODEBOOK))
    args = parser.parse_args()
    write(args.config, args.out, args.codebook)


if __name__ == "__main__":
    main()
