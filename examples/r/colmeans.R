# Summarises a matrix that Python put in shared memory: attaches it (no
# copy), computes colMeans, and checks them against NumPy's.
#   Rscript colmeans.R NAME NUMPY_MEANS_FILE
library(npshm)
args <- commandArgs(trailingOnly = TRUE)
name <- args[1]

x <- npshm_attach(name, readonly = TRUE)
stopifnot(npshm_is_view(x))
means <- colMeans(x)
stopifnot(npshm_is_view(x))  # colMeans read the shared memory: still no copy

numpy_means <- as.numeric(readLines(args[2]))
cat(sprintf("%s: %d x %d matrix made by NumPy, viewed by R with no copy\n",
            npshm_info(x)$name, nrow(x), ncol(x)))
cat("colMeans (first 5):", format(head(means, 5), digits = 4), "\n")
cat("largest difference from NumPy's means:", max(abs(means - numpy_means)), "\n")
stopifnot(isTRUE(all.equal(means, numpy_means, tolerance = 1e-12)))
