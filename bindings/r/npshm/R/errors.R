# Errors of the C library, as R errors carrying its message.

.check <- function(rc) {
  if (rc < 0L) stop(npc_last_message(), call. = FALSE)
  invisible(rc)
}

# An npshm_options object; the caller frees it with npc_options_free.
.new_options <- function() {
  opts <- npc_options_new()
  if (is.null(opts)) stop("npshm: out of memory", call. = FALSE)
  opts
}

.single_string <- function(x, what) {
  if (!is.character(x) || length(x) != 1L || is.na(x) || !nzchar(x))
    stop(sprintf("npshm: %s must be a single non-empty string", what), call. = FALSE)
  x
}

.flag <- function(x, what) {
  if (!is.logical(x) || length(x) != 1L || is.na(x))
    stop(sprintf("npshm: %s must be TRUE or FALSE", what), call. = FALSE)
  x
}
