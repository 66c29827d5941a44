# ipseval: Snakemake workflow reproducing and extending Socialstyrelsen's evaluation of the
# 2011-2013 IPS trials (artikelnummer 2013-12-19). Stages live in workflow/rules/.
import os
from pathlib import Path

from snakemake.utils import min_version, validate

from ipseval.design import check_models_config
from ipseval.plan import cells, check_config, chunks

min_version("9.0")

# One BLAS thread per job (unless the caller set one): Snakemake already runs jobs in parallel,
# and OpenBLAS threads on these small matrices fight those jobs for the cores. Measured here: a
# model fit with two BLAS threads took 40 s beside another job, 4.8 s with one.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")
check_models_config(config)
check_config(config)


envvars:
    "PATH",


include: "workflow/rules/common.smk"
include: "workflow/rules/clean.smk"
include: "workflow/rules/reproduce.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/simulation.smk"
include: "workflow/rules/multiverse.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/compare.smk"


rule all:
    default_target: True
    input:
        rules.clean.output,
        rules.reproduction_verdict.output,
        rules.descriptives_notebook.output,
        rules.models_collect.output,
        rules.report.output,
        rules.run_config.output,
        expand(rules.multiverse_curve.output, grid="default"),
        expand(
            rules.model_notebook.output,
            outcome=MODEL_OUTCOMES,
            spec=SPECS,
        ),
    localrule: True


onsuccess:
    report_page = Path(RESULTS, "report", "index.html")
    print(f"ipseval: run '{RUN}' done.")
    if report_page.exists():
        where = f"ipseval: the report is {report_page.resolve()}"
        print(where)
        Path(".snakemake").mkdir(exist_ok=True)
        Path(".snakemake/ipseval-last-report").write_text(
            where + "\n", encoding="utf-8"
        )
