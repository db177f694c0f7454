# R types and the NumPy dtypes they view with no copy.  The package's one
# table of them is in C (src/r_types.c): c(double = "<f8", ...).
.view_dtypes <- function() npc_r_view_types()

# The dtype for an R type name, or a dtype string given as is.
.dtype_of <- function(type) {
  if (!is.character(type) || length(type) != 1L || is.na(type))
    .stop_invalid("npshm: type must be a single string such as \"double\"")
  types <- .view_dtypes()
  if (type %in% names(types)) types[[type]] else type
}

# The R type name of an R vector that can be shared.
.type_of_value <- function(x) {
  if (inherits(x, "integer64")) return("integer64")
  type <- typeof(x)
  types <- names(.view_dtypes())
  if (!type %in% types)
    .stop_invalid(sprintf("npshm: cannot share an R %s vector (%s can be shared)",
                          type, paste(types, collapse = ", ")))
  type
}

# Use bit64's methods for integer64 views when bit64 is installed.
.load_bit64 <- function() {
  requireNamespace("bit64", quietly = TRUE)
  invisible(NULL)
}
