"""A run to deposit and cite: licence, CITATION.cff, versions in step, and the Workflow Run
RO-Crate of a run, validated against its profiles and re-run from its unpacked copy."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, VOLATILE, snakemake, write_config

from ipseval import __version__
from ipseval.provenance import citation
from ipseval.provenance.archive import TIME_STAMPED, rerun_script, snakemake_args

CFFCONVERT = ROOT / ".venv-cffconvert/bin/cffconvert"
ROC_VALIDATOR = ROOT / ".venv-rocvalidator/bin"
MISSING_TOOL = "{} is missing: `make test` builds it from tools/{}.lock"


def test_citation_cff_is_valid() -> None:
    assert CFFCONVERT.exists(), MISSING_TOOL.format(CFFCONVERT, "cffconvert")
    r = subprocess.run(
        [str(CFFCONVERT), "--validate", "-i", str(ROOT / "CITATION.cff")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "valid according to schema version 1.2.0" in r.stdout


def test_one_version_and_one_citation_everywhere() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == __version__ == cff["version"]
    assert pyproject["project"]["license"] == cff["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    release = __version__.split(".dev")[0]
    # Keep a Changelog: an unreleased section while the version is a .dev one
    assert ("## [Unreleased]" if ".dev" in __version__ else f"## [{release}]") in changelog
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    how_to_cite = readme[readme.index("## How to cite") :]
    assert citation.software(ROOT / "CITATION.cff") in how_to_cite
    for source in citation.sources(ROOT / "CITATION.cff"):
        assert source in how_to_cite


def _seed_context_cache(cache: Path) -> None:
    """The validator fetches the RO-Crate 1.1 JSON-LD context from w3id.org; CI reaches only
    the package registries. Serve it from the copy in the validator environment's rocrate
    0.9.0 (tools/rocvalidator.in) through the validator's own HTTP cache."""
    script = f"""
import datetime, io, pathlib, requests, rocrate
from requests_cache import CachedSession
from urllib3 import HTTPResponse
url = "https://w3id.org/ro/crate/1.1/context"
body = (pathlib.Path(rocrate.__file__).parent / "data/ro-crate.jsonld").read_bytes()
r = requests.Response()
r.url, r.status_code, r.reason, r._content, r.encoding = url, 200, "OK", body, "utf-8"
r.headers = requests.structures.CaseInsensitiveDict({{"Content-Type": "application/ld+json"}})
r.raw = HTTPResponse(body=io.BytesIO(body), headers=dict(r.headers), status=200,
                     preload_content=False, request_url=url)
r.request, r.elapsed = requests.Request("GET", url).prepare(), datetime.timedelta(0)
session = CachedSession(cache_name={str(cache)!r}, backend="sqlite", expire_after=-1)
session.cache.save_response(r)
"""
    subprocess.run([str(ROC_VALIDATOR / "python"), "-c", script], check=True)


def validate_crate(folder: Path, tmp: Path) -> dict:
    """rocrate-validator's report (JSON) on an unpacked crate, offline."""
    assert ROC_VALIDATOR.exists(), MISSING_TOOL.format(ROC_VALIDATOR, "rocvalidator")
    cache = tmp / "http_cache"
    _seed_context_cache(cache)
    report = tmp / "validation.json"
    subprocess.run(
        [
            str(ROC_VALIDATOR / "rocrate-validator"),
            "-y",
            "--disable-color",
            "validate",
            "--offline",
            "--cache-path",
            str(cache),
            "--no-paging",
            "-f",
            "json",
            "-o",
            str(report),
            str(folder),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(report.read_text(encoding="utf-8"))


def _graph(folder: Path) -> dict[str, dict]:
    meta = json.loads((folder / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    return {e["@id"]: e for e in meta["@graph"]}


def _ids(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v["@id"] for v in items]


@pytest.mark.e2e
def test_the_run_crate_validates_and_reruns_byte_for_byte(
    repo: Path, default_run: Path, tmp_path: Path
) -> None:
    r = snakemake(repo, "archive")
    assert r.returncode == 0, r.stderr[-3000:]
    crate_zip = repo / "results/default.crate.zip"
    unpacked = tmp_path / "crate"
    with zipfile.ZipFile(crate_zip) as z:
        z.extractall(unpacked)

    # valid against the Workflow Run Crate profile and those it builds on
    report = validate_crate(unpacked, tmp_path)
    assert report["passed"], [i["message"] for i in report["issues"]]
    assert {"workflow-run-crate-0.5", "ro-crate-1.1"} <= set(report["statistics"]["profiles"])

    # what the crate says: the workflow as run, inputs and outputs with checksums, software
    g = _graph(unpacked)
    root = g["./"]
    workflow = g[root["mainEntity"]["@id"]]
    assert workflow["version"] == __version__
    assert "ComputationalWorkflow" in workflow["@type"]
    (action,) = [e for e in g.values() if e.get("@type") == "CreateAction"]
    assert action["instrument"]["@id"] == workflow["@id"]
    assert action["actionStatus"]["@id"] == "http://schema.org/CompletedActionStatus"
    assert g[action["agent"]["@id"]]["name"]
    inputs = _ids(action["object"])
    assert "data/raw/coach_forms.csv" in inputs and "data/raw/published/tabell_11.csv" in inputs
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins = {g[i]["name"]: g[i]["version"] for i in _ids(workflow["softwareRequirements"])}
    assert pins["snakemake"] in lock and pins["statsmodels"] in lock and len(pins) > 50
    outputs = _ids(action["result"])
    # the public tier only: the synthetic exports travel, restricted/ does not
    on_disk = sorted(
        str(p.relative_to(repo)) for p in (default_run / "public").rglob("*") if p.is_file()
    )
    assert sorted(outputs) == on_disk
    assert not any("/restricted/" in f for f in z_names(crate_zip))
    assert "results/default/public/datapackage.json" in outputs
    for rel in [*inputs, *outputs, "Snakefile", "src/ipseval/models/estimators.py"]:
        assert g[rel]["sha256"] == hashlib.sha256((unpacked / rel).read_bytes()).hexdigest(), rel

    # the recorded command remakes every result from the unpacked crate alone
    shutil.rmtree(unpacked / "results")
    rerun = subprocess.run(
        ["sh", "rerun.sh"],
        cwd=unpacked,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "IPSEVAL_VENV": str(ROOT / ".venv")},
    )
    assert rerun.returncode == 0, (rerun.stdout + rerun.stderr)[-3000:]
    compared = set()
    for rel in outputs:
        if TIME_STAMPED.search(rel) or Path(rel).name in VOLATILE:
            continue
        again = hashlib.sha256((unpacked / rel).read_bytes()).hexdigest()
        assert again == g[rel]["sha256"], rel
        compared.add(rel)
    # the data package, report tables and figures among them
    run = "results/default/public"
    assert {
        f"{run}/datapackage.json",
        f"{run}/participant_tables.csv",
        f"{run}/reproduction.csv",
        f"{run}/estimates.csv",
    } <= compared
    # the report page differs at most in its generation time and step times
    assert _report_without_volatile(unpacked / "results/default") == _report_without_volatile(
        default_run
    )


def z_names(path: Path) -> list[str]:
    """The member names of a zip file."""
    with zipfile.ZipFile(path) as z:
        return z.namelist()


def _report_without_volatile(run: Path) -> str:
    page = (run / "public/index.html").read_text(encoding="utf-8")
    page = re.sub(r'<span id="generated">[^<]*</span>', "", page)
    page = re.sub(r"<code>[0-9a-f]{40}</code>|<code>unknown</code>", "", page)  # commit
    return page[: page.index("<h3>Wall time of each step")]


def test_time_stamped_outputs_are_only_the_documented_ones() -> None:
    stamped = [
        "results/x/restricted/logs/clean.log",
        "results/x/restricted/benchmarks/a.tsv",
        "results/x/public/index.html",
        "results/x/public/SHA256SUMS",
    ]
    kept = [
        "results/x/public/participant_tables.csv",
        "results/x/restricted/models/a/b/notebook.html",
    ]
    assert all(TIME_STAMPED.search(p) for p in stamped)
    assert not any(TIME_STAMPED.search(p) for p in kept)


@pytest.mark.e2e
def test_the_report_shows_version_commit_and_how_to_cite(default_run: Path) -> None:
    import html

    page = html.unescape((default_run / "public/index.html").read_text(encoding="utf-8"))
    provenance = page[page.index('<section id="provenance">') :]
    assert f"ipseval {__version__}." in provenance
    assert re.search(r"Code version: <code>([0-9a-f]{40}|unknown)</code>", provenance)
    assert citation.software(ROOT / "CITATION.cff") in provenance
    for source in citation.sources(ROOT / "CITATION.cff"):
        assert source in provenance


@pytest.mark.e2e
def test_a_real_data_runs_crate_holds_no_participant_level_row(repo: Path, tmp_path: Path) -> None:
    """Issue 25: `make archive` of a run whose data are not synthetic deposits the code,
    config, codebook and public/ only; rerun.sh asks for the user's own export and refuses
    any other file; only `make archive-restricted` packs the microdata, under its own name."""
    cfg = write_config(repo, "real_data", run_name="real_data", data__synthetic=False)
    cfg_yaml = yaml.safe_load((repo / cfg).read_text(encoding="utf-8"))
    cfg_yaml["multiverse"] = None
    (repo / cfg).write_text(yaml.safe_dump(cfg_yaml, allow_unicode=True), encoding="utf-8")
    r = snakemake(repo, "archive", "--configfile", cfg)
    assert r.returncode == 0, r.stderr[-3000:]
    crate_zip = repo / "results/real_data.crate.zip"
    unpacked = tmp_path / "crate"
    with zipfile.ZipFile(crate_zip) as z:
        z.extractall(unpacked)

    forms = repo / "data/raw/coach_forms.csv"
    export = pd.read_csv(forms, dtype=str, keep_default_na=False)
    export_ids = set(export["Formulär-ID"])
    participants = len(
        pd.read_csv(repo / "results/real_data/restricted/clean/participants.csv", dtype=str)
    )
    names = sorted(str(p.relative_to(unpacked)) for p in unpacked.rglob("*") if p.is_file())
    assert "data/raw/coach_forms.csv" not in names and "data/raw/programmes.csv" not in names
    assert not [n for n in names if "/restricted/" in n]
    assert "results/real_data/public/index.html" in names
    # every CSV in the crate: none of the export's ids, no table of one row per participant
    checked = 0
    for name in names:
        if not name.endswith(".csv"):
            continue
        table = pd.read_csv(unpacked / name, dtype=str, keep_default_na=False)
        cells = set(table.to_numpy().ravel()) | set(table.columns)
        assert not cells & export_ids, name
        assert len(table) not in (participants, len(export)), name
        checked += 1
    assert checked >= 10
    # the page and the metadata name no export id either
    for name in ("results/real_data/public/index.html", "ro-crate-metadata.json"):
        text = (unpacked / name).read_text(encoding="utf-8")
        assert not [i for i in export_ids if re.search(rf"\b{re.escape(i)}\b", text)], name
    g = _graph(unpacked)
    withheld = [e for e in g.values() if str(e["@id"]).startswith("#withheld-")]
    assert {e["name"] for e in withheld} == {"data/raw/coach_forms.csv", "data/raw/programmes.csv"}
    assert {e["sha256"] for e in withheld} >= {hashlib.sha256(forms.read_bytes()).hexdigest()}

    # rerun.sh needs the user's own export, and only the one the run used
    env = {**os.environ, "IPSEVAL_VENV": str(ROOT / ".venv")}
    missing = subprocess.run(
        ["sh", "rerun.sh"], cwd=unpacked, capture_output=True, text=True, check=False, env=env
    )
    assert missing.returncode == 1
    assert "data/raw/coach_forms.csv is not here: this crate holds no microdata" in missing.stderr
    (unpacked / "data/raw").mkdir(parents=True, exist_ok=True)
    (unpacked / "data/raw/coach_forms.csv").write_bytes(forms.read_bytes() + b"\n")
    other = subprocess.run(
        ["sh", "rerun.sh"], cwd=unpacked, capture_output=True, text=True, check=False, env=env
    )
    assert other.returncode == 1 and "is not the file the run used" in other.stderr

    # the restricted crate: on explicit request only, named so, with the microdata
    r = snakemake(repo, "archive_restricted", "--configfile", cfg)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "RESTRICTED" in r.stdout + r.stderr
    names = z_names(repo / "results/real_data.restricted.crate.zip")
    assert "data/raw/coach_forms.csv" in names
    assert "results/real_data/restricted/clean/participants.csv" in names
    meta = json.loads(
        zipfile.ZipFile(repo / "results/real_data.restricted.crate.zip").read(
            "ro-crate-metadata.json"
        )
    )
    root = next(e for e in meta["@graph"] if e["@id"] == "./")
    assert "RESTRICTED" in root["name"]


def test_a_crate_with_the_workbook_or_the_pdf_remakes_them_too() -> None:
    """rerun.sh remakes every result the crate lists: a run archived after `make excel` or
    `make pdf` lists public/tables.xlsx or report.pdf, which the default target does not make
    (found when the suite's order put `make excel` before `make archive`)."""
    public = "results/default/public"
    plain = [f"{public}/index.html", f"{public}/estimates.csv"]
    assert not {"all", "excel", "report_pdf"} & set(snakemake_args(["x.yaml"], plain))
    both = [*plain, f"{public}/tables.xlsx", f"{public}/report.pdf"]
    args = snakemake_args(["x.yaml"], both)
    assert {"all", "excel", "report_pdf"} <= set(args) and "--configfile=x.yaml" in args
    script = rerun_script(["x.yaml"], None, both)
    assert "all excel report_pdf" in script


def test_an_input_outside_the_repository_is_one_message_not_a_traceback(tmp_path: Path) -> None:
    """A run whose codebook or export was given by an absolute path outside the repository
    (as the draft command writes it for a file elsewhere) ended `make archive` in
    rocrate's 'dest_path must be relative' traceback."""
    from ipseval.provenance.archive import ArchiveError, build

    repo = tmp_path / "repo"
    (repo / "results/x/public").mkdir(parents=True)
    (repo / "results/x/public/index.html").write_text("<html></html>", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    codebook, export = elsewhere / "codebook.yaml", elsewhere / "forms.csv"
    for f in (codebook, export):
        f.write_text("x\n", encoding="utf-8")
    inputs = ["config/codebook.yaml", str(codebook), str(export)]
    with pytest.raises(ArchiveError) as err:
        # a real run: its export is withheld, named by path and SHA-256, and may be anywhere
        build(repo, "x", [], inputs, tmp_path / "x.zip", microdata=[str(export)])
    message = str(err.value)
    assert str(codebook) in message and "inside the repository" in message
    assert str(export) not in message
    assert not (tmp_path / "x.zip").exists()
