"""Snakemake entry point: cell-by-cell check of the published tables
(ipseval.reproduction.reproduce)."""

from ipseval.common.io import read_result_csv, write_csv
from ipseval.reproduction.reproduce import check, summarise

sm = snakemake  # noqa: F821 - injected by Snakemake
result = check(
    read_result_csv(sm.input.programmes),
    read_result_csv(sm.input.participants),
    sm.params.published,
)
write_csv(result, sm.output.check)
write_csv(summarise(result), sm.output.summary)
