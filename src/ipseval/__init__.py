"""ipseval: reproducible re-analysis of Socialstyrelsen's 2013 evaluation of IPS trials.

The package is split by stage; a stage imports only the stages listed before it
(`tests/test_architecture.py` enforces this and that no import cycle exists):

1. `common`       - writing files atomically, CSV conventions, input errors (no ipseval imports)
2. `data`         - the codebook, reading exports, parsing forms, deriving analysis variables
3. `reproduction` - the published tables and their reproduction from the microdata
4. `models`       - model designs, estimators, fits, the multiverse, their figures
5. `synthetic`    - the synthetic default, the second example and the estimator study
6. `publication`  - the disclosure step, data packages and workbooks (what may leave)
7. `provenance`   - citation, the run's environment record, RO-Crate archives
8. `report`       - the report page and the comparison of two runs
9. `pipeline`     - config validation, code inputs and notebook plumbing for the Snakefile

docs/architecture.md maps each workflow rule to its script, stage and outputs.
"""

__version__ = "0.2.0.dev0"

# The stages in dependency order (lowest first); read by tests/test_architecture.py.
STAGES = (
    "common",
    "data",
    "reproduction",
    "models",
    "synthetic",
    "publication",
    "provenance",
    "report",
    "pipeline",
)
