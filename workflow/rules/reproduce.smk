# Stage 2: tabulate the published tables from the clean data, check them cell by cell,
# and present them in a papermill-executed notebook. Priority 10: these jobs are short and the
# report needs them, so they run while the model fits are in flight, not at the run's end.


rule reproduction_check:
    input:
        package=code("workflow/scripts/reproduction_check.py"),
        programmes=rules.clean.output.programmes,
        participants=rules.clean.output.participants,
        published=published_files(),
    output:
        check=f"{RESTRICTED}/reproduction/check.csv",
        summary=f"{RESTRICTED}/reproduction/summary.csv",
    log:
        f"{RESTRICTED}/logs/reproduction_check.log",
    benchmark:
        f"{RESTRICTED}/benchmarks/reproduction_check.tsv"
    priority: 10
    conda:
        "../../environment.yml"
    params:
        published=lambda w, input: str(Path(input.published[0]).parent),
        synthetic=SYNTHETIC,
    script:
        "../scripts/reproduction_check.py"


rule reproduction_verdict:
    input:
        package=code("workflow/scripts/reproduction_verdict.py"),
        check=rules.reproduction_check.output.check,
    output:
        verdict=f"{RESTRICTED}/reproduction/verdict.txt",
    log:
        f"{RESTRICTED}/logs/reproduction_verdict.log",
    priority: 10
    conda:
        "../../environment.yml"
    params:
        on_mismatch=config["reproduction"]["on_mismatch"],
    script:
        "../scripts/reproduction_verdict.py"


rule descriptives_notebook:
    input:
        package=code("workflow/scripts/run_notebook.py", "notebooks/descriptives.ipynb"),
        notebook="notebooks/descriptives.ipynb",
        programmes=rules.clean.output.programmes,
        participants=rules.clean.output.participants,
        accounting=rules.clean.output.accounting,
        check=rules.reproduction_check.output.check,
    output:
        params=f"{RESTRICTED}/reproduction/descriptives.params.yaml",
        ipynb=f"{RESTRICTED}/reproduction/descriptives.ipynb",
        html=f"{RESTRICTED}/reproduction/descriptives.html",
    log:
        f"{RESTRICTED}/logs/descriptives_notebook.log",
    benchmark:
        f"{RESTRICTED}/benchmarks/descriptives_notebook.tsv"
    priority: 10
    conda:
        "../../environment.yml"
    params:
        values={
            "run_name": RUN,
            "synthetic": SYNTHETIC,
            "programmes": f"{RESTRICTED}/clean/programmes.csv",
            "participants": f"{RESTRICTED}/clean/participants.csv",
            "accounting": f"{RESTRICTED}/clean/accounting.csv",
            "check": f"{RESTRICTED}/reproduction/check.csv",
            "published": config["data"]["published"],
        },
    script:
        "../scripts/run_notebook.py"
