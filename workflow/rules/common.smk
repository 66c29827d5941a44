# Shared helpers: where this run writes, and config values in deterministic form.

import os
import sys

# Shell rules run `python -m ...` with the Python that runs Snakemake (the project venv),
# whether or not the venv is activated.
os.environ["PATH"] = os.pathsep.join(
    [str(Path(sys.executable).parent), os.environ["PATH"]]
)
RUN = config["run_name"]
RESULTS = f"results/{RUN}"
SYNTHETIC = bool(config["data"]["synthetic"])


def outcome_definitions():
    """Outcome name -> positive occupation codes (sorted, so params are deterministic)."""
    return {
        name: sorted(spec["positive"])
        for name, spec in sorted(config["outcomes"].items())
    }


def published_files():
    """The transcribed tables and registries the reproduction depends on."""
    folder = config["data"]["published"]
    return sorted(str(p) for p in Path(folder).glob("*.csv"))
