"""Snakemake entry point: pack the run into a Workflow Run RO-Crate
(ipseval.provenance.archive.build)."""

import sys
from pathlib import Path

from ipseval.provenance.archive import ArchiveError, build

sm = snakemake  # noqa: F821 - injected by Snakemake
try:
    out = build(
        Path.cwd(),
        sm.params.run_name,
        list(sm.params.configfiles),
        list(sm.params.inputs),
        sm.output[0],
        microdata=list(sm.params.microdata),
        synthetic=bool(sm.params.synthetic),
        restricted=bool(sm.params.restricted),
    )
except ArchiveError as err:  # a user's choice to change, not a bug: one message
    sys.stderr.write(f"{err}\n")
    sys.exit(1)
Path(sm.log[0]).parent.mkdir(parents=True, exist_ok=True)
Path(sm.log[0]).write_text(f"wrote {out} ({out.stat().st_size} bytes)\n", encoding="utf-8")
if sm.params.restricted:
    print(
        f"ipseval: the run's RESTRICTED crate is {out.resolve()}: it holds participant-level "
        "data. Do NOT publish it; keep it where the microdata may be kept (docs/deposit.md)."
    )
else:
    print(f"ipseval: the run's crate is {out.resolve()}: upload this file to deposit the run.")
