"""Every command the README and docs show is run by a test, or marked in the text as an
illustration with the reason (issue 24): a document cannot promise what the code does not
do. A block marked `<!-- runs -->` is run here, verbatim, in the session's copy of the
repository; docs/own-data.md's blocks, which change the example, run in a copy of their own
(tests/test_any_data.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from support import ROOT, command_blocks

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [b for doc in DOCS for b in command_blocks(doc)]
RUN_HERE = [b for b in BLOCKS if b["marker"] == "runs" and b["file"] != "own-data.md"]


def test_every_command_block_is_run_or_an_illustration() -> None:
    assert len(BLOCKS) >= 15
    unmarked = [f"{b['file']}:{b['line']}" for b in BLOCKS if not b["marker"]]
    assert not unmarked, f"mark each with <!-- runs --> or <!-- illustration: why -->: {unmarked}"
    vague = [
        f"{b['file']}:{b['line']}"
        for b in BLOCKS
        if b["marker"] == "illustration" and len(str(b["reason"])) < 20
    ]
    assert not vague, f"an illustration says why it is not run here: {vague}"


def test_the_guide_for_own_data_runs_every_block() -> None:
    blocks = [b for b in BLOCKS if b["file"] == "own-data.md"]
    assert blocks and all(b["marker"] == "runs" for b in blocks)


def test_configfile_is_written_with_its_equals_sign() -> None:
    """Snakemake's --configfile takes several files: `--configfile FILE target` reads the
    target as a config file. Every command the docs show writes `--configfile=FILE`."""
    bad = [
        f"{b['file']}:{b['line']}: {c}"
        for b in BLOCKS
        for c in b["commands"]
        if "--configfile " in str(c)
    ]
    assert not bad, bad


@pytest.mark.e2e
@pytest.mark.parametrize("block", RUN_HERE, ids=lambda b: f"{b['file']}:{b['line']}")
def test_a_documented_command_runs_as_written(typed, default_run: Path, block: dict) -> None:
    for command in block["commands"]:
        r = typed(str(command))
        assert r.returncode == 0, (command, r.output[-3000:])
        assert "Traceback" not in r.output, (command, r.output[-3000:])


def test_the_docs_timing_tables_are_the_benchmarks_own_rendering() -> None:
    """README.md's and docs/benchmarks.md's run timings are rendered from the CSV that
    benchmarks/bench_workflow.py wrote (the CSV each block names), never typed."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_workflow

    for doc in bench_workflow.DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert bench_workflow.BLOCK.search(text), f"{doc}: no timing block"
        assert bench_workflow.rendered_docs(text) == text, (
            f"{doc}: a timing table differs from its CSV; run "
            "`.venv/bin/python benchmarks/bench_workflow.py --docs`"
        )
