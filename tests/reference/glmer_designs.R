# glmer (lme4) on the random-intercept validation designs, for tests/test_random_intercept.py:
#
#   Rscript tests/reference/glmer_designs.R <dir> <nAGQ>
#
# Reads every <dir>/<design>.csv (columns y, cluster, x, z), fits
# glmer(y ~ x + z + (1 | cluster), binomial, nAGQ) with bobyqa, and writes <dir>/glmer.csv:
# design, quantity (estimate, programme_sd, loglik, singular), term, value.
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
nagq <- as.integer(args[2])
rows <- list()
for (path in sort(list.files(dir, pattern = "^design.*\\.csv$", full.names = TRUE))) {
  d <- read.csv(path)
  name <- sub("\\.csv$", "", basename(path))
  fit <- glmer(y ~ x + z + (1 | cluster), family = binomial, data = d, nAGQ = nagq,
               control = glmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
  b <- fixef(fit)
  names(b)[names(b) == "(Intercept)"] <- "Intercept"
  rows[[length(rows) + 1]] <- data.frame(
    design = name,
    quantity = c(rep("estimate", length(b)), "programme_sd", "loglik", "singular"),
    term = c(names(b), "", "", ""),
    value = sprintf("%.12g", c(unname(b), attr(VarCorr(fit)$cluster, "stddev")[[1]],
                               as.numeric(logLik(fit)), as.numeric(isSingular(fit))))
  )
}
write.csv(do.call(rbind, rows), file.path(dir, "glmer.csv"), row.names = FALSE)
