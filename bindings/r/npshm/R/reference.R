# A reference to a view: a small object that R's size checks count at its
# real size (a few hundred bytes), for tools that refuse large globals
# before sending them, such as future (future.globals.maxSize counts a
# view's whole mapping with object.size, although the view itself is also
# sent by reference).

npshm_ref <- function(x) {
  view <- npc_r_view_info(x)
  if (is.null(view) || !isTRUE(view$view))
    .stop_invalid("npshm_ref: x is not an npshm view (or it took a private copy)")
  structure(list(name = .name_from_core(view$name), state = serialize(x, NULL)),
            class = "npshm_ref")
}

# The view a reference names, attached again in this process.
.view_of_ref <- function(ref) {
  if (!is.list(ref) || !is.raw(ref$state))
    .stop_invalid("npshm_attach: not a reference made by npshm_ref()")
  x <- unserialize(ref$state)
  if (is.null(npc_r_view_info(x)))
    .stop_invalid("npshm_attach: the reference holds no npshm view")
  if (inherits(x, "integer64")) .load_bit64()
  x
}

print.npshm_ref <- function(x, ...) {
  cat("<npshm reference to ", x$name, ">\n", sep = "")
  invisible(x)
}
