"""Pack one run into a Workflow Run RO-Crate (https://w3id.org/ro/wfrun/workflow/0.5) with the
`rocrate` library: the workflow as run (Snakefile, rules, package, notebooks, config), every
input and output with its SHA-256, the software pinned in the lock file, who and when, and a
`rerun.sh` that reproduces the results from the unpacked crate."""

from __future__ import annotations

import mimetypes
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from rocrate.model.contextentity import ContextEntity
from rocrate.model.person import Person
from rocrate.rocrate import ROCrate

from . import __version__, citation
from .io import sha256
from .report.provenance import git_state

# What a re-run needs besides the inputs: the workflow, the package, the environment's pins.
WORKFLOW_FILES = (
    "Snakefile",
    "Makefile",
    "pyproject.toml",
    "requirements.lock",
    "environment.yml",
    "README.md",
    "LICENSE",
    "CITATION.cff",
    "CHANGELOG.md",
)
WORKFLOW_DIRS = ("workflow", "src/ipseval", "notebooks", "config", "profiles", "R")
SKIP = re.compile(r"(__pycache__|\.pyc$|\.egg-info|/\.ipynb_checkpoints)")
PROFILES = {
    "https://w3id.org/ro/wfrun/process/0.5": "Process Run Crate",
    "https://w3id.org/ro/wfrun/workflow/0.5": "Workflow Run Crate",
}
# Outputs that carry the time they were made (the report page and its renderings, the logs
# and benchmarks): recorded with their checksums, but a re-run cannot repeat them exactly.
TIME_STAMPED = re.compile(r"(^|/)(logs|benchmarks)/|(^|/)(index\.html|report\.pdf)$")


def _files(root: Path, rel: str) -> list[str]:
    path = root / rel
    if path.is_file():
        return [rel]
    return sorted(
        str(p.relative_to(root))
        for p in path.rglob("*")
        if p.is_file() and not SKIP.search(str(p.relative_to(root)))
    )


def _operator(root: Path) -> str:
    """Who made the crate: $IPSEVAL_CREATOR, else git's user.name, else the login name."""
    if os.environ.get("IPSEVAL_CREATOR"):
        return os.environ["IPSEVAL_CREATOR"]
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        name = ""
    return name or os.environ.get("USER", "unknown")


def snakemake_args(configfiles: list[str]) -> list[str]:
    """The Snakemake arguments that remake the run from the crate's files."""
    return ["--forceall", *(f"--configfile={c}" for c in configfiles)]


def rerun_script(configfiles: list[str]) -> str:
    """rerun.sh: remake every result from the unpacked crate with the crate's own package."""
    args = snakemake_args(configfiles)
    return (
        "#!/bin/sh\n"
        "# Remakes results/ from this crate's workflow, inputs and config, importing the crate's\n"
        "# own copy of the ipseval package (src/). `make run` builds the pinned environment\n"
        "# (.venv, from requirements.lock) on first use; IPSEVAL_VENV=/path/to/venv uses an\n"
        "# existing environment made from the same requirements.lock instead.\n"
        "set -eu\n"
        'cd "$(dirname "$0")"\n'
        'PYTHONPATH="$(pwd)/src${PYTHONPATH:+:$PYTHONPATH}"\n'
        "export PYTHONPATH\n"
        'if [ -n "${IPSEVAL_VENV:-}" ]; then\n'
        f'  "$IPSEVAL_VENV/bin/snakemake" --cores 2 {shlex.join(args)}\n'
        "else\n"
        f"  make run SNAKEMAKE_ARGS={shlex.quote(shlex.join(args))}\n"
        "fi\n"
    )


def _file(crate: ROCrate, root: Path, rel: str, about: str | None = None) -> object:
    path = root / rel
    props: dict[str, object] = {
        "name": rel,
        "contentSize": str(path.stat().st_size),
        "sha256": sha256(path),
    }
    kind = mimetypes.guess_type(path.name)[0]
    if path.suffix in (".yaml", ".yml", ".smk", ".cff") or path.name in ("Snakefile", "Makefile"):
        kind = "text/plain"
    if kind:
        props["encodingFormat"] = kind
    if path.name == "datapackage.json":
        props["conformsTo"] = {"@id": "https://specs.frictionlessdata.io/data-package/"}
    if about:
        props["description"] = about
    return crate.add_file(path, dest_path=rel, properties=props)


def build(
    root: str | Path,
    run_name: str,
    configfiles: list[str],
    input_paths: list[str],
    out: str | Path,
) -> Path:
    """Write the crate of run `run_name` (results/<run_name>) as a zip at `out`."""
    root = Path(root).resolve()
    results = f"results/{run_name}"
    outputs = _files(root, results)
    times = [(root / f).stat().st_mtime for f in outputs]
    start = datetime.fromtimestamp(min(times), UTC).isoformat(timespec="seconds")
    end = datetime.fromtimestamp(max(times), UTC).isoformat(timespec="seconds")
    commit, _ = git_state(root)  # "unknown" outside a git checkout

    crate = ROCrate(version="1.1")
    crate.metadata.extra_terms["sha256"] = "http://schema.org/sha256"  # not in the 1.1 context
    crate.name = f"ipseval run '{run_name}'"
    crate.description = (
        f"Inputs, workflow, configuration and results of the ipseval run '{run_name}'"
        f" (ipseval {__version__}, commit {commit}). Cite as: "
        + citation.software(root / "CITATION.cff")
    )
    crate.license = "https://spdx.org/licenses/MIT"
    crate.datePublished = end
    for pid, name in PROFILES.items():
        profile = crate.add(
            ContextEntity(crate, pid, properties={"@type": "CreativeWork", "name": name})
        )
        crate.root_dataset.append_to("conformsTo", profile)

    import snakemake

    workflow = crate.add_workflow(
        root / "Snakefile",
        dest_path="Snakefile",
        main=True,
        lang="snakemake",
        lang_version=snakemake.__version__,
        properties={
            "name": "ipseval",
            "version": __version__,
            "identifier": commit,
            "sha256": sha256(root / "Snakefile"),
        },
    )
    requirements = []
    pins = re.findall(
        r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)",
        (root / "requirements.lock").read_text(encoding="utf-8"),
        re.M,
    )
    for name, version in pins:
        requirements.append(
            crate.add(
                ContextEntity(
                    crate,
                    f"https://pypi.org/project/{name}/{version}/",
                    properties={"@type": "SoftwareApplication", "name": name, "version": version},
                )
            )
        )
    workflow["softwareRequirements"] = requirements

    def entity(rel: str, about: str | None = None) -> object:
        return crate.get(rel) or _file(crate, root, rel, about)

    workflow["hasPart"] = [
        entity(rel)
        for top in (*WORKFLOW_FILES, *WORKFLOW_DIRS)
        if (root / top).exists()
        for rel in _files(root, top)
        if rel != "Snakefile"
    ]
    inputs = [entity(f, "input") for p in sorted(set(input_paths)) for f in _files(root, p)]
    config_files = [entity(c) for c in configfiles]
    results_entities = [entity(f) for f in outputs]
    scratch = Path(tempfile.mkdtemp())
    script = scratch / "rerun.sh"
    script.write_text(rerun_script(configfiles), encoding="utf-8")
    script.chmod(0o755)
    crate.add_file(
        script,
        dest_path="rerun.sh",
        properties={
            "name": "rerun.sh",
            "description": "Remakes the results from this crate: sh rerun.sh",
            "encodingFormat": "text/x-shellscript",
        },
    )
    operator = crate.add(Person(crate, "#operator", properties={"name": _operator(root)}))
    crate.add_action(
        workflow,
        identifier=f"#run-{run_name}",
        object=[*inputs, *config_files],
        result=results_entities,
        properties={
            "name": f"ipseval run '{run_name}'",
            "description": "snakemake --cores 2 " + shlex.join(snakemake_args(configfiles)),
            "startTime": start,
            "endTime": end,
            "actionStatus": {"@id": "http://schema.org/CompletedActionStatus"},
            "agent": operator,
        },
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(out.name + ".partial")
    try:
        crate.write_zip(staging)
        os.replace(staging, out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        staging.unlink(missing_ok=True)
    return out
