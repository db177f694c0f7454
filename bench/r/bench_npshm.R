# npshm against bigmemory in R: attaching a shared double matrix made by
# the same process, and colSums over it.  Contenders alternate in rounds;
# the medians and their ratios are printed (ratio > 1: npshm is faster).
#   Rscript bench/r/bench_npshm.R [ROWS COLS ROUNDS]
# Needs the npshm package (R_LIBS=build/bindings/r/library) and bigmemory
# (Debian r-cran-bigmemory).  bigmemory's matrix is a shared-memory
# big.matrix (boost interprocess, also in /dev/shm), attached from its
# descriptor; R reads a big.matrix only by copying it out (x[, ]), so its
# colSums is colSums(x[, ]), as R code using bigmemory without
# biganalytics does.
args <- as.integer(commandArgs(trailingOnly = TRUE))
rows <- if (length(args) >= 1L) args[1L] else 20000L
cols <- if (length(args) >= 2L) args[2L] else 500L
rounds <- if (length(args) >= 3L) args[3L] else 7L
suppressPackageStartupMessages({
  library(npshm)
  if (!requireNamespace("bigmemory", quietly = TRUE)) {
    cat("bigmemory is not installed (Debian: r-cran-bigmemory)\n")
    quit(status = 77L)
  }
})

name <- sprintf("npshm-bench-r-%d", Sys.getpid())
on.exit(if (npshm_exists(name)) npshm_delete(name), add = TRUE)
values <- as.double(seq_len(rows * cols))
made <- npshm_create(name, c(rows, cols), init = values)
bm <- bigmemory::big.matrix(rows, cols, type = "double", shared = TRUE)
bm[, ] <- values
desc <- bigmemory::describe(bm)
rm(values)
invisible(gc())

seconds <- function(expr) {
  t0 <- proc.time()[["elapsed"]]
  force(expr)
  proc.time()[["elapsed"]] - t0
}
# One round of each operation, contenders in alternating order.
cases <- list(
  attach = list(npshm = function() { x <- npshm_attach(name, readonly = TRUE); dim(x) },
                bigmemory = function() { x <- bigmemory::attach.big.matrix(desc); dim(x) }),
  colSums = list(npshm = function() { x <- npshm_attach(name, readonly = TRUE); colSums(x) },
                 bigmemory = function() { x <- bigmemory::attach.big.matrix(desc); colSums(x[, ]) }))
reference <- colSums(made)
stopifnot(isTRUE(all.equal(cases$colSums$npshm(), reference)),
          isTRUE(all.equal(cases$colSums$bigmemory(), reference)))

cat(sprintf("npshm vs bigmemory, %d x %d doubles (%.0f MB), %d rounds, medians\n",
            rows, cols, rows * cols * 8 / 1e6, rounds))
cat(sprintf("%-8s %14s %14s %8s\n", "op", "npshm (ms)", "bigmemory (ms)", "ratio"))
for (op in names(cases)) {
  # attach is fast: time a batch of 200 per round.
  reps <- if (op == "attach") 200L else 1L
  times <- list(npshm = numeric(), bigmemory = numeric())
  for (r in seq_len(rounds)) {
    order <- if (r %% 2L == 1L) c("npshm", "bigmemory") else c("bigmemory", "npshm")
    for (who in order) {
      f <- cases[[op]][[who]]
      times[[who]] <- c(times[[who]], seconds(for (i in seq_len(reps)) f()) / reps)
      invisible(gc())
    }
  }
  a <- median(times$npshm) * 1e3
  b <- median(times$bigmemory) * 1e3
  cat(sprintf("%-8s %14.4f %14.4f %7.1fx\n", op, a, b, b / a))
}
rm(made, bm)
invisible(gc())
