"""The notebook job (ipseval.pipeline.notebook): parameters written beside the notebook, kernels
on private Unix sockets, so that notebook jobs can run at once."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import yaml

from ipseval.pipeline.notebook import kernel_manager_in, run_job


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("label = 'default'\nn = 0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print(f'{label}: {n * n}')")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


def _job(args: tuple[str, int, str]) -> str:
    notebook, k, folder = args
    out = Path(folder)
    run_job(
        notebook,
        {"label": f"job {k}", "n": k},
        out / f"{k}.params.yaml",
        out / f"{k}.ipynb",
        out / f"{k}.html",
        out / f"{k}.log",
    )
    return (out / f"{k}.html").read_text(encoding="utf-8")


def test_a_kernel_talks_over_sockets_in_the_jobs_own_folder(tmp_path: Path) -> None:
    km = kernel_manager_in(tmp_path)()
    assert km.transport == "ipc"  # not TCP: no port to race for
    assert Path(km.ip).parent == tmp_path


def test_notebook_jobs_started_at_once_all_complete_with_their_own_parameters(
    tmp_path: Path,
) -> None:
    notebook = str(_notebook(tmp_path / "square.ipynb"))
    jobs = [(notebook, k, str(tmp_path)) for k in range(2, 6)]
    with ProcessPoolExecutor(max_workers=len(jobs)) as pool:
        pages = list(pool.map(_job, jobs))
    for (_, k, _), page in zip(jobs, pages, strict=True):
        assert f"job {k}: {k * k}" in page
        assert yaml.safe_load((tmp_path / f"{k}.params.yaml").read_text()) == {
            "label": f"job {k}",
            "n": k,
        }
        assert f"job {k}: {k * k}" in (tmp_path / f"{k}.log").read_text()  # the cells' output
        executed = nbformat.read(str(tmp_path / f"{k}.ipynb"), as_version=4)
        assert all(c.get("execution_count") is None for c in executed.cells)  # byte-stable


def test_nothing_a_notebook_job_prints_reaches_the_terminal(tmp_path: Path) -> None:
    # a job's process is run_job's: what it, its kernel, or a late zmq callback logs while the
    # process shuts down goes to the log, as a shell rule's `> log 2>&1` sent it (CI once saw
    # a kernel's zmq traceback on Snakemake's stderr)
    notebook = _notebook(tmp_path / "square.ipynb")
    script = f"""
import logging, os
from ipseval.pipeline.notebook import run_job
run_job({str(notebook)!r}, {{"label": "late", "n": 3}}, {str(tmp_path / "p.yaml")!r},
        {str(tmp_path / "o.ipynb")!r}, {str(tmp_path / "o.html")!r}, {str(tmp_path / "o.log")!r})
logging.getLogger("tornado.application").error("late callback error")
os.write(2, b"late descriptor noise\\n")
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout == "" and r.stderr == "", (r.stdout + r.stderr)[-2000:]
    log = (tmp_path / "o.log").read_text(encoding="utf-8")
    assert "late: 9" in log and "late callback error" in log and "late descriptor noise" in log
