# R types and the NumPy dtypes they view with no copy.

.view_dtypes <- c(double = "<f8", integer = "<i4", complex = "<c16",
                  raw = "|u1", integer64 = "<i8")

# The dtype for an R type name, or a dtype string given as is.
.dtype_of <- function(type) {
  if (!is.character(type) || length(type) != 1L || is.na(type))
    .stop_invalid("npshm: type must be a single string such as \"double\"")
  if (type %in% names(.view_dtypes)) .view_dtypes[[type]] else type
}

# The R type name of an R vector that can be shared.
.type_of_value <- function(x) {
  if (inherits(x, "integer64")) return("integer64")
  type <- typeof(x)
  if (!type %in% c("double", "integer", "complex", "raw"))
    .stop_invalid(sprintf("npshm: cannot share an R %s vector (double, integer, complex, raw or integer64 can be shared)",
                          type))
  type
}

# Use bit64's methods for integer64 views when bit64 is installed.
.load_bit64 <- function() {
  requireNamespace("bit64", quietly = TRUE)
  invisible(NULL)
}
