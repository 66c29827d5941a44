# Stage 4: the assembled report, one self-contained HTML page (and a PDF on request).


rule report_tables:
    input:
        **report_table_inputs(),
        package=PACKAGE,
        codebook=config["data"]["codebook"],
        participants=rules.clean.output.participants,
        summaries=rules.models_collect.output.summaries,
        coefficients=rules.models_collect.output.coefficients,
        statistics=rules.models_collect.output.statistics,
        truth=rules.models_collect.output.truth,
    output:
        **report_table_outputs(),
        findings=f"{RESULTS}/report/findings.csv",
        estimates=f"{RESULTS}/report/estimates.csv",
        variation=f"{RESULTS}/report/variation.csv",
        model_samples=f"{RESULTS}/report/model_samples.csv",
        disclosure=f"{RESULTS}/report/disclosure.csv",
        participant_tables=f"{RESULTS}/report/participant_tables.csv",
        outcome_rates=f"{RESULTS}/report/outcome_rates.csv",
        fig_participants=report(
            f"{RESULTS}/report/participants.png",
            caption="../report/participants.rst",
            category="4. Participants and outcomes",
        ),
        fig_outcomes=report(
            f"{RESULTS}/report/outcomes.png",
            caption="../report/outcomes.rst",
            category="4. Participants and outcomes",
        ),
        fig_models=report(
            f"{RESULTS}/report/models.png",
            caption="../report/models.rst",
            category="5. Who got work",
        ),
    log:
        f"{RESULTS}/logs/report_tables.log",
    benchmark:
        f"{RESULTS}/benchmarks/report_tables.tsv"
    conda:
        "../../environment.yml"
    params:
        **report_settings(),
    script:
        "../scripts/report_tables.py"


rule report:
    input:
        **dict(rules.report_tables.output.items()),
        **report_page_inputs(),
        package=PACKAGE,
        template="src/ipseval/templates/report.html.j2",
        translations="src/ipseval/templates/translations.yaml",
        citation="CITATION.cff",
        lock="requirements.lock",
        benchmarks=report_benchmarks(),
        input_files=report_input_files(),
        participants=rules.clean.output.participants,
        codebook=config["data"]["codebook"],
        accounting=rules.clean.output.accounting,
        excluded=rules.clean.output.excluded,
        unavailable=rules.unavailable.output.table,
        summaries=rules.models_collect.output.summaries,
        coefficients=rules.models_collect.output.coefficients,
        notebooks=expand(
            f"{RESULTS}/models/{{outcome}}/{{spec}}/notebook.html",
            outcome=MODEL_OUTCOMES,
            spec=SPECS,
        ),
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
        **report_settings(),
        run_name=RUN,
        model_outcomes=list(config["models"]["outcomes"]),
        models=canonical(in_report_language("models")),
        config=canonical(config),
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


rule tables_xlsx:
    # The report's tables as one Excel workbook: `make excel` (not part of `make run`)
    input:
        **{
            k: v
            for k, v in rules.report_tables.output.items()
            if str(v).endswith(".csv")
        },
        summaries=rules.models_collect.output.summaries,
        coefficients=rules.models_collect.output.coefficients,
        package=PACKAGE,
    output:
        xlsx=f"{RESULTS}/tables.xlsx",
    log:
        f"{RESULTS}/logs/tables_xlsx.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/tables_xlsx.py"


rule excel:
    input:
        rules.tables_xlsx.output,
    localrule: True
