"""Snakemake entry point: the programme stage of one outcome (ipseval.models.programme_stage)."""

from ipseval.models.programme_stage import write_outcome

sm = snakemake  # noqa: F821 - injected by Snakemake
write_outcome(
    dict(sm.input.items()), sm.params.settings, sm.wildcards.compared, dict(sm.output.items())
)
