# A serialized view is data anyone can craft: unserializing never trusts
# it.  Each crafted state is made from a real one in R's ascii format; the
# writes that would hit a read-only mapping or memory outside the mapping
# run in a child R process, so a crash fails the test instead of the run.
source("helpers.R")
library(npshm)

# Runs code in a new Rscript with this package; the output lines, with the
# exit status as attribute "status".
run_r <- function(code) {
  script <- tempfile(fileext = ".R")
  on.exit(unlink(script))
  writeLines(c("library(npshm)", code), script)
  rscript <- file.path(R.home("bin"), "Rscript")
  out <- suppressWarnings(system2(rscript, shQuote(script), stdout = TRUE, stderr = TRUE))
  if (is.null(attr(out, "status"))) attr(out, "status") <- 0L
  out
}
ascii <- function(x) rawToChar(serialize(x, NULL, ascii = TRUE))
# The message of a condition, or what came back instead.
msg_of <- function(e) if (inherits(e, "condition")) conditionMessage(e) else "no error"
replace_once <- function(text, old, new) {
  hits <- gregexpr(old, text, fixed = TRUE)[[1L]]
  stopifnot(length(hits) == 1L, hits[1L] > 0L)
  sub(old, new, text, fixed = TRUE)
}

nm <- new_name("hostile")
x <- npshm_create(nm, c(3, 2), init = as.double(1:6))
ro <- npshm_attach(nm, readonly = TRUE)
text <- ascii(ro)
# The state's shape c(3, 2), then its flags: read-only TRUE, in place FALSE.
flags <- "\n14\n2\n3\n2\n10\n1\n1\n10\n1\n0\n"
expect_true(grepl(flags, text, fixed = TRUE))

## A read-only view whose state is flipped to "writes in place": refused
## (it would make x[1] <- 5 write into a read-only mapping: SIGSEGV).
flipped <- replace_once(text, flags, "\n14\n2\n3\n2\n10\n1\n1\n10\n1\n1\n")
e <- tryCatch(unserialize(charToRaw(flipped)), error = function(e) e)
expect_true(inherits(e, "npshm_format"), info = msg_of(e))
expect_true(grepl("read-only view cannot write in place", msg_of(e)))
expect_true(grepl(nm, msg_of(e), fixed = TRUE))
## The same in a child process that then writes: an R error, no crash, and
## the array is unchanged.
state_file <- tempfile(fileext = ".txt")
writeLines(flipped, state_file, sep = "")
out <- run_r(c(sprintf("s <- readChar('%s', 1e6, useBytes = TRUE)", state_file),
               "v <- tryCatch(unserialize(charToRaw(s)), error = function(e) {",
               "  cat('refused:', conditionMessage(e), '\\n'); NULL })",
               "if (!is.null(v)) { v[1] <- 5; cat('wrote\\n') }"))
text_out <- paste(out, collapse = "\n")
expect_identical(attr(out, "status"), 0L, info = text_out)
expect_true(grepl("refused:", text_out), info = text_out)
expect_false(grepl("segfault|wrote", text_out), info = text_out)
expect_identical(x[1, 1], 1)

## Flags that are not TRUE/FALSE: refused.
na_flags <- replace_once(text, flags, "\n14\n2\n3\n2\n10\n1\nNA\n10\n1\n0\n")
expect_error(unserialize(charToRaw(na_flags)), pattern = "TRUE or FALSE")

## A geometry other than the header's: the shape in the state is only
## checked against the file (npshm_mismatch), never used to size the view.
bigger <- replace_once(text, flags, "\n14\n2\n3000\n2000\n10\n1\n1\n10\n1\n0\n")
e <- tryCatch(unserialize(charToRaw(bigger)), error = function(e) e)
expect_true(inherits(e, "npshm_mismatch"), info = msg_of(e))
fewer_axes <- replace_once(text, flags, "\n14\n1\n6\n10\n1\n1\n10\n1\n0\n")
expect_true(inherits(tryCatch(unserialize(charToRaw(fewer_axes)), error = identity),
                     "npshm_mismatch"))
## Another dtype of the same R type (<i8 instead of <f8), or one with no R
## view: refused.
other_dtype <- replace_once(text, "\n3\n<f8\n", "\n3\n<i8\n")
expect_true(inherits(tryCatch(unserialize(charToRaw(other_dtype)), error = identity),
                     "npshm_mismatch"))
no_view <- replace_once(text, "\n3\n<f8\n", "\n3\n|O8\n")
expect_error(unserialize(charToRaw(no_view)), pattern = "has no R view")

## A dim attribute larger than the data (6 elements shown as 1000 x 1000)
## would make x[1000, 1000] read outside the mapping: refused by R's own
## dim check.
dim_attr <- "\n3\ndim\n13\n2\n3\n2\n"
expect_true(grepl(dim_attr, text, fixed = TRUE))
huge_dim <- replace_once(text, dim_attr, "\n3\ndim\n13\n2\n1000\n1000\n")
writeLines(huge_dim, state_file, sep = "")
out <- run_r(c(sprintf("s <- readChar('%s', 1e6, useBytes = TRUE)", state_file),
               "v <- tryCatch(unserialize(charToRaw(s)), error = function(e) {",
               "  cat('refused:', conditionMessage(e), '\\n'); NULL })",
               "if (!is.null(v)) cat('read', v[1000, 1000], '\\n')"))
text_out <- paste(out, collapse = "\n")
expect_identical(attr(out, "status"), 0L, info = text_out)
expect_true(grepl("refused:.*do not match the length", text_out), info = text_out)
expect_false(grepl("segfault|read ", text_out), info = text_out)
unlink(state_file)

## The genuine state still works, read-only and not writing the mapping.
y <- unserialize(charToRaw(text))
expect_identical(dim(y), c(3L, 2L))
expect_true(npshm_info(y)$readonly)
y[1] <- 5
expect_identical(x[1, 1], 1)
expect_identical(y[1], 5)

rm(x, ro, y)
invisible(gc())
npshm_delete(nm)
expect_identical(leftovers(), character(0), info = "no segments left behind")
