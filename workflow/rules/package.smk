# Stage 5: each tier of the run as a Frictionless data package (datapackage.json beside the
# plain CSVs: a Table Schema per file, the run's metadata, and the tier of every resource),
# and the public tier's checksums.


rule public_package:
    # public/: the report's disclosure-controlled tables only
    input:
        tables=[f for f in rules.report_tables.output if f.endswith(".csv")],
        package=code("workflow/scripts/data_package.py"),
    output:
        descriptor=f"{PUBLIC}/datapackage.json",
    log:
        f"{RESTRICTED}/logs/public_package.log",
    conda:
        "../../environment.yml"
    params:
        meta=package_meta(),
        outcome_labels={},
        extra=[],
        tier="public",
    script:
        "../scripts/data_package.py"


rule restricted_package:
    # restricted/: the cleaned microdata, the model frames and every working table
    input:
        unpack(restricted_csvs),
        package=code("workflow/scripts/data_package.py"),
        codebook=config["data"]["codebook"],
    output:
        descriptor=f"{RESTRICTED}/datapackage.json",
    log:
        f"{RESTRICTED}/logs/restricted_package.log",
    conda:
        "../../environment.yml"
    params:
        meta=package_meta(),
        outcome_labels={k: v["label"] for k, v in sorted(config["outcomes"].items())},
        extra=[f"{RESTRICTED}/logs/clean_problems.csv"],
        tier="restricted",
    script:
        "../scripts/data_package.py"


rule public_checksums:
    # SHA-256 of every file of public/ the run makes (sha256sum -c reads it)
    input:
        rules.report.output.html,
        rules.report_tables.output,
        rules.public_package.output.descriptor,
        rules.run_config.output.params,
        package=code("workflow/scripts/checksums.py"),
    output:
        sums=f"{PUBLIC}/SHA256SUMS",
    log:
        f"{RESTRICTED}/logs/public_checksums.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/checksums.py"
