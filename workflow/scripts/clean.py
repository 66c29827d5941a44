"""Snakemake entry point for the clean stage (all logic is in ipseval.data.clean)."""

import sys

from ipseval.data.clean import run

sm = snakemake  # noqa: F821 - injected by Snakemake
outputs, params = dict(sm.output.items()), dict(sm.params.items())
sys.exit(run(dict(sm.input.items()), outputs, sm.log.problems, params))
