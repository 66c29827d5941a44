"""Snakemake entry point: the cells of one specification-curve job (ipseval.models.multiverse)."""

import sys
from pathlib import Path

import pandas as pd

from ipseval.common.io import read_result_csv, write_csv
from ipseval.data.codebook import load_codebook
from ipseval.data.derive import level_orders, read_participants
from ipseval.models.design import ModelSpecError, drop_checked
from ipseval.models.multiverse import fit_cell

sm = snakemake  # noqa: F821 - injected by Snakemake
cb = load_codebook(sm.input.codebook)
participants = read_participants(sm.input.participants, cb)
check = read_result_csv(sm.input.check, keep_default_na=False)
specs = []
for job in sm.params.cells:
    cell = job["cell"]
    try:
        specs.append(
            fit_cell(
                participants,
                cell,
                job["predictors"],
                drop_checked(
                    job["order"],
                    check,
                    "multiverse",
                    cell["predictor_set"],
                    cell["outcome"],
                    cell["sample"],
                ),
                job["restrict"],
                sm.params.estimators,
                sm.params.models,
                level_orders(cb),
            )
        )
    except ModelSpecError as err:
        message = f"ipseval multiverse_cells {cell}: {err}\n"
        Path(sm.log[0]).write_text(message, encoding="utf-8")
        sys.stderr.write("\n" + message)
        sys.exit(1)
write_csv(pd.concat(specs, ignore_index=True), sm.output.specs)
