/* R types and the NumPy dtypes they view with no copy: the package's one
 * table of them (R code reads it through npshm_r_view_types,
 * r_entry_points.h).  Everything else about a dtype (kind, item size, byte
 * order) is asked of the core (npshm_dtype_info_*). */
#ifndef NPSHM_R_TYPES_H
#define NPSHM_R_TYPES_H

#include <Rinternals.h>

typedef struct npshm_r_view_type {
  const char *r_type;  /* the name npshm_create(type = ) takes: "double" */
  const char *descr;   /* the dtype, as the core normalises it: "<f8" */
  SEXPTYPE sexptype;   /* the R vector's type: REALSXP */
  const char *r_class; /* the view's class attribute ("integer64"), or NULL */
} npshm_r_view_type;

/* The entry for a normalised dtype, or NULL if R has no view of it. */
const npshm_r_view_type *npshm_r_view_type_of(const char *descr);

/* The R type name of the vector x, as the table spells it: "integer64"
   for a double vector of that class, "factor" for a factor (which no view
   takes), else R's own ("double", "list"). */
const char *npshm_r_type_name_of(SEXP x);

/* The table for messages: "<f8 double, <i4 integer, ...". */
const char *npshm_r_view_types_text(void);

#endif
