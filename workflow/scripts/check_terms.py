"""Snakemake entry point: check every model's predictors on the clean data
(ipseval.design.check_terms); stop with one message, or record what will be dropped."""

import sys
from pathlib import Path

from ipseval.codebook import load_codebook
from ipseval.derive import level_orders
from ipseval.design import check_terms, describe_term_problems
from ipseval.io import read_result_csv, write_csv

sm = snakemake  # noqa: F821 - injected by Snakemake
table = check_terms(
    read_result_csv(sm.input.participants),
    sm.params.designs,
    level_orders(load_codebook(sm.input.codebook)),
)
outcome_problems = (table["predictor"] == "").any()
if len(table) and (sm.params.policy == "stop" or outcome_problems):
    message = "ipseval check_terms: " + describe_term_problems(table, sm.params.policy) + "\n"
    Path(sm.log[0]).write_text(message, encoding="utf-8")
    sys.stderr.write("\n" + message)
    sys.exit(1)
write_csv(table.assign(action="dropped"), sm.output.check)
