"""Snakemake entry point: a tier's datapackage.json (ipseval.publication.datapackage)."""

from pathlib import Path

from ipseval.data.codebook import load_codebook
from ipseval.publication import datapackage

sm = snakemake  # noqa: F821 - injected by Snakemake
files = [f for f in sm.input if str(f).endswith(".csv")]  # flattened: every input file
files += [f for f in sm.params.extra if Path(f).exists()]
descriptor = datapackage.package(
    Path(sm.output.descriptor).parent,
    sorted(set(files)),
    sm.params.meta,
    load_codebook(sm.input.codebook) if sm.input.get("codebook") else None,
    sm.params.outcome_labels,
    tier=sm.params.get("tier", "restricted"),
)
datapackage.write(sm.output.descriptor, descriptor)
