"""The assembled report, split by responsibility: `tables` (the report_tables rule: findings
and the disclosure-controlled tables), `charts` (figures from those tables), `text` (words,
labels, findings sentences), `sections` (optional sections), `provenance`, `html` (page
pieces) and `assemble` (the page). Every number in the page comes from a result file."""

from .assemble import build
from .html import img, render, table
from .tables import findings, headline, natural_orders, summary_terms, write_tables
from .text import finding_sentence, interval_level, month_text, term_label, translations

__all__ = [
    "build",
    "finding_sentence",
    "findings",
    "headline",
    "img",
    "interval_level",
    "month_text",
    "natural_orders",
    "render",
    "summary_terms",
    "table",
    "term_label",
    "translations",
    "write_tables",
]
