# Stage 5: every results folder as a Frictionless data package (datapackage.json beside the
# plain CSVs: a Table Schema per file and the run's metadata).


rule data_package:
    input:
        unpack(main_run_csvs),
        package=PACKAGE,
        codebook=config["data"]["codebook"],
    output:
        descriptor=f"{RESULTS}/datapackage.json",
    log:
        f"{RESULTS}/logs/data_package.log",
    conda:
        "../../environment.yml"
    params:
        meta=package_meta(),
        outcome_labels={k: v["label"] for k, v in sorted(config["outcomes"].items())},
        extra=[f"{RESULTS}/logs/clean_problems.csv"],
    script:
        "../scripts/data_package.py"
