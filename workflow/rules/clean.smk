# Stage 1: read the raw exports through the codebook, validate, derive analysis variables.


rule clean:
    input:
        package=PACKAGE,
        programmes=config["data"]["programmes"],
        coach_forms=config["data"]["coach_forms"],
        codebook=config["data"]["codebook"],
    output:
        programmes=f"{RESULTS}/clean/programmes.csv",
        participants=f"{RESULTS}/clean/participants.csv",
        excluded=f"{RESULTS}/clean/excluded_rows.csv",
        accounting=f"{RESULTS}/clean/accounting.csv",
    log:
        problems=f"{RESULTS}/logs/clean_problems.csv",
    benchmark:
        f"{RESULTS}/benchmarks/clean.tsv"
    conda:
        "../../environment.yml"
    params:
        on_invalid=config["cleaning"]["on_invalid"],
        survey_month=config["survey_month"],
        outcomes=outcome_definitions(),
        synthetic=SYNTHETIC,
    script:
        "../scripts/clean.py"
