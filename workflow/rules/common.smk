# Shared helpers: where this run writes, and config values in deterministic form.

import os

import yaml
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


MODEL_OUTCOMES = list(config["models"]["outcomes"])
SPECS = sorted(config["models"]["specifications"])
MODEL_TABLES = (
    "coefficients",
    "fit_statistics",
    "warnings",
    "summary",
    "marginal_effects",
    "predictions",
    "calibration",
    "model_frame",
    "terms",
    "truth",
)
MODEL_FIGURES = ("forest", "predicted", "calibration")


def generator_truth():
    """The synthetic generator's documented truth, or None for real data."""
    path = config["data"].get("generator")
    if not SYNTHETIC or not path:
        return None
    return canonical(yaml.safe_load(Path(path).read_text(encoding="utf-8"))["truth"])


def canonical(value):
    """`value` with every mapping's keys sorted, recursively: params compare by their text,
    so the same config written in another key order must not look like a change."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def model_settings(spec):
    """Everything a fit of specification `spec` depends on, in deterministic form."""
    models = config["models"]
    names = models["specifications"][spec]
    return canonical(
        {
            "predictors": {name: models["predictors"][name] for name in names},
            "order": list(names),
            "settings": {
                key: models[key]
                for key in models
                if key not in ("outcomes", "specifications", "predictors")
            },
        }
    )


def predictor_labels():
    """Predictor name -> label, for figure axes."""
    return {k: v["label"] for k, v in sorted(config["models"]["predictors"].items())}


def model_outputs(outcome="{outcome}", spec="{spec}", for_report=False):
    """Result files of one outcome x specification fit; with `for_report`, the figures are
    marked for `snakemake --report` with their captions."""
    base = f"{RESULTS}/models/{outcome}/{spec}"
    files = {t: f"{base}/{t}.csv" for t in MODEL_TABLES}
    for f in MODEL_FIGURES:
        path = f"{base}/{f}.png"
        if for_report:
            path = report(
                path,
                caption=f"../report/{f}.rst",
                category="5. Predictors of employment",
                subcategory=f"{outcome} / {spec}",
            )
        files[f"{f}_png"] = path
    return files


def report_input_files():
    """Every input file whose checksum the report's provenance lists."""
    data = config["data"]
    files = [
        data["programmes"],
        data["coach_forms"],
        data["codebook"],
        data["literature"],
    ]
    if SYNTHETIC and data.get("generator"):
        files.append(data["generator"])
    return files + published_files() + ["requirements.lock"]


# The package's source files: every rule that runs package code lists them as input, so that
# a change to the statistics reruns the results it produced (Snakemake tracks scripts, not
# the modules they import).
PACKAGE = sorted(str(p) for p in Path("src/ipseval").glob("*.py"))


# Simulation study and specification curve (workflow/rules/{simulation,multiverse}.smk).
SIM = config["simulation"]
SIM_CHUNKS = [
    f"{a:05d}-{b - 1:05d}" for a, b in chunks(SIM["replicates"], SIM["chunk_size"])
]
SIM_DIR = f"{RESULTS}/simulation"


def simulation_models():
    """The parts of `models` a replicate's fit depends on (the simulated predictors only)."""
    models = config["models"]
    return canonical(
        {
            "predictors": {p: models["predictors"][p] for p in SIM["predictors"]},
            "alpha": models["alpha"],
            "quadrature_points": models["quadrature_points"],
            "quadrature_tolerance": models["quadrature_tolerance"],
        }
    )


def simulation_for_report():
    """The study's summary files once the study has been run (the report then shows it)."""
    out = rules.simulation_summary.output
    if Path(out.summary).exists():
        return {
            "sim_summary": out.summary,
            "sim_headline": out.headline,
            "sim_figure": out.figure,
        }
    return {}


MV = config["multiverse"]
MV_DIR = f"{RESULTS}/multiverse"


def multiverse_cells(grid):
    """The cell files of a grid."""
    return [
        f"{MV_DIR}/{grid}/cells/{c.outcome}/{c.predictor_set}/{c.sample}/{c.missing_data}.csv"
        for c in cells(MV["grids"][grid]).itertuples()
    ]


def multiverse_models():
    """The estimation settings a cell depends on."""
    models = config["models"]
    keys = (
        "alpha",
        "quadrature_points",
        "quadrature_tolerance",
        "firth_epv_threshold",
        "imputation",
    )
    return canonical({k: models[k] for k in keys})


def multiverse_for_report():
    """The curve the report shows: the full grid's once it has been run, else the default."""
    full = expand(rules.multiverse_curve.output, grid="full")
    grid = "full" if "full" in MV["grids"] and Path(full[1]).exists() else "default"
    out = {k: v.format(grid=grid) for k, v in rules.multiverse_curve.output.items()}
    return {f"mv_{k}": v for k, v in out.items()}
