# Stage 3: employment-predictor models, one job per outcome x specification, each presented
# by its own papermill notebook.


wildcard_constraints:
    outcome="|".join(MODEL_OUTCOMES),
    spec="|".join(SPECS),


rule model_fit:
    input:
        package=code("workflow/scripts/fit_models.py"),
        participants=rules.clean.output.participants,
        check=rules.check_terms.output.check,
        codebook=config["data"]["codebook"],
    output:
        **model_outputs(for_report=True),
    log:
        f"{RESTRICTED}/logs/model_fit/{{outcome}}_{{spec}}.log",
    benchmark:
        f"{RESTRICTED}/benchmarks/model_fit/{{outcome}}_{{spec}}.tsv"
    # before notebooks and curve cells: fits head the longest chain to the report
    priority: 5
    conda:
        "../../environment.yml"
    params:
        model=lambda w: model_settings(w.spec),
        outcome_label=lambda w: config["outcomes"][w.outcome]["label"],
        labels=predictor_labels(),
        truth=generator_truth(),
        synthetic=SYNTHETIC,
    script:
        "../scripts/fit_models.py"


rule model_notebook:
    input:
        unpack(lambda w: model_outputs(w.outcome, w.spec)),
        package=code("workflow/scripts/run_notebook.py", "notebooks/models.ipynb"),
        notebook="notebooks/models.ipynb",
        # only once the models are known to be fittable: a stopped run leaves no model files
        check=rules.check_terms.output.check,
    output:
        params=f"{RESTRICTED}/models/{{outcome}}/{{spec}}/notebook.params.yaml",
        ipynb=f"{RESTRICTED}/models/{{outcome}}/{{spec}}/notebook.ipynb",
        html=f"{RESTRICTED}/models/{{outcome}}/{{spec}}/notebook.html",
    log:
        f"{RESTRICTED}/logs/model_notebook/{{outcome}}_{{spec}}.log",
    benchmark:
        f"{RESTRICTED}/benchmarks/model_notebook/{{outcome}}_{{spec}}.tsv"
    conda:
        "../../environment.yml"
    params:
        values=lambda w: {
            "run_name": RUN,
            "synthetic": SYNTHETIC,
            "outcome": w.outcome,
            "outcome_label": config["outcomes"][w.outcome]["label"],
            "specification": w.spec,
            "fit_dir": f"{RESTRICTED}/models/{w.outcome}/{w.spec}",
            "estimators": list(config["models"]["estimators"]),
        },
    script:
        "../scripts/run_notebook.py"


rule models_collect:
    input:
        package=code("workflow/scripts/models_collect.py"),
        summaries=expand(
            f"{RESTRICTED}/models/{{outcome}}/{{spec}}/summary.csv",
            outcome=MODEL_OUTCOMES,
            spec=SPECS,
        ),
        coefficients=expand(
            f"{RESTRICTED}/models/{{outcome}}/{{spec}}/coefficients.csv",
            outcome=MODEL_OUTCOMES,
            spec=SPECS,
        ),
        statistics=expand(
            f"{RESTRICTED}/models/{{outcome}}/{{spec}}/fit_statistics.csv",
            outcome=MODEL_OUTCOMES,
            spec=SPECS,
        ),
        truth=expand(
            f"{RESTRICTED}/models/{{outcome}}/{{spec}}/truth.csv",
            outcome=MODEL_OUTCOMES,
            spec=SPECS,
        ),
    output:
        summaries=f"{RESTRICTED}/models/summaries.csv",
        coefficients=f"{RESTRICTED}/models/coefficients.csv",
        statistics=f"{RESTRICTED}/models/fit_statistics.csv",
        truth=f"{RESTRICTED}/models/truth.csv",
    log:
        f"{RESTRICTED}/logs/models_collect.log",
    conda:
        "../../environment.yml"
    params:
        synthetic=SYNTHETIC,
    script:
        "../scripts/models_collect.py"
