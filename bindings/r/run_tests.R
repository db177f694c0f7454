# Runs the npshm R package's tinytest files against the package installed
# in the library given as the first argument; prints
#   SUMMARY: N passed, M failed, K skipped
# as its last line and exits non-zero if anything failed.  A test file
# that stops with an error counts as one failure; segments it left in the
# shm directory count as failures too (and are removed).
#   Rscript run_tests.R <library>
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1L) stop("usage: Rscript run_tests.R <library>")
lib <- normalizePath(args[1])
.libPaths(c(lib, .libPaths()))
Sys.setenv(R_LIBS = paste(c(lib, Sys.getenv("R_LIBS")), collapse = ":"))
if (!requireNamespace("tinytest", quietly = TRUE)) {
  cat("tinytest is not installed (Debian: r-cran-tinytest)\nSUMMARY: 0 passed, 0 failed, 1 skipped\n")
  quit(status = 77L)
}
dir <- system.file("tinytest", package = "npshm", lib.loc = lib)
if (!nzchar(dir)) stop("npshm is not installed in ", lib)
skips <- tempfile("skips")
Sys.setenv(NPSHM_R_SKIPS = skips)

passed <- 0L
failed <- 0L
for (file in list.files(dir, pattern = "^test.*\\.[rR]$", full.names = TRUE)) {
  res <- tryCatch(tinytest::run_test_file(file, verbose = 0),
                  error = function(e) e)
  if (inherits(res, "error")) {
    cat(basename(file), ": stopped with an error: ", conditionMessage(res), "\n", sep = "")
    failed <- failed + 1L
    next
  }
  ok <- as.logical(res)
  cat(sprintf("%-20s %4d passed, %d failed\n", basename(file), sum(ok), sum(!ok)))
  if (any(!ok)) print(res[!ok])
  passed <- passed + sum(ok)
  failed <- failed + sum(!ok)
}

shm_dir <- Sys.getenv("NPSHM_DIR")
if (!nzchar(shm_dir)) shm_dir <- "/dev/shm"
left <- list.files(shm_dir, pattern = sprintf("^npshm-test-r-%d-", Sys.getpid()),
                   full.names = TRUE)
if (length(left) > 0L) {
  cat("segments left behind (removed now):", basename(left), sep = "\n  ")
  unlink(left)
  failed <- failed + length(left)
}
skipped <- if (file.exists(skips)) length(readLines(skips)) else 0L
cat(sprintf("SUMMARY: %d passed, %d failed, %d skipped\n", passed, failed, skipped))
quit(status = if (failed > 0L) 1L else 0L)
