"""Snakemake entry point: one notebook job (ipseval.pipeline.notebook.run_job)."""

from ipseval.pipeline.notebook import run_job

sm = snakemake  # noqa: F821 - injected by Snakemake
out = sm.output
run_job(sm.input.notebook, sm.params.values, out.params, out.ipynb, out.html, sm.log[0])
