"""Snakemake entry point: render the self-contained report page (ipseval.report.build)."""

from ipseval.common.io import write_atomic
from ipseval.report.assemble import build

sm = snakemake  # noqa: F821 - injected by Snakemake
page = build(sm.input, sm.params)
write_atomic(sm.output.html, page.encode("utf-8"))
