"""Snakemake entry point: the programme stage's tables, collected (models.programme_stage)."""

from ipseval.models.programme_stage import write_collected

sm = snakemake  # noqa: F821 - injected by Snakemake
write_collected(dict(sm.input.items()), sm.params.settings, dict(sm.output.items()))
