/* ALTREP views: R vectors whose data is the mapping of an npshm array. */
#ifndef NPSHM_R_VIEW_CLASS_H
#define NPSHM_R_VIEW_CLASS_H

#include <Rinternals.h>
#include <R_ext/Rdynload.h>
#include "npshm.h"

/* One open npshm handle, owned by an external pointer whose finalizer
   closes it.  Every view of the handle keeps that pointer alive. */
typedef struct npshm_r_handle {
  npshm_array *array;
  void *data;      /* npshm_data(array) */
  R_xlen_t length; /* number of elements */
  SEXPTYPE type;   /* REALSXP, INTSXP, CPLXSXP or RAWSXP */
  const char *r_class; /* the view's class attribute, or NULL (r_types.h) */
} npshm_r_handle;

/* How views serialize, given to the classes at registration (view_state.c
   supplies it, so that this file depends on nothing that uses views): the
   state of a view that still maps its array, the view a state names, and
   setting unserialized attributes with R's checks. */
typedef struct npshm_r_view_serialization {
  SEXP (*state_of)(SEXP view);
  SEXP (*view_of)(SEXP state);
  void (*set_attributes)(SEXP view, SEXP attributes);
} npshm_r_view_serialization;

/* Registers the ALTREP classes; called from R_init_npshm (see npshm.i). */
void npshm_r_register_classes(DllInfo *dll, const npshm_r_view_serialization *how);

/* Takes ownership of a (closed here on any failure) and returns the
   external pointer that owns it.  The dtype must have an R view
   (r_types.h). */
SEXP npshm_r_wrap_handle(npshm_array *a);
/* The same; unlink_on_failure: on failure, also unlink the array before
   closing it (for a handle that just created it). */
SEXP npshm_r_wrap_handle_ex(npshm_array *a, int unlink_on_failure);

/* A new view of the handle in hptr.  inplace: R's writes go to the shared
   memory; otherwise the view is marked not mutable, so R writes only to
   duplicates, which copy the data on their first write.
   with_attributes: set dim (and the class of r_types.h, "integer64"). */
SEXP npshm_r_new_view(SEXP hptr, int inplace, int with_attributes);

/* x if it is an npshm view, the npshm view inside R's wrapper objects
   around x (made when attributes change), or NULL. */
SEXP npshm_r_find_view(SEXP x);

/* The handle behind x if x is an npshm view, else NULL; an R error if
   the view's handle is closed. */
npshm_r_handle *npshm_r_view_handle(SEXP x);

/* Whether the view x writes in place / has become a private copy. */
int npshm_r_view_inplace(SEXP x);
int npshm_r_view_materialised(SEXP x);

/* Sets the R dim of x for the array a: its shape for order F, the
   reversed shape for order C (the zero-copy transpose); no dim for 0 or 1
   dimensions.  Errors if an extent does not fit an R dim. */
void npshm_r_set_dim(SEXP x, const npshm_array *a);

/* Errors, starting the message with what (e.g. "npshm_create NAME"), if
   an array of this shape and order (NPSHM_ORDER_C or F) has an extent
   that does not fit an R dim. */
void npshm_r_check_dim(const char *what, int ndim, const int64_t *shape,
                       int order);

/* Reads a double or integer vector of extents into shape (at most
   NPSHM_MAX_NDIM), returning ndim; errors starting with what (e.g.
   "npshm_create NAME: dim") if it is not numeric or an extent is not a
   whole number >= 0. */
int npshm_r_shape_from_numeric(SEXP v, int64_t *shape, const char *what);

#endif
