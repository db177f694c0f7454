/* Shapes between NumPy and R: R's dim is column-major, so an order-F array
 * keeps its shape and an order-C array shows the reversed shape (the same
 * bytes read as the transpose). */
#include <limits.h>
#include <math.h>

#include <R.h>
#include <Rinternals.h>

#include "view_class.h"

void npshm_r_set_dim(SEXP x, const npshm_array *a) {
  int ndim = npshm_ndim(a);
  if (ndim < 2) return;
  const int64_t *shape = npshm_shape(a);
  int c_order = npshm_order(a) == NPSHM_ORDER_C;
  SEXP dim = PROTECT(Rf_allocVector(INTSXP, ndim));
  for (int i = 0; i < ndim; i++) {
    int64_t extent = shape[c_order ? ndim - 1 - i : i];
    if (extent > INT_MAX) {
      UNPROTECT(1);
      Rf_error("%s: extent %lld of axis %d is larger than an R dim can be",
               npshm_name(a), (long long)extent, c_order ? ndim - 1 - i : i);
    }
    INTEGER(dim)[i] = (int)extent;
  }
  Rf_setAttrib(x, R_DimSymbol, dim);
  UNPROTECT(1);
}

int npshm_r_shape_from_double(SEXP v, int64_t *shape, const char *what) {
  if (TYPEOF(v) != REALSXP)
    Rf_error("npshm: %s must be a numeric vector", what);
  R_xlen_t n = XLENGTH(v);
  if (n > NPSHM_MAX_NDIM)
    Rf_error("npshm: %s has %lld extents, more than %d", what, (long long)n,
             NPSHM_MAX_NDIM);
  for (R_xlen_t i = 0; i < n; i++) {
    double e = REAL(v)[i];
    if (!R_FINITE(e) || e < 0 || e != floor(e) || e > 9007199254740992.0)
      Rf_error("npshm: %s[%lld] must be a whole number >= 0, not %g", what,
               (long long)(i + 1), e);
    shape[i] = (int64_t)e;
  }
  return (int)n;
}
