"""Make papermill-executed notebooks byte-stable and render them to HTML without their code."""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
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


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: finalise IPYNB HTML."""
    ap = argparse.ArgumentParser(description="Normalise an executed notebook and render HTML.")
    ap.add_argument("ipynb")
    ap.add_argument("html")
    args = ap.parse_args(argv)
    finalise(args.ipynb, args.html)


if __name__ == "__main__":
    main()
