# npshm against bigmemory in R: attaching a shared double matrix made by
# the same process, and colSums over it.  Contenders alternate in rounds;
# the medians, their 25th-75th percentiles and the ratio npshm / bigmemory
# are printed (below 1: npshm is faster).  Lines starting with ROW feed
# bench/tables.py.
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
values <- as.double(seq_len(rows * cols))
# lifetime "owner": removed when `made` is collected, or by npshm gc if
# the benchmark is killed half-way.
made <- npshm_create(name, c(rows, cols), init = values, lifetime = "owner")
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

cat(sprintf("npshm vs bigmemory, %d x %d doubles (%.0f MB), %d rounds, medians [25th-75th percentile]\n",
            rows, cols, rows * cols * 8 / 1e6, rounds))
spread <- function(t) sprintf("%.3f-%.3f", quantile(t, 0.25), quantile(t, 0.75))
for (op in names(cases)) {
  # attach is fast: time a batch of 200 per round.
  reps <- if (op == "attach") 200L else 1L
  times <- list(npshm = numeric(), bigmemory = numeric())
  for (r in seq_len(rounds)) {
    order <- if (r %% 2L == 1L) c("npshm", "bigmemory") else c("bigmemory", "npshm")
    for (who in order) {
      f <- cases[[op]][[who]]
      times[[who]] <- c(times[[who]], seconds(for (i in seq_len(reps)) f()) / reps * 1e3)
      invisible(gc())
    }
  }
  a <- median(times$npshm)
  b <- median(times$bigmemory)
  what <- sprintf("R %s, %.0f MB matrix", if (op == "attach") "attach (read-only)" else
                  "attach + colSums", rows * cols * 8 / 1e6)
  peer <- if (op == "attach") "bigmemory attach.big.matrix" else "bigmemory attach + colSums(x[, ])"
  cat(sprintf("%-36s %10.3f ms [%s]  %-34s %10.3f ms [%s]  %6.2fx  (target <= 1.0x)\n",
              what, a, spread(times$npshm), peer, b, spread(times$bigmemory), a / b))
  cat(sprintf("ROW\tr\t%s\t%.3f ms\t%s\t%s\t%.3f ms\t%s\t%.2fx\t<= 1.0x\n",
              what, a, spread(times$npshm), peer, b, spread(times$bigmemory), a / b))
}
rm(made, bm)
invisible(gc())
