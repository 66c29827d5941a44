"""Write the data sets the R reference values are computed on (run once; committed).

    .venv/bin/python tests/reference/make_data.py

Each CSV holds y, programme and the design columns x01.. of the `core` specification
(terms.csv maps x-names to term names), simulated by ipseval.synthetic.simulate with a fixed seed.
"""

import sys
from pathlib import Path

import yaml

from ipseval.models.design import Specification, build_design
from ipseval.synthetic.simulate import simulate

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
from support import sim_scenario  # noqa: E402 - tests/ is not a package

SETS = {
    # ~12 % events, programme SD 0.5: the design of paid work
    "common": (sim_scenario(n=900, programmes=32, intercept=-1.3, programme_sd=0.5), 13),
    # ~4-5 % events: the design of regular work (Firth's use case); seed 12 separated, 13 not
    "rare": (sim_scenario(n=900, programmes=32, intercept=-2.6, programme_sd=0.5), 13),
}


def main() -> None:
    """Simulate, code with the core specification, write CSVs."""
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    spec = Specification.from_config("core", cfg["models"])
    for name, (scenario, seed) in SETS.items():
        design = build_design(simulate(scenario, seed), "sim", spec)
        y, X, g = design.complete_case()
        X = X.drop(columns="Intercept")
        names = {t: f"x{i + 1:02d}" for i, t in enumerate(X.columns)}
        out = X.rename(columns=names)
        out.insert(0, "programme", g)
        out.insert(0, "y", y.astype(int))
        out.to_csv(HERE / "data" / f"{name}.csv", index=False, float_format="%.17g")
        (HERE / "data" / f"{name}_terms.csv").write_text(
            "x,term\n" + "".join(f"{v},{k}\n" for k, v in names.items()), encoding="utf-8"
        )
        print(name, len(out), "rows,", int(y.sum()), "events")
        if name == "rare":
            # quasi-complete separation: no events at one diagnosis level (x05)
            sep = out.copy()
            sep.loc[sep["x05"] == 1, "y"] = 0
            sep.to_csv(HERE / "data" / "separated.csv", index=False, float_format="%.17g")
            (HERE / "data" / "separated_terms.csv").write_text(
                (HERE / "data" / "rare_terms.csv").read_text(encoding="utf-8"), encoding="utf-8"
            )


if __name__ == "__main__":
    main()
