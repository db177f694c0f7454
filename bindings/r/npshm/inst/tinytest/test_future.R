# future (multisession) and views: future counts a view's whole mapping
# against future.globals.maxSize although the view is sent by reference;
# npshm_ref() sends a small reference the worker attaches.
source("helpers.R")
library(npshm)
if (!requireNamespace("future", quietly = TRUE))
  skip_file("future is not installed (Debian: r-cran-future)")

nm <- new_name("future")
x <- npshm_create(nm, c(1000, 125), init = as.double(seq_len(125000)))  # 1 MB
old <- options(future.globals.maxSize = 200 * 1024)  # 200 KiB
# Two workers: future runs one worker in this process (sequential).
oplan <- future::plan(future::multisession, workers = 2L)
on_exit <- function() {
  future::plan(oplan)
  options(old)
}

## The view itself: refused by future's size check, with its message.
e <- tryCatch(future::future(sum(x)), error = identity)
expect_true(inherits(e, "error"))
expect_true(grepl("future.globals.maxSize", conditionMessage(e)), info = conditionMessage(e))

## A reference: a few hundred bytes; the worker (another process) attaches
## the same shared memory and sums it; nothing is copied.
r <- npshm_ref(x)
expect_true(object.size(r) < 4096)
f <- future::future({
  v <- npshm::npshm_attach(r)
  list(pid = Sys.getpid(), view = npshm::npshm_is_view(v), sum = sum(v),
       col = sum(v[, 7]), path = npshm::npshm_info(v)$path)
}, globals = list(r = r))
res <- future::value(f)
expect_true(res$pid != Sys.getpid())
expect_true(res$view)
expect_identical(res$sum, sum(x))
expect_identical(res$col, sum(x[, 7]))
expect_identical(res$path, npshm_info(x)$path)

## The worker's writes through an in-place view are seen here: one memory.
w <- npshm_attach(nm, inplace = TRUE)
rw <- npshm_ref(w)
f <- future::future({
  v <- npshm::npshm_attach(rw)
  v[1, 1] <- -1
  npshm::npshm_is_view(v)
}, globals = list(rw = rw))
expect_true(future::value(f))
expect_identical(x[1, 1], -1)
rm(w, rw)

## With the limit raised, the view itself travels (by reference).
options(future.globals.maxSize = +Inf)
f <- future::future(list(view = npshm::npshm_is_view(x), sum = sum(x)))
res <- future::value(f)
expect_true(res$view)
expect_identical(res$sum, sum(x))

## A reference refuses what is not a view, and extra arguments.
expect_error(npshm_ref(1:3), pattern = "not an npshm view")
expect_error(npshm_attach(r, type = "double"), pattern = "do not apply")
expect_true(npshm_info(npshm_attach(r, readonly = TRUE))$readonly)

on_exit()
rm(x, r)
invisible(gc())
npshm_delete(nm)
expect_identical(leftovers(), character(0), info = "no segments left behind")
