# Arrays made without a name get lifetime "owner" (nobody else knows the
# name: nothing of them may outlive the session); an existing name's error
# says what to do.
source("helpers.R")
library(npshm)

## A script making arrays with name = NULL leaves its shm directory empty.
dir <- tempfile("npshm-test-r-unnamed-", tmpdir = "/dev/shm")
dir.create(dir, mode = "0700")
out <- run_r(c(
  sprintf("Sys.setenv(NPSHM_DIR = %s)", deparse(dir)),
  "x <- npshm_create(NULL, c(3, 4))",
  "y <- npshm_share(matrix(1:6, 2))",
  "cat(length(list.files(Sys.getenv('NPSHM_DIR'))), npshm_info(x)$lifetime,",
  "    npshm_info(y)$lifetime, '\\n')"))
expect_equal(attr(out, "status"), 0L, info = paste(out, collapse = "\n"))
expect_equal(trimws(out[[1L]]), "2 owner owner")
expect_identical(list.files(dir, all.files = TRUE, no.. = TRUE), character(0))
unlink(dir, recursive = TRUE)

## An explicit lifetime still wins; a named array stays persistent.
z <- npshm_create(NULL, 2, lifetime = "persistent")
zname <- npshm_info(z)$name
expect_equal(npshm_info(z)$lifetime, "persistent")
rm(z)
invisible(gc())
expect_true(npshm_exists(zname))
npshm_delete(zname)

nm <- new_name("named")
w <- npshm_create(nm, 2)
expect_equal(npshm_info(w)$lifetime, "persistent")

## The existing name's error: exist_ok = TRUE, npshm_delete and npshm rm.
e <- tryCatch(npshm_create(nm, 2), npshm_exists = function(e) e)
expect_true(inherits(e, "npshm_exists"))
expect_true(grepl("exist_ok = TRUE", conditionMessage(e), fixed = TRUE))
expect_true(grepl(sprintf("npshm_delete(\"%s\")", nm), conditionMessage(e), fixed = TRUE))
expect_true(grepl(paste("npshm rm", nm), conditionMessage(e), fixed = TRUE))
e <- tryCatch(npshm_share(1:2, nm), npshm_exists = function(e) e)
expect_true(grepl("npshm_delete", conditionMessage(e), fixed = TRUE))
expect_false(grepl("exist_ok", conditionMessage(e), fixed = TRUE))  # npshm_share has none
rm(w)
npshm_delete(nm)

expect_identical(leftovers(), character(0))
