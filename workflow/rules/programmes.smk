# Stage 3b: programmes compared fairly (case-mix-adjusted funnel and caterpillar), practice
# and outcome, and the participants who had left (ipseval.models.programme_stage), one job
# per outcome; then collected and presented by its own papermill notebook.


rule programme_outcome:
    input:
        package=code("workflow/scripts/programme_outcome.py"),
        participants=rules.clean.output.participants,
        check=rules.check_terms.output.check,
        codebook=config["data"]["codebook"],
        programmes=rules.clean.output.programmes,
    output:
        **programme_outputs("{compared}"),
    log:
        f"{RESTRICTED}/logs/programme_outcome/{{compared}}.log",
    benchmark:
        f"{RESTRICTED}/benchmarks/programme_outcome/{{compared}}.tsv"
    # its own wildcard: the outcomes compared need not be the models' (global constraint)
    wildcard_constraints:
        compared="|".join(PC_OUTCOMES) or "(?!)",
    conda:
        "../../environment.yml"
    params:
        settings=programme_settings(),
    script:
        "../scripts/programme_outcome.py"


rule programme_collect:
    input:
        package=code("workflow/scripts/programme_collect.py"),
        tables=expand(
            f"{PC_DIR}/{{outcome}}/{{table}}.csv", outcome=PC_OUTCOMES, table=PC_TABLES
        ),
        participants=rules.clean.output.participants,
        codebook=config["data"]["codebook"],
        programmes=rules.clean.output.programmes,
    output:
        **{t: f"{PC_DIR}/{t}.csv" for t in [*PC_TABLES, "flow"]},
    log:
        f"{RESTRICTED}/logs/programme_collect.log",
    conda:
        "../../environment.yml"
    params:
        settings=programme_settings(),
        outcomes=PC_OUTCOMES,
        tables=PC_TABLES,
    script:
        "../scripts/programme_collect.py"


rule programme_notebook:
    input:
        **dict(rules.programme_collect.output.items()),
        package=code("workflow/scripts/run_notebook.py", "notebooks/programmes.ipynb"),
        notebook="notebooks/programmes.ipynb",
    output:
        params=f"{PC_DIR}/notebook.params.yaml",
        ipynb=f"{PC_DIR}/notebook.ipynb",
        html=f"{PC_DIR}/notebook.html",
    log:
        f"{RESTRICTED}/logs/programme_notebook.log",
    conda:
        "../../environment.yml"
    params:
        values=lambda w: {
            "run_name": RUN,
            "synthetic": SYNTHETIC,
            "tables_dir": PC_DIR,
            "outcome_labels": {o: config["outcomes"][o]["label"] for o in PC_OUTCOMES},
            "threshold": config["report"]["disclosure_threshold"],
        },
    script:
        "../scripts/run_notebook.py"
