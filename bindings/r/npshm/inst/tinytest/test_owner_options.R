# exist_ok (create attaches an existing array only if it passes the
# anti-squatting check) and allow_other_owner (attach refuses by default a
# file owned by another user who is not root).
source("helpers.R")
library(npshm)

catch <- function(expr) tryCatch(expr, error = function(e) e)

## exist_ok: the same array again, the same memory.
nm <- new_name("existok")
x <- npshm_create(nm, c(2, 3), init = as.double(1:6))
expect_true(inherits(catch(npshm_create(nm, c(2, 3))), "npshm_exists"))
y <- npshm_create(nm, c(2, 3), exist_ok = TRUE, inplace = TRUE)
y[1, 1] <- 100  # before y is passed anywhere (R writes in place only while y is unshared)
expect_identical(x[1, 1], 100)
expect_identical(y[, ], x[, ])
expect_false(npshm_info(y)$creator)
## Another shape or type: a mismatch, and the array is kept.
expect_true(inherits(catch(npshm_create(nm, c(3, 2), exist_ok = TRUE)), "npshm_mismatch"))
expect_true(inherits(catch(npshm_create(nm, c(2, 3), type = "integer", exist_ok = TRUE)),
                     "npshm_mismatch"))
expect_true(npshm_exists(nm))
## init would overwrite an existing array: refused before anything.
expect_true(inherits(catch(npshm_create(nm, c(2, 3), init = 0, exist_ok = TRUE)),
                     "npshm_invalid"))
expect_identical(x[1, 1], 100)
## A file others may write (as another user would have left it): refused.
Sys.chmod(file.path(shm_dir, nm), "0666", use_umask = FALSE)
e <- catch(npshm_create(nm, c(2, 3), exist_ok = TRUE))
expect_true(inherits(e, "npshm_permission"), info = conditionMessage(e))
## ... unless the create's own mode grants that.
z <- npshm_create(nm, c(2, 3), mode = "0666", exist_ok = TRUE)
expect_identical(z[1, 1], 100)
rm(x, y, z)
invisible(gc())
npshm_delete(nm)

## Files owned by another user (as root: chown to a uid nobody uses).
if (Sys.info()[["effective_user"]] != "root" ||
    Sys.which("chown") == "") {
  log <- Sys.getenv("NPSHM_R_SKIPS")
  if (nzchar(log))
    cat("test_owner_options.R: files of another owner: needs root to chown\n",
        file = log, append = TRUE)
} else {
  other_uid <- "54321"
  nm <- new_name("other")
  o <- npshm_create(nm, 4, init = c(1, 2, 3, 4))
  rm(o)
  invisible(gc())
  path <- file.path(shm_dir, nm)
  expect_identical(system2("chown", c(other_uid, shQuote(path))), 0L)
  e <- catch(npshm_attach(nm))
  expect_true(inherits(e, "npshm_permission"), info = conditionMessage(e))
  expect_true(grepl(nm, conditionMessage(e), fixed = TRUE))
  expect_true(inherits(catch(npshm_attach(nm, readonly = TRUE)), "npshm_permission"))
  a <- npshm_attach(nm, readonly = TRUE, allow_other_owner = TRUE)
  expect_identical(a[], c(1, 2, 3, 4))
  expect_true(inherits(catch(npshm_attach(nm, allow_other_owner = NA)), "npshm_invalid"))
  ## exist_ok never attaches another user's file.
  e <- catch(npshm_create(nm, 4, exist_ok = TRUE))
  expect_true(inherits(e, "npshm_permission"), info = conditionMessage(e))
  rm(a)
  invisible(gc())
  npshm_delete(nm)
}

expect_identical(leftovers(), character(0), info = "no segments left behind")
