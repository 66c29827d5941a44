"""Run a notebook with papermill, make it byte-stable and render it to HTML without its code,
all in one process (one interpreter start per notebook job, not two)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import nbformat
import papermill
import yaml
from nbconvert import HTMLExporter

from ipseval.common.io import write_atomic

_VOLATILE_CELL_KEYS = ("execution", "papermill")
_VOLATILE_NB_KEYS = ("papermill",)


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop timestamps and durations, and give cells stable ids."""
    for key in _VOLATILE_NB_KEYS:
        nb.metadata.pop(key, None)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if cell.get("cell_type") == "code":
            cell["execution_count"] = None
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = None
    return nb


def finalise(ipynb: str | Path, html: str | Path) -> None:
    """Normalise an executed notebook in place and write its HTML rendering."""
    nb = nbformat.read(str(ipynb), as_version=4)
    nb = normalise(nb)
    write_atomic(ipynb, (nbformat.writes(nb) + "\n").encode("utf-8"))
    # a document for readers: outputs only (the .ipynb keeps the code for those who run it)
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nb)
    write_atomic(html, body.encode("utf-8"))


def run(notebook: str | Path, ipynb: str | Path, html: str | Path, params: str | Path) -> None:
    """Execute `notebook` with the parameters in the YAML file `params` (papermill, cell output
    logged), then normalise the executed copy `ipynb` and render `html`."""
    parameters = yaml.safe_load(Path(params).read_text(encoding="utf-8")) or {}
    papermill.execute_notebook(
        str(notebook),
        str(ipynb),
        parameters=parameters,
        cwd=".",
        progress_bar=False,
        log_output=True,
    )
    finalise(ipynb, html)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: NOTEBOOK IPYNB HTML -f PARAMS."""
    ap = argparse.ArgumentParser(
        description="Execute a notebook with papermill, normalise it and render HTML."
    )
    ap.add_argument("notebook")
    ap.add_argument("ipynb")
    ap.add_argument("html")
    ap.add_argument("-f", "--parameters-file", required=True)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # as papermill's own CLI
    run(args.notebook, args.ipynb, args.html, args.parameters_file)


if __name__ == "__main__":
    main()
