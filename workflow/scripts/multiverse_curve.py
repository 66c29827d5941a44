"""Snakemake entry point: stack a grid's cells into its specification curve."""

import pandas as pd

from ipseval.common.io import read_result_csv, write_csv
from ipseval.models.curve import by_choice, curve, summary
from ipseval.models.figures import specification_curve
from ipseval.report.text import curve_words, translations

sm = snakemake  # noqa: F821 - injected by Snakemake
specs = pd.concat([read_result_csv(p) for p in sm.input.cells], ignore_index=True)
alpha, focus = sm.params.alpha, list(sm.params.focus)
write_csv(specs, sm.output.specifications)
write_csv(summary(specs, focus, alpha), sm.output.summary)
choices = pd.concat([by_choice(specs, t, alpha) for t in focus], ignore_index=True)
write_csv(choices, sm.output.by_choice)
words = curve_words(
    specs, focus, sm.params.predictors, sm.params.outcome_labels, translations(sm.params.language)
)
curves = [curve(specs, term, alpha) for term in focus]
specification_curve(specs, focus, curves, sm.output.figure, sm.params.synthetic, words)
