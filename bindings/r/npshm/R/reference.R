# A reference to a view: a small object that R's size checks count at its
# real size (a few hundred bytes), for tools that refuse large globals
# before sending them, such as future (future.globals.maxSize counts a
# view's whole mapping with object.size, although the view itself is also
# sent by reference).  It holds what serializing the view writes: the
# core's saved reference to the array (the text npshm_ref_make makes; the
# core checks it again when it is attached), whether the view writes in
# place, and the view's attributes.

npshm_ref <- function(x) {
  ref <- npc_r_view_reference(x)
  if (is.null(ref))
    .stop_invalid("npshm_ref: x is not an npshm view (or it took a private copy)")
  structure(list(name = .name_from_core(npc_r_view_info(x)$name),
                 reference = ref$reference, inplace = ref$inplace,
                 attributes = attributes(x)),
            class = "npshm_ref")
}

# The view a reference names, attached again in this process.  readonly:
# NA lets the reference decide (the core's rule), TRUE read-only, FALSE
# asks for write access; inplace: NULL keeps the reference's flag.
.view_of_ref <- function(ref, readonly = NA, inplace = NULL) {
  if (!is.list(ref))
    .stop_invalid("npshm_attach: not a reference made by npshm_ref()")
  if (is.raw(ref$state)) {
    # Made by npshm 0.1.0: the serialized view itself (read-only).
    if (!is.na(readonly) || !is.null(inplace))
      .stop_invalid("npshm_attach: a reference made by npshm 0.1.0 attaches read-only; ",
                    "readonly and inplace do not apply")
    x <- unserialize(ref$state)
    if (is.null(npc_r_view_info(x)))
      .stop_invalid("npshm_attach: the reference holds no npshm view")
  } else {
    if (!is.character(ref$reference) || !is.logical(ref$inplace) ||
        !(is.null(ref$attributes) || is.list(ref$attributes)))
      .stop_invalid("npshm_attach: not a reference made by npshm_ref()")
    x <- npc_r_attach_reference(ref$reference, if (is.null(inplace)) ref$inplace else inplace,
                                as.pairlist(ref$attributes), readonly)
  }
  if (inherits(x, "integer64")) .load_bit64()
  x
}

print.npshm_ref <- function(x, ...) {
  cat("<npshm reference to ", x$name, ">\n", sep = "")
  invisible(x)
}
