/* Converting copies for attach(copy = TRUE); see converted_copy.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <R.h>
#include <Rinternals.h>

#include "converted_copy.h"
#include "view_class.h"
#include "r_errors.h"

typedef struct {
  char kind;    /* b i u f c */
  size_t size;  /* bytes per item */
  int swap;     /* byte order differs from this machine's */
} item_format;

static int host_is_little_endian(void) {
  const uint16_t one = 1;
  return *(const uint8_t *)&one == 1;
}

/* The item format of a dtype, as the core describes it; 0 if the core does
   not know the dtype. */
static int item_format_of(const char *descr, item_format *f) {
  npshm_dtype_info *info = npshm_dtype_info_new(descr);
  if (info == NULL) return 0;
  int order = npshm_dtype_info_byteorder(info);
  f->kind = (char)npshm_dtype_info_kind(info);
  f->size = npshm_dtype_info_itemsize(info);
  f->swap = order != '|' && (order == '<') != host_is_little_endian();
  npshm_dtype_info_free(info);
  return 1;
}

/* The R type an item converts to, or NILSXP. */
static SEXPTYPE target_type(const item_format *f) {
  switch (f->kind) {
  case 'b': return f->size == 1 ? LGLSXP : NILSXP;
  case 'i':
    if (f->size == 1 || f->size == 2 || f->size == 4) return INTSXP;
    return f->size == 8 ? REALSXP : NILSXP;
  case 'u':
    if (f->size == 1 || f->size == 2) return INTSXP;
    return f->size == 4 || f->size == 8 ? REALSXP : NILSXP;
  case 'f': return f->size == 4 || f->size == 8 ? REALSXP : NILSXP;
  case 'c': return f->size == 8 || f->size == 16 ? CPLXSXP : NILSXP;
  default: return NILSXP;
  }
}

/* Copies n bytes, reversing them if swap. */
static void load(void *dst, const unsigned char *src, size_t n, int swap) {
  unsigned char *d = (unsigned char *)dst;
  for (size_t i = 0; i < n; i++) d[i] = swap ? src[n - 1 - i] : src[i];
}

/* One scalar item (not complex) as a double. */
static double scalar_value(const unsigned char *p, char kind, size_t size, int swap) {
  union { int8_t i1; int16_t i2; int32_t i4; int64_t i8; uint8_t u1;
          uint16_t u2; uint32_t u4; uint64_t u8; float f4; double f8; } v;
  load(&v, p, size, swap);
  switch (kind) {
  case 'b': return v.u1 != 0;
  case 'i': return size == 1 ? v.i1 : size == 2 ? v.i2 : size == 4 ? v.i4 : (double)v.i8;
  case 'u': return size == 1 ? v.u1 : size == 2 ? v.u2 : size == 4 ? v.u4 : (double)v.u8;
  default: return size == 4 ? v.f4 : v.f8;
  }
}

/* An <i8 / >i8 item as the bits of an integer64 element (bit64 keeps the
   int64 in the double's 8 bytes). */
static double integer64_bits(const unsigned char *p, int swap) {
  int64_t v;
  double bits;
  load(&v, p, sizeof v, swap);
  memcpy(&bits, &v, sizeof bits);
  return bits;
}

/* Largest integer every smaller one of which a double holds exactly. */
#define EXACT_DOUBLE_LIMIT 9007199254740992.0 /* 2^53 */

/* Errors (closing a) if a u8 array holds a value a double cannot hold
   exactly; R has no unsigned 64-bit type. */
static void check_u8_exact(npshm_array *a, const item_format *f, size_t n) {
  const unsigned char *src = (const unsigned char *)npshm_data(a);
  for (size_t i = 0; i < n; i++) {
    uint64_t v;
    load(&v, src + i * f->size, sizeof v, f->swap);
    if (v > (uint64_t)EXACT_DOUBLE_LIMIT) {
      char msg[600];
      snprintf(msg, sizeof msg,
               "npshm_attach %s: element %zu of this %s array is %llu, above "
               "2^53: it has no exact double value (R has no unsigned 64-bit "
               "type)", npshm_name(a), i + 1, npshm_dtype(a),
               (unsigned long long)v);
      npshm_close(a);
      npshm_r_stop(NPSHM_E_INVALID, 0, "%s", msg);
    }
  }
}

static void close_guarded(SEXP guard) {
  npshm_array *a = (npshm_array *)R_ExternalPtrAddr(guard);
  R_ClearExternalPtr(guard);
  npshm_close(a);
}

SEXP npshm_r_converted_copy(npshm_array *a) {
  item_format f;
  SEXPTYPE type = NILSXP;
  if (item_format_of(npshm_dtype(a), &f)) type = target_type(&f);
  if (type == NILSXP) {
    char msg[512];
    snprintf(msg, sizeof msg,
             "npshm_attach %s: dtype '%s' cannot be converted to an R vector",
             npshm_name(a), npshm_dtype(a));
    npshm_close(a);
    npshm_r_stop(NPSHM_E_FORMAT, 0, "%s", msg);
  }
  size_t n = npshm_itemsize(a) > 0 ? npshm_nbytes(a) / npshm_itemsize(a) : 0;
  int integer64 = f.kind == 'i' && f.size == 8;
  if (f.kind == 'u' && f.size == 8) check_u8_exact(a, &f, n);
  /* Allocation may fail with an R error: keep the handle in a pointer
     whose finalizer closes it. */
  SEXP guard = PROTECT(R_MakeExternalPtr(a, R_NilValue, R_NilValue));
  R_RegisterCFinalizer(guard, close_guarded);
  SEXP out = PROTECT(Rf_allocVector(type, (R_xlen_t)n));
  const unsigned char *src = (const unsigned char *)npshm_data(a);
  for (size_t i = 0; i < n; i++) {
    const unsigned char *p = src + i * f.size;
    switch (type) {
    case LGLSXP: LOGICAL(out)[i] = (int)scalar_value(p, f.kind, f.size, f.swap); break;
    case INTSXP: INTEGER(out)[i] = (int)scalar_value(p, f.kind, f.size, f.swap); break;
    case REALSXP:
      REAL(out)[i] = integer64 ? integer64_bits(p, f.swap)
                               : scalar_value(p, f.kind, f.size, f.swap);
      break;
    default: {
      Rcomplex c;
      c.r = scalar_value(p, 'f', f.size / 2, f.swap);
      c.i = scalar_value(p + f.size / 2, 'f', f.size / 2, f.swap);
      COMPLEX(out)[i] = c;
    }
    }
  }
  npshm_r_set_dim(out, a);
  if (integer64) Rf_setAttrib(out, R_ClassSymbol, Rf_mkString("integer64"));
  R_ClearExternalPtr(guard);
  npshm_close(a);
  UNPROTECT(2);
  return out;
}
