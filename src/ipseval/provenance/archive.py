"""Pack one run into a Workflow Run RO-Crate (https://w3id.org/ro/wfrun/workflow/0.5) with the
`rocrate` library: the workflow as run (Snakefile, rules, package, notebooks, config), the
inputs that may travel and the run's public tier (results/<run>/public/) with their SHA-256,
the software pinned in the lock file, who and when, and a `rerun.sh` that reproduces the
results from the unpacked crate.

What may be deposited (docs/deposit.md): the participant-level exports go into a crate only
when the run's data are synthetic, or in a restricted crate made on explicit request
(`make archive-restricted`, which also adds results/<run>/restricted/). Otherwise the crate
names each export with its SHA-256 and holds no copy of it; rerun.sh then needs the user's
own copy and refuses any file whose SHA-256 is not the recorded one."""

from __future__ import annotations

import mimetypes
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rocrate.model.contextentity import ContextEntity
from rocrate.model.person import Person
from rocrate.rocrate import ROCrate

from ipseval import __version__
from ipseval.common.io import sha256
from ipseval.provenance import citation
from ipseval.provenance.runinfo import git_state

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
TIME_STAMPED = re.compile(r"(^|/)(logs|benchmarks)/|(^|/)(index\.html|report\.pdf|SHA256SUMS)$")


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


# Results only an extra target makes (`make excel`, `make pdf`): a crate listing one asks
# for that target too, after the default one.
OPTIONAL_TARGETS = {"tables.xlsx": "excel", "report.pdf": "report_pdf"}


def snakemake_args(configfiles: list[str], outputs: list[str] = ()) -> list[str]:
    """The Snakemake arguments that remake the run's `outputs` from the crate's files."""
    extra = [
        t for name, t in OPTIONAL_TARGETS.items() if any(Path(f).name == name for f in outputs)
    ]
    targets = ["all", *extra] if extra else []
    return ["--forceall", *(f"--configfile={c}" for c in configfiles), *targets]


def rerun_script(
    configfiles: list[str], needed: dict[str, str] | None = None, outputs: list[str] = ()
) -> str:
    """rerun.sh: remake every result from the unpacked crate with the crate's own package;
    `needed` (path -> SHA-256) are the exports the crate does not hold: the user puts their
    own copy at each path, and the script refuses to run on any other file; `outputs`, the
    results the crate lists, decide the targets (`snakemake_args`)."""
    args = snakemake_args(configfiles, outputs)
    checks = ""
    if needed:
        checks = (
            "# This crate holds no participant-level data. Put your own copy of each export\n"
            "# below at its path; a file whose SHA-256 differs from the run's is refused.\n"
            "need() {\n"
            '  if [ ! -f "$1" ]; then\n'
            '    echo "rerun.sh: $1 is not here: this crate holds no microdata; put your own'
            ' copy of the export at $1 (SHA-256 $2)" >&2\n'
            "    exit 1\n"
            "  fi\n"
            "  got=$(python3 -c 'import hashlib, sys; "
            'print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())\' "$1")\n'
            '  if [ "$got" != "$2" ]; then\n'
            '    echo "rerun.sh: $1 is not the file the run used (its SHA-256 is $got; the run'
            ' used $2)" >&2\n'
            "    exit 1\n"
            "  fi\n"
            "}\n" + "".join(f"need {shlex.quote(p)} {h}\n" for p, h in sorted(needed.items()))
        )
    return (
        "#!/bin/sh\n"
        "# Remakes results/ from this crate's workflow, inputs and config, importing the crate's\n"
        "# own copy of the ipseval package (src/). `make run` builds the pinned environment\n"
        "# (.venv, from requirements.lock) on first use; IPSEVAL_VENV=/path/to/venv uses an\n"
        "# existing environment made from the same requirements.lock instead.\n"
        "set -eu\n"
        'cd "$(dirname "$0")"\n' + checks + 'PYTHONPATH="$(pwd)/src${PYTHONPATH:+:$PYTHONPATH}"\n'
        "export PYTHONPATH\n"
        'if [ -n "${IPSEVAL_VENV:-}" ]; then\n'
        f'  "$IPSEVAL_VENV/bin/snakemake" --cores 2 {shlex.join(args)}\n'
        "else\n"
        f"  make run SNAKEMAKE_ARGS={shlex.quote(shlex.join(args))}\n"
        "fi\n"
    )


class ArchiveError(ValueError):
    """A run that cannot be packed as it is (the message says what to change)."""


def outside_inputs(root: Path, paths: Sequence[str]) -> list[str]:
    """The inputs that lie outside the repository `root` (a crate reruns from its own
    folder, so each input needs a place inside it)."""
    out = []
    for p in paths:
        path = Path(p) if Path(p).is_absolute() else root / p
        try:
            path.resolve().relative_to(root.resolve())
        except ValueError:
            out.append(str(p))
    return out


def crate_path(configfile: str) -> str:
    """Where a config file given to the run is stored in the crate: its own path inside the
    project, or config/given/<name> for a file from elsewhere (a path with ../ or /)."""
    rel = Path(configfile)
    if rel.is_absolute() or ".." in rel.parts:
        return f"config/given/{rel.name}"
    return rel.as_posix()


def _file(
    crate: ROCrate, root: Path, rel: str, about: str | None = None, source: Path | None = None
) -> object:
    path = source or root / rel
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
    microdata: list[str] | None = None,
    synthetic: bool = False,
    restricted: bool = False,
) -> Path:
    """Write the crate of run `run_name` as a zip at `out`: its public tier, and the inputs
    but the participant-level exports `microdata` (those only when `synthetic`); with
    `restricted`, the exports and results/<run_name>/restricted/ too (a crate not to be
    published)."""
    root = Path(root).resolve()
    results = f"results/{run_name}"
    tiers = ["public", "restricted"] if restricted else ["public"]
    outputs = [f for tier in tiers for f in _files(root, f"{results}/{tier}")]
    if not outputs:
        raise FileNotFoundError(f"{results}/public/ is empty: run the workflow first")
    carry = synthetic or restricted
    withheld = set() if carry else {str(Path(m)) for m in (microdata or [])}
    # what the crate copies must have a place inside it; a withheld export may be anywhere
    # (rerun.sh asks for it at its path)
    elsewhere = outside_inputs(root, [p for p in input_paths if str(Path(p)) not in withheld])
    if elsewhere:
        raise ArchiveError(
            "ipseval archive: these inputs are not inside the repository, and a crate reruns "
            "only from files inside it: " + ", ".join(elsewhere) + ". Copy each under data/ "
            "(exports) or config/ (codebook), give its path relative to the repository in "
            "the config, and run again (docs/deposit.md)"
        )
    times = [(root / f).stat().st_mtime for f in outputs]
    start = datetime.fromtimestamp(min(times), UTC).isoformat(timespec="seconds")
    end = datetime.fromtimestamp(max(times), UTC).isoformat(timespec="seconds")
    commit, _ = git_state(root)  # "unknown" outside a git checkout

    crate = ROCrate(version="1.1")
    crate.metadata.extra_terms["sha256"] = "http://schema.org/sha256"  # not in the 1.1 context
    crate.name = f"ipseval run '{run_name}'" + (
        " (RESTRICTED: participant-level data, not for publication)" if restricted else ""
    )
    held = (
        "its participant-level data and restricted results (not for publication)"
        if restricted
        else "the synthetic exports"
        if synthetic
        else "no participant-level data (each export is named with its SHA-256)"
    )
    crate.description = (
        f"Workflow, configuration, codebook, published tables and public results of the "
        f"ipseval run '{run_name}' (ipseval {__version__}, commit {commit}), with {held}. "
        "Cite as: " + citation.software(root / "CITATION.cff")
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
    paths = sorted({str(Path(p)) for p in input_paths})
    inputs = [entity(f, "input") for p in paths if p not in withheld for f in _files(root, p)]
    needed = {p: sha256(root / p) for p in paths if p in withheld}
    for p, digest in needed.items():  # named and checksummed, not copied
        inputs.append(
            crate.add(
                ContextEntity(
                    crate,
                    f"#withheld-{re.sub(r'[^A-Za-z0-9._-]', '-', p)}",
                    properties={
                        "@type": "CreativeWork",
                        "name": p,
                        "sha256": digest,
                        "description": "input not in this crate: participant-level data; "
                        "rerun.sh needs your own copy at this path, with this SHA-256",
                    },
                )
            )
        )
    config_files = [
        crate.get(crate_path(c)) or _file(crate, root, crate_path(c), source=(root / c).resolve())
        for c in configfiles
    ]
    configfiles = [crate_path(c) for c in configfiles]
    results_entities = [entity(f) for f in outputs]
    scratch = Path(tempfile.mkdtemp())
    script = scratch / "rerun.sh"
    script.write_text(rerun_script(configfiles, needed, outputs), encoding="utf-8")
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
            "description": "snakemake --cores 2 "
            + shlex.join(snakemake_args(configfiles, outputs)),
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
