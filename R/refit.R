# Refit ipseval fits in R from their model_frame.csv and terms.csv alone: the check a
# reviewer can run without ipseval. For each fit folder given, every estimator's complete-case
# estimates and standard errors, as ipseval's coefficients.csv names the terms:
#
#   Rscript R/refit.R results/default/models/paid_work/core [more fit folders] > refit.csv
#
# Estimators (R 4.2, Debian packages r-cran-sandwich r-cran-clubsandwich r-cran-geepack
# r-cran-lme4 r-cran-brglm2):
#   logit_cr1         glm, CR1 = sandwich::vcovCL(type = "HC1") clustered by programme
#   gee_br            geepack::geeglm (independence); its bias-reduced (Mancl-DeRouen)
#                     covariance is clubSandwich's CR3
#   random_intercept  lme4::glmer with (1 | programme_id), adaptive Gauss-Hermite with the
#                     fit's own node count (fit_statistics.csv: quadrature_points; at most 25)
#   firth             brglm2, type = "MPL_Jeffreys" (Firth's penalised likelihood)
# Output columns: fit, estimator, quantity (estimate, std_error, programme_sd, loglik), term,
# value.
suppressPackageStartupMessages({
  library(sandwich)
  library(clubSandwich)
  library(geepack)
  library(lme4)
  library(brglm2)
})

refit <- function(dir) {
  frame <- read.csv(file.path(dir, "model_frame.csv"))
  terms <- read.csv(file.path(dir, "terms.csv"))
  stats <- read.csv(file.path(dir, "fit_statistics.csv"))
  cc <- frame[frame$complete_case == 1, ]
  cc <- cc[order(cc$programme_id), ]  # geeglm wants each programme's rows together
  y <- grep("^y_", names(cc), value = TRUE)
  xs <- terms$frame_column[terms$term != "Intercept"]
  f <- reformulate(if (length(xs)) xs else "1", response = y)
  name_of <- setNames(terms$term, ifelse(terms$term == "Intercept", "(Intercept)", terms$frame_column))
  rows <- list()
  add <- function(estimator, quantity, values) {
    rows[[length(rows) + 1]] <<- data.frame(
      fit = dir, estimator = estimator, quantity = quantity,
      term = if (is.null(names(values))) "" else unname(name_of[names(values)]),
      value = unname(values)
    )
  }
  fit <- glm(f, family = binomial, data = cc, control = glm.control(epsilon = 1e-12, maxit = 100))
  add("logit_cr1", "estimate", coef(fit))
  add("logit_cr1", "std_error", sqrt(diag(vcovCL(fit, cluster = ~programme_id, type = "HC1"))))
  gee <- geeglm(f, family = binomial, data = cc, id = programme_id, corstr = "independence")
  add("gee_br", "estimate", coef(gee))
  add("gee_br", "std_error",
      sqrt(diag(as.matrix(vcovCR(fit, cluster = cc$programme_id, type = "CR3")))))
  nodes <- stats$value[stats$estimator == "random_intercept" & stats$method == "complete_case" &
                       stats$statistic == "quadrature_points"]
  nodes <- if (length(nodes)) min(25, nodes[1]) else 15
  mm <- glmer(update(f, . ~ . + (1 | programme_id)), family = binomial, data = cc, nAGQ = nodes,
              control = glmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
  add("random_intercept", "estimate", fixef(mm))
  add("random_intercept", "std_error", sqrt(diag(as.matrix(vcov(mm)))))
  add("random_intercept", "programme_sd", attr(VarCorr(mm)$programme_id, "stddev")[[1]])
  add("random_intercept", "loglik", as.numeric(logLik(mm)))
  fb <- glm(f, family = binomial, data = cc, method = "brglmFit", type = "MPL_Jeffreys",
            control = list(epsilon = 1e-12, maxit = 500))
  add("firth", "estimate", coef(fb))
  add("firth", "std_error", sqrt(diag(vcov(fb))))
  do.call(rbind, rows)
}

dirs <- commandArgs(trailingOnly = TRUE)
out <- do.call(rbind, lapply(dirs, function(d) suppressWarnings(suppressMessages(refit(d)))))
out$value <- sprintf("%.12g", out$value)
write.csv(out, stdout(), row.names = FALSE)
