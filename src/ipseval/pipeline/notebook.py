"""Run a notebook with papermill, make it byte-stable and render it to HTML without its code,
all in one process (one interpreter start per notebook job, not two)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
import papermill
import yaml
from jupyter_client.manager import AsyncKernelManager
from nbconvert import HTMLExporter
from traitlets import CaselessStrEnum

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


def kernel_manager_in(folder: str | Path) -> type[AsyncKernelManager]:
    """A kernel manager whose kernel talks over Unix sockets in `folder`, not TCP ports.

    jupyter_client picks a kernel's TCP ports by asking the system for free ones and
    releasing them before the kernel binds them, so kernels started at the same moment can
    be handed the same port and one of them dies. Over sockets named inside a folder private
    to the job, two notebook jobs cannot collide, and the local profile needs no cap on
    concurrent notebooks. (The folder path is short: a socket path has a limit of about
    100 bytes, which the default location under the Jupyter runtime folder can exceed.)
    """

    class _SocketKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        def _ip_default(self) -> str:
            return os.path.join(str(folder), "kernel")

    return _SocketKernelManager


def run(notebook: str | Path, ipynb: str | Path, html: str | Path, params: str | Path) -> None:
    """Execute `notebook` with the parameters in the YAML file `params` (papermill, cell output
    logged; the kernel on private Unix sockets), then normalise the executed copy `ipynb`
    and render `html`."""
    parameters = yaml.safe_load(Path(params).read_text(encoding="utf-8")) or {}
    with tempfile.TemporaryDirectory(prefix="ipseval-kernel-") as sockets:
        papermill.execute_notebook(
            str(notebook),
            str(ipynb),
            parameters=parameters,
            cwd=".",
            progress_bar=False,
            log_output=True,
            kernel_manager_class=kernel_manager_in(sockets),
        )
    finalise(ipynb, html)


def write_parameters(values: Mapping[str, Any], path: str | Path) -> None:
    """Write a notebook's parameters as the YAML file papermill's `-f` reads."""
    text = yaml.safe_dump(dict(values), sort_keys=True, allow_unicode=True)
    write_atomic(path, text.encode("utf-8"))


def run_job(
    notebook: str | Path,
    values: Mapping[str, Any],
    params: str | Path,
    ipynb: str | Path,
    html: str | Path,
    log: str | Path,
) -> None:
    """One notebook job, as the whole of a job's process: write the parameters file `params`
    (kept, so that anyone can rerun the notebook by hand with `papermill -f`), execute,
    normalise, render. From the start, the process's stdout and stderr are `log`, at the
    descriptor level, as a shell rule's `> log 2>&1` makes them: the cells' output, the
    kernel's (it inherits them) and whatever is logged while the process shuts down all go
    there, never to the terminal. One interpreter per notebook, and no job for its
    parameters."""
    write_parameters(values, params)
    sys.stdout.flush()
    sys.stderr.flush()
    out = open(log, "w", encoding="utf-8")  # noqa: SIM115 - open until the process ends
    os.dup2(out.fileno(), 1)
    os.dup2(out.fileno(), 2)
    handler = logging.StreamHandler(out)  # flushed after every record
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    run(notebook, ipynb, html, params)
    out.flush()


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
