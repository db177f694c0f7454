/* The R type <-> dtype table; see r_types.h. */
#include <stdio.h>
#include <string.h>

#include <R.h>
#include <Rinternals.h>

#include "r_types.h"
#include "r_entry_points.h"

static const npshm_r_view_type view_types[] = {
    {"double", "<f8", REALSXP, NULL},
    {"integer", "<i4", INTSXP, NULL},
    {"complex", "<c16", CPLXSXP, NULL},
    {"raw", "|u1", RAWSXP, NULL},
    /* bit64's integer64: a double vector holding the int64 bits */
    {"integer64", "<i8", REALSXP, "integer64"},
};
#define N_VIEW_TYPES (sizeof view_types / sizeof view_types[0])

const npshm_r_view_type *npshm_r_view_type_of(const char *descr) {
  for (size_t i = 0; i < N_VIEW_TYPES; i++)
    if (strcmp(view_types[i].descr, descr) == 0) return &view_types[i];
  return NULL;
}

const char *npshm_r_type_name_of(SEXP x) {
  /* A factor's integers are codes into its levels, not values. */
  if (Rf_isFactor(x)) return "factor";
  for (size_t i = 0; i < N_VIEW_TYPES; i++)
    if (view_types[i].r_class != NULL && (SEXPTYPE)TYPEOF(x) == view_types[i].sexptype &&
        Rf_inherits(x, view_types[i].r_class))
      return view_types[i].r_type;
  return Rf_type2char((SEXPTYPE)TYPEOF(x));
}

const char *npshm_r_view_types_text(void) {
  static char text[160];
  if (text[0] == '\0') {
    size_t used = 0;
    for (size_t i = 0; i < N_VIEW_TYPES && used < sizeof text; i++)
      used += (size_t)snprintf(text + used, sizeof text - used, "%s%s %s",
                               i > 0 ? ", " : "", view_types[i].descr,
                               view_types[i].r_type);
  }
  return text;
}

SEXP npshm_r_view_types(void) {
  SEXP out = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)N_VIEW_TYPES));
  SEXP names = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)N_VIEW_TYPES));
  for (size_t i = 0; i < N_VIEW_TYPES; i++) {
    SET_STRING_ELT(out, (R_xlen_t)i, Rf_mkChar(view_types[i].descr));
    SET_STRING_ELT(names, (R_xlen_t)i, Rf_mkChar(view_types[i].r_type));
  }
  Rf_setAttrib(out, R_NamesSymbol, names);
  UNPROTECT(2);
  return out;
}
