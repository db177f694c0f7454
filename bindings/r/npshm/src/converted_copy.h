/* attach(copy = TRUE): an ordinary R vector converted from an array. */
#ifndef NPSHM_R_CONVERTED_COPY_H
#define NPSHM_R_CONVERTED_COPY_H

#include <Rinternals.h>
#include "npshm.h"

/* Converts the data of a into a new R vector with the view's dim, then
   closes a (also on error).  dtype kinds: b1 -> logical; i1 i2 i4 u1 u2 ->
   integer; i8 -> integer64 (a double vector holding the int64 bits, class
   "integer64", as the view); u4 u8 f4 f8 -> double, with an error naming
   the array if a u8 value is above 2^53 (no exact double); c8 c16 ->
   complex; either byte order.  Other dtypes: an error. */
SEXP npshm_r_converted_copy(npshm_array *a);

#endif
