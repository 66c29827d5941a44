"""How to cite ipseval and its sources, read from CITATION.cff (one place for the text the
README, the report and the archive show)."""

from __future__ import annotations

from pathlib import Path

import yaml


def _authors(entry: dict) -> str:
    names = []
    for a in entry.get("authors", []):
        if "name" in a:
            names.append(a["name"])
        else:
            names.append(f"{a.get('family-names', '')}, {a.get('given-names', '')}".strip(", "))
    return "; ".join(names)


def software(path: str | Path = "CITATION.cff") -> str:
    """The citation of ipseval itself, one line."""
    cff = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    title = " ".join(str(cff["title"]).split())
    return (
        f"{_authors(cff)}. {title}. Version {cff['version']} [computer software]. "
        f"Licence: {cff['license']}."
    )


def sources(path: str | Path = "CITATION.cff") -> list[str]:
    """The citations of the works ipseval reproduces (CITATION.cff's references)."""
    cff = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    out = []
    for ref in cff.get("references", []):
        number = f" Artikelnummer {ref['number']}." if "number" in ref else ""
        out.append(f"{_authors(ref)} ({ref['year']}). {ref['title']}.{number}")
    return out
