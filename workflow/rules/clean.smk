# Stage 1: read the raw exports through the codebook, validate, derive analysis variables.


rule clean:
    input:
        unpack(lambda w: {"programmes": PROGRAMMES} if PROGRAMMES else {}),
        package=code("workflow/scripts/clean.py"),
        coach_forms=config["data"]["coach_forms"],
        codebook=config["data"]["codebook"],
    output:
        programmes=f"{RESTRICTED}/clean/programmes.csv",
        participants=f"{RESTRICTED}/clean/participants.csv",
        excluded=f"{RESTRICTED}/clean/excluded_rows.csv",
        accounting=f"{RESTRICTED}/clean/accounting.csv",
        # the export's own ids beside their pseudonyms: the only file that holds them
        key=f"{RESTRICTED}/clean/id_key.csv",
    log:
        problems=f"{RESTRICTED}/logs/clean_problems.csv",
    benchmark:
        f"{RESTRICTED}/benchmarks/clean.tsv"
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
    input:
        package=code("workflow/scripts/write_table.py"),
    output:
        table=f"{RESTRICTED}/unavailable.csv",
    log:
        f"{RESTRICTED}/logs/unavailable.log",
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
        package=code("workflow/scripts/check_terms.py"),
        participants=rules.clean.output.participants,
        codebook=config["data"]["codebook"],
    output:
        check=f"{RESTRICTED}/clean/terms_check.csv",
    log:
        f"{RESTRICTED}/logs/check_terms.log",
    conda:
        "../../environment.yml"
    params:
        designs=term_check_designs(),
        policy=config.get("unavailable", "stop"),
        synthetic=SYNTHETIC,
    script:
        "../scripts/check_terms.py"
