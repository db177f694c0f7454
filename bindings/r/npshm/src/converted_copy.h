/* attach(copy = TRUE): an ordinary R vector converted from an array. */
#ifndef NPSHM_R_CONVERTED_COPY_H
#define NPSHM_R_CONVERTED_COPY_H

#include <Rinternals.h>
#include "npshm.h"

/* Converts the data of a into a new R vector with the view's dim, then
   closes a (also on error).  dtype kinds: b1 -> logical; i1 i2 i4 u1 u2 ->
   integer; i8 u4 u8 f4 f8 -> double (i8 and u8 beyond 2^53 round);
   c8 c16 -> complex; either byte order.  Other dtypes: an error. */
SEXP npshm_r_converted_copy(npshm_array *a);

#endif
