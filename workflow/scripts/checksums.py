"""Snakemake entry point: SHA256SUMS of the public tier (ipseval.io.write_checksums)."""

from ipseval.io import write_checksums

sm = snakemake  # noqa: F821 - injected by Snakemake
write_checksums([f for f in sm.input if f not in sm.input.package], sm.output.sums)
