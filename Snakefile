# ipseval: Snakemake workflow reproducing and extending Socialstyrelsen's evaluation of the
# 2011-2013 IPS trials (artikelnummer 2013-12-19). Stages live in workflow/rules/.
import os
import sys
from pathlib import Path

from snakemake.utils import min_version

from ipseval.pipeline.configuration import ConfigError, prepare
from ipseval.models.plan import cells, chunks

min_version("9.0")

# One BLAS thread per job (unless the caller set one): Snakemake already runs jobs in parallel,
# and OpenBLAS threads on these small matrices fight those jobs for the cores. Measured here: a
# model fit with two BLAS threads took 40 s beside another job, 4.8 s with one.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


configfile: "config/config.yaml"


# Overrides given with --configfile: a null deletes a key (ipseval.pipeline.configuration); then the
# schema, the codebook and what it can support are checked before any job is planned.
# What the --configfile files and --config say themselves (before merging into the defaults).
OVERRIDES = [workflow.config_settings.overwrite_config]
try:
    UNAVAILABLE = prepare(config, "workflow/schemas/config.schema.yaml", OVERRIDES)
except ConfigError as err:
    sys.stderr.write(f"ipseval: the configuration cannot be used:\n{err}\n")
    sys.exit(1)
if "survey_month" not in config:
    sys.stderr.write(
        "ipseval: survey_month is not given: months active is not derived, and the report "
        "says the month is not given.\n"
    )


envvars:
    "PATH",


include: "workflow/rules/common.smk"
include: "workflow/rules/clean.smk"


if REPRODUCE:

    include: "workflow/rules/reproduce.smk"


include: "workflow/rules/models.smk"


if PC:

    include: "workflow/rules/programmes.smk"


if SIM:

    include: "workflow/rules/simulation.smk"


if MV:

    include: "workflow/rules/multiverse.smk"


include: "workflow/rules/report.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/package.smk"


rule all:
    default_target: True
    input:
        rules.clean.output,
        rules.models_collect.output,
        rules.report.output,
        rules.public_package.output,
        rules.restricted_package.output,
        rules.public_checksums.output,
        rules.run_config.output,
        expand(
            rules.model_notebook.output,
            outcome=MODEL_OUTCOMES,
            spec=SPECS,
        ),
        # every fit's own files are results too: requested, so that a missing one (a run
        # killed while writing it) is made again even where later files exist
        [f for o in MODEL_OUTCOMES for s in SPECS for f in model_outputs(o, s).values()],
        reproduction_outputs(),
        multiverse_default_outputs(),
        programme_outputs_for_all(),
    localrule: True


onsuccess:
    report_page = Path(PUBLIC, "index.html")
    print(f"ipseval: run '{RUN}' done.")
    if report_page.exists():
        where = (
            f"ipseval: the report is {report_page.resolve()}\n"
            f"ipseval: publish only {PUBLIC}/; {RESTRICTED}/ holds the microdata and "
            "working files and stays with them (docs/disclosure.md)"
        )
        print(where)
        Path(".snakemake").mkdir(exist_ok=True)
        Path(".snakemake/ipseval-last-report").write_text(
            f"{where}\n", encoding="utf-8"
        )


rule archive:
    # `make archive`: this run as a Workflow Run RO-Crate to deposit (ipseval.provenance.archive): the
    # code, config, codebook and public/; the exports only when they are synthetic
    input:
        rules.all.input,
    output:
        f"results/{RUN}.crate.zip",
    log:
        f"results/logs/archive_{RUN}.log",
    localrule: True
    conda:
        "environment.yml"
    params:
        run_name=RUN,
        configfiles=[os.path.relpath(p) for p in workflow.overwrite_configfiles],
        inputs=[f for f in report_input_files() if f],
        microdata=[config["data"]["coach_forms"], *([PROGRAMMES] if PROGRAMMES else [])],
        synthetic=SYNTHETIC,
        restricted=False,
    script:
        "workflow/scripts/archive.py"


rule archive_restricted:
    # `make archive-restricted`: the same with the exports and restricted/ (NOT for
    # publication: participant-level data; docs/deposit.md)
    input:
        rules.all.input,
    output:
        f"results/{RUN}.restricted.crate.zip",
    log:
        f"results/logs/archive_restricted_{RUN}.log",
    localrule: True
    conda:
        "environment.yml"
    params:
        **{k: v for k, v in rules.archive.params.items() if k != "restricted"},
        restricted=True,
    script:
        "workflow/scripts/archive.py"
