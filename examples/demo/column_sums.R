# column_sums.R: the demo's R participant.
#
#   Rscript column_sums.R DATA SUMS SLOT
#
# Attaches DATA (a Fortran-order float64 matrix, so R sees NumPy's
# rows x cols) read-only and SUMS (cols x slots) for writing in place, both
# with no copy, and follows the coordinator's line protocol on stdin/stdout
# (see column_sums.c): "ready PID", wait for "go", colSums into column
# SLOT + 1 of SUMS, "done SECONDS CHECKSUM", wait for "release" or the end
# of input, exit.
suppressPackageStartupMessages(library(npshm))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) stop("usage: Rscript column_sums.R DATA SUMS SLOT")
slot <- as.integer(args[3]) + 1L

data <- npshm_attach(args[1], readonly = TRUE, type = "double")
sums <- npshm_attach(args[2], inplace = TRUE, type = "double")
if (length(dim(data)) != 2 || nrow(sums) != ncol(data) || ncol(sums) < slot)
  stop(sprintf("column_sums.R: %s and %s do not fit together", args[1], args[2]))

input <- file("stdin", open = "r")
cat("ready", Sys.getpid(), "\n")
flush(stdout())
if (!identical(readLines(input, n = 1), "go")) quit(status = 3)

started <- proc.time()[["elapsed"]]
column_sums <- colSums(data)        # reads the shared memory directly
sums[, slot] <- column_sums         # writes into the shared result, in place
seconds <- proc.time()[["elapsed"]] - started
if (!npshm_is_view(data) || !npshm_is_view(sums))
  stop("column_sums.R: R copied a shared array")

cat(sprintf("done %.6f %.17g\n", seconds, sum(column_sums)))
flush(stdout())
invisible(readLines(input, n = 1))  # keep the arrays until released
