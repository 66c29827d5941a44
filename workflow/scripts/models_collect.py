"""Snakemake entry point: stack every fit's summary, coefficients, fit statistics and truth
table (ipseval.models.fits.collect)."""

from ipseval.common.io import write_csv
from ipseval.models.results import collect

sm = snakemake  # noqa: F821 - injected by Snakemake
write_csv(collect(list(sm.input.summaries)), sm.output.summaries)
write_csv(collect(list(sm.input.coefficients)), sm.output.coefficients)
write_csv(collect(list(sm.input.statistics)), sm.output.statistics)
write_csv(collect(list(sm.input.truth)), sm.output.truth)
