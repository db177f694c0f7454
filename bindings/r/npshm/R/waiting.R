# Waiting for arrays (see docs/waiting.md).  Timeouts are in seconds; NULL
# waits without limit.  Waits can be interrupted (Ctrl-C / Esc); a timeout
# raises the condition npshm_timeout (also an npshm_error):
#   tryCatch(npshm_wait_created("frames", timeout = 5),
#            npshm_timeout = function(e) message("not yet"))

.timeout_arg <- function(timeout) {
  if (is.null(timeout)) return(-1)
  if (!is.numeric(timeout) || length(timeout) != 1L || is.na(timeout) || timeout < 0)
    .stop_invalid("npshm: timeout must be a number of seconds >= 0, or NULL")
  as.double(timeout)
}

# Return once name exists as an array.
npshm_wait_created <- function(name, timeout = NULL) {
  npc_r_wait_created(.name_arg(name), .timeout_arg(timeout))
  invisible(NULL)
}

# Return once no process other than this one holds the array.
npshm_wait_released <- function(name, timeout = NULL) {
  npc_r_wait_released(.name_arg(name), .timeout_arg(timeout))
  invisible(NULL)
}

# The array's version (a double: 0 when created, one more per notify).
npshm_array_version <- function(name) npc_r_version(.name_arg(name))

# Add one to the version and wake every waiter; returns the new version.
npshm_notify <- function(name) npc_r_notify(.name_arg(name))

# Return the version as soon as it differs from seen (waiters may skip
# versions: the latest one is returned).
npshm_wait_changed <- function(name, seen, timeout = NULL) {
  if (!is.numeric(seen) || length(seen) != 1L || is.na(seen))
    .stop_invalid("npshm: seen must be a single version number")
  npc_r_wait_changed(.name_arg(name), as.double(seen), .timeout_arg(timeout))
}

# Array locks: a reader-writer lock between processes on the array of the
# view a (views of one npshm_create/npshm_attach share it; two attaches are
# two handles, which exclude each other).  The kernel releases it when the
# process dies, even by SIGKILL.  Advisory: it stops no write.
npshm_lock <- function(a, exclusive = TRUE, timeout = NULL) {
  npc_r_lock(a, as.integer(.flag(exclusive, "exclusive")), .timeout_arg(timeout))
  invisible(NULL)
}

npshm_unlock <- function(a) {
  npc_r_unlock(a)
  invisible(NULL)
}

# Evaluates expr holding the lock, and releases it however expr ends
# (value, error or interrupt); returns expr's value.
npshm_with_lock <- function(a, expr, exclusive = TRUE, timeout = NULL) {
  npshm_lock(a, exclusive, timeout)
  on.exit(npshm_unlock(a))
  expr
}
