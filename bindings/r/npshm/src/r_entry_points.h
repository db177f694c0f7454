/* Entry points of the R package written by hand (SWIG wraps them as
 * npc_r_create, npc_r_attach, ...; see npshm.i).  They return SEXPs: the
 * ALTREP views over shared memory, which SWIG-R cannot build. */
#ifndef NPSHM_R_ENTRY_POINTS_H
#define NPSHM_R_ENTRY_POINTS_H

#include <Rinternals.h>
#include "npshm.h"

/* Create an array and return its view (R dim: shape for order F, the
   reversed shape for order C).  Every argument is checked here: dtype one
   of the zero-copy dtypes; shape a double or integer vector; inplace TRUE
   or FALSE; init NULL, or a vector of the view's R type whose length is 1
   (fill) or the number of elements (copied in R order). */
SEXP npshm_r_create(SEXP name, SEXP dtype, SEXP shape, int order,
                    const npshm_options *opts, SEXP inplace, SEXP init);

/* Attach an array (readonly, inplace, copy: TRUE or FALSE, checked here
   with their conflicts; readonly is set in opts).  expected_shape: NULL or
   a double or integer vector checked against the array's shape.  copy
   FALSE: a zero-copy view (error for dtypes with no R type); copy TRUE: an
   ordinary R vector converted from the data, and the handle is closed at
   once. */
SEXP npshm_r_attach(SEXP name, npshm_options *opts, SEXP expected_shape,
                    SEXP readonly, SEXP inplace, SEXP copy);

/* A list describing the view x, or NULL when x is not an npshm view. */
SEXP npshm_r_view_info(SEXP x);

/* TRUE when x is an npshm view still reading shared memory (not turned
   into a private copy by a write). */
SEXP npshm_r_is_view(SEXP x);

/* The R types that view arrays with no copy: a character vector of their
   dtypes named by R type, c(double = "<f8", integer = "<i4", ...). */
SEXP npshm_r_view_types(void);

/* What npshm_ref(x) holds of the view x: list(reference = the core's
   reference text, inplace = TRUE/FALSE); NULL when x is not an npshm view
   still reading shared memory. */
SEXP npshm_r_view_reference(SEXP x);

/* The view a reference text names, attached in this process, writing in
   place if inplace, with the attributes (a pairlist, or NULL) set one by
   one as R's own setters check them. */
SEXP npshm_r_attach_reference(SEXP reference, SEXP inplace, SEXP attributes, SEXP readonly);

#endif
