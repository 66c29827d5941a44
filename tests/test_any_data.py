"""Any evaluation's data (issue 6): another export, another codebook, any sensible model, by
configuration alone. Unit tests of the checks and fits, then real Snakemake runs of the
second example evaluation (config/examples/region.yaml) and of broken variants of it."""

from __future__ import annotations

import copy
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, snakemake
from support import sim_scenario

from ipseval.common.io import read_result_csv
from ipseval.data.codebook import load_codebook
from ipseval.models import evaluate
from ipseval.models.design import Specification, build_design, check_terms, describe_term_problems
from ipseval.models.fits import Settings, _firth_params, fit_outcome_spec, write_results
from ipseval.pipeline.configuration import ConfigError, delete_nulls, prepare, resolve
from ipseval.report.tables import findings
from ipseval.synthetic.simulate import Scenario, simulate

SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"
EXAMPLE = "config/examples/region.yaml"


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))


def merged(config: dict, override: dict) -> dict:
    """The default config with an override merged as Snakemake does (mappings key by key)."""

    def merge(base: dict, new: dict) -> None:
        for k, v in new.items():
            if isinstance(v, dict) and isinstance(base.get(k), dict):
                merge(base[k], v)
            else:
                base[k] = v

    out = copy.deepcopy(config)
    merge(out, override)
    return out


def example_override() -> dict:
    return yaml.safe_load((ROOT / EXAMPLE).read_text(encoding="utf-8"))


def settings(config: dict) -> Settings:
    s = Settings.from_config(config["models"])
    s.bootstrap = {"replicates": 20, "seed": 1}
    s.missing_data = ["complete_case"]
    return s


def spec_of(config: dict, names: list[str], extra: dict | None = None) -> Specification:
    predictors = {**config["models"]["predictors"], **(extra or {})}
    return Specification.from_config(
        "s", {"predictors": predictors, "specifications": {"s": names}}
    )


# --- configuration: deleting, checking against the codebook ---------------------------------


def test_a_null_in_an_override_deletes_the_key(config: dict) -> None:
    cfg = merged(config, {"models": {"specifications": {"extended": None}}, "multiverse": None})
    delete_nulls(cfg)
    assert list(cfg["models"]["specifications"]) == ["core"] and "multiverse" not in cfg
    prepare(cfg, SCHEMA)  # the rest is still a valid configuration


def test_the_codebook_check_names_everything_at_start(config: dict) -> None:
    override = example_override()
    override["unavailable"] = "stop"
    cfg = merged(config, override)
    delete_nulls(cfg)
    with pytest.raises(ConfigError) as err:
        prepare(cfg, SCHEMA)
    text = str(err.value)
    assert "outcomes: 'regular_work': its variable 'occupation' is not a categorical" in text
    assert "models.predictors: 'work_history': its column 'work_history' is not derived" in text
    assert "set `unavailable: drop`" in text
    assert "Traceback" not in text


def test_a_swedish_report_tabulates_the_columns_the_english_one_does(config: dict) -> None:
    """The second example in Swedish crashed in report_tables (KeyError 'work_history'): the
    defaults' Swedish table names (`variables_sv`) merged back the 2013 columns that `drop`
    had left out of `variables`. A translation names a table; it never adds one."""
    from ipseval.pipeline.configuration import localised

    cfg = merged(config, example_override())
    delete_nulls(cfg)
    prepare(cfg, SCHEMA)
    english = localised(cfg["report"], "en")["participant_tables"]["variables"]
    swedish = localised(cfg["report"], "sv")["participant_tables"]["variables"]
    assert set(swedish) == set(english) == {"age_band", "sex", "main_diagnosis"}
    assert swedish["age_band"] == "Åldersgrupp"  # the defaults' translation, where it applies


def test_drop_leaves_out_what_the_codebook_cannot_support(config: dict) -> None:
    cfg = merged(config, example_override())
    delete_nulls(cfg)
    dropped = prepare(cfg, SCHEMA)
    names = {(u.section, u.name) for u in dropped}
    assert ("outcomes", "regular_work") in names and ("simulation", "simulation") in names
    assert "multiverse" not in cfg and "simulation" not in cfg  # nothing left to run them on
    assert cfg["models"]["specifications"] == {
        "core": ["age", "sex", "main_diagnosis", "months_in_ips", "caseload"]
    }
    assert set(cfg["report"]["participant_tables"]["variables"]) == {
        "age_band",
        "sex",
        "main_diagnosis",
    }
    assert "by" not in cfg["report"]["participant_tables"]


def test_a_reference_level_the_codebook_does_not_have_is_named(config: dict) -> None:
    cfg = copy.deepcopy(config)
    cfg["models"]["predictors"]["sex"]["reference"] = "woman"
    with pytest.raises(ConfigError, match=r"reference level 'woman' is not a level of 'sex_code'"):
        resolve(cfg, load_codebook(ROOT / "config/codebook.yaml"))


def test_the_reproduction_needs_the_2013_forms(config: dict) -> None:
    override = example_override()
    override["reproduction"] = {"enabled": True}
    cfg = merged(config, override)
    delete_nulls(cfg)
    with pytest.raises(ConfigError, match=r"set `reproduction: \{enabled: false\}`"):
        prepare(cfg, SCHEMA)


# --- the check after cleaning ----------------------------------------------------------------


def test_the_term_check_names_empty_constant_absent_and_reference(config: dict) -> None:
    data = simulate(sim_scenario(n=300), seed=3)
    data["age"] = np.nan  # an all-empty column
    data["caseload"] = 7.0  # constant
    data.loc[data["sex_code"] == "female", "sex_code"] = "x"  # the reference is gone
    preds = config["models"]["predictors"]
    design = {
        "kind": "specification",
        "name": "core",
        "outcome": "sim",
        "predictors": {p: preds[p] for p in ("age", "sex", "caseload", "education")},
    }
    table = check_terms(data, [design]).set_index("predictor")
    assert table.loc["age", "problem"] == "no value"
    assert table.loc["age", "found"] == "all 300 analysed rows missing"
    assert table.loc["caseload", "problem"] == "one value only"
    assert table.loc["sex", "problem"] == "reference level 'female' does not occur"
    assert re.fullmatch(r"levels found: male \(\d+\), x \(\d+\)", table.loc["sex", "found"])
    assert table.loc["education", "problem"] == "column absent"
    message = describe_term_problems(table.reset_index(), "stop")
    assert "predictor 'age' (column 'age'): no value; all 300 analysed rows missing" in message
    assert "[in sim/core]" in message and "unavailable: drop" in message


def test_an_empty_specification_curve_sample_is_named_not_the_outcome(config: dict) -> None:
    """Issue 24: the check advised removing the only outcome (137 events) from
    models.outcomes when the cause was that the curve's samples were empty."""
    data = simulate(sim_scenario(n=300), seed=3)
    data["time_gt_6m"] = np.nan  # the sample's column has no value in this export
    preds = config["models"]["predictors"]
    designs = [
        {"kind": "multiverse", "name": "minimal", "outcome": "sim", "sample": s, "restrict": r,
         "predictors": {"age": preds["age"]}}
        for s, r in (("all", {}), ("over_6_months", {"time_gt_6m": [1]}))
    ]  # fmt: skip
    table = check_terms(data, designs)
    assert table["problem"].tolist() == ["empty sample"]
    assert table["sample"].tolist() == ["over_6_months"]
    assert "no participant with the outcome observed" in table["found"].iloc[0]
    message = describe_term_problems(table, "stop")
    assert "multiverse.samples" in message and "over_6_months" in message
    assert "remove it from models.outcomes" not in message


# --- any sensible specification fits; degenerate results are flagged -------------------------


def test_intercept_only_and_programme_only_models_fit(config: dict) -> None:
    data = simulate(sim_scenario(n=400), seed=5)
    for names in ([], ["caseload"]):
        res = fit_outcome_spec(
            build_design(data, "sim", spec_of(config, names)), settings(config), None
        )
        c = res.coefficients
        assert set(c["term"]) == {"Intercept", *names}
        assert set(c["estimator"]) == set(config["models"]["estimators"])
        assert (c["status"] == "ok").all()
    # the intercept-only logit is the observed log-odds
    y = data["y_sim"].to_numpy(float)
    design = build_design(data, "sim", spec_of(config, []))
    c = fit_outcome_spec(design, settings(config), None).coefficients
    cr1 = c[c["estimator"] == "logit_cr1"].iloc[0]
    assert cr1["estimate"] == pytest.approx(np.log(y.mean() / (1 - y.mean())), abs=1e-8)


def test_a_fit_no_estimator_can_make_is_recorded_with_its_reason(
    config: dict, tmp_path: Path
) -> None:
    """Issue 24: the over-6-months variant stopped with StopIteration when no estimator gave
    a fit. Here separated data (no event among men) with the ML estimators only: nothing
    can be fitted, and the fit's files say why instead of the job failing."""
    data = simulate(sim_scenario(n=400), seed=3)
    data.loc[data["sex_code"] == "male", "y_sim"] = 0
    s = settings(config)
    s.estimators = ["logit_cr1", "gee_br"]
    res = fit_outcome_spec(build_design(data, "sim", spec_of(config, ["sex", "age"])), s, None)
    summary = res.summary.iloc[0]
    assert not summary["estimable"]
    assert "no estimator gave a complete-case fit" in summary["not_estimable_reason"]
    assert "logit_cr1: separation" in summary["not_estimable_reason"]
    assert res.coefficients.empty and list(res.coefficients.columns)
    assert (res.warnings["kind"] == "not_estimable").sum() == 1
    write_results(res, tmp_path, True, "t", {})
    for name in ("coefficients", "predictions", "calibration", "marginal_effects", "summary"):
        frame = pd.read_csv(tmp_path / f"{name}.csv")  # every table has its header
        assert len(frame.columns) > 0, name
    assert all((tmp_path / f"{f}.png").stat().st_size > 0 for f in ("forest", "calibration"))


def test_an_intercept_only_fit_writes_every_table_with_its_columns(
    config: dict, tmp_path: Path
) -> None:
    """Issue 24: own-data.md promises an intercept-only specification; its empty tables
    (predictions: no grid term) must still have their columns."""
    data = simulate(sim_scenario(n=300), seed=4)
    res = fit_outcome_spec(build_design(data, "sim", spec_of(config, [])), settings(config), None)
    write_results(res, tmp_path, False, "t", {})
    preds = pd.read_csv(tmp_path / "predictions.csv")
    assert preds.empty and {"predictor", "probability"} <= set(preds.columns)


def fixed_effects_fit(config: dict, scenario: Scenario, seed: int) -> tuple:
    """Simulated data, the programme as a fixed-effect predictor, and its fit."""
    data = simulate(scenario, seed=seed)
    data["programme_code"] = data["programme_id"].astype(str)
    fe = {
        "programme": {
            "label": "Programme",
            "column": "programme_code",
            "type": "categorical",
            "reference": "1",
        }
    }
    res = fit_outcome_spec(
        build_design(data, "sim", spec_of(config, ["programme"], fe)), settings(config), None
    )
    return data, fe, res


def test_a_clustered_covariance_short_of_rank_is_not_identified(config: dict) -> None:
    """Issue 24: with programme fixed effects in 9 programmes the bias-reduced GEE's cluster
    covariance has rank 8 for 9 parameters; its terms must not be findings ("clear
    associations" with intervals up to 1e10 were reported)."""
    data, _, res = fixed_effects_fit(config, sim_scenario(n=335, programmes=9), seed=7)
    c = res.coefficients
    gee = c[(c["estimator"] == "gee_br") & (c["term"] != "Intercept")]
    assert len(gee) == 8 and set(gee["status"]) <= {"not_identified", "degenerate"}
    assert (gee["status"] == "not_identified").any()
    assert res.warnings["message"].str.contains("not estimable with 9 programmes").any()
    # a full-rank design is untouched
    ok = fit_outcome_spec(
        build_design(data, "sim", spec_of(config, ["age"])), settings(config), None
    ).coefficients
    assert (ok["status"] == "ok").all()


def test_programme_fixed_effects_are_degenerate_under_clustered_inference(config: dict) -> None:
    _, fe, res = fixed_effects_fit(config, sim_scenario(n=600, programmes=12), seed=2)
    c = res.coefficients
    flagged = c[c["status"] == "degenerate"]
    # CR1 by programme with a dummy per programme: every programme term's SE is ~0
    cr1 = c[(c["estimator"] == "logit_cr1") & (c["term"] != "Intercept")]
    assert (cr1["status"] == "degenerate").all()
    assert (c.loc[c["estimator"] == "firth", "status"] == "ok").all()  # model-based: valid
    w = res.warnings
    assert (w["kind"] == "degenerate").sum() >= len(flagged)
    assert w["message"].str.contains("12 parameters with 12 programmes").any()
    # never a finding
    summaries = res.summary.assign(recommended_estimator="logit_cr1")
    got = findings(
        c.assign(outcome="sim", specification="s"),
        summaries.assign(specification="s"),
        fe,
        "logit_cr1",
        "s",
    )
    assert got.empty


def test_a_rank_deficient_bootstrap_draw_is_skipped_and_counted() -> None:
    rng = np.random.default_rng(0)
    g = np.repeat(np.arange(10), 30)
    X = pd.DataFrame(
        {
            "Intercept": 1.0,
            "x": rng.normal(size=300),
            # a level seen in one programme only: resamples without it are rank-deficient
            "lv": (g == 0) * rng.integers(0, 2, 300).astype(float),
        }
    )
    y = (rng.random(300) < 0.3).astype(float)
    params = pd.Series([-0.8, 0.1, 0.2], index=X.columns)
    out = evaluate.bootstrap_performance(y, X, g, params, 50, 1, 0.05, refit=_firth_params)
    assert out.attrs["replicates_failed"] > 0
    assert out.attrs["replicates_used"] + out.attrs["replicates_failed"] == 50


# --- real runs of the second example evaluation ----------------------------------------------


def broken_variant(repo: Path, name: str, edit) -> str:
    """The default (2013) data with its coach forms changed by `edit` (DataFrame ->
    DataFrame), as run `name`; returns the override config's path."""
    folder = repo / "data" / "variants" / name
    folder.mkdir(parents=True)
    (folder / "programmes.csv").write_bytes((repo / "data/raw/programmes.csv").read_bytes())
    forms = pd.read_csv(repo / "data/raw/coach_forms.csv", dtype=str, keep_default_na=False)
    edit(forms).to_csv(folder / "coach_forms.csv", index=False)
    cfg = {
        "run_name": name,
        "data": {
            "programmes": f"data/variants/{name}/programmes.csv",
            "coach_forms": f"data/variants/{name}/coach_forms.csv",
        },
        "reproduction": {"enabled": False},
    }
    path = repo / "config" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return str(path.relative_to(repo))


def stops_cleanly(r: subprocess.CompletedProcess[str], run: Path, message: str) -> None:
    """One clear message, no traceback, and no model, check or report file written."""
    assert r.returncode != 0
    assert message in r.stderr, r.stderr[-3000:]
    assert "Traceback" not in r.stderr
    assert not (run / "models").exists() and not (run / "report").exists()
    assert not (run / "restricted/clean/terms_check.csv").exists()


AGE = "5. Deltagarens ålder:"
LAST_JOB = "7. När var deltagaren senast anställd, innan medverkan i IPS-försöksverksamheten?"


def test_an_all_empty_predictor_column_stops_after_cleaning(example_repo: Path) -> None:
    cfg = broken_variant(example_repo, "empty_age", lambda d: d.assign(**{AGE: ""}))
    r = snakemake(example_repo, "--configfile", cfg)
    stops_cleanly(
        r,
        example_repo / "results/empty_age",
        "predictor 'age' (column 'age'): no value; all 906 analysed rows missing",
    )


def test_a_reference_level_absent_from_the_data_stops_with_the_levels_found(
    example_repo: Path,
) -> None:
    def no_recent_job(d: pd.DataFrame) -> pd.DataFrame:
        d[LAST_JOB] = d[LAST_JOB].replace(
            "Varit anställd mindre än 6 månader sedan", "Aldrig haft en anställning"
        )
        return d

    cfg = broken_variant(example_repo, "no_reference", no_recent_job)
    r = snakemake(example_repo, "--configfile", cfg)
    stops_cleanly(
        r,
        example_repo / "results/no_reference",
        "predictor 'work_history' (column 'work_history'): reference level 'lt6m' does not "
        "occur; levels found: 6m_2y",
    )


def test_with_drop_an_empty_predictor_is_left_out_and_recorded(example_repo: Path) -> None:
    cfg = example_repo / "config" / "drop_age.yaml"
    text = (example_repo / "config/empty_age.yaml").read_text(encoding="utf-8")
    cfg.write_text(
        text.replace("run_name: empty_age", "run_name: drop_age") + "unavailable: drop\n"
        "multiverse: null\n",
        encoding="utf-8",
    )
    r = snakemake(
        example_repo,
        "results/drop_age/restricted/models/summaries.csv",
        "--configfile",
        "config/drop_age.yaml",
    )
    assert r.returncode == 0, r.stderr[-3000:]
    run = example_repo / "results/drop_age"
    check = read_result_csv(run / "restricted/clean/terms_check.csv")
    assert set(check.loc[check["predictor"] == "age", "action"]) == {"dropped"}
    assert "age" not in set(read_result_csv(run / "restricted/models/coefficients.csv")["term"])


def test_a_missing_column_is_named_at_start_and_nothing_is_written(example_repo: Path) -> None:
    cfg = example_repo / "config" / "missing_column.yaml"
    cfg.write_text(
        "run_name: missing_column\nunavailable: stop\n"
        "models: {predictors: {shoe: {label: Shoe size, column: shoe_size, type: numeric, "
        "centre: 40, scale: 1}}, specifications: {core: [age, shoe]}}\n",
        encoding="utf-8",
    )
    r = snakemake(example_repo, "--configfile", "config/missing_column.yaml")
    assert r.returncode != 0
    assert "'shoe': its column 'shoe_size' is not derived from this codebook" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) < 25
    assert not (example_repo / "results/missing_column").exists()


def test_an_override_deleting_a_specification_plans_no_fit_of_it(example_repo: Path) -> None:
    r = snakemake(example_repo, "-n", "--forceall", "--configfile", "config/examples/region.yaml")
    assert r.returncode == 0, r.stderr[-2000:]
    fits = re.findall(
        r"rule model_fit:\n(?:.*\n){0,8}?\s+wildcards: outcome=(\w+), spec=(\w+)", r.stdout
    )
    assert fits and {spec for _, spec in fits} == {"core"}  # `extended: null` deleted it
    assert len(fits) == 3


def test_the_second_example_end_to_end_through_the_readme_command(example_run: Path) -> None:
    run = example_run  # `make run` with the example's config (conftest), raw input untouched
    page = (run / "public/index.html").read_text(encoding="utf-8")
    assert "Job on the open labour market" in page and "Worked at least 10 hours" in page
    assert "355 participants in 12 programmes" in page and "October 2019" in page
    # nothing of the 2013 report: no reproduction, no published figures, no study facts
    body = page[: page.index('<section id="provenance">')]
    body = re.sub(r"<img [^>]*>|<pre>.*?</pre>", "", body, flags=re.S)  # images, config dumps
    for text in ("Socialstyrelsen", "Tabell", "914", "32 programmes", "June 2013", "2011–2013"):
        assert text not in body, text
    assert 'id="reproduction"' not in page and 'id="robustness"' not in page
    assert 'id="simulation"' not in page
    # what was left out, and why, is in the report and beside the results
    left = read_result_csv(run / "restricted/unavailable.csv")
    assert "regular_work" in set(left["name"]) and "work_history" in set(left["name"])
    assert "Left out: configured items these data cannot support" in page
    coefs = read_result_csv(run / "restricted/models/coefficients.csv")
    assert set(coefs["outcome"]) == {"open_market", "job_or_studies", "works_10_hours"}
    assert "main_diagnosis[psychosis]" in set(coefs["term"])
    # the generator's truth is compared (the random intercept's psychosis OR covers it)
    truth = read_result_csv(run / "restricted/models/open_market/core/truth.csv")
    assert "main_diagnosis[psychosis]" in set(truth["term"])


def test_the_second_examples_report_in_swedish(example_run: Path, example_repo: Path) -> None:
    """report.language: sv on another evaluation's data, the report redone whole (it
    crashed in report_tables: the defaults' Swedish table names brought back the 2013
    columns that `drop` had left out)."""
    sv = example_repo / "config/swedish_only.yaml"
    sv.write_text("report: {language: sv}\n", encoding="utf-8")
    try:
        r = snakemake(example_repo, "--configfile", EXAMPLE, "config/swedish_only.yaml")
        assert r.returncode == 0, r.stderr[-3000:]
        assert "Traceback" not in r.stdout + r.stderr
        page = (example_run / "public/index.html").read_text(encoding="utf-8")
        assert '<html lang="sv">' in page and "Åldersgrupp" in page and "1. Sammanfattning" in page
    finally:  # the example's run as it was, for the other tests
        assert snakemake(example_repo, "--configfile", EXAMPLE).returncode == 0


def test_the_example_data_regenerate_byte_for_byte(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            str(ROOT / ".venv/bin/python"),
            "-m",
            "ipseval.synthetic.example_data",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    for name in ("enheter.csv", "deltagare.csv"):
        assert (tmp_path / name).read_bytes() == (ROOT / "data/examples/region" / name).read_bytes()


def test_the_example_config_is_short() -> None:
    # beyond data paths and codebook, the override is about 15 lines (issue 6)
    lines = (ROOT / EXAMPLE).read_text(encoding="utf-8").split("# --- beyond data paths")[1]
    body = [ln for ln in lines.splitlines()[1:] if ln.strip() and not ln.lstrip().startswith("#")]
    assert len(body) <= 15, body


def test_every_command_of_the_guide_runs(example_repo: Path) -> None:
    # docs/own-data.md, followed by its words alone: each ```sh block, line by line
    guide = (ROOT / "docs/own-data.md").read_text(encoding="utf-8")
    commands = [
        line
        for block in re.findall(r"```sh\n(.*?)```", guide, flags=re.S)
        for line in block.splitlines()
        if line.strip()
    ]
    assert len(commands) >= 5
    env = {**os.environ, "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}"}
    for command in commands:
        r = subprocess.run(
            command, shell=True, cwd=example_repo, capture_output=True, text=True, env=env
        )
        assert r.returncode == 0, (command, (r.stdout + r.stderr)[-2000:])
    assert (example_repo / "results/example_region/public/index.html").exists()


def test_an_unknown_key_names_its_nearest_spelling_in_a_few_lines(example_repo: Path) -> None:
    cfg = example_repo / "config" / "typo.yaml"
    cfg.write_text("run_name: typo\nreproducton: {enabled: false}\n", encoding="utf-8")
    r = snakemake(example_repo, "-n", "--configfile", "config/typo.yaml")
    assert r.returncode != 0
    assert "unknown key 'reproducton'; did you mean 'reproduction'?" in r.stderr
    assert len(r.stderr.strip().splitlines()) < 15 and "Traceback" not in r.stderr
    assert not (example_repo / "results/typo").exists()


def test_an_input_that_is_a_folder_or_unreadable_is_one_line_at_start(
    config: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 25: a folder named *.csv gave IsADirectoryError and an unreadable file a
    PermissionError traceback from the clean job."""
    from ipseval.pipeline.configuration import input_problems

    folder = tmp_path / "forms.csv"
    folder.mkdir()
    locked = tmp_path / "programmes.csv"
    locked.write_text("x\n", encoding="utf-8")
    data = {"coach_forms": str(folder), "programmes": str(locked), "codebook": "none.yaml"}
    # root reads any file, so the permission is taken away where it is asked for
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == locked else real(p, m))
    got = input_problems(data)
    assert got == [
        f"data.programmes: {str(locked)!r} cannot be read (no read permission): ask for read "
        "access, or copy the file somewhere you can read it",
        f"data.coach_forms: {str(folder)!r} is a folder; give the file inside it",
        "data.codebook: 'none.yaml' does not exist",
    ]
    cfg = merged(config, {"data": data})
    with pytest.raises(ConfigError) as err:
        prepare(cfg, SCHEMA)
    assert "is a folder" in str(err.value) and "Traceback" not in str(err.value)
