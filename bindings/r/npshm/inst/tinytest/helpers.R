# Shared by the test files (each sources it): unique segment names, the
# NumPy side (pyarrays.py), child R processes and the check that no segment
# is left behind.

# (empty counts as unset, as the library reads it: tinytest restores an
# unset variable that a test file set as set-but-empty)
shm_dir <- Sys.getenv("NPSHM_DIR")
if (!nzchar(shm_dir)) shm_dir <- "/dev/shm"
test_prefix <- sprintf("npshm-test-r-%d-%s", Sys.getpid(),
                       sub("^file", "", basename(tempfile())))
name_counter <- 0L
new_name <- function(tag) {
  name_counter <<- name_counter + 1L
  sprintf("%s-%s-%d", test_prefix, tag, name_counter)
}

# Segments of this test file still in the shm directory; removes them.
leftovers <- function() {
  files <- list.files(shm_dir, pattern = paste0("^", test_prefix), full.names = TRUE)
  unlink(files)
  basename(files)
}

# Skips the rest of a test file; run_tests.R counts the skips.
skip_file <- function(why) {
  log <- Sys.getenv("NPSHM_R_SKIPS")
  if (nzchar(log)) cat(why, "\n", file = log, append = TRUE)
  # tinytest defines exit_file in the test file's environment only.
  get("exit_file", envir = parent.frame())(why)
}

python <- Sys.getenv("NPSHM_PYTHON", "/usr/bin/python3")
has_numpy <- function() {
  file.exists(python) &&
    suppressWarnings(system2(python, c("-c", shQuote("import numpy")),
                             stdout = FALSE, stderr = FALSE)) == 0L
}

# A libnpshm.so for the ctypes side: $NPSHM_LIBRARY (the package compiles
# the library into its own shared object, which does not export it), else
# one this R process loaded.
libnpshm_path <- function() {
  lib <- Sys.getenv("NPSHM_LIBRARY")
  if (nzchar(lib)) return(lib)
  maps <- readLines("/proc/self/maps")
  hit <- grep("libnpshm\\.so", maps, value = TRUE)
  if (length(hit) == 0L) return(NA_character_)
  sub("^.* (/.*libnpshm\\.so[^ ]*)$", "\\1", hit[[1L]])
}

# Runs pyarrays.py; stops with its output if it fails.
py <- function(...) {
  out <- suppressWarnings(system2(python, shQuote(c("pyarrays.py", ...)), stdout = TRUE,
                                  stderr = TRUE,
                                  env = paste0("NPSHM_LIBRARY=", libnpshm_path())))
  status <- attr(out, "status")
  if (!is.null(status) && status != 0L)
    stop("pyarrays.py ", paste(c(...), collapse = " "), " failed:\n",
         paste(out, collapse = "\n"))
  out
}

# Runs code in a new Rscript with this package; returns its output lines
# with the exit status as attribute "status" (0 when it succeeded).
run_r <- function(code) {
  script <- tempfile(fileext = ".R")
  on.exit(unlink(script))
  writeLines(c("library(npshm)", code), script)
  rscript <- file.path(R.home("bin"), "Rscript")
  out <- suppressWarnings(system2(rscript, shQuote(script), stdout = TRUE, stderr = TRUE))
  if (is.null(attr(out, "status"))) attr(out, "status") <- 0L
  out
}
