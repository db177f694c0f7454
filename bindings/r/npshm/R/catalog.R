# Arrays by name: existence, deletion, description, listing, collection.

.name_of <- function(x) {
  if (is.character(x)) return(.name_arg(x))
  info <- npc_r_view_info(x)
  if (!is.null(info)) return(info$name)
  if (is.raw(x)) return(.name_arg(x))  # a raw vector that is not a view: a name's bytes
  .stop_invalid("npshm: expected an array name or an npshm view")
}

npshm_exists <- function(name) {
  .check(npc_exists(.name_arg(name), NULL)) == 1L
}

npshm_delete <- function(name) {
  .check(npc_remove(.name_of(name), NULL))
  invisible(TRUE)
}

.order_name <- function(order) npc_order_name(order)

# The fields of one npshm_info as a list.
.info_fields <- function(info) {
  status <- npc_info_status(info)
  ok <- status == 0L
  ndim <- if (ok) npc_info_ndim(info) else 0L
  list(
    name = .name_from_core(npc_info_name(info)),
    path = .name_from_core(npc_info_path(info)),
    status = npc_error_name(status),
    message = npc_info_message(info),
    dtype = if (ok) npc_info_dtype(info) else NA_character_,
    shape = if (ok) vapply(seq_len(ndim) - 1L, function(i) npc_r_info_extent(info, i), 0)
            else NULL,
    order = if (ok) .order_name(npc_info_order(info)) else NA_character_,
    nbytes = if (ok) npc_r_info_nbytes(info) else NA_real_,
    lifetime = if (ok) npc_lifetime_name(npc_info_lifetime(info)) else NA_character_,
    holders = npc_info_holders(info),
    mode = format(as.octmode(npc_info_mode(info)), width = 4L),
    file_size = npc_r_info_file_size(info),
    mtime = .POSIXct(npc_r_info_mtime(info)))
}

npshm_info <- function(x) {
  info <- if (is.character(x)) NULL else npc_r_view_info(x)
  if (!is.null(info) || !(is.character(x) || is.raw(x))) {
    if (is.null(info)) .stop_invalid("npshm_info: x is neither an array name nor an npshm view")
    info$name <- .name_from_core(info$name)
    info$path <- .name_from_core(info$path)
    return(info)
  }
  name <- .name_arg(x)
  info <- npc_stat(name, NULL)
  if (is.null(info)) .stop_last()
  on.exit(npc_info_free(info))
  .info_fields(info)
}

# A data.frame with one row per info of an npshm_list.
.list_frame <- function(list) {
  n <- npc_list_size(list)
  rows <- lapply(seq_len(n) - 1L, function(i) .info_fields(npc_list_get(list, i)))
  col <- function(field, empty) {
    if (n == 0L) return(empty)
    vapply(rows, function(r) r[[field]], empty[0L][NA_integer_])
  }
  data.frame(
    name = col("name", character()),
    dtype = col("dtype", character()),
    shape = if (n == 0L) character() else
      vapply(rows, function(r) paste0("(", paste(r$shape, collapse = ", "), ")"), ""),
    order = col("order", character()),
    nbytes = col("nbytes", numeric()),
    lifetime = col("lifetime", character()),
    holders = col("holders", integer()),
    mode = col("mode", character()),
    status = col("status", character()),
    message = col("message", character()),
    stringsAsFactors = FALSE)
}

npshm_list <- function() {
  list <- npc_list_arrays(NULL)
  if (is.null(list)) .stop_last()
  on.exit(npc_list_free(list))
  .list_frame(list)
}

npshm_gc <- function(dry_run = FALSE) {
  list <- npc_gc(NULL, .flag(dry_run, "dry_run"))
  if (is.null(list)) .stop_last()
  on.exit(npc_list_free(list))
  .list_frame(list)$name
}

npshm_version <- function() npc_version()
