# Stage 1: read the raw exports through the codebook, validate, derive analysis variables.


rule clean:
    input:
        unpack(lambda w: {"programmes": PROGRAMMES} if PROGRAMMES else {}),
        package=PACKAGE,
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
        survey_month=config.get("survey_month"),
        outcomes=outcome_definitions(),
        synthetic=SYNTHETIC,
    script:
        "../scripts/clean.py"


rule unavailable:
    # What the codebook could not support and `unavailable: drop` left out (empty otherwise).
    output:
        table=f"{RESULTS}/unavailable.csv",
    log:
        f"{RESULTS}/logs/unavailable.log",
    conda:
        "../../environment.yml"
    params:
        rows=[vars(u) for u in UNAVAILABLE],
        columns=["section", "name", "reason"],
        synthetic=SYNTHETIC,
    script:
        "../scripts/write_table.py"


rule check_terms:
    # Right after cleaning: every predictor of every model the run will fit, checked on the
    # rows that model analyses (absent, empty, constant, reference level missing). `stop`
    # fails here with one message; `drop` records what the model stage will leave out.
    input:
        package=PACKAGE,
        participants=rules.clean.output.participants,
        codebook=config["data"]["codebook"],
    output:
        check=f"{RESULTS}/clean/terms_check.csv",
    log:
        f"{RESULTS}/logs/check_terms.log",
    conda:
        "../../environment.yml"
    params:
        designs=term_check_designs(),
        policy=config.get("unavailable", "stop"),
        synthetic=SYNTHETIC,
    script:
        "../scripts/check_terms.py"
