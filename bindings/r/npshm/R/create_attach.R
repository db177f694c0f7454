# Creating and attaching arrays: the ALTREP views.

# A name nobody else uses, for arrays made with name = NULL: npshm-PID-
# random hex (from tempfile(), which leaves R's random number stream alone).
.unique_name <- function() {
  sprintf("npshm-%d-%s", Sys.getpid(), sub("^file", "", basename(tempfile())))
}

# The call being made, for the message of an npshm_exists error raised
# meanwhile (see .raise_npshm): list(name, exist_ok_applies), or NULL.  Set
# around the call rather than caught with tryCatch, which would hold a
# second reference to the returned view (R then copies on an inplace
# write instead of writing the shared memory).
.exists_context <- new.env(parent = emptyenv())

.with_exists_hint <- function(name, exist_ok_applies) {
  if (!is.null(.exists_context$now)) return(FALSE)  # the outer call's hint wins
  .exists_context$now <- list(name = name, exist_ok_applies = exist_ok_applies)
  TRUE
}

# R's ways out of a taken name, added to the library's message.
.exists_hint <- function(message) {
  now <- .exists_context$now
  if (is.null(now)) return(message)
  remedy <- if (now$exist_ok_applies) "pass exist_ok = TRUE to attach it instead, or call " else "call "
  paste0(message, "; in R: ", remedy, "npshm_delete(", deparse(now$name), ") to remove it first")
}

npshm_create <- function(name, dim, type = "double", order = "F",
                         lifetime = "persistent",
                         mode = "0600", init = NULL, inplace = FALSE,
                         exist_ok = FALSE) {
  unnamed <- is.null(name)
  # Made without a name, nobody else knows it: it goes with its creator
  # unless a lifetime is asked for.
  lifetime <- if (unnamed && missing(lifetime)) "owner" else match.arg(lifetime, .lifetimes())
  name <- if (unnamed) .unique_name() else .name_arg(name)
  order <- match.arg(order, .orders())
  exist_ok <- .flag(exist_ok, "exist_ok")
  if (exist_ok && !is.null(init))
    .stop_invalid("npshm_create ", name, ": init and exist_ok = TRUE exclude each other ",
                  "(an existing array would be overwritten)")
  mode_bits <- strtoi(as.character(mode), 8L)
  if (length(mode_bits) != 1L || is.na(mode_bits) || mode_bits < 0L || mode_bits > 511L)
    .stop_invalid("npshm_create ", name, ": mode must be octal permission bits such as \"0600\"")
  # dim, type (has it an R view?), init (its type and length) and inplace
  # are checked where the array is made (npc_r_create, src/entry_points.c).
  opts <- .new_options()
  on.exit(npc_options_free(opts))
  .check(npc_options_set_lifetime(opts, npc_lifetime_from_name(lifetime)))
  .check(npc_options_set_mode(opts, mode_bits))
  .check(npc_options_set_exist_ok(opts, exist_ok))
  if (.with_exists_hint(name, TRUE)) on.exit(.exists_context$now <- NULL, add = TRUE)
  x <- npc_r_create(name, .dtype_of(type), dim, .check(npc_order_from_name(order)), opts,
                    inplace, init)
  if (inherits(x, "integer64")) .load_bit64()
  x
}

npshm_share <- function(x, name = NULL, lifetime = "persistent",
                        mode = "0600", inplace = FALSE) {
  type <- .type_of_value(x)
  dim <- if (is.null(dim(x))) length(x) else dim(x)
  lifetime <- if (is.null(name) && missing(lifetime)) "owner" else match.arg(lifetime, .lifetimes())
  if (!is.null(name) && .with_exists_hint(name, FALSE)) on.exit(.exists_context$now <- NULL)
  npshm_create(name, dim, type = type, order = "F", lifetime = lifetime,
               mode = mode, init = x, inplace = inplace)
}

npshm_attach <- function(name, readonly = FALSE, inplace = FALSE, type = NULL,
                         dim = NULL, copy = FALSE, populate = FALSE,
                         allow_other_owner = FALSE) {
  if (inherits(name, "npshm_ref")) {
    if (!missing(type) || !missing(dim) || !missing(copy) || !missing(populate) ||
        !missing(allow_other_owner))
      .stop_invalid("npshm_attach: a reference attaches the view it was made from; ",
                    "type, dim, copy, populate and allow_other_owner do not apply")
    # A reference grants nothing by itself: unless this call asks for write
    # access (readonly = FALSE, or inplace = TRUE), the core decides.
    access <- NA
    if (!missing(readonly)) access <- .flag(readonly, "readonly")
    if (!missing(inplace) && .flag(inplace, "inplace")) {
      if (isTRUE(access))
        .stop_invalid("npshm_attach: inplace = TRUE writes to shared memory, ",
                      "which readonly = TRUE forbids")
      access <- FALSE
    }
    return(.view_of_ref(name, readonly = access,
                        inplace = if (missing(inplace)) NULL else .flag(inplace, "inplace")))
  }
  name <- .name_arg(name)
  opts <- .new_options()
  on.exit(npc_options_free(opts))
  .check(npc_options_set_populate(opts, .flag(populate, "populate")))
  .check(npc_options_set_allow_other_owner(opts, .flag(allow_other_owner, "allow_other_owner")))
  if (!is.null(type)) .check(npc_options_set_expected_dtype(opts, .dtype_of(type)))
  # readonly, inplace, copy (and their conflicts) and dim are checked where
  # the array is attached (npc_r_attach, src/entry_points.c).
  x <- npc_r_attach(name, opts, dim, readonly, inplace, copy)
  if (inherits(x, "integer64")) .load_bit64()
  x
}

npshm_is_view <- function(x) npc_r_is_view(x)
