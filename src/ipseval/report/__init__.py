"""The report a reviewer reads, split by responsibility: `tables` (the report_tables rule:
findings and the disclosure-controlled tables), `charts` (figures from those tables), `text`
(words, labels, findings sentences), `sections` (optional sections), `html` (page pieces),
`assemble` (the page) and `compare` (two runs side by side). Every number in the page comes
from a result file."""
