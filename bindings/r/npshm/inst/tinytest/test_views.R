# Views made and attached in R: types, layouts, value semantics, lifetimes.
source("helpers.R")
library(npshm)

## Each zero-copy type round-trips through create + attach, with no copy.
values <- list(double = c(1.5, -2, NA, Inf, 0, 1e300),
               integer = c(1L, -2L, NA, .Machine$integer.max, 0L, 7L),
               complex = complex(real = 1:6, imaginary = -(6:1) / 4),
               raw = as.raw(c(0, 1, 127, 128, 255, 9)))
for (type in names(values)) {
  nm <- new_name(type)
  x <- npshm_create(nm, c(2, 3), type = type, init = values[[type]])
  expect_identical(typeof(x), type, info = type)
  expect_identical(dim(x), c(2L, 3L), info = type)
  y <- npshm_attach(nm)
  expect_identical(as.vector(y), values[[type]], info = type)
  expect_true(npshm_is_view(y), info = type)
  expect_identical(npshm_info(y)$dtype, npshm:::.view_dtypes()[[type]], info = type)
  rm(x, y)
  npshm_delete(nm)
}

## Order C: the R view has the reversed dim (the zero-copy transpose).
nm <- new_name("corder")
x <- npshm_create(nm, c(2, 3, 4), order = "C", init = as.double(1:24))
expect_identical(dim(x), c(4L, 3L, 2L))
expect_identical(npshm_info(x)$shape, c(2, 3, 4))
expect_identical(npshm_info(x)$order, "C")
expect_identical(dim(npshm_attach(nm)), c(4L, 3L, 2L))
npshm_delete(nm)

## Fill with one value; 0-d and 1-d arrays have no dim; empty arrays work.
nm <- new_name("fill")
x <- npshm_create(nm, c(3, 2), type = "integer", init = 7L)
expect_identical(as.vector(x), rep(7L, 6))
npshm_delete(nm)
nm <- new_name("scalar")
x <- npshm_create(nm, numeric(0), init = 2.5)
expect_identical(x, 2.5)
expect_null(dim(x))
npshm_delete(nm)
nm <- new_name("vector")
x <- npshm_create(nm, 5, type = "raw")
expect_identical(x, raw(5))
npshm_delete(nm)
nm <- new_name("empty")
x <- npshm_create(nm, c(0, 3))
expect_identical(dim(x), c(0L, 3L))
expect_identical(length(x), 0L)
expect_identical(colSums(x), c(0, 0, 0))
npshm_delete(nm)

## npshm_share copies an R array in (order F, same dim).
m <- matrix(rnorm(20), 4, 5)
nm <- new_name("share")
x <- npshm_share(m, nm)
expect_identical(x[, ], m)
expect_true(npshm_is_view(x))
npshm_delete(nm)

## integer64 views of <i8 (bit64).
if (requireNamespace("bit64", quietly = TRUE)) {
  nm <- new_name("i64")
  big <- bit64::as.integer64(c("9007199254740993", "-4611686018427387904", "5"))
  x <- npshm_create(nm, 3, type = "integer64", init = big)
  y <- npshm_attach(nm)
  expect_true(inherits(y, "integer64"))
  expect_identical(as.character(y), c("9007199254740993", "-4611686018427387904", "5"))
  expect_identical(npshm_info(y)$dtype, "<i8")
  npshm_delete(nm)
}

## Reading never copies: base functions that ask for a writable pointer
## (colMeans, %*%) still read the mapping.
nm <- new_name("reads")
x <- npshm_create(nm, c(3, 4), init = as.double(1:12))
expect_equal(colMeans(x), c(2, 5, 8, 11))
expect_equal(x %*% rep(1, 4), matrix(c(22, 26, 30), 3, 1))
expect_equal(sum(x), 78)
expect_equal(x[2, 3], 8)
expect_true(npshm_is_view(x))
expect_true(npshm_info(x)$view)

## Value semantics: assignments never change shared memory by default.
y <- x
y[1] <- 100
expect_equal(y[1], 100)
expect_equal(x[1], 1)
expect_true(npshm_is_view(x))
expect_false(npshm_is_view(y))
x[2] <- 50
expect_equal(x[2], 50)
expect_false(npshm_is_view(x))
expect_equal(npshm_attach(nm)[1:2], c(1, 2))

## npshm_create(inplace = TRUE): the created view writes the shared memory
## (R_UnwindProtect's token must not keep a second reference to it).
nm_ci <- new_name("createinplace")
ci <- npshm_create(nm_ci, 3, inplace = TRUE)
ci[2] <- 42
expect_identical(npshm_attach(nm_ci)[2], 42)
expect_true(npshm_is_view(ci))
rm(ci)
npshm_delete(nm_ci)

## inplace = TRUE: assignment writes the shared memory ...
w <- npshm_attach(nm, inplace = TRUE)
expect_true(npshm_info(w)$inplace)
w[1, 1] <- -1
expect_equal(npshm_attach(nm)[1], -1)
expect_true(npshm_is_view(w))
## ... but not through a copy of it (R's semantics for shared values).
v <- w
v[2] <- -2
expect_equal(npshm_attach(nm)[2], 2)
expect_equal(v[2], -2)

## readonly = TRUE: the mapping is never written.
r <- npshm_attach(nm, readonly = TRUE)
expect_true(npshm_info(r)$readonly)
expect_equal(colMeans(r), c(4 / 3, 5, 8, 11))
r[1] <- 99
expect_equal(r[1], 99)
expect_equal(npshm_attach(nm)[1], -1)
rm(x, y, w, v, r)
npshm_delete(nm)

## Attributes can be changed on a view without copying its data.
nm <- new_name("attrs")
x <- npshm_create(nm, c(2, 2), init = c(1, 2, 3, 4))
y <- x
dimnames(y) <- list(c("a", "b"), c("c", "d"))
expect_equal(y["b", "d"], 4)
expect_null(dimnames(x))
expect_true(npshm_is_view(y))
expect_identical(npshm_info(y)$name, paste0("shm://", nm))
npshm_delete(nm)

## The mapping lives as long as a view: deleting the name keeps the data.
nm <- new_name("alive")
x <- npshm_create(nm, 4, init = c(1, 2, 3, 4))
npshm_delete(nm)
expect_false(npshm_exists(nm))
invisible(gc())
expect_equal(sum(x), 10)

## Finalizers release handles: the process holds the array (holders count
## processes) while any of its views lives, and no longer once all are
## collected; lifetime "owner" removes the array when the creator's view goes.
nm <- new_name("holders")
x <- npshm_create(nm, 3)
y <- npshm_attach(nm)
expect_equal(npshm_info(nm)$holders, 1L)
rm(x); invisible(gc())
expect_equal(npshm_info(nm)$holders, 1L)
rm(y); invisible(gc())
expect_equal(npshm_info(nm)$holders, 0L)
npshm_delete(nm)

nm <- new_name("owner")
x <- npshm_create(nm, 3, lifetime = "owner")
expect_identical(npshm_info(x)$lifetime, "owner")
expect_true(npshm_exists(nm))
rm(x); invisible(gc())
expect_false(npshm_exists(nm))

## Listing and description by name.
nm <- new_name("listed")
x <- npshm_create(nm, c(2, 5), type = "integer", mode = "0640")
lst <- npshm_list()
row <- lst[lst$name == paste0("shm://", nm), ]
expect_equal(nrow(row), 1L)
expect_identical(row$dtype, "<i4")
expect_identical(row$shape, "(2, 5)")
expect_identical(row$order, "F")
expect_equal(row$nbytes, 40)
expect_identical(row$mode, "0640")
expect_identical(row$status, "NPSHM_OK")
info <- npshm_info(nm)
expect_identical(info$shape, c(2, 5))
expect_identical(info$lifetime, "persistent")
npshm_delete(nm)
expect_true(is.character(npshm_version()))

## Math on a temporary inplace view returns a new vector: R may reuse an
## unreferenced argument for the result, which must not be shared memory.
nm <- new_name("temps")
start <- c(4, -9, 2.25, 16)
x <- npshm_create(nm, 4, init = start)
temps <- list(sqrt = function() sqrt(npshm_attach(nm, inplace = TRUE)),
              minus = function() -npshm_attach(nm, inplace = TRUE),
              round = function() round(npshm_attach(nm, inplace = TRUE)),
              plus = function() npshm_attach(nm, inplace = TRUE) + 1,
              exp = function() exp(npshm_attach(nm, inplace = TRUE)),
              abs = function() abs(npshm_attach(nm, inplace = TRUE)),
              cumsum = function() cumsum(npshm_attach(nm, inplace = TRUE)))
for (op in names(temps)) {
  res <- suppressWarnings(temps[[op]]())
  expect_identical(as.vector(npshm_attach(nm, copy = TRUE)), start, info = op)
  expect_identical(as.vector(res),
                   suppressWarnings(as.vector(switch(op, sqrt = sqrt(start), minus = -start,
                                                     round = round(start), plus = start + 1,
                                                     exp = exp(start), abs = abs(start),
                                                     cumsum = cumsum(start)))), info = op)
}
nm_i <- new_name("tempsint")
xi <- npshm_create(nm_i, 3, type = "integer", init = c(1L, -2L, 3L))
res <- -npshm_attach(nm_i, inplace = TRUE)
expect_identical(as.vector(res), c(-1L, 2L, -3L))
expect_identical(as.vector(npshm_attach(nm_i, copy = TRUE)), c(1L, -2L, 3L))
## ... while assignment into a variable bound to an inplace view still
## writes the shared memory, also inside a function and with x[] <-.
w <- npshm_attach(nm, inplace = TRUE)
w[2] <- 7
expect_identical(as.vector(npshm_attach(nm, copy = TRUE)), c(4, 7, 2.25, 16))
expect_true(npshm_is_view(w))
(function() { v <- npshm_attach(nm, inplace = TRUE); v[] <- 1:4 + 0.5 })()
expect_identical(as.vector(npshm_attach(nm, copy = TRUE)), 1:4 + 0.5)
w[[4]] <- -1
expect_identical(x[4], -1)
wi <- npshm_attach(nm_i, inplace = TRUE)
wi[1] <- 10L
expect_identical(xi[1], 10L)
## Math on an inplace variable leaves it a view of the shared memory.
s <- suppressWarnings(sqrt(w))
expect_true(npshm_is_view(w))
expect_identical(as.vector(npshm_attach(nm, copy = TRUE)), c(1.5, 2.5, 3.5, -1))
rm(x, xi, w, wi, s, res)
npshm_delete(nm)
npshm_delete(nm_i)

## attach(copy = TRUE) of <i8 is exact: integer64, like the view.
if (requireNamespace("bit64", quietly = TRUE)) {
  nm <- new_name("i64copy")
  big <- bit64::as.integer64(c("9007199254740993", "-9223372036854775807", "5", NA))
  x <- npshm_create(nm, c(2, 2), type = "integer64", init = big)
  y <- npshm_attach(nm, copy = TRUE)
  expect_false(npshm_is_view(y))
  expect_true(inherits(y, "integer64"))
  expect_identical(dim(y), c(2L, 2L))
  expect_identical(as.character(y), c("9007199254740993", "-9223372036854775807", "5", NA))
  rm(x)
  npshm_delete(nm)
}

expect_identical(leftovers(), character(0), info = "no segments left behind")
