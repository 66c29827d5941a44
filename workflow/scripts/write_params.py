"""Snakemake entry point: write a rule's params as the typed papermill parameters YAML."""

import yaml

from ipseval.common.io import write_atomic

sm = snakemake  # noqa: F821 - injected by Snakemake
text = yaml.safe_dump(dict(sm.params.values), sort_keys=True, allow_unicode=True)
write_atomic(sm.output.params, text.encode("utf-8"))
