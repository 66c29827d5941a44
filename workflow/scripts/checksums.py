"""Snakemake entry point: SHA256SUMS of the public tier (ipseval.common.io.write_checksums)."""

from ipseval.common.io import write_checksums

sm = snakemake  # noqa: F821 - injected by Snakemake
write_checksums([f for f in sm.input if f not in sm.input.package], sm.output.sums)
