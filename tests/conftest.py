"""Shared fixtures: paths, the codebook and the cleaned default data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ipseval.clean import CleanResult, clean
from ipseval.codebook import Codebook, load_codebook

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "data" / "raw" / "published"
SOURCES = ROOT.parent / "shared" / "sources"


@pytest.fixture(scope="session")
def config() -> dict:
    """The default config/config.yaml."""
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def outcomes(config: dict) -> dict[str, list[str]]:
    """Outcome definitions from the default config."""
    return {k: v["positive"] for k, v in config["outcomes"].items()}


@pytest.fixture(scope="session")
def codebook() -> Codebook:
    """The project codebook."""
    return load_codebook(ROOT / "config" / "codebook.yaml")


@pytest.fixture(scope="session")
def default_clean(codebook: Codebook, outcomes: dict) -> CleanResult:
    """The embedded default data, cleaned in-process."""
    return clean(
        ROOT / "data/raw/programmes.csv",
        ROOT / "data/raw/coach_forms.csv",
        codebook,
        outcomes,
        "2013-06",
    )
