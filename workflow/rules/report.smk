# Stage 4: the assembled report, one self-contained HTML page (and a PDF on request).


rule report_tables:
    input:
        package=PACKAGE,
        codebook=config["data"]["codebook"],
        literature=config["data"]["literature"],
        participants=rules.clean.output.participants,
        check=rules.reproduction_check.output.check,
        summaries=rules.models_collect.output.summaries,
        coefficients=rules.models_collect.output.coefficients,
    output:
        headline=f"{RESULTS}/report/headline.csv",
        findings=f"{RESULTS}/report/findings.csv",
        missingness=f"{RESULTS}/report/missingness.csv",
        participant_tables=f"{RESULTS}/report/participant_tables.csv",
        outcomes_by_time=f"{RESULTS}/report/outcomes_by_time.csv",
        fig_participants=report(
            f"{RESULTS}/report/participants.png",
            caption="../report/participants.rst",
            category="4. Participants and outcomes",
        ),
        fig_outcomes_time=report(
            f"{RESULTS}/report/outcomes_by_time.png",
            caption="../report/outcomes_by_time.rst",
            category="4. Participants and outcomes",
        ),
        fig_context=report(
            f"{RESULTS}/report/context.png",
            caption="../report/context.rst",
            category="6. In context",
        ),
    log:
        f"{RESULTS}/logs/report_tables.log",
    benchmark:
        f"{RESULTS}/benchmarks/report_tables.tsv"
    conda:
        "../../environment.yml"
    params:
        synthetic=SYNTHETIC,
        threshold=config["report"]["disclosure_threshold"],
        language=config["report"]["language"],
        predictors=canonical(config["models"]["predictors"]),
        programme_level_estimator=config["models"]["programme_level_estimator"],
        outcomes=list(config["models"]["outcomes"]),
        outcome_labels={k: v["label"] for k, v in sorted(config["outcomes"].items())},
    script:
        "../scripts/report_tables.py"


rule report:
    input:
        **dict(rules.report_tables.output.items()),
        **simulation_for_report(),
        **multiverse_for_report(),
        package=PACKAGE,
        template="src/ipseval/templates/report.html.j2",
        translations="src/ipseval/templates/translations.yaml",
        participants=rules.clean.output.participants,
        accounting=rules.clean.output.accounting,
        excluded=rules.clean.output.excluded,
        check=rules.reproduction_check.output.check,
        verdict=rules.reproduction_verdict.output.verdict,
        descriptives=rules.descriptives_notebook.output.html,
        summaries=rules.models_collect.output.summaries,
        coefficients=rules.models_collect.output.coefficients,
        notebooks=expand(
            f"{RESULTS}/models/{{outcome}}/{{spec}}/notebook.html",
            outcome=MODEL_OUTCOMES,
            spec=SPECS,
        ),
        literature=config["data"]["literature"],
    output:
        html=report(
            f"{RESULTS}/report/index.html",
            caption="../report/index.rst",
            category="0. Report",
        ),
    log:
        f"{RESULTS}/logs/report.log",
    conda:
        "../../environment.yml"
    params:
        run_name=RUN,
        synthetic=SYNTHETIC,
        threshold=config["report"]["disclosure_threshold"],
        language=config["report"]["language"],
        published=config["data"]["published"],
        lock="requirements.lock",
        outcomes=canonical(config["outcomes"]),
        model_outcomes=list(config["models"]["outcomes"]),
        specifications=SPECS,
        models=canonical(config["models"]),
        config=canonical(config),
        input_files=report_input_files(),
    script:
        "../scripts/report.py"


rule report_pdf:
    input:
        html=rules.report.output.html,
    output:
        pdf=f"{RESULTS}/report/report.pdf",
    log:
        f"{RESULTS}/logs/report_pdf.log",
    conda:
        "../../environment.yml"
    shell:
        "chromium --headless --no-sandbox --disable-gpu --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--user-data-dir=$(mktemp -d) --no-pdf-header-footer "
        "--print-to-pdf={output.pdf} file://$(realpath {input.html}) > {log} 2>&1"
