# Reference values for ipseval's estimators, from independent R implementations.
#
#   Rscript tests/reference/reference.R            # writes tests/reference/values/<set>.csv
#
# R and the packages come from Debian: r-base-core r-cran-lme4 r-cran-sandwich
# r-cran-clubsandwich r-cran-brglm2 r-cran-geepack. Input: tests/reference/data/<set>.csv
# (y, programme, design columns x01..; written by make_data.py). Output rows:
# estimator, quantity, term, value.
suppressPackageStartupMessages({
  library(sandwich)
  library(geepack)
  library(lme4)
  library(brglm2)
  library(clubSandwich)
})
args <- commandArgs(trailingOnly = TRUE)
here <- if (length(args) >= 1) args[1] else "tests/reference"
out_dir <- if (length(args) >= 2) args[2] else file.path(here, "values")
dir.create(out_dir, showWarnings = FALSE)

rows <- list()
add <- function(estimator, quantity, values) {
  rows[[length(rows) + 1]] <<- data.frame(
    estimator = estimator, quantity = quantity, term = names(values),
    value = sprintf("%.12g", unname(values))
  )
}
intercept_first <- function(v) { names(v)[names(v) == "(Intercept)"] <- "Intercept"; v }

for (set in c("common", "rare", "separated")) {
  rows <- list()
  d <- read.csv(file.path(here, "data", paste0(set, ".csv")))
  xs <- grep("^x", names(d), value = TRUE)
  f <- as.formula(paste("y ~", paste(xs, collapse = " + ")))
  if (set != "separated") {
    fit <- glm(f, family = binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
    add("glm", "estimate", intercept_first(coef(fit)))
    add("glm", "std_error", intercept_first(sqrt(diag(vcov(fit)))))
    # CR1: vcovCL's HC1 = G/(G-1) * (n-1)/(n-k) (its default for glm is HC0)
    add("vcovCL_HC1", "std_error", intercept_first(sqrt(diag(vcovCL(fit, cluster = ~programme, type = "HC1")))))
    # CR3 (clubSandwich): (I - H_g)^-1 residual adjustment, the Mancl-DeRouen form
    add("clubSandwich_CR3", "std_error", intercept_first(sqrt(diag(as.matrix(vcovCR(fit, cluster = d$programme, type = "CR3"))))))
    # ... tested on t(G - 1) ("naive-t"), as ipseval's gee_br: p-values, df, 95 % intervals
    ct <- coef_test(fit, vcov = "CR3", cluster = d$programme, test = "naive-t")
    ci <- conf_int(fit, vcov = "CR3", cluster = d$programme, test = "naive-t", level = 0.95)
    add("clubSandwich_CR3_naive_t", "p_value", intercept_first(setNames(ct$p_t, rownames(ct))))
    add("clubSandwich_CR3_naive_t", "df", intercept_first(setNames(ct$df_t, rownames(ct))))
    add("clubSandwich_CR3_naive_t", "ci_low", intercept_first(setNames(ci$CI_L, rownames(ci))))
    add("clubSandwich_CR3_naive_t", "ci_high", intercept_first(setNames(ci$CI_U, rownames(ci))))
    gee <- geeglm(f, family = binomial, data = d, id = programme, corstr = "independence",
                  control = geese.control(epsilon = 1e-12, maxit = 100))
    add("geeglm", "estimate", intercept_first(coef(gee)))
    gs <- summary(gee)$coefficients
    add("geeglm", "std_error", intercept_first(setNames(gs[, "Std.err"], rownames(gs))))
    fr <- as.formula(paste("y ~", paste(xs, collapse = " + "), "+ (1 | programme)"))
    # glmer's optimum moves with its optimizer settings by up to ~1e-3 on the logit scale
    # (lme4 1.1-31 here: bobyqa, maxfun 1e5, default convergence tolerances); the live test
    # compares these values within that, and ipseval with them within methods.md's 1e-3
    mm <- glmer(fr, family = binomial, data = d, nAGQ = 15,
                control = glmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
    add("glmer_agq15", "estimate", intercept_first(fixef(mm)))
    add("glmer_agq15", "std_error", intercept_first(sqrt(diag(as.matrix(vcov(mm))))))
    add("glmer_agq15", "programme_sd", c(programme_sd = attr(VarCorr(mm)$programme, "stddev")[[1]]))
  }
  fb <- glm(f, family = binomial, data = d, method = "brglmFit", type = "MPL_Jeffreys",
            control = list(epsilon = 1e-12, maxit = 500))
  add("brglm2_MPL_Jeffreys", "estimate", intercept_first(coef(fb)))
  add("brglm2_MPL_Jeffreys", "std_error", intercept_first(sqrt(diag(vcov(fb)))))
  write.csv(do.call(rbind, rows), file.path(out_dir, paste0(set, ".csv")), row.names = FALSE, quote = FALSE)
  cat("wrote", file.path(out_dir, paste0(set, ".csv")), "\n")
}
