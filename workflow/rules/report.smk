# Stage 4: the assembled report, one self-contained HTML page (and a PDF on request).


rule report_tables:
    input:
        **report_table_inputs(),
        package=code("workflow/scripts/report_tables.py"),
        codebook=config["data"]["codebook"],
        participants=rules.clean.output.participants,
        accounting=rules.clean.output.accounting,
        excluded=rules.clean.output.excluded,
        summaries=rules.models_collect.output.summaries,
        coefficients=rules.models_collect.output.coefficients,
        statistics=rules.models_collect.output.statistics,
        truth=rules.models_collect.output.truth,
    output:
        **report_table_outputs(),
        findings=f"{PUBLIC}/findings.csv",
        estimates=f"{PUBLIC}/estimates.csv",
        variation=f"{PUBLIC}/variation.csv",
        model_samples=f"{PUBLIC}/model_samples.csv",
        disclosure=f"{PUBLIC}/disclosure.csv",
        participant_tables=f"{PUBLIC}/participant_tables.csv",
        outcome_rates=f"{PUBLIC}/outcome_rates.csv",
        cleaning=f"{PUBLIC}/cleaning.csv",
        excluded_reasons=f"{PUBLIC}/excluded_reasons.csv",
        fig_participants=report(
            f"{PUBLIC}/participants.png",
            caption="../report/participants.rst",
            category="4. Participants and outcomes",
        ),
        fig_outcomes=report(
            f"{PUBLIC}/outcomes.png",
            caption="../report/outcomes.rst",
            category="4. Participants and outcomes",
        ),
        fig_models=report(
            f"{PUBLIC}/models.png",
            caption="../report/models.rst",
            category="5. Who got work",
        ),
    log:
        f"{RESTRICTED}/logs/report_tables.log",
    benchmark:
        f"{RESTRICTED}/benchmarks/report_tables.tsv"
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
        package=code("workflow/scripts/report.py"),
        template="src/ipseval/templates/report.html.j2",
        translations="src/ipseval/templates/translations.yaml",
        citation="CITATION.cff",
        lock="requirements.lock",
        benchmarks=report_benchmarks(),
        input_files=report_input_files(),
        participants=rules.clean.output.participants,
        codebook=config["data"]["codebook"],
        unavailable=rules.unavailable.output.table,
        summaries=rules.models_collect.output.summaries,
        coefficients=rules.models_collect.output.coefficients,
    output:
        html=report(
            f"{PUBLIC}/index.html",
            caption="../report/index.rst",
            category="0. Report",
        ),
    log:
        f"{RESTRICTED}/logs/report.log",
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
        pdf=f"{PUBLIC}/report.pdf",
    log:
        f"{RESTRICTED}/logs/report_pdf.log",
    conda:
        "../../environment.yml"
    shell:
        "chromium --headless --no-sandbox --disable-gpu --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--user-data-dir=$(mktemp -d) --no-pdf-header-footer "
        "--print-to-pdf={output.pdf} file://$(realpath {input.html}) > {log} 2>&1"


rule tables_xlsx:
    # The report's (public) tables as one Excel workbook: `make excel` (not in `make run`)
    input:
        **{
            k: v
            for k, v in rules.report_tables.output.items()
            if str(v).endswith(".csv")
        },
        package=code("workflow/scripts/tables_xlsx.py"),
    output:
        xlsx=f"{PUBLIC}/tables.xlsx",
    log:
        f"{RESTRICTED}/logs/tables_xlsx.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/tables_xlsx.py"


rule excel:
    input:
        rules.tables_xlsx.output,
    localrule: True
