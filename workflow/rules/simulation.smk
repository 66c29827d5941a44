# Simulation study of the estimators: a separate target (`snakemake simulation`), fanned out
# as one job per scenario x chunk of replicates, so it spreads over cores or SLURM nodes.


wildcard_constraints:
    scenario="|".join(SIM["scenarios"]),
    chunk="[0-9]{5}-[0-9]{5}",


rule simulation_chunk:
    input:
        package=code("workflow/scripts/simulation_chunk.py"),
    output:
        estimates=f"{SIM_DIR}/{{scenario}}/replicates_{{chunk}}.csv",
    log:
        f"{RESTRICTED}/logs/simulation_chunk/{{scenario}}_{{chunk}}.log",
    benchmark:
        f"{RESTRICTED}/benchmarks/simulation_chunk/{{scenario}}_{{chunk}}.tsv"
    conda:
        "../../environment.yml"
    params:
        # Everything but the replicate count and chunking: raising `replicates` adds chunks
        # without rerunning the existing ones.
        study=canonical(
            {k: v for k, v in SIM.items() if k not in ("replicates", "chunk_size")}
        ),
        models=simulation_models(),
    script:
        "../scripts/simulation_chunk.py"


rule simulation_summary:
    input:
        package=code("workflow/scripts/simulation_summary.py"),
        estimates=expand(
            f"{SIM_DIR}/{{scenario}}/replicates_{{chunk}}.csv",
            scenario=list(SIM["scenarios"]),
            chunk=SIM_CHUNKS,
        ),
    output:
        summary=f"{SIM_DIR}/summary.csv",
        headline=f"{SIM_DIR}/headline.csv",
        figure=report(
            f"{SIM_DIR}/simulation.png",
            caption="../report/simulation.rst",
            category="7. Simulation study",
        ),
    log:
        f"{RESTRICTED}/logs/simulation_summary.log",
    conda:
        "../../environment.yml"
    params:
        alpha=config["models"]["alpha"],
        type_i_terms=list(SIM["type_i_terms"]),
        labels={k: v["label"] for k, v in sorted(SIM["scenarios"].items())},
    script:
        "../scripts/simulation_summary.py"


rule simulation:
    # The whole study: `make simulation` (or `snakemake --cores N simulation`).
    input:
        rules.simulation_summary.output,
        f"{SIM_DIR}/datapackage.json",
    localrule: True


rule simulation_package:
    # the study's folder is a data package of its own (datapackage.json)
    input:
        package=code("workflow/scripts/data_package.py"),
        estimates=rules.simulation_summary.input.estimates,
        summary=rules.simulation_summary.output.summary,
        headline=rules.simulation_summary.output.headline,
    output:
        descriptor=f"{SIM_DIR}/datapackage.json",
    log:
        f"{RESTRICTED}/logs/simulation_package.log",
    conda:
        "../../environment.yml"
    params:
        meta=package_meta(),
        outcome_labels={},
        extra=[],
    script:
        "../scripts/data_package.py"
