"""Snakemake entry point: one cell of the specification curve (ipseval.models.multiverse)."""

import sys
from pathlib import Path

from ipseval.common.io import read_result_csv, write_csv
from ipseval.data.codebook import load_codebook
from ipseval.data.derive import level_orders, read_participants
from ipseval.models.design import ModelSpecError, drop_checked
from ipseval.models.multiverse import fit_cell

sm = snakemake  # noqa: F821 - injected by Snakemake
w = sm.wildcards
cell = {
    "outcome": w.mv_outcome,
    "predictor_set": w.pset,
    "sample": w.sample,
    "missing_data": w.missing,
}
cb = load_codebook(sm.input.codebook)
try:
    specs = fit_cell(
        read_participants(sm.input.participants, cb),
        cell,
        sm.params.predictors,
        drop_checked(
            sm.params.order,
            read_result_csv(sm.input.check, keep_default_na=False),
            "multiverse",
            w.pset,
            w.mv_outcome,
            w.sample,
        ),
        sm.params.restrict,
        sm.params.estimators,
        sm.params.models,
        level_orders(cb),
    )
except ModelSpecError as err:
    message = f"ipseval multiverse_cell {cell}: {err}\n"
    Path(sm.log[0]).write_text(message, encoding="utf-8")
    sys.stderr.write("\n" + message)
    sys.exit(1)
write_csv(specs, sm.output.specs)
