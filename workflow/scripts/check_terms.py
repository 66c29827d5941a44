"""Snakemake entry point: check every model's predictors on the clean data
(ipseval.models.design.check_terms); stop with one message, or record what will be dropped."""

import sys
from pathlib import Path

from ipseval.common.io import write_csv
from ipseval.data.codebook import load_codebook
from ipseval.data.derive import level_orders, read_participants
from ipseval.models.design import check_terms, describe_term_problems

sm = snakemake  # noqa: F821 - injected by Snakemake
cb = load_codebook(sm.input.codebook)
table = check_terms(
    read_participants(sm.input.participants, cb), sm.params.designs, level_orders(cb)
)
outcome_problems = (table["predictor"] == "").any()
if len(table) and (sm.params.policy == "stop" or outcome_problems):
    message = "ipseval check_terms: " + describe_term_problems(table, sm.params.policy) + "\n"
    Path(sm.log[0]).write_text(message, encoding="utf-8")
    sys.stderr.write("\n" + message)
    sys.exit(1)
write_csv(table.assign(action="dropped"), sm.output.check)
