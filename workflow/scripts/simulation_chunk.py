"""Snakemake entry point: one chunk of simulation replicates (ipseval.synthetic.simstudy)."""

from ipseval.common.io import write_csv
from ipseval.synthetic.simstudy import run_replicates

sm = snakemake  # noqa: F821 - injected by Snakemake
first, last = (int(x) for x in sm.wildcards.chunk.split("-"))
estimates = run_replicates(
    sm.params.study, sm.wildcards.scenario, range(first, last + 1), sm.params.models
)
write_csv(estimates, sm.output.estimates)
