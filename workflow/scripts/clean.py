"""Snakemake entry point for the clean stage (all logic is in ipseval.clean)."""

import sys

from ipseval.clean import clean
from ipseval.codebook import load_codebook
from ipseval.io import write_csv
from ipseval.problems import InputError, write_problems

sm = snakemake  # noqa: F821 - injected by Snakemake
try:
    result = clean(
        sm.input.programmes,
        sm.input.coach_forms,
        load_codebook(sm.input.codebook),
        sm.params.outcomes,
        sm.params.survey_month,
        on_invalid=sm.params.on_invalid,
    )
except InputError as err:
    write_problems(err.problems, sm.log.problems)
    sys.stderr.write(f"\nipseval clean: {err}\nAll problems: {sm.log.problems}\n")
    sys.exit(1)

write_problems(result.problems, sm.log.problems)
syn = sm.params.synthetic
write_csv(result.programmes, sm.output.programmes, syn)
write_csv(result.participants, sm.output.participants, syn)
write_csv(result.excluded, sm.output.excluded, syn)
write_csv(result.accounting, sm.output.accounting, syn)
