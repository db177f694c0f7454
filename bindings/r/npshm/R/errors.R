# Errors as R conditions.  The core's code table is the one source: a
# failure with code NPSHM_E_NOT_FOUND is a condition of class
# c("npshm_not_found", "npshm_error", "error", "condition") (the slug is
# npshm_error_slug(): "not_found"; "unknown" for a code the library does
# not have), with fields
# message, call, code (the NPSHM_E_* value, an integer), slug
# ("not_found"), name (the code's symbolic name, "NPSHM_E_NOT_FOUND") and
# errno (of the system call behind it, or 0).  So
#   tryCatch(npshm_attach(nm), npshm_not_found = function(e) NULL)
# catches exactly a missing array.  Errors in the arguments R code checks
# itself are npshm_invalid.

.npshm_condition <- function(message, code, errno = 0L, call = NULL) {
  code <- as.integer(code)
  name <- npc_error_name(code)
  slug <- npc_error_slug(code)
  if (code >= 0L || length(slug) != 1L || is.na(slug)) slug <- "unknown"
  structure(class = c(paste0("npshm_", slug), "npshm_error", "error", "condition"),
            list(message = message, call = call, code = code, slug = slug,
                 name = name, errno = as.integer(errno)))
}

# Signals the condition (also called from C: src/r_errors.c).
.raise_npshm <- function(message, code, errno = 0L) {
  if (identical(as.integer(code), .code_of("NPSHM_E_EXISTS"))) message <- .exists_hint(message)
  stop(.npshm_condition(message, code, errno))
}

# The library's last failure on this thread.
.stop_last <- function() {
  code <- npc_last_error()
  if (code == 0L) code <- .code_of("NPSHM_E_SYSTEM")
  .raise_npshm(npc_last_message(), code, npc_last_errno())
}

# An error in an argument: npshm_invalid.
.stop_invalid <- function(...) .raise_npshm(paste0(...), .code_of("NPSHM_E_INVALID"))

# The value of a code from its symbolic name, from the core's table.
.code_of <- function(name) npc_r_error_code(name)

# The core's error codes named by their slugs: c(invalid = -1L, ...).
.error_codes <- function() npc_r_error_codes()

# The core's lifetime names, in the order of their values.
.lifetimes <- function() npc_r_lifetime_names()

# The core's memory order names, in the order of their values.
.orders <- function() npc_r_order_names()

.check <- function(rc) {
  if (rc < 0L) .stop_last()
  invisible(rc)
}

# An npshm_options object; the caller frees it with npc_options_free.
.new_options <- function() {
  opts <- npc_options_new()
  if (is.null(opts)) .raise_npshm("npshm: out of memory", .code_of("NPSHM_E_NO_MEMORY"))
  opts
}

.single_string <- function(x, what) {
  if (!is.character(x) || length(x) != 1L || is.na(x) || !nzchar(x))
    .stop_invalid(sprintf("npshm: %s must be a single non-empty string", what))
  x
}

# An array name as the library takes it: a single non-empty string (sent
# in UTF-8, or byte for byte if marked "bytes", as the names npshm_list()
# returns that are not UTF-8 are), or a raw vector of the name's bytes.  A
# NUL byte (only a raw vector can hold one) is refused: the library would
# see a shorter name.
.name_arg <- function(x, what = "name") {
  if (is.raw(x)) {
    if (length(x) == 0L)
      .stop_invalid(sprintf("npshm: %s must be a single non-empty string", what))
    if (any(x == as.raw(0L)))
      .stop_invalid(sprintf("npshm: %s contains a NUL byte (at byte %d); names cannot hold NUL",
                            what, which(x == as.raw(0L))[1L]))
    x <- rawToChar(x)
    Encoding(x) <- "bytes"
    return(x)
  }
  x <- .single_string(x, what)
  if (Encoding(x) == "bytes") x else enc2utf8(x)
}

# Names (and paths) from the library: UTF-8 if they are, else marked
# "bytes" so they go back unchanged (list -> attach/exists/delete).
.name_from_core <- function(x) {
  ok <- !is.na(x) & validUTF8(x)
  Encoding(x[ok]) <- "UTF-8"
  Encoding(x[!ok & !is.na(x)]) <- "bytes"
  x
}

.flag <- function(x, what) {
  if (!is.logical(x) || length(x) != 1L || is.na(x))
    .stop_invalid(sprintf("npshm: %s must be TRUE or FALSE", what))
  x
}
