# Reviewers: the configuration as run, and the comparison of two runs.


rule run_config:
    input:
        package=code("workflow/scripts/write_params.py"),
    output:
        params=f"{PUBLIC}/config.yaml",
    log:
        f"{RESTRICTED}/logs/run_config.log",
    conda:
        "../../environment.yml"
    params:
        values=canonical(config),
    script:
        "../scripts/write_params.py"


rule compare_runs:
    # Run both configurations first; then e.g.
    #   snakemake --cores 1 results/comparisons/default/vs/over_6_months/index.html
    input:
        package=code("workflow/scripts/compare_runs.py"),
        config_a="results/{a}/public/config.yaml",
        config_b="results/{b}/public/config.yaml",
        coefficients_a="results/{a}/restricted/models/coefficients.csv",
        coefficients_b="results/{b}/restricted/models/coefficients.csv",
    output:
        html="results/comparisons/{a}/vs/{b}/index.html",
        estimates="results/comparisons/{a}/vs/{b}/estimates.csv",
        config_diff="results/comparisons/{a}/vs/{b}/config_diff.csv",
    log:
        "results/comparisons/{a}/vs/{b}/compare.log",
    wildcard_constraints:
        a="[A-Za-z0-9][A-Za-z0-9_.-]*",
        b="[A-Za-z0-9][A-Za-z0-9_.-]*",
    conda:
        "../../environment.yml"
    script:
        "../scripts/compare_runs.py"
