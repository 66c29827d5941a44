# Shared helpers: where this run writes, and config values in deterministic form.

import sys

# the Python that runs Snakemake (the project venv): tools are run as modules of it
PY = sys.executable
RUN = config["run_name"]
RESULTS = f"results/{RUN}"
SYNTHETIC = bool(config["data"]["synthetic"])


def outcome_definitions():
    """Outcome name -> positive occupation codes (sorted, so params are deterministic)."""
    return {
        name: sorted(spec["positive"]) for name, spec in sorted(config["outcomes"].items())
    }


def published_files():
    """The transcribed tables and registries the reproduction depends on."""
    folder = config["data"]["published"]
    return sorted(str(p) for p in Path(folder).glob("*.csv"))
