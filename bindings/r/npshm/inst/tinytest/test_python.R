# Cross-language: arrays made by NumPy (numpy.save) and by the C library
# (through Python ctypes) read in R; arrays made in R read by NumPy.
source("helpers.R")
library(npshm)
if (!has_numpy()) skip_file(paste("no Python with numpy at", python))

parse_values <- function(lines, type) {
  switch(type,
         double = as.numeric(lines),
         integer = as.integer(lines),
         raw = as.raw(as.integer(lines)),
         complex = {
           parts <- strsplit(lines, " ", fixed = TRUE)
           complex(real = as.numeric(vapply(parts, `[`, "", 1L)),
                   imaginary = as.numeric(vapply(parts, `[`, "", 2L)))
         },
         integer64 = lines)
}
r_values <- function(x, type) {
  if (type == "integer64") as.character(x) else as.vector(x)
}
dtypes <- c(double = "<f8", integer = "<i4", complex = "<c16", raw = "|u1",
            integer64 = "<i8")
if (!requireNamespace("bit64", quietly = TRUE)) dtypes <- dtypes[-5]

## NumPy/C -> R: identical values for every type, both orders, both makers
## (the C library's through ctypes only when a libnpshm.so is at hand).
makers <- c("numpy", "lib")
if (is.na(libnpshm_path())) {
  makers <- "numpy"
  log <- Sys.getenv("NPSHM_R_SKIPS")
  if (nzchar(log))
    cat("test_python.R: arrays made by libnpshm through ctypes: no libnpshm.so (set NPSHM_LIBRARY)\n",
        file = log, append = TRUE)
}
for (via in makers) for (type in names(dtypes)) for (order in c("F", "C")) {
  what <- paste(via, type, order)
  nm <- new_name(paste0("py-", type, order))
  shape <- c(3, 4, 2)
  out <- py("make", nm, dtypes[[type]], order, via, shape)
  elem <- sub("^ELEM ", "", out[length(out)])
  x <- npshm_attach(nm)
  expect_true(npshm_is_view(x), info = what)
  expect_identical(typeof(x), if (type == "integer64") "double" else type, info = what)
  expect_identical(dim(x), as.integer(if (order == "F") shape else rev(shape)), info = what)
  expect_identical(r_values(x, type), parse_values(out[-length(out)], type), info = what)
  # NumPy's a[1, 2, 0] is x[2, 3, 1] (order F) or x[1, 3, 2] (order C).
  e <- if (order == "F") x[2, 3, 1] else x[1, 3, 2]
  expect_identical(r_values(e, type), parse_values(elem, type), info = what)
  rm(x)
  npshm_delete(nm)
}

## R -> NumPy: numpy.load reads what R made, shape and order included.
dump_of <- function(nm) {
  out <- py("dump", nm)
  head <- strsplit(out[1], ";", fixed = TRUE)[[1]]
  list(descr = head[1], shape = as.numeric(strsplit(head[2], ",")[[1]]),
       order = head[3], values = out[-1])
}
inits <- list(double = c(0.1, -1 / 3, 1e-300, 2^60, 5, 6),
              integer = c(-5L, 0L, 2147483647L, 4L, 5L, 6L),
              complex = complex(real = c(1, 2, 3, 4, 5, 6), imaginary = c(0.5, -1, 0, 2, 3, 4)),
              raw = as.raw(c(0, 255, 3, 4, 5, 6)))
for (type in names(inits)) for (order in c("F", "C")) {
  what <- paste("R->numpy", type, order)
  nm <- new_name(paste0("r-", type, order))
  x <- npshm_create(nm, c(2, 3), type = type, order = order, init = inits[[type]])
  d <- dump_of(nm)
  expect_identical(d$descr, dtypes[[type]], info = what)
  expect_identical(d$shape, c(2, 3), info = what)
  if (order == "F") {
    expect_identical(d$order, "F", info = what)
    # C-order listing of a (2, 3) array whose a[i, j] is x[i, j].
    expect_identical(parse_values(d$values, type), as.vector(t(x[, ])), info = what)
  } else {
    # x is the (3, 2) transpose: a[i, j] is x[j, i], so a's C listing is x's.
    expect_identical(parse_values(d$values, type), as.vector(x), info = what)
  }
  rm(x)
  npshm_delete(nm)
}

## Another process's writes appear in an R view at once: it is the memory.
nm <- new_name("seen")
x <- npshm_create(nm, c(4, 4), init = 0)
py("write", nm, 5, 42.5)
expect_equal(x[2, 2], 42.5)
expect_equal(colSums(x), c(0, 42.5, 0, 0))

## R's writes reach the other process only with inplace = TRUE.
x[1] <- 7
expect_equal(x[1], 7)
expect_identical(py("read", nm, 0), "0.0")
w <- npshm_attach(nm, inplace = TRUE)
w[1] <- 7
expect_identical(py("read", nm, 0), "7.0")
y <- w
y[3] <- 9
expect_identical(py("read", nm, 2), "0.0")
r <- npshm_attach(nm, readonly = TRUE)
r[4] <- 1
expect_identical(py("read", nm, 3), "0.0")
rm(x, w, y, r)
npshm_delete(nm)

## Other dtypes: an error naming copy = TRUE, or a converting copy.
nm <- new_name("f4")
out <- py("make", nm, "<f4", "C", "numpy", 2, 3)
expect_error(npshm_attach(nm), pattern = "'<f4' has no zero-copy R type.*copy = TRUE")
x <- npshm_attach(nm, copy = TRUE)
expect_false(npshm_is_view(x))
expect_identical(dim(x), c(3L, 2L))
expect_identical(as.vector(x), as.numeric(out[1:6]))
npshm_delete(nm)
for (spec in list(c("|b1", "logical"), c("<i2", "integer"), c(">f8", "double"),
                  c("<c8", "complex"), c("<u4", "double"), c("|i1", "integer"))) {
  nm <- new_name("conv")
  out <- py("make", nm, spec[1], "F", "numpy", 5)
  x <- npshm_attach(nm, copy = TRUE)
  expect_identical(typeof(x), spec[2], info = spec[1])
  expected <- if (spec[2] == "logical") out == "1" else parse_values(out, spec[2])
  expect_identical(x, expected, info = spec[1])
  npshm_delete(nm)
}
nm <- new_name("str")
writeLines(c("import numpy as np, sys",
             "with open(sys.argv[1], 'wb') as f: np.save(f, np.array(['ab', 'cd']))"),
           f <- tempfile(fileext = ".py"))
system2(python, shQuote(c(f, file.path(shm_dir, nm))))
expect_error(npshm_attach(nm), pattern = "'<U2' has no zero-copy R type")
expect_error(npshm_attach(nm, copy = TRUE), pattern = "'<U2' cannot be converted")
npshm_delete(nm)

## attach(copy = TRUE) of <u8: doubles when every value is exact (up to
## 2^53), else an error naming the array; <i8 gives integer64.
save_u8 <- function(nm, values) {
  writeLines(c("import numpy as np, sys",
               sprintf("np.save(sys.argv[1], np.array([%s], dtype='<u8'))",
                       paste(values, collapse = ", "))),
             f <- tempfile(fileext = ".py"))
  on.exit(unlink(f))
  system2(python, shQuote(c(f, file.path(shm_dir, paste0(nm, ".npy")))))
  file.rename(file.path(shm_dir, paste0(nm, ".npy")), file.path(shm_dir, nm))
}
nm <- new_name("u8exact")
save_u8(nm, c("0", "9007199254740992", "12345"))
expect_identical(npshm_attach(nm, copy = TRUE), c(0, 9007199254740992, 12345))
npshm_delete(nm)
nm <- new_name("u8big")
save_u8(nm, c("1", "9007199254740993", "18446744073709551615"))
expect_error(npshm_attach(nm, copy = TRUE), pattern = nm)
expect_error(npshm_attach(nm, copy = TRUE), pattern = "9007199254740993.*2\\^53")
npshm_delete(nm)
if (requireNamespace("bit64", quietly = TRUE)) {
  nm <- new_name("i8conv")
  out <- py("make", nm, "<i8", "F", "numpy", 3)
  x <- npshm_attach(nm, copy = TRUE)
  expect_true(inherits(x, "integer64"))
  expect_identical(as.character(x), out[1:3])
  npshm_delete(nm)
}

expect_identical(leftovers(), character(0), info = "no segments left behind")
