"""The report's first two screens (1280 x 1800 px) and its participant charts in English and
Swedish, as committed under docs/ and shown in the README: `make screenshots` (needs headless
Chromium, Debian package `chromium`). Re-renders results/default/public/index.html in each
language, English last."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
PAGE = ROOT / "results/default/public/index.html"


def screenshot(language: str, scratch: Path) -> Path:
    """Render the default report in `language` and photograph its first two screens."""
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    cfg["report"]["language"] = language
    override = scratch / f"{language}.yaml"
    override.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    target = str(PAGE.relative_to(ROOT))
    subprocess.run(
        [SNAKEMAKE, "--cores", "2", target, "--configfile", str(override)], cwd=ROOT, check=True
    )
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("make screenshots needs headless Chromium (Debian package `chromium`)")
    out = ROOT / "docs" / f"report-{language}.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={scratch / 'profile'}",
            "--window-size=1280,1800",
            f"--screenshot={out}",
            PAGE.as_uri(),
        ],
        check=True,
        capture_output=True,
    )
    # the participant charts further down the page, as the page embeds them
    shutil.copy(PAGE.parent / "participants.png", ROOT / "docs" / f"participants-{language}.png")
    return out


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        for lang in ("sv", "en"):  # English last: the default report is left as configured
            print(f"wrote {screenshot(lang, Path(tmp))}")
