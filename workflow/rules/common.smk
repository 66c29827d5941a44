# Shared helpers: where this run writes, and config values in deterministic form.

import functools
import os

import yaml
import sys

from ipseval.common.io import load_yaml
from ipseval.models.results import RESULT_FIGURES, RESULT_TABLES
from ipseval.pipeline.codedeps import code_inputs
from ipseval.pipeline.configuration import localised

# Shell rules run `python -m ...` with the Python that runs Snakemake (the project venv),
# whether or not the venv is activated.
os.environ["PATH"] = os.pathsep.join(
    [str(Path(sys.executable).parent), os.environ["PATH"]]
)
RUN = config["run_name"]
# Two tiers in every run (docs/disclosure.md): public/ holds only what may be published (the
# report page, its figures and its disclosure-controlled tables, their data package, the
# config as run, checksums); restricted/ holds everything else (cleaned microdata, model
# frames, per-fit working notebooks, logs with row numbers). Nothing in public/ is read from
# restricted/ except through the disclosure step (ipseval.publication.publish).
RUN_DIR = f"results/{RUN}"
PUBLIC = f"{RUN_DIR}/public"
RESTRICTED = f"{RUN_DIR}/restricted"
SYNTHETIC = bool(config["data"]["synthetic"])
# Optional stages: each is in the DAG only when the config has it (the report follows).
REPRODUCE = bool(config.get("reproduction", {}).get("enabled", False))
PROGRAMMES = config["data"].get("programmes")
LITERATURE = config["data"].get("literature")
MV = config.get("multiverse")
SIM = config.get("simulation")


def outcome_definitions():
    """Outcome name -> the coded variable it comes from and its positive codes (sorted, so
    params are deterministic)."""
    return {
        name: {
            "variable": spec.get("variable", "occupation"),
            "positive": sorted(spec["positive"]),
        }
        for name, spec in sorted(config["outcomes"].items())
    }


def published_files():
    """The transcribed tables and registries the reproduction depends on."""
    if not REPRODUCE:
        return []
    folder = config["data"]["published"]
    return sorted(str(p) for p in Path(folder).glob("*.csv"))


MODEL_OUTCOMES = list(config["models"]["outcomes"])
SPECS = sorted(config["models"]["specifications"])
# The files of one fit, by name (one definition, in the package).
MODEL_TABLES, MODEL_FIGURES = RESULT_TABLES, RESULT_FIGURES


def generator_truth():
    """The synthetic generator's documented truth, or None for real data."""
    path = config["data"].get("generator")
    if not SYNTHETIC or not path:
        return None
    return canonical(generator_config(path)["truth"])


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
    base = f"{RESTRICTED}/models/{outcome}/{spec}"
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
        data[k]
        for k in ("programmes", "coach_forms", "codebook", "literature")
        if k in data
    ]
    if SYNTHETIC and data.get("generator"):
        files.append(data["generator"])
    return files + published_files() + ["requirements.lock"]


def code(*entries):
    """The package files a rule's script or notebook imports (ipseval.pipeline.codedeps): its inputs,
    so that an edit reruns the jobs whose code changed and no others (Snakemake tracks a
    rule's own script, not the modules it imports)."""
    return code_inputs(entries)


# Simulation study and specification curve (workflow/rules/{simulation,multiverse}.smk).
SIM_CHUNKS = (
    [f"{a:05d}-{b - 1:05d}" for a, b in chunks(SIM["replicates"], SIM["chunk_size"])]
    if SIM
    else []
)
SIM_DIR = f"{RESTRICTED}/simulation"


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
    if not SIM:
        return {}
    out = rules.simulation_summary.output
    if Path(out.summary).exists():
        return {
            "sim_summary": out.summary,
            "sim_headline": out.headline,
            "sim_figure": out.figure,
        }
    return {}


MV_DIR = f"{RESTRICTED}/multiverse"


def multiverse_jobs(grid):
    """The grid's jobs: chunk label -> its cells (rows of `cells`), `cells_per_job` each."""
    table = cells(MV["grids"][grid])
    return {
        f"{a:03d}-{b - 1:03d}": table.iloc[a:b]
        for a, b in chunks(len(table), MV["cells_per_job"])
    }


def multiverse_chunks(grid):
    """The chunk files of a grid, in cell order."""
    return [f"{MV_DIR}/{grid}/cells/{chunk}.csv" for chunk in multiverse_jobs(grid)]


def multiverse_cell_settings(grid, chunk):
    """What each cell of a job is fitted with: its cell, predictors and sample."""
    return [
        {
            "cell": dict(c._asdict()),
            "predictors": canonical(
                {
                    p: config["models"]["predictors"][p]
                    for p in MV["predictor_sets"][c.predictor_set]
                }
            ),
            "order": list(MV["predictor_sets"][c.predictor_set]),
            "restrict": canonical(MV["samples"][c.sample]),
        }
        for c in multiverse_jobs(grid)[chunk].itertuples(index=False)
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


def report_benchmarks():
    """The benchmark files of the jobs the report's page depends on: its step times and the
    run's wall and CPU time come from these, declared, not from whatever the folder holds.
    """
    b = f"{RESTRICTED}/benchmarks"
    files = [f"{b}/clean.tsv", f"{b}/report_tables.tsv"]
    files += [
        f"{b}/{rule}/{o}_{s}.tsv"
        for rule in ("model_fit", "model_notebook")
        for o in MODEL_OUTCOMES
        for s in SPECS
    ]
    if REPRODUCE:
        files += [f"{b}/reproduction_check.tsv", f"{b}/descriptives_notebook.tsv"]
    if MV:
        grid = Path(multiverse_for_report()["mv_summary"]).parent.name
        files += [
            f"{b}/multiverse_cells/{grid}/{chunk}.tsv"
            for chunk in multiverse_jobs(grid)
        ]
    if simulation_for_report():
        files += [
            f"{b}/simulation_chunk/{scenario}_{chunk}.tsv"
            for scenario in sorted(SIM["scenarios"])
            for chunk in SIM_CHUNKS
        ]
    return files


def multiverse_for_report():
    """The curve the report shows: the full grid's once it has been run, else the default."""
    if not MV:
        return {}
    full = expand(rules.multiverse_curve.output, grid="full")
    grid = "full" if "full" in MV["grids"] and Path(full[1]).exists() else "default"
    out = {k: v.format(grid=grid) for k, v in rules.multiverse_curve.output.items()}
    return {f"mv_{k}": v for k, v in out.items()}


def reproduction_outputs():
    """The reproduction's verdict and notebook, when the run reproduces the 2013 tables."""
    if not REPRODUCE:
        return []
    return [*rules.reproduction_verdict.output, *rules.descriptives_notebook.output]


def multiverse_default_outputs():
    """The default grid's specification curve, when the run has a specification curve."""
    if not MV:
        return []
    return [
        *expand(rules.multiverse_curve.output, grid="default"),
        f"{MV_DIR}/default/datapackage.json",
    ]


def term_check_designs():
    """Every design the run will fit (outcome x specification; specification-curve cells),
    with its predictors and sample, for the check right after cleaning."""
    models = config["models"]
    catalogue = models["predictors"]
    designs = []
    for outcome in MODEL_OUTCOMES:
        for spec in SPECS:
            names = models["specifications"][spec]
            designs.append(
                {
                    "kind": "specification",
                    "name": spec,
                    "outcome": outcome,
                    "sample": "",
                    "restrict": models.get("restrict", {}),
                    "predictors": {p: catalogue[p] for p in names},
                }
            )
    seen = set()
    for grid in (MV or {}).get("grids", {}).values():
        for outcome in grid["outcomes"]:
            for pset in grid["predictor_sets"]:
                for sample in grid["samples"]:
                    if (outcome, pset, sample) in seen:
                        continue
                    seen.add((outcome, pset, sample))
                    restrict = MV["samples"][sample]
                    names = [
                        p
                        for p in MV["predictor_sets"][pset]
                        if catalogue[p]["column"] not in restrict
                    ]
                    designs.append(
                        {
                            "kind": "multiverse",
                            "name": pset,
                            "outcome": outcome,
                            "sample": sample,
                            "restrict": restrict,
                            "predictors": {p: catalogue[p] for p in names},
                        }
                    )
    return canonical(designs)


def report_table_inputs():
    """Optional inputs of the report's tables: the reproduction check, the literature."""
    extra = {}
    if REPRODUCE:
        extra["check"] = rules.reproduction_check.output.check
    if LITERATURE:
        extra["literature"] = LITERATURE
    return extra | programme_for_report()


def report_table_outputs():
    """Optional outputs: the published headline figures, the literature comparison."""
    extra = {}
    if REPRODUCE:
        extra["headline"] = f"{PUBLIC}/headline.csv"
        extra["reproduction"] = f"{PUBLIC}/reproduction.csv"
    if LITERATURE:
        extra["fig_context"] = report(
            f"{PUBLIC}/context.png",
            caption="../report/context.rst",
            category="6. In context",
        )
    if PC:
        for name in (
            "programme_comparison",
            "programme_effects",
            "programme_variation",
        ):
            extra[name] = f"{PUBLIC}/{name}.csv"
        for name in ("practice", "leavers", "leaver_reasons", "time_check"):
            extra[name] = f"{PUBLIC}/{name}.csv"
        extra["fig_funnel"] = report(
            f"{PUBLIC}/funnel.png",
            caption="../report/funnel.rst",
            category="5b. Programmes compared",
        )
        extra["fig_caterpillar"] = report(
            f"{PUBLIC}/caterpillar.png",
            caption="../report/caterpillar.rst",
            category="5b. Programmes compared",
        )
    return extra


def in_report_language(section):
    """A config section with its labels in report.language (label_sv etc. when sv)."""
    return localised(config[section], config["report"]["language"])


def report_settings():
    """What the report's tables and page take from the config, in deterministic form."""
    models = in_report_language("models")
    in_use = {p for names in models["specifications"].values() for p in names}
    rep = in_report_language("report")
    outcomes = in_report_language("outcomes")
    return canonical(
        {
            "synthetic": SYNTHETIC,
            "threshold": rep["disclosure_threshold"],
            "language": rep["language"],
            "alpha": models["alpha"],
            "survey_month": config.get("survey_month"),
            "predictors": {p: models["predictors"][p] for p in in_use},
            "programme_level_estimator": models["programme_level_estimator"],
            "outcomes": list(models["outcomes"]),
            "outcome_labels": {k: v["label"] for k, v in outcomes.items()},
            "outcome_definitions": outcomes,
            "specifications": SPECS,
            "specification_predictors": {s: models["specifications"][s] for s in SPECS},
            "summary_spec": rep.get(
                "summary_specification", next(iter(models["specifications"]))
            ),
            "summary_terms": rep.get("summary_terms", []),
            "participant_tables": rep.get("participant_tables", {"variables": {}}),
            "outcome_groups": rep.get("outcome_groups", {}).get("column"),
            "outcome_groups_label": rep.get("outcome_groups", {}).get("label"),
            "reproduce": REPRODUCE,
            "restrict": models.get("restrict", {}),
            "programme_comparison": programme_settings(for_report=True) if PC else None,
        }
    )


def report_page_inputs():
    """Optional inputs of the page: the reproduction, and the stages the run has."""
    extra = {}
    if REPRODUCE:
        extra |= {
            "verdict": rules.reproduction_verdict.output.verdict,
            "inconsistencies": f"{config['data']['published']}/inconsistencies.csv",
        }
    if LITERATURE:
        extra["literature"] = LITERATURE
    if PC:
        # what the programme stage left out: config names and reasons, no data
        extra["pc_skipped"] = f"{PC_DIR}/skipped.csv"
    return extra | simulation_for_report() | multiverse_for_report()


@functools.cache
def generator_config(path):
    """The synthetic generator's settings (read once per workflow start)."""
    return load_yaml(Path(path).read_text(encoding="utf-8"))


@functools.cache
def package_meta():
    """The metadata every data package of this run carries."""
    from ipseval.publication.datapackage import config_sha256

    meta = {
        "run_name": RUN,
        "synthetic": SYNTHETIC,
        "config_sha256": config_sha256(canonical(config)),
    }
    if SYNTHETIC:
        from ipseval.common.io import SYNTHETIC_NOTICE

        path = config["data"].get("generator")
        seed = generator_config(path)["seed"] if path else None
        meta |= {"generator_seed": seed, "notice": SYNTHETIC_NOTICE}
    return meta


def restricted_csvs(wildcards):
    """Every CSV of the restricted tier outside its specification-curve and simulation
    folders (those are packages of their own)."""
    files = {
        "clean": [*rules.clean.output],
        "check": rules.check_terms.output.check,
        "unavailable": rules.unavailable.output.table,
        "collected": [*rules.models_collect.output],
        "fits": [
            f
            for o in MODEL_OUTCOMES
            for s in SPECS
            for f in model_outputs(o, s).values()
            if f.endswith(".csv")
        ],
    }
    if REPRODUCE:
        files["reproduction"] = [*rules.reproduction_check.output]
    if PC:
        files["programmes"] = [
            *rules.programme_collect.output,
            *[f for o in PC_OUTCOMES for f in programme_outputs(o).values()],
        ]
    return files


# Programmes compared, practice and outcome, the participants who had left
# (workflow/rules/programmes.smk): a stage of its own, on where `programme_comparison` is set.
PC = config.get("programme_comparison")
PC_OUTCOMES = list(PC.get("outcomes") or MODEL_OUTCOMES) if PC else []
PC_DIR = f"{RESTRICTED}/programmes"
PC_TABLES = [
    "comparison",
    "funnel",
    "caterpillar",
    "variation",
    "practice",
    "power",
    "ever_enrolled",
    "time_check",
    "skipped",
    "analysed",
]


def programme_settings(for_report=False):
    """What the programme stage takes from the config, in deterministic form; its labels
    in the report's language for the report (the stage's own jobs do not depend on it).
    """
    language = config["report"]["language"] if for_report else "en"
    pc = localised(PC, language)
    models = localised(config["models"], language)
    case_mix = pc.get("case_mix") or next(iter(models["specifications"]))
    names = models["specifications"][case_mix]
    return canonical(
        {
            "outcomes": PC_OUTCOMES,
            "outcome_definitions": {o: config["outcomes"][o] for o in PC_OUTCOMES},
            "predictors": {p: models["predictors"][p] for p in names},
            "case_mix": list(names),
            "case_mix_specification": case_mix,
            "has_programmes": bool(PROGRAMMES),
            "alpha": models["alpha"],
            "quadrature_points": models["quadrature_points"],
            "funnel_levels": pc["funnel_levels"],
            "practice": pc["practice"],
            "leavers": pc["leavers"],
            "time_predictor": pc.get("time_predictor"),
            "restrict": models.get("restrict", {}),
        }
    )


def programme_outputs(outcome):
    """The restricted tables of one outcome's programme job."""
    return {t: f"{PC_DIR}/{outcome}/{t}.csv" for t in PC_TABLES}


def programme_for_report():
    """The collected programme tables, for the report's tables and page (where the stage is on)."""
    if not PC:
        return {}
    return {f"pc_{t}": f"{PC_DIR}/{t}.csv" for t in [*PC_TABLES, "flow"]}


def programme_outputs_for_all():
    """The programme stage's notebook (and through it every table), where the stage is on."""
    return [f"{PC_DIR}/notebook.html"] if PC else []
