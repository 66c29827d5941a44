"""The journey catalogue (issue 24): every configuration that ships, and minimal foreign
evaluations made here, run whole (`rule all`, the report included) as a user runs them.
A test that asks for one target of a configuration does not prove the configuration works:
two shipped variants crashed in a fit no test had asked for. Each journey must finish with a
report, or stop before any fit with one message and no traceback. Times:
results/journey-times.csv (docs/testing.md)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, Typed, record_time, snakemake
from journeys import DIAGNOSES, JOURNEYS, write

from ipseval.data.derive import AGE_BANDS, TIME_BANDS
from ipseval.models.design import restrict_rows
from ipseval.publication import publish

pytestmark = pytest.mark.e2e

VARIANTS = sorted(p.stem for p in (ROOT / "config/variants").glob("*.yaml"))


def make_run(configfile: str) -> str:
    """The README's command for a configuration (docs/own-data.md: write `=`)."""
    return f'make run SNAKEMAKE_ARGS="--configfile={configfile}"'


def visible_text(page: Path) -> str:
    """What a reader sees of a report page (no code blocks, scripts or styles)."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style", "code", "pre"]):
        tag.decompose()
    return re.sub(r"\s+", " ", soup.get_text(" "))


# Survey labels of the 2013 forms that an English page shows only where they are data (the
# reproduction of the published Swedish tables), and the codes behind the levels.
SWEDISH_LABELS = ["Ej svar", "Totalt", "Kvinna", *(label for _, label in AGE_BANDS),
                  *TIME_BANDS.values()]  # fmt: skip
CODES = re.compile(r"\b(?:lt6m|6m_2y|2y_5y|gt5y|lt1m|1_3m|3_6m|gt6m|primary_incomplete)\b")


def readable(page: Path) -> str:
    """What a reader of an English page sees outside code, the reproduction of the Swedish
    tables and the provenance (which prints the config): it must hold no snake_case, no
    level codes and no Swedish survey labels. Returns the text."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style", "code", "pre"]):
        tag.decompose()
    for section in soup.select("section#provenance, section#reproduction"):
        section.decompose()
    text = re.sub(r"\s+", " ", soup.get_text(" "))
    assert not re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text), page
    assert not CODES.findall(text), page
    assert not [w for w in SWEDISH_LABELS if w in text], page
    return text


def tiers(results: Path) -> None:
    """Issue 25: the run's two tiers. public/ holds only registered files (the disclosure
    step's tables, the page, its figures, the data package, the config, the checksums); the
    page links nothing outside itself; no public file holds a pseudonym, a participant-level
    row or a count the audit did not pass; the export's ids are only in restricted/."""
    public, restricted = results / "public", results / "restricted"
    names = {p.name for p in public.iterdir()}
    assert not [p for p in public.iterdir() if p.is_dir()]
    assert names <= set(publish.REGISTRY), names - set(publish.REGISTRY)
    soup = BeautifulSoup((public / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [a.get("href") for a in soup.find_all(href=True)]
    links += [t.get("src") for t in soup.find_all(src=True)]
    assert all(str(u).startswith(("#", "data:")) for u in links), links
    participants = pd.read_csv(restricted / "clean/participants.csv", dtype=str)
    key = pd.read_csv(restricted / "clean/id_key.csv", dtype=str, keep_default_na=False)
    assert set(participants["form_id"]) <= set(key["form_id"])
    assert not set(participants["form_id"]) & set(key["export_id"])  # pseudonyms only
    # a running number (an SPSS or Stata id, 1, 2, ...) cannot be told from a count: the
    # checks above (no id column, no participant-level rows) hold for those
    export_ids = {i for i in key["export_id"] if i and not i.isdigit()}
    for csv in sorted(public.glob("*.csv")):
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        assert "form_id" not in table.columns, csv
        assert len(table) < len(participants), csv
        cells = set(table.to_numpy().ravel())
        assert not {c for c in cells if c.startswith("anon-")}, csv
        assert not cells & export_ids, csv
    # the export's ids nowhere but the key (pseudonyms everywhere else)
    for csv in sorted(restricted.rglob("*.csv")):
        if csv.name != "id_key.csv" and "form_id" in pd.read_csv(csv, nrows=0).columns:
            ids = set(pd.read_csv(csv, dtype=str, keep_default_na=False)["form_id"])
            assert ids <= set(key["form_id"]), csv
    assert (pd.read_csv(public / "disclosure.csv")["protected"]).all()
    for tier in ("public", "restricted"):
        package = json.loads((results / tier / "datapackage.json").read_text(encoding="utf-8"))
        assert package["ipseval"]["tier"] == tier
        assert {r["ipseval"]["tier"] for r in package["resources"]} == {tier}
    sums = dict(
        reversed(line.split("  ", 1))
        for line in (public / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    )
    assert set(sums) == names - {"SHA256SUMS", "tables.xlsx", "report.pdf"}
    for name, digest in sums.items():
        assert hashlib.sha256((public / name).read_bytes()).hexdigest() == digest, name


def finished(run: Typed, results: Path) -> None:
    """A run that went all the way: exit 0, no traceback, the report and every fit's
    notebook written, its two tiers as they must be."""
    assert run.returncode == 0, run.output[-3000:]
    assert "Traceback" not in run.output, run.output[-3000:]
    assert (results / "public/index.html").stat().st_size > 10_000
    readable(results / "public/index.html")
    summaries = pd.read_csv(results / "restricted/models/summaries.csv")
    for s in summaries.itertuples():
        assert (results / f"restricted/models/{s.outcome}/{s.specification}/notebook.html").exists()
    tiers(results)


# --- every shipped configuration ------------------------------------------------------------


def test_the_default_configuration_runs_whole(default_run: Path) -> None:
    text = readable(default_run / "public/index.html")
    assert "up to 29 years" in text and "never employed" in text
    summaries = pd.read_csv(default_run / "restricted/models/summaries.csv")
    assert len(summaries) == 8 and summaries["estimable"].all()
    tiers(default_run)


def test_the_second_example_runs_whole(example_run: Path) -> None:
    readable(example_run / "public/index.html")
    tiers(example_run)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_shipped_variant_runs_whole(
    typed, repo: Path, default_run: Path, variant: str
) -> None:
    """Through the README's own command, to `rule all` and the report."""
    run = typed(make_run(f"config/variants/{variant}.yaml"))
    name = re.search(
        r"^run_name: (\S+)", (ROOT / f"config/variants/{variant}.yaml").read_text(), re.M
    )
    finished(run, repo / "results" / name.group(1))


def test_a_restricted_variant_reports_its_own_sample(typed, repo: Path) -> None:
    """over_6_months restricts every model to participants > 6 months in the programme; its
    report's tables, samples and headline rates must describe that sample too (they
    described the whole evaluation: 906 analysed where its models used 442)."""
    run = typed(make_run("config/variants/over_6_months.yaml"))
    results = repo / "results/over_6_months"
    finished(run, results)
    everyone = pd.read_csv(results / "restricted/clean/participants.csv")
    sample = restrict_rows(everyone, {"time_gt_6m": [1]})
    assert 0 < len(sample) < len(everyone)
    summaries = pd.read_csv(results / "restricted/models/summaries.csv")
    samples = pd.read_csv(results / "public/model_samples.csv", dtype=str)
    for s in summaries.itertuples():
        shown = samples[
            (samples["outcome"] == s.outcome) & (samples["specification"] == s.specification)
        ]
        # against its own models: the count, or hidden by the disclosure step ("–"), never
        # the whole evaluation's
        assert shown["n_analysed"].iloc[0] in (str(s.n_analysed), "–")
        assert shown["events"].iloc[0] in (str(s.events), "–")
        assert shown["n_complete_case"].iloc[0] == f"≈{5 * round(s.n_complete_case / 5)}"
    rates = pd.read_csv(results / "public/outcome_rates.csv", dtype=str)
    total = rates[rates["group"] == "Totalt"]
    answered = sample["y_regular_work"].notna().sum()
    assert total.loc[total["outcome"] == "regular_work", "n"].iloc[0] == str(answered)
    assert set(rates["group"]) == {"Mer än 6 månader", "Totalt"}  # no empty 0 / 0 group
    text = visible_text(results / "public/index.html")
    assert f"{len(sample)} of the {len(everyone)} participants" in text
    assert f"Share of the {len(sample)} participants" in text
    # a fit no estimator could make is a recorded outcome, said on the page
    for s in summaries[~summaries["estimable"]].itertuples():
        warnings = pd.read_csv(
            results / f"restricted/models/{s.outcome}/{s.specification}/warnings.csv"
        )
        assert (warnings["kind"] == "not_estimable").any()


# --- minimal foreign evaluations ------------------------------------------------------------


@pytest.fixture(scope="module")
def foreign(repo: Path) -> dict[str, tuple[object, Path]]:
    """Each foreign journey run whole in the session's copy: name -> (result, results)."""
    import time

    out = {}
    for name in JOURNEYS:
        cfg = write(repo, name)
        start = time.monotonic()
        r = snakemake(repo, f"--configfile={cfg}")
        record_time(f"journey {name}", time.monotonic() - start)
        out[name] = (r, repo / "results" / f"journey_{name}")
    return out


@pytest.mark.parametrize("name", list(JOURNEYS))
def test_every_foreign_journey_runs_whole(foreign: dict, name: str) -> None:
    r, results = foreign[name]
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Traceback" not in r.stderr
    readable(results / "public/index.html")
    for page in results.rglob("*.html"):
        assert "nan %" not in visible_text(page), page
    tiers(results)


def test_an_intercept_only_evaluation_without_a_survey_month(foreign: dict) -> None:
    r, results = foreign["intercept_only"]
    assert "survey_month is not given" in r.stderr
    text = visible_text(results / "public/index.html")
    assert "a month not given in the configuration" in text
    assert "June 2013" not in text
    assert "no predictor to report" in text
    assert "No participant tables" in text
    assert (results / "public/participant_tables.csv").read_text().startswith("variable,")


def test_programme_fixed_effects_are_not_findings(foreign: dict) -> None:
    _, results = foreign["programme_only"]
    finds = pd.read_csv(results / "public/findings.csv")
    fe = finds[finds["term"].str.startswith("site_fe[")]
    assert len(fe) == 8 and fe["odds_ratio"].isna().all()
    assert (fe["note"] == "not estimable with 9 programmes").all()
    text = readable(results / "public/index.html")
    assert "Not estimable with 9 programmes" in text
    assert "fixed effects" in text and "fixed_effects" not in text
    every = pd.read_csv(results / "public/estimates.csv")
    assert "caseload" in set(every["term"])  # the programme-level specification is reported


def test_an_empty_grouping_column_and_coded_answers(foreign: dict) -> None:
    _, results = foreign["empty_group"]
    rates = pd.read_csv(results / "public/outcome_rates.csv", dtype=str)
    assert set(rates["group"]) == {"Totalt"}  # not split by a column without values
    text = visible_text(results / "public/index.html")
    assert "not split by Cohort" in text
    ptab = pd.read_csv(results / "public/participant_tables.csv", dtype=str)
    dx = ptab[ptab["variable"] == "Primary diagnosis"]
    shown = set(dx["level_label"])
    assert {en for en, _ in DIAGNOSES.values()} - shown <= {
        en for code, (en, _) in DIAGNOSES.items() if code not in set(dx["level"])
    }
    assert not shown & set(DIAGNOSES)  # never the bare codes 1-4
    assert "total" in shown
    # the codes stay codes: '2' is the reference level found in the data
    check = pd.read_csv(results / "restricted/clean/terms_check.csv")
    assert "dx" not in set(check["predictor"])
    coefs = pd.read_csv(results / "restricted/models/coefficients.csv")
    assert {"dx[1]", "dx[3]", "dx[4]"} <= set(coefs["term"])


def test_no_estimator_can_fit_and_the_report_says_why(foreign: dict) -> None:
    _, results = foreign["separated"]
    summary = pd.read_csv(results / "restricted/models/job/core/summary.csv").iloc[0]
    assert not summary["estimable"]
    assert "separation" in summary["not_estimable_reason"]
    assert "Not estimable: no estimator gave a fit" in visible_text(results / "public/index.html")
    notebook = visible_text(results / "restricted/models/job/core/notebook.html")
    assert "Not estimable." in notebook
