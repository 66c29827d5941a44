# Specification curve: each job fits `multiverse.cells_per_job` cells (outcome x predictor set
# x sample x missing-data method, fitted with every estimator of the grid) and writes their
# specifications, in cell order. The `default` grid is part of the main run; any other grid is
# a separate target, e.g. `snakemake --cores 2 multiverse_full`.


wildcard_constraints:
    grid="|".join(MV["grids"]),
    chunk=r"\d{3}-\d{3}",


rule multiverse_cells:
    input:
        package=code("workflow/scripts/multiverse_cells.py"),
        participants=rules.clean.output.participants,
        check=rules.check_terms.output.check,
        codebook=config["data"]["codebook"],
    output:
        specs=f"{MV_DIR}/{{grid}}/cells/{{chunk}}.csv",
    log:
        f"{RESTRICTED}/logs/multiverse_cells/{{grid}}/{{chunk}}.log",
    benchmark:
        f"{RESTRICTED}/benchmarks/multiverse_cells/{{grid}}/{{chunk}}.tsv"
    conda:
        "../../environment.yml"
    params:
        cells=lambda w: multiverse_cell_settings(w.grid, w.chunk),
        estimators=lambda w: list(MV["grids"][w.grid]["estimators"]),
        models=multiverse_models(),
        synthetic=SYNTHETIC,
    script:
        "../scripts/multiverse_cells.py"


rule multiverse_curve:
    input:
        package=code("workflow/scripts/multiverse_curve.py"),
        cells=lambda w: multiverse_chunks(w.grid),
    output:
        specifications=f"{MV_DIR}/{{grid}}/specifications.csv",
        summary=f"{MV_DIR}/{{grid}}/summary.csv",
        by_choice=f"{MV_DIR}/{{grid}}/by_choice.csv",
        figure=report(
            f"{MV_DIR}/{{grid}}/curve.png",
            caption="../report/multiverse.rst",
            category="6. Robustness",
            subcategory="{grid}",
        ),
    log:
        f"{RESTRICTED}/logs/multiverse_curve/{{grid}}.log",
    conda:
        "../../environment.yml"
    params:
        focus=list(MV["focus"]),
        alpha=config["models"]["alpha"],
        synthetic=SYNTHETIC,
        language=config["report"]["language"],
        predictors=canonical(in_report_language("models")["predictors"]),
        outcome_labels={
            k: v["label"] for k, v in sorted(in_report_language("outcomes").items())
        },
    script:
        "../scripts/multiverse_curve.py"


rule multiverse_full:
    # The full grid: `make multiverse` (or `snakemake --cores N multiverse_full`).
    input:
        expand(rules.multiverse_curve.output, grid="full"),
        f"{MV_DIR}/full/datapackage.json",
    localrule: True


rule multiverse_package:
    # each grid's folder is a data package of its own (datapackage.json)
    input:
        package=code("workflow/scripts/data_package.py"),
        cells=lambda w: multiverse_chunks(w.grid),
        curve=[
            f"{MV_DIR}/{{grid}}/specifications.csv",
            f"{MV_DIR}/{{grid}}/summary.csv",
            f"{MV_DIR}/{{grid}}/by_choice.csv",
        ],
    output:
        descriptor=f"{MV_DIR}/{{grid}}/datapackage.json",
    log:
        f"{RESTRICTED}/logs/multiverse_package/{{grid}}.log",
    conda:
        "../../environment.yml"
    params:
        meta=package_meta(),
        outcome_labels={},
        extra=[],
    script:
        "../scripts/data_package.py"
