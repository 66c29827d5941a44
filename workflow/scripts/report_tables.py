"""Snakemake entry point: the report's own tables and figures (ipseval.report.write_tables)."""

from ipseval.report.tables import write_tables

sm = snakemake  # noqa: F821 - injected by Snakemake
write_tables(sm.input, sm.params, sm.output)
