"""Snakemake entry point: the report's tables as one workbook (ipseval.publication.workbook)."""

from ipseval.publication.workbook import write_workbook

sm = snakemake  # noqa: F821 - injected by Snakemake
tables = {k: v for k, v in sm.input.items() if str(v).endswith(".csv")}
write_workbook(tables, sm.output.xlsx)
