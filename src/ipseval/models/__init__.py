"""Employment-predictor models: model designs from config (`design`, `plan`), the
estimators with inference for participants nested in programmes (`estimators`,
`random_intercept`), multiple imputation (`imputation`), fit diagnostics (`evaluate`), the
fits of one outcome and specification (`fits`) and their files by name (`results`), the
multiverse of specifications (`multiverse`) and its curve (`curve`), comparison with a known
truth (`truth`), and their figures and tables (`figures`, `present`); programmes compared
after their case mix (`programmes`), practice and outcome (`practice`), the participants who
had left (`leavers`), and the stage that runs those three (`programme_stage`). Kept free of imports
at package level so that `plan` and `results` stay light for the Snakefile."""
