# Views serialized by npshm 0.1.0 (whose state was its own list of name,
# directory, dtype, shape, flags and id, before the core's saved references)
# still unserialize.  legacy-views-0.1.0.rds is real output of that release:
#   nm <- "npshm-r-legacy-fixture-0000000000000000000000000"
#   x <- npshm_create(nm, c(3, 2), init = as.double(1:6))
#   y <- npshm_attach(nm, inplace = TRUE)
#   z <- npshm_attach(nm, readonly = TRUE)
#   saveRDS(list(view = x, inplace = y, readonly = z, ref = npshm_ref(x)),
#           "legacy-views-0.1.0.rds")
# (in /dev/shm).  Its states name that array and carry its random id,
# c34063e29451544d.  Each run creates an array whose name has the same
# length and writes that name, and the new array's id, over the fixture's in
# the uncompressed bytes (equal lengths keep every length field valid, also
# in the serialized state nested in the reference), as if the fixture had
# been made of this array.
source("helpers.R")
library(npshm)
# The fixture's states name their array in /dev/shm: this file works in the
# default directory (with names of this test's own, removed at the end),
# whatever NPSHM_DIR the run sets.
saved_npshm_dir <- Sys.getenv("NPSHM_DIR", NA)
shm_dir <- "/dev/shm"
Sys.setenv(NPSHM_DIR = shm_dir)

fixture_name <- "npshm-r-legacy-fixture-0000000000000000000000000"
fixture_id <- "c34063e29451544d"

# The fixture's serialized bytes (saveRDS compressed them with gzip).
fixture_bytes <- function() {
  con <- gzfile("legacy-views-0.1.0.rds", "rb")
  on.exit(close(con))
  readBin(con, raw(), 1e6)
}

# bytes with every occurrence of the string old replaced by new (as long).
replace_bytes <- function(bytes, old, new) {
  old <- charToRaw(old)
  new <- charToRaw(new)
  stopifnot(length(old) == length(new))
  n <- length(old)
  starts <- which(bytes == old[1L])
  hits <- 0L
  for (s in starts[starts + n - 1L <= length(bytes)]) {
    if (identical(bytes[s:(s + n - 1L)], old)) {
      bytes[s:(s + n - 1L)] <- new
      hits <- hits + 1L
    }
  }
  attr(bytes, "hits") <- hits
  bytes
}

# The id of the array behind view x, read from its serialized state (the
# reference's "id=" field; 0.1.0 wrote the 16 hex digits alone).
id_of <- function(x) {
  text <- rawToChar(serialize(x, NULL, ascii = TRUE))
  m <- regmatches(text, regexpr("id=[0-9a-f]{16}", text))
  if (length(m) == 0L) m <- regmatches(text, regexpr("\n[0-9a-f]{16}\n", text))
  gsub("^id=|\n", "", m)
}

nm <- substr(paste0(new_name("legacy"), strrep("0", nchar(fixture_name))), 1L,
             nchar(fixture_name))
x <- npshm_create(nm, c(3, 2), init = as.double(1:6))
renamed <- replace_bytes(fixture_bytes(), fixture_name, nm)
expect_identical(attr(renamed, "hits"), 5L)  # 3 views, the reference's view and name
patched <- replace_bytes(renamed, fixture_id, id_of(x))
expect_identical(attr(patched, "hits"), 4L)  # the 4 views

## The fixture's views attach the live array, with their flags.
old <- unserialize(patched)
expect_true(npshm_is_view(old$view))
expect_identical(old$view[, ], matrix(as.double(1:6), 3L, 2L))
expect_identical(npshm_info(old$view)$name, paste0("shm://", nm))
expect_false(npshm_info(old$view)$readonly)
expect_true(npshm_info(old$readonly)$readonly)
expect_false(npshm_info(old$readonly)$inplace)
expect_true(npshm_info(old$inplace)$inplace)
old$inplace[2, 1] <- 20  # writes the shared memory
expect_identical(x[2, 1], 20)
old$view[1, 1] <- -1     # a copy-on-write view: only its own copy changes
expect_identical(x[1, 1], 1)
## ... and so does the reference 0.1.0's npshm_ref() made.
r <- npshm_attach(old$ref)
expect_true(npshm_is_view(r))
expect_identical(r[3, 2], 6)

## With the fixture's own id the states name an array that no longer
## exists under that name: refused, naming the array.
e <- tryCatch(unserialize(renamed), error = identity)
expect_true(inherits(e, "npshm_error"), info = conditionMessage(e))
expect_true(grepl("removed and created again", conditionMessage(e)), info = conditionMessage(e))
expect_true(grepl(nm, conditionMessage(e), fixed = TRUE), info = conditionMessage(e))

rm(x, old, r, e)
invisible(gc())
npshm_delete(nm)
expect_identical(leftovers(), character(0), info = "no segments left behind")
if (is.na(saved_npshm_dir)) Sys.unsetenv("NPSHM_DIR") else Sys.setenv(NPSHM_DIR = saved_npshm_dir)
