# How R's read.csv, with no options, reads each CSV named on the command line: for every
# column its name, class, number of missing or empty values, and (numbers) sum or
# (logicals) count of TRUE. tests/test_outputs.py compares this with pandas.read_csv.
rows <- list()
for (path in commandArgs(trailingOnly = TRUE)) {
  d <- read.csv(path)
  for (name in names(d)) {
    v <- d[[name]]
    cls <- class(v)[1]
    missing <- sum(is.na(v) | (is.character(v) & v == ""))
    summary <- if (is.numeric(v)) sum(v[is.finite(v)]) else if (is.logical(v)) sum(v, na.rm = TRUE) else NA
    rows[[length(rows) + 1]] <- data.frame(
      file = path, nrow = nrow(d), column = name, class = cls, missing = missing,
      summary = sprintf("%.12g", summary)
    )
  }
}
write.csv(do.call(rbind, rows), stdout(), row.names = FALSE)
