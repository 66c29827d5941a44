"""Issue 27, run whole: an export the drafts were not written against (tests/unseen.py: the
shape a new user brought) as CSV, xlsx, SPSS and Stata, each drafted by the documented
command and run unedited through `make run` to a report whose Data section names every
open question of the drafts, and whose random-intercept intervals hold the truth that made
the data."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from test_journeys import finished, make_run
from unseen import DX, TRUTH, write

pytestmark = pytest.mark.e2e

# the generated code of each diagnosis: the export's digit (CSV, xlsx) or its value label
CODES = {
    "csv": {k: str(k) for k in DX},
    "xlsx": {k: str(k) for k in DX},
    "sav": {k: re.sub(r"\W+", "_", v.lower()) for k, v in DX.items()},
    "dta": {k: re.sub(r"\W+", "_", v.lower()) for k, v in DX.items()},
}


def draft_command(folder: str, forms: str, fmt: str) -> str:
    """docs/own-data.md's draft command for this export."""
    return (
        f".venv/bin/python -m ipseval.data.draft {folder}/{forms} --programmes "
        f"{folder}/sites.csv --out config/drafted/{fmt}_codebook.yaml "
        f"--config config/drafted/draft_{fmt}.yaml"
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "dta"])
def test_a_draft_runs_unedited_to_a_report_that_names_its_open_questions(
    typed, repo: Path, fmt: str
) -> None:
    folder = f"data/drafted/{fmt}"
    forms, _ = write(repo / folder, fmt)
    drafted = typed(draft_command(folder, forms.name, fmt))
    assert drafted.returncode == 0, drafted.output
    run = typed(make_run(f"config/drafted/draft_{fmt}.yaml"))
    results = repo / f"results/draft_{fmt}"
    finished(run, results)

    # every todo of the two drafts, and nothing else, is listed in the Data section
    codebook_text = (repo / f"config/drafted/{fmt}_codebook.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load((repo / f"config/drafted/draft_{fmt}.yaml").read_text(encoding="utf-8"))
    codebook = yaml.safe_load(codebook_text)
    asked = [
        (v["column"], v["todo"])
        for form in ("programme_survey", "coach_form")
        for v in codebook[form]["variables"]
        if "todo" in v
    ]
    assert asked and config["todo"]
    page = BeautifulSoup((results / "public/index.html").read_text(encoding="utf-8"), "html.parser")
    section = page.select_one("section#data")
    items = [re.sub(r"\s+", " ", li.get_text("")) for li in section.select("ul.todos li")]
    assert len(items) == len(asked) + len(config["todo"])
    for (column, question), item in zip(asked, items, strict=False):
        assert column in item and question.replace("`", "") in item
    assert page.select_one("#draft-note")  # and the summary says the run is a draft

    # from construction: each true log-odds ratio inside its random-intercept interval
    # (a conditional estimate, as the truth is), on the scale the draft chose
    scale = config["models"]["predictors"]["months_in_program"]["scale"]
    codes = CODES[fmt]
    truth = {
        "age": TRUTH["age_years"] * 10,  # config/config.yaml's age: per 10 years
        "employed_last_5y[yes]": TRUTH["employed_last_5y"],
        "months_in_program": TRUTH["months_in_program"] * scale,
        "caseload": TRUTH["caseload"] * 5,  # config/config.yaml's caseload: per 5
        **{
            f"primary_dx[{codes[k]}]": TRUTH["primary_dx"][k] - TRUTH["primary_dx"][2]
            for k in (1, 3, 4)
        },
    }
    assert config["models"]["predictors"]["primary_dx"]["reference"] == codes[2]
    coef = pd.read_csv(results / "restricted/models/competitive_job/core/coefficients.csv")
    ri = coef[(coef["estimator"] == "random_intercept") & (coef["method"] == "complete_case")]
    ri = ri.set_index("term")
    assert set(truth) <= set(ri.index), set(truth) - set(ri.index)
    for term, value in truth.items():
        low, high = ri.loc[term, ["ci_low", "ci_high"]]
        assert low < math.exp(value) < high, (term, math.exp(value), low, high)
