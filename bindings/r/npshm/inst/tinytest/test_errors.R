# Every error path: clear messages naming the array, nothing left behind.
source("helpers.R")
library(npshm)

missing <- new_name("missing")
expect_error(npshm_attach(missing), pattern = missing)
expect_error(npshm_attach(missing), pattern = "no such array")
expect_false(npshm_exists(missing))
expect_error(npshm_delete(missing), pattern = missing)
expect_error(npshm_info(missing), pattern = missing)

nm <- new_name("taken")
x <- npshm_create(nm, 2)
expect_error(npshm_create(nm, 2), pattern = nm)
expect_error(npshm_attach(nm, type = "integer"), pattern = "<i4|dtype")
expect_error(npshm_attach(nm, dim = c(3)), pattern = "shape")
expect_error(npshm_attach(nm, readonly = TRUE, inplace = TRUE), pattern = "readonly")
expect_error(npshm_attach(nm, inplace = TRUE, copy = TRUE), pattern = "exclude")
expect_error(npshm_attach(nm, readonly = NA), pattern = "TRUE or FALSE")
expect_error(npshm_attach(nm, dim = "a"), pattern = "dim")
expect_identical(as.vector(npshm_attach(nm, type = "double", dim = 2)), c(0, 0))
rm(x)
npshm_delete(nm)

## Bad names.
expect_error(npshm_create("a/b", 2), pattern = "a/b")
expect_error(npshm_create(".hidden", 2), pattern = "hidden")
expect_error(npshm_create(strrep("n", 201), 2), pattern = "name")
expect_error(npshm_create(c("a", "b"), 2), pattern = "single")
expect_error(npshm_create(NA_character_, 2), pattern = "single")
expect_error(npshm_attach(""), pattern = "single")

## Bad arguments to create: nothing is created.
nm <- new_name("bad")
expect_error(npshm_create(nm, c(2, -1)), pattern = "dim\\[2\\]")
expect_error(npshm_create(nm, c(2, 1.5)), pattern = "whole number")
expect_error(npshm_create(nm, c(2, NA)), pattern = "dim")
expect_error(npshm_create(nm, rep(1, 65)), pattern = "more than 64")
expect_error(npshm_create(nm, 2, type = "character"), pattern = "no R view")
expect_error(npshm_create(nm, 2, type = "<f4"), pattern = "no R view")
expect_error(npshm_create(nm, 2, order = "X"), pattern = "arg")
expect_error(npshm_create(nm, 2, lifetime = "forever"), pattern = "arg")
expect_error(npshm_create(nm, 2, mode = "0999"), pattern = "mode")
expect_error(npshm_create(nm, 2, init = 1:2), pattern = "init is integer")
expect_error(npshm_create(nm, 3, init = c(1, 2)), pattern = "init has 2 elements")
expect_error(npshm_create(nm, 2, inplace = "yes"), pattern = "inplace")
expect_error(npshm_share(letters, nm), pattern = "character")
# Each is checked once, where the array is made, and the message names it.
expect_error(npshm_create(nm, c(2, -1)), pattern = paste0("npshm_create ", nm, ": dim\\[2\\]"))
expect_error(npshm_create(nm, c(2, NA)), pattern = "dim\\[2\\] must be a whole number >= 0, not NA")
expect_error(npshm_create(nm, c(2L, NA)), pattern = "dim\\[2\\] must be a whole number >= 0, not NA")
expect_error(npshm_create(nm, "2"), pattern = "dim must be a numeric vector of extents")
expect_error(npshm_create(nm, 2, type = "<f4"),
             pattern = paste0("npshm_create ", nm, ": type '<f4' has no R view \\(R views: <f8 double"))
expect_error(npshm_create(nm, 2, init = list(1, 2)), pattern = "init is list, the array is double")
# a factor's integers are codes into its levels: not taken as values
expect_error(npshm_create(nm, 2, type = "integer", init = factor(c("a", "b"))),
             pattern = "init is factor, the array is integer")
expect_error(npshm_create(nm, 2, type = "integer64", init = c(1, 2)),
             pattern = "init is double, the array is integer64")
expect_error(npshm_create(nm, 2, init = structure(c(0, 0), class = "integer64")),
             pattern = "init is integer64, the array is double")
expect_error(npshm_create(nm, 2, inplace = 1), pattern = "inplace must be TRUE or FALSE")
expect_error(npshm_create(nm, 2, inplace = c(TRUE, TRUE)), pattern = "inplace must be TRUE or FALSE")
expect_false(npshm_exists(nm))
# Integer extents are extents too.
y <- npshm_create(nm, c(2L, 3L), type = "integer", init = 1:6)
expect_identical(dim(y), c(2L, 3L))
expect_identical(as.vector(npshm_attach(nm, dim = c(2L, 3L))), 1:6)
expect_error(npshm_attach(nm, dim = c(2L, NA)), pattern = paste0("npshm_attach ", nm, ": dim\\[2\\]"))
expect_error(npshm_attach(nm, copy = NA), pattern = "copy must be TRUE or FALSE")
expect_error(npshm_attach(nm, readonly = TRUE, inplace = TRUE),
             pattern = paste0("npshm_attach ", nm, ": inplace = TRUE writes to shared memory, ",
                              "which readonly = TRUE forbids"))
expect_true(npshm_info(npshm_attach(nm, readonly = TRUE))$readonly)
rm(y)
npshm_delete(nm)

## An extent too large for an R dim: refused before anything is created.
for (order in c("F", "C")) for (dim in list(c(0, 3e9), c(3e9, 0), c(2, 0, 2^31))) {
  nm <- new_name("bigdim")
  expect_error(npshm_create(nm, dim, order = order), pattern = "larger than an R dim",
               info = paste(order, toString(dim)))
  expect_error(npshm_create(nm, dim, order = order), pattern = nm)
  expect_false(npshm_exists(nm), info = paste(order, toString(dim)))
}
nm <- new_name("bigdimowner")
expect_error(npshm_create(nm, c(0, 3e9), lifetime = "owner"), pattern = "R dim")
invisible(gc())
expect_false(npshm_exists(nm))

## A file in the shm directory that is not an array is never touched.
nm <- new_name("foreign")
writeLines("not an array", file.path(shm_dir, nm))
expect_error(npshm_attach(nm), pattern = nm)
expect_error(npshm_exists(nm), pattern = nm)
expect_error(npshm_delete(nm), pattern = nm)
expect_true(file.exists(file.path(shm_dir, nm)))
lst <- npshm_list()
expect_true(lst$status[lst$name == paste0("shm://", nm)] != "NPSHM_OK")
expect_true(npshm_info(nm)$status != "NPSHM_OK")
unlink(file.path(shm_dir, nm))

## Not a view.
expect_error(npshm_info(1:3), pattern = "neither")
expect_false(npshm_is_view(1:3))
expect_error(npshm_delete(1:3), pattern = "npshm view")

expect_identical(leftovers(), character(0), info = "no segments left behind")
