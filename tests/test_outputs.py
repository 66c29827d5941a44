"""Results other tools read (issue 8): every CSV of a default run is a plain CSV that pandas
and R read alike with no options; every results folder is a valid Frictionless data package
with the run's metadata beside the data; R refits every model from its model frame alone."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, snakemake
from support import require_rscript

from ipseval.publication import datapackage

SNIPPET = re.compile(r"<!-- snippet: model-frame -->\s*```(\w+)\n(.*?)```", re.S)


def csvs(run: Path) -> list[Path]:
    return sorted(run.rglob("*.csv"))


def test_every_csv_is_plain(default_run: Path) -> None:
    files = csvs(default_run)
    assert len(files) > 90
    for path in files:
        raw = path.read_bytes()
        text = raw.decode("utf-8")  # UTF-8
        assert not text.startswith(("#", "\ufeff")), path  # the header is the first line
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len({len(r) for r in rows}) == 1, path  # one delimiter, the same fields throughout
        assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""), path
        frame = pd.read_csv(path)  # no options
        assert list(frame.columns) == rows[0], path


def packages(run: Path) -> list[Path]:
    return sorted(run.rglob("datapackage.json"))


def test_every_results_folder_is_a_valid_data_package(default_run: Path) -> None:
    from frictionless import Package, validate

    found = packages(default_run)
    assert {p.parent.relative_to(default_run).as_posix() for p in found} >= {
        "public",
        "restricted",
        "restricted/multiverse/default",
    }
    described = set()
    for path in found:
        report = validate(str(path))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        # the run's metadata beside the data: synthetic flag, generator seed, config hash
        about = descriptor["ipseval"]
        assert about["synthetic"] is True and about["generator_seed"] == 20130630
        assert re.fullmatch(r"[0-9a-f]{64}", about["config_sha256"])
        assert "SYNTHETIC DATA" in descriptor["title"] and "SYNTHETIC" in about["notice"]
        for res in Package(str(path)).resources:
            described.add((path.parent / res.path).resolve())
            for field in res.schema.fields:
                assert field.description, (res.path, field.name)  # every column explained
    # every CSV of the run belongs to a package
    assert {p.resolve() for p in csvs(default_run)} <= described
    # model frames name their factors' levels and reference levels
    top = json.loads((default_run / "restricted/datapackage.json").read_text(encoding="utf-8"))
    frame = next(
        r for r in top["resources"] if r["path"] == "models/paid_work/core/model_frame.csv"
    )
    assert frame["ipseval"]["factors"]["work_history"]["reference"] == "lt6m"
    assert "never" in frame["ipseval"]["factors"]["work_history"]["levels"]


def test_the_synthetic_label_is_absent_from_a_package_of_real_data(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("a,b\r\n1,x\r\n", encoding="utf-8")
    meta = {"run_name": "real", "synthetic": False, "config_sha256": "0" * 64}
    real = datapackage.package(tmp_path, [table], meta)
    text = json.dumps(real)
    assert "SYNTHETIC" not in text and "generator_seed" not in text
    assert real["ipseval"]["synthetic"] is False
    assert "leading apostrophe" in real["ipseval"]["text_cells"]  # the CSV-injection rule
    fake = datapackage.package(tmp_path, [table], meta | {"synthetic": True, "notice": "SYNTHETIC"})
    assert fake["ipseval"]["synthetic"] is True and "SYNTHETIC" in fake["title"]


def r_table(script: Path, args: list[Path]) -> pd.DataFrame:
    """Run an R script (Rscript) on `args` and read the CSV it prints."""
    r = subprocess.run(
        [require_rscript(), str(script), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return pd.read_csv(io.StringIO(r.stdout), keep_default_na=False)


def test_r_reads_every_csv_as_pandas_does(default_run: Path) -> None:
    files = csvs(default_run)
    seen = r_table(ROOT / "tests/reference/read_all.R", files)
    for path in files:
        frame = pd.read_csv(path)
        got = seen[seen["file"] == str(path)].set_index("column")
        assert list(got.index) == list(frame.columns), path  # the same names, in order
        for name in frame.columns:
            v, row = frame[name], got.loc[name]
            assert int(row["nrow"]) == len(frame), path
            if v.isna().all():  # an empty column: NaN to pandas, NA (logical) to R
                assert row["class"] in {"logical", "numeric", "character"}, (path, name)
            elif pd.api.types.is_bool_dtype(v):
                assert row["class"] == "logical" and float(row["summary"]) == v.sum(), (path, name)
            elif pd.api.types.is_numeric_dtype(v):
                assert row["class"] in {"numeric", "integer"}, (path, name, row["class"])
                total = v[np.isfinite(v)].sum()
                assert float(row["summary"]) == pytest.approx(total, rel=1e-9, abs=1e-9), (
                    path,
                    name,
                )
            else:
                assert row["class"] in {"character", "logical"}, (path, name, row["class"])
            assert int(row["missing"]) == int(v.isna().sum()), (path, name)


# tolerances of ../shared/design/methods.md (what the R references agree to on this design)
TOLERANCE = {
    ("logit_cr1", "estimate"): 1e-6,
    ("logit_cr1", "std_error"): 1e-4,  # relative
    ("gee_br", "estimate"): 1e-6,
    ("gee_br", "std_error"): 1e-4,  # relative: the bias-reduced covariance is clubSandwich CR3
    ("random_intercept", "estimate"): 1e-3,
    ("random_intercept", "std_error"): 1e-2,  # relative
    ("firth", "estimate"): 1e-5,
    ("firth", "std_error"): 1e-4,  # relative
}
RELATIVE = {"std_error"}


def test_r_refits_every_model_from_its_frame_alone(default_run: Path, capsys) -> None:
    fits = sorted(p.parent for p in (default_run / "restricted/models").glob("*/*/model_frame.csv"))
    ref = r_table(ROOT / "R/refit.R", fits)
    worst: dict[tuple[str, str], tuple[float, str]] = {}
    notes = []
    for fit in fits:
        coefs = pd.read_csv(fit / "coefficients.csv")
        cc = coefs[coefs["method"] == "complete_case"]
        stats = pd.read_csv(fit / "fit_statistics.csv")
        mine = ref[ref["fit"] == str(fit)]
        for (estimator, quantity), tol in TOLERANCE.items():
            got = cc[cc["estimator"] == estimator].set_index("term")
            if got.empty:
                continue  # not fitted (separation): nothing to compare
            rows = mine[(mine["estimator"] == estimator) & (mine["quantity"] == quantity)]
            theirs = rows.set_index("term")["value"].astype(float).reindex(got.index)
            ours = got[quantity]
            diff = (ours / theirs - 1).abs() if quantity in RELATIVE else (ours - theirs).abs()
            if estimator == "random_intercept":
                s = stats[(stats["estimator"] == estimator) & (stats["method"] == "complete_case")]
                llf = float(s.set_index("statistic").loc["llf", "value"])
                their_ll = float(
                    mine[(mine["estimator"] == estimator) & (mine["quantity"] == "loglik")][
                        "value"
                    ].iloc[0]
                )
                if llf - their_ll > 1e-4:  # glmer stopped at a worse optimum: say so, not fail
                    note = f"{fit.parent.name}/{fit.name}: glmer's log-likelihood {their_ll:.6f}"
                    note += f" < ipseval's {llf:.6f}; not compared"
                    notes.append(note) if note not in notes else None
                    continue
            key = (estimator, quantity)
            value = float(diff.max())
            if value > worst.get(key, (-1.0, ""))[0]:
                worst[key] = (value, f"{fit.parent.name}/{fit.name}")
            assert value < tol, (fit, estimator, quantity, value)
    assert len(worst) == len(TOLERANCE)
    with capsys.disabled():
        sys.stdout.write(
            "\nipseval vs R on the default run's own model frames (largest differences):\n"
        )
        for (estimator, quantity), (value, where) in sorted(worst.items()):
            kind = "relative" if quantity in RELATIVE else "absolute"
            sys.stdout.write(f"  {estimator:17s} {quantity:10s} {value:.2e} ({kind}; {where})\n")
        for note in notes:
            sys.stdout.write(f"  note: {note}\n")


def test_the_model_frame_snippets_run_as_shown(default_run: Path) -> None:
    """README.md and docs/models.md show the same pandas and R lines; both run as shown."""
    shown = {}
    for doc in ("README.md", "docs/models.md"):
        blocks = dict(SNIPPET.findall((ROOT / doc).read_text(encoding="utf-8")))
        assert set(blocks) == {"python", "r"}, doc
        shown[doc] = blocks
    assert shown["README.md"] == shown["docs/models.md"]
    repo = default_run.parents[1]
    code = shown["README.md"]["python"] + "print(len(frame), len(terms))\n"
    py = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True)
    assert py.returncode == 0, py.stderr
    rscript = require_rscript()
    rcode = shown["README.md"]["r"] + "cat(nrow(frame), nrow(terms), nrow(cc), '\\n')\n"
    rr = subprocess.run([rscript, "-e", rcode], cwd=repo, capture_output=True, text=True)
    assert rr.returncode == 0, rr.stderr
    n_frame, n_terms = py.stdout.split()
    assert rr.stdout.split()[:2] == [n_frame, n_terms]


def test_the_report_tables_as_one_workbook(repo: Path, default_run: Path) -> None:
    import openpyxl

    r = snakemake(repo, "excel")
    assert r.returncode == 0, r.stderr[-2000:]
    book = openpyxl.load_workbook(default_run / "public/tables.xlsx", read_only=False)
    assert {"findings", "outcome_rates", "participant_tables"} <= set(book.sheetnames)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title  # the header row stays in view
        header = [c.value for c in sheet[1]]
        assert all(header), sheet.title


# --- no formulas in any output (issue 25, point 4) -------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://x","click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+Gnosjö kommun",
    "-2+3+cmd|' /C calc'!A0",
    "\tTeam Ek",
    "\rTeam Ek",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_text_cell_a_spreadsheet_would_evaluate_is_written_as_text(text: str) -> None:
    """OWASP's CSV-injection rule: a text cell starting with =, +, -, @, tab or carriage
    return gets a leading apostrophe, in the body and the header, so Excel shows it as text."""
    from ipseval.common.io import csv_bytes

    frame = pd.DataFrame({text: [text, "plain"], "n": [1, 2]})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8"), newline="")))
    assert rows[0][0] == "'" + text and rows[1][0] == "'" + text
    assert rows[2] == ["plain", "2"]


def test_numbers_and_the_report_marks_are_left_alone() -> None:
    from ipseval.common.io import csv_bytes

    frame = pd.DataFrame(
        {"text": ["-1.5", "-3", "–", "<5", "≈435", "‹masked: 3 characters›"], "x": [-1.5] * 6}
    )
    body = csv_bytes(frame).decode("utf-8")
    assert "'" not in body and "-1.5,-1.5" in body


def test_the_workbook_holds_no_formula(tmp_path: Path) -> None:
    import openpyxl

    from ipseval.publication.workbook import write_workbook

    source = tmp_path / "t.csv"
    shown = FORMULAS[:-1]  # a CSV reader drops a leading carriage return itself
    pd.DataFrame({"name": shown, "n": range(len(shown))}).to_csv(source, index=False)
    write_workbook({"t": source}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "s" and str(row[0].value).startswith("'"), row[0].value


def test_what_ipseval_writes_it_reads_back_as_it_was(tmp_path: Path) -> None:
    """The 2013 report's own rows start with '-' (Tabell 6's statements): neutralised in the
    file, read back unchanged by every step (ipseval.common.io.read_result_csv)."""
    from ipseval.common.io import read_result_csv, write_csv

    frame = pd.DataFrame({"row": ["- att deltagarna får stöd", "-", "'plain", *FORMULAS[:-1]]})
    write_csv(frame, tmp_path / "t.csv")
    assert pd.read_csv(tmp_path / "t.csv")["row"].iloc[1] == "'-"
    back = read_result_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert back["row"].tolist() == frame["row"].tolist()


def test_the_workbook_is_byte_stable(tmp_path: Path) -> None:
    """The same tables give the same tables.xlsx bytes whenever they are written, so that a
    crate's rerun.sh remakes it exactly (openpyxl stamps the time into docProps/core.xml and
    every zip entry)."""
    import time

    from ipseval.publication.workbook import write_workbook

    csv_file = tmp_path / "t.csv"
    csv_file.write_text("a,b\n1,x\n2,y\n", encoding="utf-8")
    write_workbook({"t": csv_file}, tmp_path / "one.xlsx")
    time.sleep(2.1)  # past the zip format's two-second time resolution
    write_workbook({"t": csv_file}, tmp_path / "two.xlsx")
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "two.xlsx").read_bytes()
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "two.xlsx")
    assert [list(r) for r in book["t"].iter_rows(values_only=True)] == [
        ["a", "b"],
        [1, "x"],
        [2, "y"],
    ]
