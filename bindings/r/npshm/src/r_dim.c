/* Shapes between NumPy and R: R's dim is column-major, so an order-F array
 * keeps its shape and an order-C array shows the reversed shape (the same
 * bytes read as the transpose). */
#include <limits.h>
#include <math.h>

#include <R.h>
#include <Rinternals.h>

#include "view_class.h"
#include "r_errors.h"

/* The R dim extent for axis i of the R view, or -1 if it is too large. */
static int r_extent(int ndim, const int64_t *shape, int c_order, int i,
                    int *axis) {
  *axis = c_order ? ndim - 1 - i : i;
  int64_t extent = shape[*axis];
  return extent > INT_MAX ? -1 : (int)extent;
}

void npshm_r_check_dim(const char *what, int ndim, const int64_t *shape,
                       int order) {
  if (ndim < 2) return;
  for (int i = 0; i < ndim; i++) {
    int axis;
    if (r_extent(ndim, shape, order == NPSHM_ORDER_C, i, &axis) < 0)
      npshm_r_stop(NPSHM_E_INVALID, 0, "%s: extent %lld of axis %d is larger than an R dim can be "
               "(%d)", what, (long long)shape[axis], axis, INT_MAX);
  }
}

void npshm_r_set_dim(SEXP x, const npshm_array *a) {
  int ndim = npshm_ndim(a);
  if (ndim < 2) return;
  const int64_t *shape = npshm_shape(a);
  int order = npshm_order(a);
  npshm_r_check_dim(npshm_name(a), ndim, shape, order);
  SEXP dim = PROTECT(Rf_allocVector(INTSXP, ndim));
  for (int i = 0; i < ndim; i++) {
    int axis;
    INTEGER(dim)[i] = r_extent(ndim, shape, order == NPSHM_ORDER_C, i, &axis);
  }
  Rf_setAttrib(x, R_DimSymbol, dim);
  UNPROTECT(1);
}

int npshm_r_shape_from_numeric(SEXP v, int64_t *shape, const char *what) {
  if (TYPEOF(v) != REALSXP && TYPEOF(v) != INTSXP)
    npshm_r_stop(NPSHM_E_INVALID, 0, "%s must be a numeric vector of extents", what);
  R_xlen_t n = XLENGTH(v);
  if (n > NPSHM_MAX_NDIM)
    npshm_r_stop(NPSHM_E_INVALID, 0, "%s has %lld extents, more than %d", what, (long long)n,
             NPSHM_MAX_NDIM);
  for (R_xlen_t i = 0; i < n; i++) {
    int na = TYPEOF(v) == INTSXP ? INTEGER(v)[i] == NA_INTEGER : ISNA(REAL(v)[i]);
    double e = TYPEOF(v) == INTSXP ? (double)INTEGER(v)[i] : REAL(v)[i];
    if (na)
      npshm_r_stop(NPSHM_E_INVALID, 0, "%s[%lld] must be a whole number >= 0, not NA", what,
                   (long long)(i + 1));
    if (!R_FINITE(e) || e < 0 || e != floor(e) || e > 9007199254740992.0)
      npshm_r_stop(NPSHM_E_INVALID, 0, "%s[%lld] must be a whole number >= 0, not %g", what,
               (long long)(i + 1), e);
    shape[i] = (int64_t)e;
  }
  return (int)n;
}
