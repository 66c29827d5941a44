"""The assembled report: the summary's numbers, languages, and the page
as a reader opens it in a real browser (headless Chromium)."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, snakemake, write_config

from ipseval.report.tables import findings
from ipseval.report.text import finding_sentence, translations

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_translation_table_is_complete() -> None:
    en, sv = translations("en"), translations("sv")
    assert set(en) == set(sv)
    assert en["s1"] != sv["s1"] and all(sv.values())


def _coef(outcome: str, estimator: str, term: str, odds_ratio: float) -> dict:
    return {
        "outcome": outcome,
        "specification": "core",
        "method": "complete_case",
        "estimator": estimator,
        "term": term,
        "odds_ratio": odds_ratio,
        "ci_low": odds_ratio / 2,
        "ci_high": odds_ratio * 2,
        "p_value": 0.5,
    }


def test_programme_level_findings_use_the_cluster_aware_estimator() -> None:
    predictors = {
        "caseload": {"level": "programme", "label": "Caseload"},
        "age": {"type": "numeric", "label": "Age"},
    }
    coefs = pd.DataFrame(
        [
            _coef("rare", "firth", "caseload", 0.6),
            _coef("rare", "gee_br", "caseload", 0.8),
            _coef("rare", "firth", "age", 0.7),
            _coef("rare", "gee_br", "age", 0.9),
            # separated: only Firth was fitted, so caseload falls back to it
            _coef("separated", "firth", "caseload", 0.5),
            _coef("separated", "firth", "age", 1.5),
        ]
    )
    summaries = pd.DataFrame(
        {
            "outcome": ["rare", "separated"],
            "specification": "core",
            "recommended_estimator": "firth",
        }
    )
    got = findings(coefs, summaries, predictors, "gee_br", "core").set_index(["outcome", "term"])
    assert got.loc[("rare", "caseload"), ["estimator", "odds_ratio"]].tolist() == ["gee_br", 0.8]
    assert got.loc[("rare", "age"), ["estimator", "odds_ratio"]].tolist() == ["firth", 0.7]
    assert got.loc[("separated", "caseload"), "estimator"] == "firth"
    assert got.loc[("rare", "caseload"), "level"] == "programme"
    t = translations("en")
    rows = got.reset_index().to_dict("records")
    said = [finding_sentence(r, t, predictors, "95 %") for r in rows]
    assert said[0].startswith("Caseload:")
    assert said[0].endswith("(programme level, estimated with: bias-reduced GEE)")
    assert "estimated with" not in said[1]  # age, the recommended estimator
    assert "estimated with" not in said[2]  # fallback: no claim it is GEE-BR
    assert not any("gee_br" in x or "firth" in x for x in said)  # estimators in words


# --- the built report (end to end, one pipeline run in a copy) -------------------------------


@pytest.fixture(scope="module")
def run(repo: Path, default_run: Path) -> Path:
    """The session's default pipeline run (tests/conftest.py)."""
    return repo


def test_labels_follow_the_report_language() -> None:
    from ipseval.pipeline.configuration import localised

    sex = {
        "label": "Sex",
        "label_sv": "Kön",
        "reference": "female",
        "level_labels": {"female": "women", "male": "men"},
        "level_labels_sv": {"female": "kvinnor"},
    }
    # a Swedish label replaces the English one; a level without one keeps its English name
    assert localised({"predictors": {"sex": sex}}, "sv") == {
        "predictors": {
            "sex": {
                "label": "Kön",
                "reference": "female",
                "level_labels": {"female": "kvinnor", "male": "men"},
            }
        }
    }
    assert localised([sex], "en") == [
        {"label": "Sex", "reference": "female", "level_labels": {"female": "women", "male": "men"}}
    ]
    # a translation without an English original is used as it is
    assert localised({"level_labels_sv": {"psychosis": "psykos"}}, "sv") == {
        "level_labels": {"psychosis": "psykos"}
    }
    assert localised({"level_labels_sv": {"psychosis": "psykos"}}, "en") == {}
    # only the translatable keys are read as translations: a predictor may be named x_sv
    assert localised({"x_sv": {"label": "A"}, "label": "B"}, "sv") == {
        "x_sv": {"label": "A"},
        "label": "B",
    }


def test_the_default_config_has_every_reader_facing_label_in_swedish(config: dict) -> None:
    items = [*config["outcomes"].values(), *config["models"]["predictors"].values()]
    assert all(item.get("label_sv") for item in items)
    assert config["report"]["outcome_groups"].get("label_sv")
    tables = config["report"]["participant_tables"]
    assert set(tables["variables_sv"]) == set(tables["variables"])
    # every level a categorical predictor can have after merging is named in Swedish
    cb = yaml.safe_load((ROOT / "config/codebook.yaml").read_text(encoding="utf-8"))
    codes = {
        v["name"]: [lv["code"] for lv in v.get("levels", [])] for v in cb["coach_form"]["variables"]
    }
    for name, p in config["models"]["predictors"].items():
        base = p["column"].removesuffix("_code")
        if p["type"] != "categorical" or base not in codes:
            continue
        levels = {p.get("collapse", {}).get(c, c) for c in codes[base]}
        missing = levels - set(p.get("level_labels_sv", {})) - set(p.get("missing", []))
        assert not missing, (name, missing)


class _Visible(HTMLParser):
    """The text a reader sees, and images' alt text; code blocks, scripts and styles left out."""

    SKIP = frozenset({"pre", "code", "script", "style"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.depth += 1
        elif tag == "img":
            self.parts.append(dict(attrs).get("alt") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def visible_text(page: str) -> str:
    """The page's visible text (see _Visible), one string."""
    parser = _Visible()
    parser.feed(page)
    return " ".join(parser.parts)


def html_of(run: Path) -> str:
    return (run / "results/default/public/index.html").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_report_is_one_self_contained_page(run: Path) -> None:
    page = html_of(run)
    assert "SYNTHETIC DATA" in page and 'id="synthetic-banner"' in page
    # no resource is fetched: every image is embedded, no script or stylesheet is external
    assert not re.search(r'<(img|script|link)[^>]+(src|href)="(?!data:|#)', page)
    for section in (
        "summary",
        "data",
        "reproduction",
        "participants",
        "predictors",
        "context",
        "methods",
        "provenance",
    ):
        assert f'<section id="{section}">' in page


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cards: list[str] = []
        self.items: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        cls = dict(attrs).get("class", "")
        if tag == "div" and cls == "num":
            self._in = "num"
        elif tag == "li" and self._in is None:
            self._in = "li"
            self.items.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "li"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "num":
            self.cards.append(data.strip())
        elif self._in == "li":
            self.items[-1] += data


@pytest.mark.e2e
def test_summary_numbers_equal_their_result_files(run: Path) -> None:
    page = html_of(run)
    summary = page[page.index('<section id="summary">') : page.index('<section id="data">')]
    parser = _Text()
    parser.feed(summary)
    res = run / "results/default"
    check = pd.read_csv(res / "restricted/reproduction/check.csv")
    text = check[check["table"] == "text"].set_index("row")
    ids = [
        "regular_work_pct",
        "paid_work_incl_subsidy_pct",
        "closer_to_labour_market_pct",
        "any_occupation_pct",
        "no_occupation_pct",
    ]
    # first the outcome rates of the run's outcomes (from participants.csv), then the
    # published headline figures as reproduced
    outcomes = yaml.safe_load((run / "config/config.yaml").read_text())["models"]["outcomes"]
    people = pd.read_csv(res / "restricted/clean/participants.csv")
    rates = [f"{100 * people[f'y_{o}'].dropna().mean():.1f} %" for o in outcomes]
    assert parser.cards[: len(outcomes)] == rates
    headline = parser.cards[len(outcomes) :]
    assert headline == [f"{float(text.loc[i, 'reproduced']):.1f} %" for i in ids]
    # and those are the report's published headline figures (Socialstyrelsen 2013-12-19)
    assert [round(float(text.loc[i, "reproduced"])) for i in ids] == [4, 12, 54, 61, 35]
    coefs = pd.read_csv(res / "restricted/models/coefficients.csv")
    summaries = pd.read_csv(res / "restricted/models/summaries.csv")
    plain = re.sub(r"<[^>]+>", " ", html.unescape(summary))
    numbers = sorted(re.findall(r"OR ([\d.]+) \(95 % CI ([\d.]+)–([\d.]+)\)", plain))
    models = yaml.safe_load((run / "config/config.yaml").read_text(encoding="utf-8"))["models"]
    assert models["predictors"]["caseload"]["level"] == "programme"
    expected = []
    for s in summaries[summaries["specification"] == "core"].itertuples():
        for term in (
            "caseload",
            "work_history[never]",
            "age",
            "diagnosis[psychosis]",
            "time_in_programme",
        ):
            # caseload is programme-level: its finding comes from the configured estimator
            estimator = (
                models["programme_level_estimator"]
                if term == "caseload"
                else s.recommended_estimator
            )
            r = coefs[
                (coefs["outcome"] == s.outcome)
                & (coefs["specification"] == "core")
                & (coefs["method"] == "complete_case")
                & (coefs["estimator"] == estimator)
                & (coefs["term"] == term)
            ].iloc[0]
            expected.append(tuple(f"{r[k]:.2f}" for k in ("odds_ratio", "ci_low", "ci_high")))
    assert numbers == sorted(expected) and len(numbers) == 20
    # a direction only where the interval excludes 1
    for item in parser.items:
        found = re.search(r"OR [\d.]+ \(95 % CI ([\d.]+)–([\d.]+)\)", item)
        if found and ("higher odds" in item or "lower odds" in item):
            lo, hi = map(float, found.groups())
            assert lo > 1 or hi < 1, item
    assert "higher odds" not in plain.split("No clear association")[-1]
    # where the outcome's recommended estimator is another, the caseload sentence says so
    firth = summaries[
        (summaries["specification"] == "core") & (summaries["recommended_estimator"] == "firth")
    ]
    assert len(firth) > 0
    assert plain.count("programme level, estimated with: bias-reduced GEE") == len(firth)
    assert "gee_br" not in plain and "firth" not in plain.lower().replace("firth's", "")


@pytest.mark.e2e
def test_no_personal_data_and_no_small_count_in_derived_tables(run: Path) -> None:
    page = html_of(run)
    for token in ("FIKTIV", "exempel.invalid", "000-000", "Testcoach", "Testledare"):
        assert token not in page
    section = page[
        page.index('<section id="participants">') : page.index('<section id="predictors">')
    ]
    cells = re.findall(r'<td class="num">([^<]*)</td>', section)
    small = [c for c in cells if c.isdigit() and 0 < int(c) < 5]
    assert not small, small
    ptab = pd.read_csv(run / "results/default/public/participant_tables.csv", dtype=str)
    counts = ptab["count"][ptab["count"].str.isdigit()].astype(int)
    assert not ((counts > 0) & (counts < 5)).any()


@pytest.mark.e2e
def test_swedish_report_from_config(run: Path) -> None:
    cfg = write_config(run, "sv", report__language="sv")
    r = snakemake(run, "results/default/public/index.html", "--configfile", cfg)
    assert r.returncode == 0, r.stderr[-2000:]
    try:
        page = html_of(run)
        assert '<html lang="sv">' in page and "1. Sammanfattning" in page
        assert "Ingen sysselsättning" in page  # survey labels verbatim in both languages
        assert "lägre odds" in page and "95 % KI" in page  # findings in Swedish too
        # every outcome, predictor, level and table label the config translates is shown in
        # Swedish, and its English text nowhere outside code blocks (the provenance section
        # prints the config itself, which keeps both)
        cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
        text = visible_text(page)
        for item in [*cfg["outcomes"].values(), *cfg["models"]["predictors"].values()]:
            if item["label"] in text:
                assert item["label_sv"] in text, item["label_sv"]
            assert item["label"] not in text, item["label"]
        assert "Reguljärt lönearbete (målet för IPS)" in text and "Kön" in text
        assert "aldrig anställd" in text and "never employed" not in text
        assert "psykos mot depression" in text and "psychosis mot" not in text
        # the participant tables' levels too (issue 24): Swedish words, no English ones
        ptab = pd.read_csv(run / "results/default/public/participant_tables.csv", dtype=str)
        words = set(ptab["level_label"])
        assert {"ej svar", "totalt", "Upp till 29 år", "kvinnor", "missbruk"} <= words
        for english in ("no answer", "total", "up to 29 years", "women", "substance use"):
            assert english not in words, english
        tables = cfg["report"]["participant_tables"]
        for column, english in tables["variables"].items():
            assert tables["variables_sv"][column] in text and english not in text, english
        # the programmes' section (issue 28) too: its items and the case mix in Swedish
        part = page[page.index('<section id="programmes">') :].split("</section>")[0]
        assert "Deltagarna som hade slutat" in part and "Arbetssätt och utfall" in part
        for item in cfg["programme_comparison"]["practice"]["items"].values():
            assert item["label_sv"] in part and item["label"] not in part, item["label"]
        assert "Ålder (per 10 år" in part
        jobs = re.findall(r"^(?:local)?rule (\w+):", r.stdout, re.M)
        assert set(jobs) <= {"report_tables", "report"}  # only the report is redone
    finally:  # the whole run as it was (the page and the public checksums that list it)
        assert snakemake(run).returncode == 0


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="headless Chromium (Debian package `chromium`) is not installed here",
)
@pytest.mark.e2e
def test_report_opens_in_a_real_browser(run: Path) -> None:
    """Headless Chromium: no console errors, every figure decoded, every in-page link has a
    target (the page's own self-check), and a screenshot of the first screen."""
    assert CHROMIUM, "CI must have chromium (.ci/run installs it)"
    page = run / "results/default/public/index.html"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tempfile.mkdtemp()}",
    ]
    r = subprocess.run(
        [
            CHROMIUM,
            *flags,
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--window-size=1280,900",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    console = [line for line in r.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    body = re.search(r"<body([^>]*)>", r.stdout).group(1)
    assert 'data-selfcheck="ok"' in body, body
    n_images = int(re.search(r'data-images="(\d+)"', body).group(1))
    assert n_images == html_of(run).count("<img ") and n_images >= 5
    assert int(re.search(r'data-links="(\d+)"', body).group(1)) >= 9
    # one tenth the length: at 1280 px at most 25 screens of 900 px
    height = float(re.search(r'data-height="([\d.]+)"', body).group(1))
    assert height <= 22_500, height
    # the findings, with odds ratios and intervals, on the first two screens
    assert 0 < float(re.search(r'data-findings-top="([\d.-]+)"', body).group(1)) <= 1_800
    # no visible text (outside code blocks and closed details) like code or long decimals
    assert re.search(r'data-snake="([^"]*)"', body).group(1) == ""
    assert re.search(r'data-decimals="([^"]*)"', body).group(1) == ""
    shot = run / "results/default/public/screenshot.png"
    subprocess.run(
        [CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1280,900", page.as_uri()],
        capture_output=True,
        check=True,
        timeout=180,
    )
    keep = ROOT / "results" / "report-screenshot.png"
    keep.parent.mkdir(exist_ok=True)
    shutil.copy(shot, keep)
    assert shot.stat().st_size > 20000
    pdf = snakemake(run, "report_pdf")
    assert pdf.returncode == 0, pdf.stderr[-2000:]
    assert (run / "results/default/public/report.pdf").read_bytes()[:5] == b"%PDF-"


def test_run_time_is_the_latest_runs_wall_time_not_the_sum(tmp_path: Path) -> None:
    # two jobs in parallel (0-10 s and 2-12 s) and one reused from a run an hour earlier
    import os

    from ipseval.provenance.runinfo import run_times

    now = 1_800_000_000.0
    for name, start, wall, cpu in (
        ("a", now, 10, 9),
        ("b", now + 2, 10, 8),
        ("old", now - 3600, 5, 5),
    ):
        path = tmp_path / f"{name}.tsv"
        path.write_text(f"s\tcpu_time\n{wall}\t{cpu}\n", encoding="utf-8")
        os.utime(path, (start + wall, start + wall))
    wall, cpu = run_times(sorted(tmp_path.glob("*.tsv")))
    assert wall == pytest.approx(12.0) and cpu == pytest.approx(17.0)


def test_terms_are_named_in_words_from_the_config() -> None:
    from ipseval.report.text import term_label

    t = translations("en")
    predictors = {
        "work_history": {
            "label": "Time since last employment",
            "reference": "lt6m",
            "level_labels": {"lt6m": "under 6 months", "never": "never employed"},
        },
        "income": {"label": "Main income", "reference": "social_insurance"},
        "age": {"label": "Age (per 10 years)"},
    }
    assert term_label("work_history[never]", predictors, t) == (
        "Time since last employment: never employed vs under 6 months"
    )
    # without a label the code is shown with spaces, never as snake_case
    assert term_label("income[wage_and_other]", predictors, t) == (
        "Main income: wage and other vs social insurance"
    )
    assert term_label("age", predictors, t) == "Age (per 10 years)"
