"""Snakemake entry point: fail (or warn) when a reproduced cell differs from the report."""

import sys

from ipseval.common.io import write_atomic
from ipseval.reproduction.reproduce import read_check, verdict

sm = snakemake  # noqa: F821 - injected by Snakemake
ok, text = verdict(read_check(sm.input.check), sm.params.on_mismatch)
with open(sm.log[0], "w", encoding="utf-8") as log:
    log.write(text)
if not ok:
    sys.stderr.write(text)
    sys.exit(1)
write_atomic(sm.output.verdict, text.encode("utf-8"))
