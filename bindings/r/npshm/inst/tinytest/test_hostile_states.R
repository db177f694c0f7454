# A serialized view (or an npshm_ref) is data anyone can craft:
# attaching it never trusts it.  The state is the core's reference text plus
# R's in-place flag; each crafted state is made from a real one in R's ascii
# format.  Where a case is about what the core checks against the array (not
# about damage), the crafted text gets a valid damage check again (sum=,
# FNV-1a 64 of the text before it, computed below as an attacker would).  Writes
# that would hit a read-only mapping or memory outside the mapping run in a
# child R process, so a crash fails the test instead of the run.
source("helpers.R")
library(npshm)

ascii <- function(x) rawToChar(serialize(x, NULL, ascii = TRUE))
# The condition unserializing the ascii state s raises (or its value).
unser <- function(s) tryCatch(unserialize(charToRaw(s)), error = identity)
# The message of a condition, or what came back instead.
msg_of <- function(e) if (inherits(e, "condition")) conditionMessage(e) else "no error"
replace_once <- function(text, old, new) {
  hits <- gregexpr(old, text, fixed = TRUE)[[1L]]
  stopifnot(length(hits) == 1L, hits[1L] > 0L)
  sub(old, new, text, fixed = TRUE)
}

# FNV-1a 64 of a string as 16 hex digits, on 8 bytes held in doubles (R has
# no 64-bit integers): h <- (h XOR byte) * (2^40 + 0x1b3) mod 2^64.
fnv1a64 <- function(s) {
  h <- c(0x25, 0x23, 0x22, 0x84, 0xe4, 0x9c, 0xf2, 0xcb)  # 0xcbf29ce484222325, low byte first
  for (b in as.integer(charToRaw(s))) {
    h[1L] <- bitwXor(as.integer(h[1L]), b)
    m <- h * 0x1b3
    m[6:8] <- m[6:8] + h[1:3]
    carry <- 0
    for (i in 1:8) {
      v <- m[i] + carry
      h[i] <- v %% 256
      carry <- v %/% 256
    }
  }
  paste(sprintf("%02x", rev(h)), collapse = "")
}
# A reference text with its checksum made to match again.
resummed <- function(text) {
  body <- sub(" sum=[0-9a-f]{16}$", "", text)
  paste0(body, " sum=", fnv1a64(body))
}
# The text with field (e.g. "shape") set to value, checksum matching.
with_field <- function(text, field, value) {
  pattern <- sprintf(" %s=[^ ]*", field)
  stopifnot(grepl(pattern, text))
  resummed(sub(pattern, sprintf(" %s=%s", field, value), text))
}
# The ascii state with the reference text old replaced by new (R writes a
# string as its length, then its bytes with spaces as \040).
ascii_string <- function(s) sprintf("\n%d\n%s\n", nchar(s, "bytes"), gsub(" ", "\\040", s, fixed = TRUE))
with_text <- function(state, old, new) replace_once(state, ascii_string(old), ascii_string(new))

nm <- new_name("hostile")
x <- npshm_create(nm, c(3, 2), init = as.double(1:6))
ro <- npshm_attach(nm, readonly = TRUE)
text <- ascii(ro)
ref <- npshm_ref(ro)$reference
# The state: the tag, the reference text, then the in-place flag FALSE.
expect_true(grepl(paste0("\nnpshm-view-3\n16\n1\n262153", ascii_string(ref), "10\n1\n0\n"),
                  text, fixed = TRUE))
expect_true(grepl(" ro=1 ", ref, fixed = TRUE))
## The checksum computed here is the core's (else the crafted cases below
## would only test the checksum).
expect_identical(resummed(ref), ref)
flag <- paste0(ascii_string(ref), "10\n1\n0\n")

## A read-only view whose state is flipped to "writes in place": the flag
## counts only on a writable handle, so the view is read-only and copies on
## write (writing in place would write into a read-only mapping: SIGSEGV).
flipped <- replace_once(text, flag, paste0(ascii_string(ref), "10\n1\n1\n"))
v <- unser(flipped)
expect_false(inherits(v, "condition"), info = msg_of(v))
expect_true(npshm_is_view(v))
expect_true(npshm_info(v)$readonly)
expect_false(npshm_info(v)$inplace)
## The same in a child process that then writes: no crash, R's copy
## changes, the array is unchanged.
state_file <- tempfile(fileext = ".txt")
writeLines(flipped, state_file, sep = "")
out <- run_r(c(sprintf("s <- readChar('%s', 1e6, useBytes = TRUE)", state_file),
               "v <- unserialize(charToRaw(s))",
               "v[1] <- 5; cat('copy', v[1], '\\n')"))
text_out <- paste(out, collapse = "\n")
expect_identical(attr(out, "status"), 0L, info = text_out)
expect_true(grepl("copy 5", text_out), info = text_out)
expect_false(grepl("segfault", text_out), info = text_out)
expect_identical(x[1, 1], 1)

## Issue 20: a reference someone else wrote naming your own file:// array
## (or a plain .npy), with ro=0, in place and a valid damage check, attaches
## read-only: x[] <- 0 changes R's copy only.  readonly = FALSE is how you
## ask for write access yourself.
npy <- tempfile(fileext = ".npy")
own_nm <- new_name("own")
own <- npshm_create(own_nm, c(3, 2), init = as.double(1:6))
file_nm <- paste0("file://", npy)
writeBin(readBin(file.path(shm_dir, own_nm), "raw", 1e5), npy)
fref <- npshm_ref(npshm_attach(file_nm, inplace = TRUE))
expect_true(grepl(" ro=1 ", fref$reference, fixed = TRUE))  # made of a file:// array
forged <- fref
forged$reference <- with_field(fref$reference, "ro", "0")
forged$inplace <- TRUE
for (r in list(fref, forged)) {
  y <- npshm_attach(r)
  y[] <- 0
  expect_identical(sum(y), 0)
  expect_identical(sum(npshm_attach(file_nm, readonly = TRUE)), 21)
}
## The serialized view (an .rds) the same way.
e <- unser(with_text(ascii(npshm_attach(file_nm, inplace = TRUE)), fref$reference,
                     forged$reference))
expect_false(inherits(e, "condition"), info = msg_of(e))
expect_true(npshm_info(e)$readonly)
expect_false(npshm_info(e)$inplace)
w <- npshm_attach(forged, readonly = FALSE, inplace = TRUE)
w[] <- 0
expect_identical(sum(npshm_attach(file_nm, readonly = TRUE)), 0)
expect_error(npshm_attach(forged, readonly = TRUE, inplace = TRUE), class = "npshm_invalid")
rm(w, e, y, own)
invisible(gc())
npshm_delete(own_nm)
unlink(npy)

## A flag that is not TRUE/FALSE, or a state of unknown form: npshm_format.
e <- unser(replace_once(text, flag, paste0(ascii_string(ref), "10\n1\nNA\n")))
expect_true(inherits(e, "npshm_format"), info = msg_of(e))
expect_true(grepl("TRUE or FALSE", msg_of(e)), info = msg_of(e))
e <- unser(replace_once(text, "\nnpshm-view-3\n", "\nnpshm-view-9\n"))
expect_true(inherits(e, "npshm_format"), info = msg_of(e))
expect_true(grepl("unknown state format", msg_of(e)), info = msg_of(e))

## Damaged or malformed reference texts: refused by the core's parser
## (npshm_invalid), before anything is opened.
damaged <- sub("shape=3,2", "shape=3,3", ref, fixed = TRUE)  # checksum not updated
e <- unser(with_text(text, ref, damaged))
expect_true(inherits(e, "npshm_invalid"), info = msg_of(e))
expect_true(grepl("damage check", msg_of(e)), info = msg_of(e))
for (bad in c("hello", "", sub("npshm-ref/1", "npshm-ref/9", ref, fixed = TRUE),
              resummed(sub(" ro=1", " ro=7", ref, fixed = TRUE)),
              resummed(sub(" id=", " id=zz", ref, fixed = TRUE)))) {
  e <- unser(with_text(text, ref, bad))
  expect_true(inherits(e, "npshm_invalid"), info = paste(bad, "->", msg_of(e)))
  expect_true(grepl("malformed reference", msg_of(e)), info = paste(bad, "->", msg_of(e)))
}

## Well-formed texts that the array refuses when checked against its header.
refused <- function(crafted, class, pattern) {
  e <- unser(with_text(text, ref, crafted))
  info <- paste(crafted, "->", msg_of(e))
  expect_true(inherits(e, class), info = info)
  expect_true(grepl(pattern, msg_of(e)), info = info)
  expect_true(grepl(nm, msg_of(e), fixed = TRUE), info = info)
}
# Another array under the same name (another id): npshm_not_found.
refused(with_field(ref, "id", "0123456789abcdef"), "npshm_not_found",
        "removed and created again")
# Another dtype of the same R type (<i8 instead of <f8): npshm_mismatch.
refused(with_field(ref, "dtype", "%3Ci8"), "npshm_mismatch", "dtype")
# A dtype with no R view (a string of 8 bytes): npshm_format.
refused(with_field(ref, "dtype", "%7CS8"), "npshm_format", "has no R view")
# A geometry other than the header's (larger, or fewer axes): checked
# against the file before mapping, never used to size the view.
refused(with_field(with_field(ref, "shape", "3000,2000"), "strides", "8,24000"),
        "npshm_mismatch", "shape")
refused(with_field(with_field(ref, "shape", "6"), "strides", "8"), "npshm_mismatch", "shape")
# The header's shape with strides or an offset reaching outside the data:
# npshm_invalid, from the core.
refused(with_field(ref, "strides", "8,2400"), "npshm_invalid", "outside the data")
refused(with_field(ref, "offset", "8"), "npshm_invalid", "outside the data")
# Inside the data, but not the whole array as it lies (R shows no more and
# no less): npshm_mismatch.
refused(with_field(ref, "strides", "8,16"), "npshm_mismatch", "part of the array")

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

## npshm_ref() objects go through the same checks.
r <- npshm_ref(ro)
crafted <- r
crafted$inplace <- TRUE  # on a read-only reference: a read-only view, copy on write
e <- tryCatch(npshm_attach(crafted), error = identity)
expect_false(inherits(e, "condition"), info = msg_of(e))
expect_true(npshm_info(e)$readonly)
expect_false(npshm_info(e)$inplace)
crafted <- r
crafted$reference <- damaged
e <- tryCatch(npshm_attach(crafted), error = identity)
expect_true(inherits(e, "npshm_invalid"), info = msg_of(e))
crafted <- r
crafted$reference <- with_field(ref, "strides", "8,2400")
e <- tryCatch(npshm_attach(crafted), error = identity)
expect_true(inherits(e, "npshm_invalid"), info = msg_of(e))
crafted <- r
crafted$attributes <- list(dim = c(1000L, 1000L))
e <- tryCatch(npshm_attach(crafted), error = identity)
expect_true(grepl("do not match the length", msg_of(e)), info = msg_of(e))
crafted <- r
crafted$reference <- 42
e <- tryCatch(npshm_attach(crafted), error = identity)
expect_true(inherits(e, "npshm_invalid"), info = msg_of(e))

## The genuine state still works, read-only and not writing the mapping.
y <- unserialize(charToRaw(text))
expect_identical(dim(y), c(3L, 2L))
expect_true(npshm_info(y)$readonly)
y[1] <- 5
expect_identical(x[1, 1], 1)
expect_identical(y[1], 5)

rm(x, ro, y, r, crafted, e)
invisible(gc())
npshm_delete(nm)
expect_identical(leftovers(), character(0), info = "no segments left behind")
