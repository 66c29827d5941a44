"""Snakemake entry point: performance measures of the simulation study
(ipseval.synthetic.simstudy)."""

import pandas as pd

from ipseval.common.io import read_result_csv, write_csv
from ipseval.models.figures import simulation_figure
from ipseval.synthetic.simstudy import headline, summarise

sm = snakemake  # noqa: F821 - injected by Snakemake
estimates = pd.concat([read_result_csv(p) for p in sm.input.estimates], ignore_index=True)
summary = summarise(estimates, sm.params.alpha)
write_csv(summary, sm.output.summary)
write_csv(headline(summary, sm.params.type_i_terms), sm.output.headline)
simulation_figure(
    summary, sm.params.type_i_terms, sm.params.labels, sm.params.alpha, sm.output.figure
)
