# A serialized view names one array, not whatever array has its name: the
# state carries the core's reference to the array, with its id, and
# unserializing a state whose array was removed and created again (same
# name, dtype and shape) is an error (npshm_not_found).
source("helpers.R")
library(npshm)

recreated <- function(nm) sprintf(paste(
  "npshm: cannot unserialize a view: attach shm://%s: the array of that name is not",
  "the one referenced (it was removed and created again)"), nm)

## Re-created with the same dtype and shape: an error naming the array,
## not the new array's data.
nm <- new_name("again")
x <- npshm_create(nm, c(3, 2), init = as.double(1:6))
bytes <- serialize(x, NULL)
rm(x)
npshm_delete(nm)
x2 <- npshm_create(nm, c(3, 2), init = as.double(11:16))
expect_error(unserialize(bytes), pattern = recreated(nm), fixed = TRUE)
expect_true(inherits(tryCatch(unserialize(bytes), error = identity), "npshm_not_found"))
## The failed unserialize kept no handle: only x2 holds the array.
invisible(gc())
expect_identical(npshm_info(nm)$holders, 1L)
## A state of the new array attaches it.
y2 <- unserialize(serialize(x2, NULL))
expect_identical(y2[, ], x2[, ])
rm(x2, y2)
npshm_delete(nm)

## The same for read-only, inplace, integer and raw views.
for (case in list(list(type = "double", readonly = TRUE, inplace = FALSE),
                  list(type = "double", readonly = FALSE, inplace = TRUE),
                  list(type = "integer", readonly = FALSE, inplace = FALSE),
                  list(type = "raw", readonly = FALSE, inplace = FALSE))) {
  nm <- new_name(case$type)
  info <- paste(case$type, case$readonly, case$inplace)
  made <- npshm_create(nm, 4, type = case$type)
  v <- npshm_attach(nm, readonly = case$readonly, inplace = case$inplace)
  b <- serialize(v, NULL)
  rm(made, v)
  npshm_delete(nm)
  made <- npshm_create(nm, 4, type = case$type)
  expect_error(unserialize(b), pattern = recreated(nm), fixed = TRUE, info = info)
  rm(made)
  npshm_delete(nm)
}

## Normal use is unchanged: the same array unserializes as often as asked,
## also after other views of it were closed.
nm <- new_name("same")
x <- npshm_create(nm, 5, init = as.double(1:5))
b <- serialize(x, NULL)
expect_identical(unserialize(b)[], as.double(1:5))
expect_identical(unserialize(b)[], as.double(1:5))
v <- npshm_attach(nm)
b2 <- serialize(v, NULL)
rm(v)
invisible(gc())
expect_identical(unserialize(b2)[], as.double(1:5))

## The state is the core's reference text (with the array's id) and the
## in-place flag; npshm_ref() holds the same text.
text <- rawToChar(serialize(x, NULL, ascii = TRUE))
ref <- npshm_ref(x)$reference
expect_true(startsWith(ref, sprintf("npshm-ref/1 uri=shm://%s dir=", nm)), info = ref)
expect_true(grepl(" id=[0-9a-f]{16} offset=0 shape=5 strides=8 ro=0 dtype=%3Cf8 sum=", ref),
            info = ref)
expect_true(grepl(paste0("\nnpshm-view-3\n16\n1\n262153\n", nchar(ref), "\n",
                         gsub(" ", "\\040", ref, fixed = TRUE), "\n10\n1\n0\n"),
                  text, fixed = TRUE), info = text)

## Forked workers re-creating the array under the same name: the parent's
## old state is refused, the worker's new one attaches.
if (.Platform$OS.type == "unix") {
  nm2 <- new_name("fork")
  f <- npshm_create(nm2, 3, init = c(1, 2, 3))
  fb <- serialize(f, NULL)
  rm(f)
  npshm_delete(nm2)
  job <- parallel::mcparallel(npshm_create(nm2, 3, init = c(7, 8, 9)))
  res <- parallel::mccollect(job)[[1]]
  expect_error(unserialize(fb), pattern = recreated(nm2), fixed = TRUE)
  expect_true(npshm_is_view(res))
  expect_identical(res[], c(7, 8, 9))
  rm(res)
  npshm_delete(nm2)
}

rm(x)
npshm_delete(nm)
expect_identical(leftovers(), character(0), info = "no segments left behind")
