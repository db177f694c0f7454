# Errors are conditions classed from the core's code table (npshm_<slug>
# and npshm_error) with code, name and errno; names round-trip byte for
# byte and a NUL is refused in every entry point that takes a name.
source("helpers.R")
library(npshm)

catch <- function(expr) tryCatch(expr, error = function(e) e)
classes_of <- function(e) if (inherits(e, "condition")) class(e) else "no error"

## Classes, code, name and errno.
missing <- new_name("missing")
e <- catch(npshm_attach(missing))
expect_identical(classes_of(e), c("npshm_not_found", "npshm_error", "error", "condition"))
expect_identical(e$code, -2L)
expect_identical(e$name, "NPSHM_E_NOT_FOUND")
expect_identical(e$slug, "not_found")
expect_true(is.integer(e$errno))
expect_true(grepl(missing, conditionMessage(e), fixed = TRUE))
## tryCatch selects by class: only a missing array is caught here.
expect_null(tryCatch(npshm_attach(missing), npshm_not_found = function(e) NULL))
expect_identical(tryCatch(npshm_attach(missing), npshm_error = function(e) "npshm"), "npshm")
expect_true(inherits(catch(npshm_delete(missing)), "npshm_not_found"))
expect_true(inherits(catch(npshm_info(missing)), "npshm_not_found"))

nm <- new_name("taken")
x <- npshm_create(nm, 2)
expect_true(inherits(catch(npshm_create(nm, 2)), "npshm_exists"))
expect_true(inherits(catch(npshm_attach(nm, type = "integer")), "npshm_mismatch"))
expect_true(inherits(catch(npshm_attach(nm, dim = 3)), "npshm_mismatch"))
expect_true(inherits(catch(npshm_attach(nm, readonly = NA)), "npshm_invalid"))
expect_true(inherits(catch(npshm_create(new_name("bad"), c(2, -1))), "npshm_invalid"))
expect_true(inherits(catch(npshm_create("a/b", 2)), "npshm_invalid"))
expect_true(inherits(catch(npshm_share(letters, new_name("chr"))), "npshm_invalid"))
rm(x)
npshm_delete(nm)

## A file that is not an array: npshm_format.
nm <- new_name("foreign")
writeLines("not an array", file.path(shm_dir, nm))
expect_true(inherits(catch(npshm_attach(nm)), "npshm_format"))
expect_true(inherits(catch(npshm_delete(nm)), "npshm_format"))
unlink(file.path(shm_dir, nm))

## An array with no zero-copy R type: npshm_format (a copy converts it).
if (has_numpy()) {
  nm <- new_name("f4")
  py("make", nm, "<f4", "F", "numpy", 3)
  expect_true(inherits(catch(npshm_attach(nm)), "npshm_format"))
  expect_identical(length(npshm_attach(nm, copy = TRUE)), 3L)
  npshm_delete(nm)
}

## NUL: R strings cannot hold one (R refuses to make them), so only a raw
## name can; every entry point refuses it, naming the cause, and touches
## nothing (not even the array named by the bytes before the NUL).
expect_error(rawToChar(as.raw(c(97, 0, 98))), pattern = "nul")
keep <- new_name("keep")
k <- npshm_create(keep, 2, init = c(1, 2))
nul_name <- c(charToRaw(keep), as.raw(0), charToRaw("junk"))
for (call in list(quote(npshm_create(nul_name, 2)), quote(npshm_attach(nul_name)),
                  quote(npshm_exists(nul_name)), quote(npshm_delete(nul_name)),
                  quote(npshm_info(nul_name)), quote(npshm_share(1:3, nul_name)))) {
  e <- catch(eval(call))
  what <- deparse(call)
  expect_true(inherits(e, "npshm_invalid"), info = what)
  expect_true(grepl("NUL", conditionMessage(e)), info = what)
}
expect_true(npshm_exists(keep))
expect_identical(k[], c(1, 2))
rm(k)
npshm_delete(keep)

## A raw name without NUL is the name's bytes.
nm <- new_name("raw")
r <- npshm_create(charToRaw(nm), 2)
expect_true(npshm_exists(nm))
rm(r)
npshm_delete(charToRaw(nm))
expect_false(npshm_exists(nm))

## Names that are not UTF-8 (the C library and the CLI accept them) are
## listed marked "bytes" and go back unchanged: list -> exists, attach,
## info, delete.
nm <- new_name("bytes")
bytes_name <- c(charToRaw(nm), as.raw(c(0xff, 0xfe, 0x80)))
b <- npshm_create(bytes_name, 3, init = c(7, 8, 9))
on_disk <- grep(nm, list.files(shm_dir), fixed = TRUE, useBytes = TRUE, value = TRUE)
expect_identical(length(on_disk), 1L)
expect_identical(charToRaw(on_disk), bytes_name)
lst <- npshm_list()
listed <- lst$name[startsWith(lst$name, paste0("shm://", nm))]
expect_identical(length(listed), 1L)
expect_identical(Encoding(listed), "bytes")
expect_false(validUTF8(listed))
expect_true(npshm_exists(listed))
a <- npshm_attach(listed, readonly = TRUE)
expect_identical(a[], c(7, 8, 9))
expect_identical(npshm_info(a)$name, listed)
expect_identical(npshm_info(listed)$name, listed)
expect_identical(unserialize(serialize(a, NULL))[], c(7, 8, 9))
rm(a, b)
npshm_delete(listed)
expect_false(npshm_exists(bytes_name))

## A latin1-marked name is the same name as its UTF-8 spelling.
nm_l <- paste0(new_name("latin"), "-caf\xe9")
Encoding(nm_l) <- "latin1"
l1 <- npshm_create(nm_l, 1)
nm_u <- enc2utf8(nm_l)
expect_true(npshm_exists(nm_u))
expect_true(file.exists(file.path(shm_dir, nm_u)))
rm(l1)
npshm_delete(nm_u)
expect_false(npshm_exists(nm_l))

expect_identical(leftovers(), character(0), info = "no segments left behind")
