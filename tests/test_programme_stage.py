"""The programme stage in the pipeline (issue 28): programmes compared, practice and outcome,
the participants who had left, on the default data (English and Swedish), on the second
example evaluation (which has neither practice items nor counts of leavers), and its config
checks. Expected values come from the source report (the published leaver counts: 11 to
regular work, 8 to wage-subsidised work, 4 to studies, 171 in all), from hand computation,
or from the restricted tables the public ones are protected from."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, snakemake, write_config

from ipseval.common.io import read_result_csv
from ipseval.pipeline.configuration import ConfigError, programme_comparison_problems

pytestmark = pytest.mark.e2e

PUBLIC = "results/default/public"
PC_DIR = "results/default/restricted/programmes"


@pytest.fixture(scope="module")
def run(repo: Path, default_run: Path) -> Path:
    """The session's default pipeline run (tests/conftest.py)."""
    return repo


def section(page: str) -> str:
    start = page.index('<section id="programmes">')
    return page[start : page.index("</section>", start)]


def test_the_stage_runs_in_the_default_run_with_its_own_notebook(run: Path) -> None:
    notebook = run / PC_DIR / "notebook.html"
    assert notebook.exists() and "Observed against expected" in notebook.read_text("utf-8")
    comparison = read_result_csv(run / PC_DIR / "comparison.csv")
    assert set(comparison["outcome"]) == {"regular_work", "paid_work"}
    assert comparison.groupby("outcome")["programme"].nunique().tolist() == [32, 32]
    # every analysed participant once per outcome; the counts add up to the comparison's
    analysed = read_result_csv(run / PC_DIR / "analysed.csv")
    by = analysed.groupby(["outcome", "programme"])["y"].agg(["size", "sum"])
    mine = comparison.set_index(["outcome", "programme"]).loc[by.index]
    assert by["size"].tolist() == mine["n"].tolist()
    assert by["sum"].tolist() == mine["observed"].tolist()


def test_the_published_comparison_shows_no_small_count_and_a_ratio_only_with_its_counts(
    run: Path,
) -> None:
    path = run / PUBLIC / "programme_comparison.csv"
    public = pd.read_csv(path, dtype=str, keep_default_na=False)
    restricted = read_result_csv(run / PC_DIR / "comparison.csv").astype({"programme": str})
    truth = restricted.set_index(["outcome", "programme"])
    assert len(public) == len(restricted)
    for r in public.itertuples():
        for value in (r.n, r.observed):
            assert not (value.isdigit() and 0 < int(value) < 5), r
        both = r.n.isdigit() and r.observed.isdigit()
        assert (r.ratio != "") == (both and r.n != "0"), r  # a ratio is a function of O
        assert (r.position != "") == (r.ratio != ""), r
        if both:  # what is shown is the true count
            t = truth.loc[(r.outcome, r.programme)]
            assert (int(r.n), int(r.observed)) == (t["n"], t["observed"])
    effects = read_result_csv(run / PUBLIC / "programme_effects.csv").astype({"programme": str})
    shown = public[public["ratio"] != ""]
    assert set(zip(effects["outcome"], effects["programme"], strict=True)) == set(
        zip(shown["outcome"], shown["programme"], strict=True)
    )
    audit = read_result_csv(run / PUBLIC / "disclosure.csv")
    mine = audit[audit["table"].str.startswith(("programmes: ", "leavers"))]
    assert len(mine) == 4 and mine["protected"].all()


def test_the_leavers_and_the_ever_enrolled_rates_are_the_published_counts(run: Path) -> None:
    reasons = pd.read_csv(run / PUBLIC / "leaver_reasons.csv", dtype=str).set_index("reason")
    # Bilaga 1's text: 171 had left, 11 to regular work, 8 to wage subsidy, 4 to studies
    assert reasons.loc["ended_regular_work", "count"] == "11"
    assert reasons.loc["ended_wage_subsidy", "count"] == "8"
    assert reasons.loc["ended_studies", "count"] == "<5"  # published, but small: not repeated
    assert reasons.loc["Totalt", "count"] == "171"
    leavers = read_result_csv(run / PUBLIC / "leavers.csv").set_index("outcome")
    # by hand from Tabell 11 (36 and 111 of 906) and those counts: 36 + 11 over 906 + 171;
    # with the 148 who broke off all in the outcome: 36 + 11 + 148
    assert leavers.loc["regular_work", "rate_low"] == pytest.approx(47 / 1077)
    assert leavers.loc["regular_work", "rate_high"] == pytest.approx(195 / 1077)
    assert leavers.loc["paid_work", "rate_low"] == pytest.approx(130 / 1077)
    assert leavers.loc["paid_work", "rate_high"] == pytest.approx(278 / 1077)
    assert leavers.loc["paid_work", "stock_rate"] == pytest.approx(111 / 906)
    # the length-bias range, by hand from Tabell 11 (regular work: 16 of 464 up to 6 months,
    # 20 of 442 over) and the 11 who left for regular work, added to either group
    check = read_result_csv(run / PUBLIC / "time_check.csv")
    crude = check[check["outcome"] == "regular_work"].set_index("sample")["odds_ratio"]
    assert crude["crude, stock"] == pytest.approx((20 / 422) / (16 / 448))
    assert crude["crude, leavers all longer"] == pytest.approx((31 / 422) / (16 / 448))
    assert crude["crude, leavers all shorter"] == pytest.approx((20 / 422) / (27 / 448))


def test_the_report_has_the_funnel_the_practice_table_and_the_flow(run: Path) -> None:
    page = (run / PUBLIC / "index.html").read_text(encoding="utf-8")
    part = section(page)
    assert part.count("<img ") == 2  # the funnel and the caterpillar
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    for item in cfg["programme_comparison"]["practice"]["items"].values():
        assert item["label"] in part, item["label"]
    assert "Minimum detectable OR" in part and "p (Holm)" in part
    assert "left for regular work" in part and ">171<" in part
    assert "4.4–18.1 %" in part  # 47/1077 to 195/1077, as above
    cells = re.findall(r'<td class="num">([^<]*)</td>', part)
    assert not [c for c in cells if c.isdigit() and 0 < int(c) < 5]
    assert "not a ranking" in part
    limits = page[page.index('<section id="methods">') :]
    assert "length-biased" in limits.split("</section>")[0]


def test_the_second_example_gets_what_its_data_allow(example_run: Path) -> None:
    page = (example_run / "public/index.html").read_text(encoding="utf-8")
    part = section(page)
    assert part.count("<img ") == 2 and "Job on the open labour market" in part
    # no practice items of the 2013 survey, no counts of leavers: said, not crashed
    skipped = read_result_csv(example_run / "restricted/programmes/skipped.csv")
    assert {"coop_psychiatry", "participants who had left"} <= set(skipped["name"])
    assert "Left out, as these data could not support them" in part
    assert "Caseload" in part  # the one practice item its team survey has
    assert 'id="leavers"' not in part


def test_the_stage_can_be_switched_off(run: Path) -> None:
    cfg = write_config(run, "no_programmes", programme_comparison=None, run_name="no_pc")
    r = snakemake(run, "-n", "--configfile", cfg)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "programme_outcome" not in r.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"case_mix": "nonexistent"}, "case_mix 'nonexistent' is not a specification"),
        ({"outcomes": ["employed_on_mars"]}, "'employed_on_mars' is not a key of outcomes"),
    ],
)
def test_config_cross_references_are_checked(change: dict, message: str) -> None:
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    cfg["programme_comparison"] |= change
    with pytest.raises(ConfigError, match=re.escape(message)):
        programme_comparison_problems(cfg)


def test_a_set_item_must_be_an_item() -> None:
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    cfg["programme_comparison"]["practice"]["set"].append("coop_mars")
    with pytest.raises(ConfigError, match=re.escape("'coop_mars' is not a key of practice.items")):
        programme_comparison_problems(cfg)
