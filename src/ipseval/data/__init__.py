"""From a raw export to the clean analysis data: the codebook that defines the survey
(`codebook`), reading CSV/Excel/SPSS/Stata exports (`readers`), parsing and checking each form
against the codebook (`parse`), deriving analysis variables such as diagnosis group, time bands
and caseload (`derive`), and the clean step that ties them together and logs every excluded
row (`clean`)."""
