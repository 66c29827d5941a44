"""Snakemake entry point: fit one outcome x specification (all logic in ipseval.models.fits)."""

import sys
import traceback
from pathlib import Path

from ipseval.common.io import read_result_csv
from ipseval.data.codebook import load_codebook
from ipseval.data.derive import level_orders, read_participants
from ipseval.models.design import ModelSpecError, Specification, build_design, drop_checked
from ipseval.models.fits import Settings, fit_outcome_spec, write_results

sm = snakemake  # noqa: F821 - injected by Snakemake
outcome, spec_name = sm.wildcards.outcome, sm.wildcards.spec
model = sm.params.model
check = read_result_csv(sm.input.check, keep_default_na=False)
order = drop_checked(model["order"], check, "specification", spec_name, outcome)
models_cfg = {"predictors": model["predictors"], "specifications": {spec_name: order}}
try:
    cb = load_codebook(sm.input.codebook)
    design = build_design(
        read_participants(sm.input.participants, cb),
        outcome,
        Specification.from_config(spec_name, models_cfg),
        level_orders(cb),
        restrict=model["settings"].get("restrict"),
    )
    results = fit_outcome_spec(design, Settings.from_config(model["settings"]), sm.params.truth)
except ModelSpecError as err:
    message = f"ipseval model_fit: {err}\n"
    Path(sm.log[0]).write_text(message, encoding="utf-8")
    sys.stderr.write("\n" + message)
    sys.exit(1)
except Exception:
    Path(sm.log[0]).write_text(traceback.format_exc(), encoding="utf-8")
    raise
title = f"{sm.params.outcome_label} – {spec_name}"
write_results(results, dict(sm.output.items()), sm.params.synthetic, title, sm.params.labels)
