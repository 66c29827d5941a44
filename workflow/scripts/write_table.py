"""Snakemake entry point: write a rule's params.rows as a CSV table."""

import pandas as pd

from ipseval.common.io import write_csv

sm = snakemake  # noqa: F821 - injected by Snakemake
frame = pd.DataFrame(list(sm.params.rows), columns=list(sm.params.columns))
write_csv(frame, sm.output.table)
