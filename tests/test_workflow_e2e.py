"""The real Snakemake workflow, run end to end on a copy of the repository."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import PII, ROOT, SNAKEMAKE, digest, snakemake, write_config

from ipseval.common.io import read_result_csv
from ipseval.models.present import FIT_TABLES

pytestmark = pytest.mark.e2e


def test_default_run_reproduces_every_published_cell(default_run: Path) -> None:
    verdict = (default_run / "restricted/reproduction/verdict.txt").read_text()
    assert "469 published cells checked: 464 match, 5 source_inconsistent, 0 differs" in verdict
    check = pd.read_csv(default_run / "restricted/reproduction/check.csv")
    assert set(check["status"]) == {"match", "source_inconsistent"}
    assert {
        "Tabell 1",
        "Tabell 3",
        "Tabell 9",
        "Tabell 10",
        "Tabell 11",
        "Tabell 12",
        "text",
    } <= set(check["table"])


def test_row_accounting(default_run: Path) -> None:
    acc = pd.read_csv(default_run / "restricted/clean/accounting.csv")
    assert (acc.rows_in == acc.rows_kept + acc.rows_excluded).all()
    assert acc.rows_in.tolist() == [32, 914]


def test_outputs_are_labelled_synthetic_and_hold_no_personal_data(default_run: Path) -> None:
    for path in default_run.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for token in PII:
                assert token not in text, (path, token)
    # the label sits beside the data (datapackage.json), never inside a data file
    package = json.loads((default_run / "restricted/datapackage.json").read_text(encoding="utf-8"))
    assert package["ipseval"]["synthetic"] is True
    for name in ("restricted/clean/participants.csv", "restricted/reproduction/check.csv"):
        assert (default_run / name).read_text().startswith(("form_id,", "table,"))
    assert (
        "SYNTHETIC DATA" in (default_run / "restricted/reproduction/descriptives.html").read_text()
    )


def test_executed_notebook_is_an_output_with_html(default_run: Path) -> None:
    nb = (default_run / "restricted/reproduction/descriptives.ipynb").read_text()
    assert '"output_type"' in nb and "Tabell 11" in nb
    assert "papermill" not in yaml.safe_load(nb)["metadata"]


# A rerun byte for byte: tests/test_archive.py re-runs the default run from its unpacked
# RO-Crate, in another directory, and compares every output with the crate's checksums.


def test_noop_rerun_does_nothing(repo: Path, default_run: Path) -> None:
    r = snakemake(repo, "-n")
    assert r.returncode == 0 and "Nothing to be done" in r.stdout + r.stderr


def test_config_change_reruns_only_dependent_jobs(repo: Path, default_run: Path) -> None:
    cfg = write_config(repo, "warn", reproduction__on_mismatch="warn")
    r = snakemake(repo, "-n", "--configfile", cfg)
    jobs = set(re.findall(r"^(?:local)?rule (\w+):", r.stdout, re.M))
    # the verdict, the report that shows it, and the record of the config as run
    # (and the data packages, which record the config's hash)
    expected = {"reproduction_verdict", "report", "run_config", "all"}
    expected |= {"public_package", "restricted_package", "multiverse_package"}
    expected |= {"public_checksums"}  # the page and the config are public files
    assert jobs == expected, r.stdout[-2000:]


def test_misspelt_config_key_is_named(repo: Path) -> None:
    cfg = write_config(repo, "typo", cleaning__on_invalidd="exclude")
    r = snakemake(repo, "-n", "--configfile", cfg)
    assert r.returncode != 0
    assert "on_invalidd" in r.stdout + r.stderr


def _bad_forms(repo: Path) -> str:
    forms = pd.read_csv(repo / "data/raw/coach_forms.csv", dtype=str, keep_default_na=False)
    forms.loc[9, "5. Deltagarens ålder:"] = "110"
    path = repo / "data/raw/bad_forms.csv"
    forms.to_csv(path, index=False)
    return str(path.relative_to(repo))


def test_bad_input_stops_with_one_clear_message_and_no_partial_output(repo: Path) -> None:
    cfg = write_config(repo, "bad", run_name="bad", data__coach_forms=_bad_forms(repo))
    r = snakemake(repo, "--configfile", cfg)
    assert r.returncode != 0
    # the value is masked (issue 7): its length, never its text
    assert (
        "row 11, column '5. Deltagarens ålder:': value ‹masked: 3 characters›: out of range"
        in r.stderr
    )
    assert "Traceback" not in r.stderr
    assert not (repo / "results/bad/restricted/clean/participants.csv").exists()
    problems = pd.read_csv(repo / "results/bad/restricted/logs/clean_problems.csv", dtype=str)
    assert problems[["row", "value"]].values.tolist() == [["11", "‹masked: 3 characters›"]]


def test_exclude_mode_continues_and_logs_the_row(repo: Path) -> None:
    cfg = write_config(
        repo,
        "exclude",
        run_name="exclude",
        data__coach_forms=_bad_forms(repo),
        cleaning__on_invalid="exclude",
        reproduction__on_mismatch="warn",
    )
    r = snakemake(repo, "results/exclude/restricted/reproduction/verdict.txt", "--configfile", cfg)
    assert r.returncode == 0, r.stderr[-3000:]
    excluded = pd.read_csv(repo / "results/exclude/restricted/clean/excluded_rows.csv")
    assert excluded["row"].tolist() == [11] and "out of range" in excluded["reason"][0]
    verdict = (repo / "results/exclude/restricted/reproduction/verdict.txt").read_text()
    assert "differs" in verdict and "recorded as findings" in verdict


# --- employment-predictor models ----------------------------------------------------------------

COEFFICIENT_COLUMNS = [
    "term",
    "estimator",
    "method",
    "estimate",
    "std_error",
    "odds_ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "df",
    "status",
]


def test_every_outcome_and_specification_is_fitted_and_presented(default_run: Path) -> None:
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))["models"]
    for outcome in cfg["outcomes"]:
        for spec in cfg["specifications"]:
            fit = default_run / "restricted" / "models" / outcome / spec
            for name in (*FIT_TABLES, "model_frame"):
                assert (fit / f"{name}.csv").stat().st_size > 0, (outcome, spec, name)
            for name in ("forest.png", "predicted.png", "calibration.png", "notebook.html"):
                assert (fit / name).stat().st_size > 1000, (outcome, spec, name)
            coefs = pd.read_csv(fit / "coefficients.csv")
            assert list(coefs.columns) == COEFFICIENT_COLUMNS
            assert set(coefs["method"]) == {"complete_case", "multiple_imputation"}
            assert set(coefs["status"]) == {"ok"}  # nothing degenerate in the default models
            html = (fit / "notebook.html").read_text(encoding="utf-8")
            assert "SYNTHETIC DATA" in html and "Traceback" not in html


def test_model_frame_refits_to_the_reported_coefficients(default_run: Path) -> None:
    """A reviewer refitting model_frame.csv elsewhere gets the reported estimates."""
    import statsmodels.api as sm

    fit = default_run / "restricted" / "models" / "paid_work" / "core"
    frame = pd.read_csv(fit / "model_frame.csv")
    cc = frame[frame["complete_case"] == 1]
    terms = pd.read_csv(fit / "terms.csv", keep_default_na=False).iloc[1:]  # intercept aside
    X = cc[terms["frame_column"]].astype(float).set_axis(terms["term"], axis=1)
    X = sm.add_constant(X).rename(columns={"const": "Intercept"})
    glm = sm.GLM(cc["y_paid_work"], X, family=sm.families.Binomial()).fit()
    coefs = pd.read_csv(fit / "coefficients.csv")
    reported = coefs.query("estimator == 'logit_cr1' and method == 'complete_case'")
    reported = reported.set_index("term")["estimate"].reindex(X.columns)
    assert (reported - glm.params).abs().max() < 1e-6
    summary = pd.read_csv(fit / "summary.csv").iloc[0]
    assert summary["n_complete_case"] == len(cc) and summary["events"] == cc["y_paid_work"].sum()


def test_rare_outcome_with_separation_is_flagged_not_hidden(default_run: Path) -> None:
    fit = default_run / "restricted" / "models" / "regular_work" / "extended"
    summary = pd.read_csv(fit / "summary.csv").iloc[0]
    warnings = pd.read_csv(fit / "warnings.csv")
    coefs = pd.read_csv(fit / "coefficients.csv")
    if bool(summary["separation"]):
        assert summary["recommended_estimator"] == "firth"
        assert "separation" in set(warnings["kind"])
        assert set(coefs["estimator"]) == {"firth"}
    assert coefs.loc[coefs["term"] != "Intercept", "estimate"].abs().max() < 10


def test_unknown_predictor_is_rejected_at_start_up(repo: Path) -> None:
    cfg = yaml.safe_load((repo / "config/config.yaml").read_text(encoding="utf-8"))
    core = cfg["models"]["specifications"]["core"] + ["shoe_size"]
    path = write_config(repo, "unknown_predictor", models__specifications__core=core)
    r = snakemake(repo, "-n", "--configfile", path)
    assert r.returncode != 0
    assert "unknown predictor 'shoe_size'" in r.stdout + r.stderr


def test_model_setting_change_reruns_only_the_model_jobs(repo: Path, default_run: Path) -> None:
    cfg = write_config(repo, "boot", models__bootstrap__replicates=50)
    r = snakemake(repo, "-n", "--configfile", cfg)
    jobs = re.findall(r"^(?:local)?rule (\w+):", r.stdout, re.M)
    expected = {"model_fit", "model_notebook", "models_collect", "report_tables", "report"}
    expected |= {"run_config", "public_package", "restricted_package", "public_checksums"}
    expected |= {"multiverse_package", "all"}
    assert set(jobs) == expected, r.stdout[-2000:]
    assert jobs.count("model_fit") == 8


def test_snakemake_report_works(repo: Path, default_run: Path) -> None:
    out = default_run / "restricted/snakemake-report.html"  # it embeds working figures
    r = snakemake(repo, "--report", str(out.relative_to(repo)))
    assert r.returncode == 0, r.stderr[-2000:]
    page = out.read_text(encoding="utf-8", errors="replace")
    assert "Predictors of employment" in page and "Participants and outcomes" in page


# --- students extend, reviewers rerun variants ---------------------------------------------------


def test_student_adds_a_predictor_from_config_alone(repo: Path, default_run: Path) -> None:
    """docs/extending.md's first recipe, verbatim in spirit: one config edit, no code."""
    cfg = yaml.safe_load((repo / "config/config.yaml").read_text(encoding="utf-8"))
    core = [*cfg["models"]["specifications"]["core"], "registered_af"]
    path = write_config(repo, "student", run_name="student", models__specifications__core=core)
    target = "results/student/restricted/models/paid_work/core/coefficients.csv"
    r = snakemake(repo, target, "--configfile", path)
    assert r.returncode == 0, r.stderr[-3000:]
    coefs = pd.read_csv(repo / target)
    assert {"registered_af[yes]", "registered_af[unknown]"} <= set(coefs["term"])
    default = pd.read_csv(default_run / "restricted/models/paid_work/core/coefficients.csv")
    assert "registered_af[yes]" not in set(default["term"])  # the default run is untouched


@pytest.mark.parametrize(
    ("variant", "check"),
    [
        ("over_6_months", "restricted"),
        ("caseload_categories", "banded"),
    ],
)
def test_ready_made_variants_run_into_their_own_folder(
    repo: Path, variant: str, check: str
) -> None:
    run = yaml.safe_load((repo / f"config/variants/{variant}.yaml").read_text(encoding="utf-8"))
    target = f"results/{run['run_name']}/restricted/models/paid_work/core/summary.csv"
    r = snakemake(repo, target, "--configfile", f"config/variants/{variant}.yaml")
    assert r.returncode == 0, r.stderr[-3000:]
    summary = pd.read_csv(repo / target).iloc[0]
    participants = pd.read_csv(
        repo / f"results/{run['run_name']}/restricted/clean/participants.csv"
    )
    if check == "restricted":
        over = participants[(participants["time_gt_6m"] == 1) & participants["y_paid_work"].notna()]
        assert summary["n_analysed"] == len(over)
    else:
        coefs = pd.read_csv(repo / target.replace("summary", "coefficients"))
        assert {"caseload_band[11-15]", "caseload_band[16+]"} <= set(coefs["term"])
        assert "caseload" not in set(coefs["term"])


def test_comparison_of_two_runs_shows_config_and_estimate_changes(
    repo: Path, default_run: Path
) -> None:
    variant = "config/variants/competitive_work.yaml"
    r = snakemake(
        repo,
        "results/competitive_work/restricted/models/coefficients.csv",
        "results/competitive_work/public/config.yaml",
        "--configfile",
        variant,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert snakemake(repo, "results/default/public/config.yaml").returncode == 0
    out = repo / "results/comparisons/default/vs/competitive_work"
    r = snakemake(repo, str((out / "index.html").relative_to(repo)))
    assert r.returncode == 0, r.stderr[-3000:]
    diff = pd.read_csv(out / "config_diff.csv").set_index("setting")
    assert set(diff.index) == {"models.outcomes", "run_name"}
    moves = pd.read_csv(out / "estimates.csv")
    same = moves[moves["outcome"] == "regular_work"]
    # the same fits in both runs: nothing moved, nothing flagged
    assert (same["odds_ratio_a"] == same["odds_ratio_b"]).all()
    assert not same["sign_changed"].any() and not same["significance_changed"].any()
    assert set(moves.loc[moves["outcome"] != "regular_work", "only_in"]) == {"run A"}
    assert "Conclusions that changed (0 of" in (out / "index.html").read_text(encoding="utf-8")


def test_a_second_run_at_once_is_refused_and_the_first_completes(
    repo: Path, default_run: Path
) -> None:
    """The second run is refused by Snakemake's own checks: the directory lock or, when the
    first run is already writing outputs the second would need, their incomplete markers (which
    Snakemake checks before the lock); the first completes with results unchanged."""
    before = digest(default_run)
    first = subprocess.Popen(
        [SNAKEMAKE, "--cores", "1", "--forcerun", "report_tables"],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    locks = repo / ".snakemake" / "locks"
    deadline = time.monotonic() + 60
    while not (locks.exists() and any(locks.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert locks.exists() and any(locks.iterdir()), "the first run never took its lock"
    second = snakemake(repo)
    _, err = first.communicate(timeout=600)
    assert second.returncode != 0
    refusal = second.stdout + second.stderr
    assert "Directory cannot be locked" in refusal or "seem to be incomplete" in refusal, refusal
    assert "Execute 1 jobs" not in refusal  # refused before it ran anything
    assert first.returncode == 0, err[-2000:]
    assert digest(default_run) == before
    assert (default_run / "public/index.html").stat().st_size > 100_000


def test_main_run_has_the_default_specification_curve(default_run: Path) -> None:
    grid = default_run / "restricted/multiverse/default"
    specs = read_result_csv(grid / "specifications.csv")
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    g = cfg["multiverse"]["grids"]["default"]
    n_cells = len(g["outcomes"]) * len(g["predictor_sets"]) * len(g["samples"])
    n_cells *= len(g["missing_data"])
    per_job = cfg["multiverse"]["cells_per_job"]
    assert len(list((grid / "cells").glob("*.csv"))) == -(-n_cells // per_job)  # jobs
    combos = specs.drop_duplicates(
        ["outcome", "predictor_set", "sample", "missing_data", "estimator"]
    )
    assert len(combos) == n_cells * len(g["estimators"])
    summary = read_result_csv(grid / "summary.csv")
    assert list(summary["term"]) == cfg["multiverse"]["focus"]
    page = (default_run / "public/index.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="robustness">') : page.index('<section id="context">')]
    for row in summary.itertuples():
        assert f"of {row.estimated} estimated specifications (of {row.specifications})" in section
    assert "make simulation" in section  # the study has not been run in the main run


def test_the_curve_does_not_depend_on_how_cells_are_grouped_into_jobs(
    repo: Path, default_run: Path
) -> None:
    """One cell per job (as on a cluster) and an uneven grouping give the default run's
    specifications, summary and figure byte for byte."""
    grid = default_run / "restricted/multiverse/default"
    n_cells = len(
        list(
            pd.read_csv(grid / "specifications.csv").groupby(
                ["outcome", "predictor_set", "sample", "missing_data"]
            )
        )
    )
    for per_job in (1, 3):
        name = f"cells_{per_job}"
        cfg = write_config(repo, name, run_name=name, multiverse__cells_per_job=per_job)
        other = repo / f"results/{name}/restricted/multiverse/default"
        r = snakemake(
            repo, str(other.relative_to(repo) / "specifications.csv"), "--configfile", cfg
        )
        assert r.returncode == 0, r.stderr[-3000:]
        assert len(list((other / "cells").glob("*.csv"))) == -(-n_cells // per_job)
        for f in ("specifications.csv", "summary.csv", "by_choice.csv", "curve.png"):
            assert (other / f).read_bytes() == (grid / f).read_bytes(), f


def test_sigkill_during_the_model_stage_recovers_byte_identical(
    repo: Path, default_run: Path
) -> None:
    """A run killed (SIGKILL, whole process group) while model fits run leaves Snakemake's
    lock and incomplete-output markers. The lock is named when the run is started again; after
    `--unlock`, `--rerun-incomplete` completes it byte-identical to the uninterrupted run."""
    before = digest(default_run)
    started = time.time()
    run = subprocess.Popen(
        [SNAKEMAKE, "--cores", "2", "--forcerun", "model_fit"],
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    bench = default_run / "restricted/benchmarks/model_fit"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and run.poll() is None:
        if any(p.stat().st_mtime > started for p in bench.glob("*.tsv")):
            break  # one fit has finished: the next ones are running now
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before it could be killed"
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    incomplete = repo / ".snakemake" / "incomplete"
    assert incomplete.exists() and any(incomplete.iterdir()), "no job was cut off"

    refused = snakemake(repo, "--rerun-incomplete")
    assert refused.returncode != 0 and "cannot be locked" in refused.stdout + refused.stderr
    assert snakemake(repo, "--unlock").returncode == 0
    plain = snakemake(repo)
    # Depending on where the kill landed, a plain run either finds nothing cut off or stops
    # and names the flag; it never completes over incomplete files silently.
    if plain.returncode != 0:
        assert "--rerun-incomplete" in plain.stdout + plain.stderr, plain.stderr[-2000:]
    again = snakemake(repo, "--rerun-incomplete")
    assert again.returncode == 0, again.stderr[-3000:]
    assert digest(default_run) == before


def test_every_results_path_the_tools_and_benchmarks_name_is_made(default_run: Path) -> None:
    """A path typed into a benchmark or tool (not run by the suite) is one the default run
    makes: bench_workflow.py kept naming the curve's old place after the tiers moved it."""
    named = set()
    for script in [*(ROOT / "benchmarks").glob("*.py"), *(ROOT / "tools").glob("*.py")]:
        named |= set(re.findall(r"results/default/[\w./-]+", script.read_text(encoding="utf-8")))
    assert named, "no results path found: the check would pass vacuously"
    missing = [p for p in named if not (default_run.parents[1] / p).exists()]
    assert not missing, missing
