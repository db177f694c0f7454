# Lifetimes at normal exit: an Rscript that exits normally with an "owner"
# array still referenced by a global (and its hold on a "last" array) leaves
# nothing behind in its private shm directory.  The library's exit hook
# (core/store/exit_hook.hpp) guarantees it whatever R's finalizers did first.
source("helpers.R")
library(npshm)

dir <- file.path("/dev/shm", paste0(test_prefix, "-exit"))
dir.create(dir, mode = "0700")
# The child gets the private directory through its environment only (this
# process's NPSHM_DIR is left alone).
code <- c(
  "library(npshm)",
  "keep <- npshm_create('npshm-test-exit-owner', 1000, init = 1, lifetime = 'owner')",
  "e <- new.env(); e$self <- e; e$x <- keep",
  "held <- npshm_create('npshm-test-exit-last', 10, lifetime = 'last')",
  "cat('alive', sum(keep), npshm_exists('npshm-test-exit-owner'), '\\n')")
script <- tempfile(fileext = ".R")
writeLines(code, script)
out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), shQuote(script),
                                stdout = TRUE, stderr = TRUE,
                                env = paste0("NPSHM_DIR=", shQuote(dir))))
unlink(script)
if (is.null(attr(out, "status"))) attr(out, "status") <- 0L
text <- paste(out, collapse = "\n")
expect_identical(attr(out, "status"), 0L, info = text)
expect_true(grepl("alive 1000 TRUE", text), info = text)
expect_identical(list.files(dir, all.files = TRUE, no.. = TRUE), character(0))
unlink(dir, recursive = TRUE)
expect_identical(leftovers(), character(0))
