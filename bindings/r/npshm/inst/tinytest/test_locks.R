# Array locks from R: npshm_lock / npshm_unlock / npshm_with_lock between
# handles of one process, against a second R process, and a holder killed
# with SIGKILL.
source("helpers.R")
library(npshm)

nm <- new_name("lock")
x <- npshm_create(nm, 3)
y <- npshm_attach(nm)                      # a second handle: its own lock
r <- npshm_attach(nm, readonly = TRUE)

# exclusive excludes every other handle, shared ones share
npshm_lock(x)
expect_error(npshm_lock(y, timeout = 0), class = "npshm_timeout")
expect_error(npshm_lock(r, exclusive = FALSE, timeout = 0), class = "npshm_timeout")
npshm_unlock(x)
npshm_lock(x, exclusive = FALSE)
npshm_lock(r, exclusive = FALSE, timeout = 0)
e <- tryCatch(npshm_lock(y, timeout = 0.3), npshm_timeout = function(e) e)
expect_true(inherits(e, "npshm_timeout") && inherits(e, "npshm_error"))
expect_true(grepl("timed out after 0.3 s", conditionMessage(e)))
npshm_unlock(x)
npshm_unlock(r)
expect_error(npshm_unlock(x), class = "npshm_invalid")          # holds none now
expect_error(npshm_lock(r, timeout = 0), class = "npshm_readonly")  # writers only
expect_error(npshm_lock(c(1, 2, 3)), class = "npshm_invalid")     # not a view
expect_error(npshm_lock(x, timeout = -1), class = "npshm_invalid")
expect_error(npshm_lock(x, exclusive = NA), class = "npshm_invalid")

# the scoped form: the value, and the lock released on an error too
expect_equal(npshm_with_lock(x, { x[1] <- 7; x[1] }), 7)
npshm_lock(y, timeout = 0)                 # free again
npshm_unlock(y)
expect_error(npshm_with_lock(x, stop("inside")), "inside")
npshm_lock(y, timeout = 0)
expect_error(npshm_with_lock(x, 1, timeout = 0), class = "npshm_timeout")
npshm_unlock(y)

# a second R process: its exclusive lock keeps this one waiting until it
# unlocks; then one killed with SIGKILL while holding the lock releases it
# (a killed R leaves its session directory: the holders get a TMPDIR of
# their own, removed at the end)
started <- tempfile()
holder_tmp <- tempfile("holders")
dir.create(holder_tmp)
holder <- function(then) {
  script <- tempfile(fileext = ".R")
  writeLines(c("library(npshm)",
               sprintf("x <- npshm_attach(%s)", deparse(nm)),
               "npshm_lock(x)",
               sprintf("writeLines(as.character(Sys.getpid()), %s)", deparse(started)),
               then), script)
  unlink(started)
  system2(file.path(R.home("bin"), "Rscript"), shQuote(script), wait = FALSE,
          stdout = FALSE, stderr = FALSE, env = paste0("TMPDIR=", shQuote(holder_tmp)))
  t0 <- Sys.time()
  while (!file.exists(started) || length(readLines(started, warn = FALSE)) == 0L) {
    if (difftime(Sys.time(), t0, units = "secs") > 60) stop("the holder did not start")
    Sys.sleep(0.05)
  }
  unlink(script)
  as.integer(readLines(started))
}

pid <- holder(c("Sys.sleep(1)", "npshm_unlock(x)", "Sys.sleep(30)"))
t0 <- Sys.time()
npshm_lock(x, timeout = 30)                # waits for the other process
expect_true(as.double(difftime(Sys.time(), t0, units = "secs")) > 0.2)
npshm_unlock(x)
tools::pskill(pid, tools::SIGKILL)

pid <- holder("Sys.sleep(60)")
expect_error(npshm_lock(x, timeout = 0.2), class = "npshm_timeout")
tools::pskill(pid, tools::SIGKILL)
npshm_lock(x, timeout = 30)                # the kernel released it
npshm_unlock(x)
unlink(started)
Sys.sleep(0.5)  # the killed holders are gone (the lock said so): their leftovers go
unlink(holder_tmp, recursive = TRUE)

rm(x, y, r)
npshm_delete(nm)
expect_equal(leftovers(), character(0))
