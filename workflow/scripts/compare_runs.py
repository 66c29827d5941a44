"""Snakemake entry point: compare two runs (ipseval.report.compare)."""

from pathlib import Path

import yaml

from ipseval.common.io import read_result_csv, write_atomic, write_csv
from ipseval.report.compare import config_diff, estimate_moves, render

sm = snakemake  # noqa: F821 - injected by Snakemake
configs = [
    yaml.safe_load(Path(p).read_text(encoding="utf-8"))
    for p in (sm.input.config_a, sm.input.config_b)
]
diff = config_diff(*configs)
moves = estimate_moves(
    read_result_csv(sm.input.coefficients_a),
    read_result_csv(sm.input.coefficients_b),
    float(configs[0]["models"]["alpha"]),
)
synthetic = bool(configs[0]["data"]["synthetic"] or configs[1]["data"]["synthetic"])
write_csv(moves, sm.output.estimates)
write_csv(diff, sm.output.config_diff)
page = render(sm.wildcards.a, sm.wildcards.b, diff, moves)
write_atomic(sm.output.html, page.encode("utf-8"))
