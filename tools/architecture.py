"""The generated parts of docs/architecture.md: the rule graph (Snakemake's own
`--rulegraph mermaid-js`, which GitHub renders) and the table rule -> what it runs -> the
stages (subpackages) its code imports -> its named outputs.

    .venv/bin/python tools/architecture.py --write   # regenerate the blocks in the doc
    .venv/bin/python tools/architecture.py --check   # exit 1 if the doc is out of date

The table is read from workflow/rules/*.smk and the stages from the rules' code inputs
(`ipseval.pipeline.codedeps`), so it follows the code; tests/test_architecture.py runs --check.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs/architecture.md"
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")

sys.path.insert(0, str(ROOT / "src"))
import ipseval  # noqa: E402 - the checkout's own package first
from ipseval.pipeline.codedeps import code_inputs  # noqa: E402


def rule_blocks() -> list[tuple[str, str, str]]:
    """(rule, file, body) for every rule in workflow/rules, in file order."""
    out = []
    for smk in sorted((ROOT / "workflow/rules").glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        heads = list(re.finditer(r"^rule (\w+):\n", text, re.M))
        for i, h in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            body = text[h.end() : end]
            body = re.split(r"^\S", body, maxsplit=1, flags=re.M)[0]  # up to the next top level
            out.append((h.group(1), smk.name, body))
    return out


def _section(body: str, name: str) -> str:
    """The text of one directive of a rule body (input:, output:, ...)."""
    m = re.search(rf"^    {name}:\n((?:        .*\n|\s*\n)*)", body, re.M)
    return m.group(1) if m else ""


def runs(body: str) -> str:
    """What a rule runs: its script, its notebook, or that it only gathers files."""
    script = re.search(r'^    script:\n\s+"\.\./scripts/(\w+\.py)"', body, re.M)
    if script:
        return f"`workflow/scripts/{script.group(1)}`"
    nb = re.search(r'notebook="(notebooks/\w+\.ipynb)"', body)
    if nb:
        return f"`{nb.group(1)}` (papermill)"
    if "shell:" in body:
        return "a shell command"
    return "(gathers targets)"


def stages(body: str) -> str:
    """The stages (subpackages) the rule's code imports, in the package's stage order."""
    m = re.search(r"package=code\(([^)]*)\)", body)
    if not m:
        return "–"
    entries = re.findall(r'"([^"]+)"', m.group(1))
    found = {Path(f).parts[2] for f in code_inputs(entries, ROOT) if len(Path(f).parts) > 3}
    return ", ".join(s for s in ipseval.STAGES if s in found)


def outputs(body: str) -> str:
    """The rule's outputs by name (or the helper that names them)."""
    sec = _section(body, "output")
    names = re.findall(r"^        (\w+)=", sec, re.M)
    spread = re.findall(r"^        (\*\*\w+\([^)]*\))", sec, re.M)
    shown = [f"`{n}`" for n in names] + [f"`{s}`" for s in spread]
    return ", ".join(shown) if shown else "–"


def rule_table() -> str:
    """The markdown table: rule, file, what it runs, stages imported, outputs."""
    lines = [
        "| rule | in | runs | stages its code imports | outputs (by name) |",
        "|---|---|---|---|---|",
    ]
    for name, smk, body in rule_blocks():
        lines.append(f"| `{name}` | {smk} | {runs(body)} | {stages(body)} | {outputs(body)} |")
    return "\n".join(lines)


def rule_graph() -> str:
    """Snakemake's rule graph of the default run as a mermaid block."""
    r = subprocess.run(
        [SNAKEMAKE, "--rulegraph", "mermaid-js", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = r.stdout[r.stdout.index("---") :].strip().splitlines()
    # Snakemake lists the edges in set order; sorted, the block changes only with the graph
    edges = sorted(line for line in lines if "-->" in line)
    graph = [line for line in lines if "-->" not in line] + edges
    return "```mermaid\n" + "\n".join(graph) + "\n```"


BLOCKS = {"rule-graph": rule_graph, "rule-table": rule_table}


def rendered(text: str) -> str:
    """The doc with every generated block replaced by its current rendering."""
    for name, make in BLOCKS.items():
        pattern = re.compile(
            rf"(<!-- generated:{name} -->\n).*?(\n<!-- /generated:{name} -->)", re.S
        )
        if not pattern.search(text):
            raise SystemExit(f"{DOC}: no generated:{name} block")
        content = make()
        text = pattern.sub(lambda m, c=content: m.group(1) + c + m.group(2), text)
    return text


def main() -> None:
    """Write or check the generated blocks of docs/architecture.md."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    text = DOC.read_text(encoding="utf-8")
    new = rendered(text)
    if a.write:
        DOC.write_text(new, encoding="utf-8")
    elif new != text:
        print(f"{DOC.relative_to(ROOT)} is out of date: run tools/architecture.py --write")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
