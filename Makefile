# ipseval: the two commands a newcomer needs are `make run` and `make test`.
# Each creates the project-local virtual environment (.venv) from the hash-pinned lock file
# on first use, and reuses it afterwards (re-created when the lock file changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORES  ?= 2
# Extra arguments for Snakemake, e.g. `make run SNAKEMAKE_ARGS="--configfile=config/variants/x.yaml"`.
SNAKEMAKE_ARGS ?=
# pytest-xdist workers for `make test` (each test file on one worker; docs/testing.md).
# `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2

.PHONY: run pdf excel archive archive-restricted screenshots simulation multiverse test explore lint format lock clean-venv

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ipseval needs Python >= 3.11")'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# Pinned helper environments for two tests whose tools cannot share .venv (tools/README.md).
.venv-%/.installed: tools/%.lock
	rm -rf .venv-$*
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $<
	touch $@

## Run the whole pipeline on the embedded (synthetic) default data.
run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) $(SNAKEMAKE_ARGS)
	@cat .snakemake/ipseval-last-report 2>/dev/null || true

## The report as PDF (headless Chromium, Debian package `chromium`).
pdf: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) report_pdf $(SNAKEMAKE_ARGS)

## The report's tables as one Excel workbook: results/<run>/public/tables.xlsx.
excel: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) excel $(SNAKEMAKE_ARGS)

## The run as a Workflow Run RO-Crate to deposit: results/<run>.crate.zip (docs/deposit.md).
archive: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) archive $(SNAKEMAKE_ARGS)

## NOT for publication: the crate with the participant-level exports and restricted/ too.
archive-restricted: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) archive_restricted $(SNAKEMAKE_ARGS)

## Screenshots of the report's first two screens in English and Swedish (docs/report-*.png).
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

## The simulation study of the estimators (separate target; the report shows it afterwards).
simulation: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) simulation $(SNAKEMAKE_ARGS)

## The full specification-curve grid (separate target; the report shows it afterwards).
multiverse: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) multiverse_full $(SNAKEMAKE_ARGS)

## Run the test suite (includes lint, format, snakefmt, snakemake --lint, notebook hygiene).
test: $(STAMP) .venv-cffconvert/.installed .venv-rocvalidator/.installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## Property tests with new random examples, 20 times as many (`make test` uses a fixed set).
explore: $(STAMP)
	IPSEVAL_HYPOTHESIS=explore $(BIN)/python -m pytest -n $(TEST_WORKERS) -m hypothesis -p no:randomly $(PYTEST_ARGS)

## Apply the formatters.
format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix . && $(BIN)/snakefmt Snakefile workflow/rules

## Re-resolve the lock file from pyproject.toml (needs network access to PyPI).
lock:
	$(PYTHON) -m venv /tmp/ipseval-lock && /tmp/ipseval-lock/bin/pip install --quiet pip-tools==7.6.2
	/tmp/ipseval-lock/bin/pip-compile --quiet --generate-hashes --extra dev --strip-extras \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

clean-venv:
	rm -rf $(VENV)
