/* The ALTREP classes behind npshm views.
 *
 * data1: the external pointer owning the npshm handle (see view_class.h);
 *        its tag is the array's name and its protected value the number of
 *        elements, so Length and error messages never need the handle, which
 *        is gone once closed (at exit R may run the handle's finalizer before
 *        a user finalizer that still reads a view: every method then raises
 *        an R error instead of reading freed memory).
 * data2: R_NilValue     a copy-on-write view of the mapping;
 *        inplace_marker  a view whose writes go to the mapping;
 *        a plain vector  the private copy made by the first write of a
 *                        copy-on-write view (the view no longer reads the
 *                        mapping).
 * Value semantics.  R modifies a vector in place (`x[i] <- v`) only when
 * it is not shared (MAYBE_SHARED false); otherwise it duplicates it first.
 * But R also asks for a writable data pointer (Dataptr with writeable TRUE,
 * through REAL() etc.) in functions that only read, such as colMeans.  So:
 * - the views returned by create/attach/unserialize are marked not mutable
 *   (MARK_NOT_MUTABLE): R duplicates them before any write, and every
 *   Dataptr request gets the mapping, with no copy;
 * - a duplicate is a new copy-on-write view of the same mapping, not
 *   marked: when R asks for a writable pointer while it is not shared (R is
 *   about to write into it), it takes its private copy first;
 * - an inplace view is neither marked nor copied: `x[i] <- v` writes the
 *   shared memory (while x is not shared; else R writes a duplicate).
 *   But R's arithmetic and math functions (-x, sqrt, round, ...) also write
 *   their result into an argument that has no references at all (a
 *   temporary such as sqrt(npshm_attach(nm, inplace = TRUE))).  A view bound
 *   to a variable always has a reference, so a writable pointer asked for an
 *   unreferenced inplace view gets a private copy, as for a duplicate.
 * A read-only mapping is thus never written.
 *
 * Serialization is by reference: the state is the core's saved reference
 * to the array plus the in-place flag, and unserializing attaches the
 * array again (view_state.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <R.h>
#include <Rinternals.h>
#include <R_ext/Altrep.h>

#include "view_class.h"
#include "r_errors.h"
#include "r_types.h"

static R_altrep_class_t real_class;
static R_altrep_class_t integer_class;
static R_altrep_class_t complex_class;
static R_altrep_class_t raw_class;
static SEXP inplace_marker = NULL;

/* What Dataptr returns for a zero-length array. */
static double empty_data[2];

static size_t element_size(SEXPTYPE type) {
  switch (type) {
  case REALSXP: return sizeof(double);
  case INTSXP: return sizeof(int);
  case CPLXSXP: return sizeof(Rcomplex);
  default: return 1;
  }
}

static void *plain_dataptr(SEXP v) {
  switch (TYPEOF(v)) {
  case REALSXP: return REAL(v);
  case INTSXP: return INTEGER(v);
  case CPLXSXP: return COMPLEX(v);
  default: return RAW(v);
  }
}

static void finalize_handle(SEXP ptr) {
  npshm_r_handle *h = (npshm_r_handle *)R_ExternalPtrAddr(ptr);
  if (h == NULL) return;
  R_ClearExternalPtr(ptr);
  npshm_close(h->array);
  free(h);
}

typedef struct {
  npshm_array *array;
  npshm_r_handle *handle; /* NULL until allocated */
  int owned;              /* the external pointer's finalizer closes it */
  int unlink_on_failure;
} wrap_state;

static SEXP wrap_body(void *data) {
  wrap_state *st = (wrap_state *)data;
  npshm_array *a = st->array;
  const npshm_r_view_type *vtype = npshm_r_view_type_of(npshm_dtype(a));
  if (vtype == NULL)
    npshm_r_stop(NPSHM_E_FORMAT, 0, "%s: dtype '%s' has no zero-copy R type",
                 npshm_name(a), npshm_dtype(a));
  npshm_r_handle *h = (npshm_r_handle *)calloc(1, sizeof *h);
  if (h == NULL) npshm_r_stop(NPSHM_E_NO_MEMORY, 0, "npshm %s: out of memory", npshm_name(a));
  st->handle = h;
  h->array = a;
  h->type = vtype->sexptype;
  h->r_class = vtype->r_class;
  h->length = (R_xlen_t)(npshm_nbytes(a) / element_size(h->type));
  h->data = h->length > 0 ? npshm_data(a) : (void *)empty_data;
  SEXP name = PROTECT(Rf_mkString(npshm_name(a)));
  SEXP length = PROTECT(Rf_ScalarReal((double)h->length));
  SEXP ptr = PROTECT(R_MakeExternalPtr(h, name, length));
  R_RegisterCFinalizerEx(ptr, finalize_handle, TRUE);
  st->owned = 1;
  UNPROTECT(3);
  return ptr;
}

/* On an R error (or any jump) before the handle is owned by its external
   pointer: release it, and unlink the array first if asked. */
static void wrap_cleanup(void *data, Rboolean jump) {
  wrap_state *st = (wrap_state *)data;
  if (!jump || st->owned) return;
  if (st->unlink_on_failure) npshm_unlink(st->array);
  npshm_close(st->array);
  free(st->handle);
}

SEXP npshm_r_wrap_handle_ex(npshm_array *a, int unlink_on_failure) {
  wrap_state st = {a, NULL, 0, unlink_on_failure};
  SEXP token = PROTECT(R_MakeUnwindCont());
  SEXP ptr = R_UnwindProtect(wrap_body, &st, wrap_cleanup, &st, token);
  UNPROTECT(1);
  return ptr;
}

SEXP npshm_r_wrap_handle(npshm_array *a) { return npshm_r_wrap_handle_ex(a, 0); }

static int is_view(SEXP x) {
  if (!ALTREP(x)) return 0;
  switch (TYPEOF(x)) {
  case REALSXP: return R_altrep_inherits(x, real_class);
  case INTSXP: return R_altrep_inherits(x, integer_class);
  case CPLXSXP: return R_altrep_inherits(x, complex_class);
  case RAWSXP: return R_altrep_inherits(x, raw_class);
  default: return 0;
  }
}

SEXP npshm_r_find_view(SEXP x) {
  /* R wraps a shared vector in its own "wrapper" ALTREP class when only
     attributes change (e.g. dimnames<-); the wrapped vector is data1. */
  for (int depth = 0; depth < 8 && ALTREP(x) && !is_view(x); depth++) {
    SEXP inner = R_altrep_data1(x);
    if (TYPEOF(inner) != TYPEOF(x) || !ALTREP(inner) || XLENGTH(inner) != XLENGTH(x))
      break;
    x = inner;
  }
  return is_view(x) ? x : NULL;
}


int npshm_r_view_inplace(SEXP x) { return R_altrep_data2(x) == inplace_marker; }

/* The private copy of x, or NULL while x reads the mapping. */
static SEXP private_copy(SEXP x) {
  SEXP d2 = R_altrep_data2(x);
  return TYPEOF(d2) == TYPEOF(x) ? d2 : NULL;
}

int npshm_r_view_materialised(SEXP x) { return private_copy(x) != NULL; }

/* The open handle of the view x; an R error once it is closed. */
static npshm_r_handle *handle_of(SEXP x) {
  SEXP ptr = R_altrep_data1(x);
  npshm_r_handle *h = (npshm_r_handle *)R_ExternalPtrAddr(ptr);
  if (h == NULL)
    npshm_r_stop(NPSHM_E_INVALID, 0, "npshm view of %s used after its handle was closed",
             CHAR(STRING_ELT(R_ExternalPtrTag(ptr), 0)));
  return h;
}

/* Data for reading: the private copy if there is one, else the mapping. */
npshm_r_handle *npshm_r_view_handle(SEXP x) {
  return is_view(x) ? handle_of(x) : NULL;
}

static const void *read_pointer(SEXP x) {
  SEXP copy = private_copy(x);
  return copy != NULL ? plain_dataptr(copy) : handle_of(x)->data;
}

static SEXP copy_of_data(SEXP x) {
  const void *data = read_pointer(x);
  R_xlen_t length = XLENGTH(x);
  SEXP copy = PROTECT(Rf_allocVector(TYPEOF(x), length));
  if (length > 0)
    memcpy(plain_dataptr(copy), data, (size_t)length * element_size(TYPEOF(x)));
  UNPROTECT(1);
  return copy;
}

static R_altrep_class_t class_of(SEXPTYPE type) {
  switch (type) {
  case REALSXP: return real_class;
  case INTSXP: return integer_class;
  case CPLXSXP: return complex_class;
  default: return raw_class;
  }
}

/* ---- ALTREP methods ---------------------------------------------------- */

static R_xlen_t view_length(SEXP x) {
  SEXP copy = private_copy(x);
  if (copy != NULL) return XLENGTH(copy);
  return (R_xlen_t)REAL(R_ExternalPtrProtected(R_altrep_data1(x)))[0];
}

static void *view_dataptr(SEXP x, Rboolean writeable) {
  SEXP copy = private_copy(x);
  if (copy != NULL) return plain_dataptr(copy);
  npshm_r_handle *h = handle_of(x);
  if (!writeable || MAYBE_SHARED(x)) return h->data;
  /* Not shared: R may write into x.  An inplace view bound to a variable
     (`x[i] <- v`) writes the mapping; a temporary one would only receive a
     function's result. */
  if (npshm_r_view_inplace(x) && !NO_REFERENCES(x) && !npshm_is_readonly(h->array))
    return h->data;
  /* From now on x is private. */
  copy = copy_of_data(x);
  R_set_altrep_data2(x, copy);
  return plain_dataptr(copy);
}

static const void *view_dataptr_or_null(SEXP x) { return read_pointer(x); }

static double real_elt(SEXP x, R_xlen_t i) {
  return ((const double *)read_pointer(x))[i];
}
static int integer_elt(SEXP x, R_xlen_t i) {
  return ((const int *)read_pointer(x))[i];
}
static Rcomplex complex_elt(SEXP x, R_xlen_t i) {
  return ((const Rcomplex *)read_pointer(x))[i];
}
static Rbyte raw_elt(SEXP x, R_xlen_t i) {
  return ((const Rbyte *)read_pointer(x))[i];
}

/* A duplicate reads the same mapping and copies on its first write, so R's
   value semantics hold without copying data that is only read.  Duplicates
   never write in place, even of an inplace view. */
static SEXP view_duplicate(SEXP x, Rboolean deep) {
  (void)deep;
  if (private_copy(x) != NULL) return copy_of_data(x);
  return R_new_altrep(class_of(TYPEOF(x)), R_altrep_data1(x), R_NilValue);
}

static Rboolean view_inspect(SEXP x, int pre, int deep, int pvec,
                             void (*inspect_subtree)(SEXP, int, int, int)) {
  (void)pre; (void)deep; (void)pvec; (void)inspect_subtree;
  SEXP ptr = R_altrep_data1(x);
  npshm_r_handle *h = (npshm_r_handle *)R_ExternalPtrAddr(ptr);
  if (h == NULL && private_copy(x) == NULL) {
    Rprintf(" npshm view of %s (handle closed)\n",
            CHAR(STRING_ELT(R_ExternalPtrTag(ptr), 0)));
    return TRUE;
  }
  if (h == NULL) {
    Rprintf(" npshm view (private copy)\n");
    return TRUE;
  }
  Rprintf(" npshm view of %s %s (%s)\n", npshm_name(h->array),
          npshm_dtype(h->array),
          private_copy(x) != NULL ? "private copy"
          : npshm_r_view_inplace(x) ? "writes in place" : "copy on write");
  return TRUE;
}

static const npshm_r_view_serialization *serialization; /* set at registration */

static SEXP view_serialized_state(SEXP x) {
  if (private_copy(x) != NULL) return NULL; /* serialize the values */
  return serialization->state_of(x);
}

static SEXP view_unserialize(SEXP cls, SEXP state) {
  (void)cls;
  return serialization->view_of(state);
}

/* R's default sets the serialized attributes as they are (SET_ATTRIB), so
   a crafted stream could give a view a dim larger than its data and make
   x[i, j] read outside the mapping: each goes through Rf_setAttrib. */
static SEXP view_unserialize_ex(SEXP cls, SEXP state, SEXP attr, int objf,
                                int levs) {
  (void)objf; (void)levs;
  SEXP view = PROTECT(view_unserialize(cls, state));
  serialization->set_attributes(view, attr);
  UNPROTECT(1);
  return view;
}

/* ---- construction ------------------------------------------------------ */

SEXP npshm_r_new_view(SEXP hptr, int inplace, int with_attributes) {
  npshm_r_handle *h = (npshm_r_handle *)R_ExternalPtrAddr(hptr);
  if (h == NULL) npshm_r_stop(NPSHM_E_INVALID, 0, "npshm: the array handle is already closed");
  /* A read-only mapping is never written, whatever the caller asked. */
  if (npshm_is_readonly(h->array)) inplace = 0;
  SEXP view = PROTECT(R_new_altrep(class_of(h->type), hptr,
                                   inplace ? inplace_marker : R_NilValue));
  if (!inplace) MARK_NOT_MUTABLE(view);
  if (with_attributes) {
    npshm_r_set_dim(view, h->array);
    if (h->r_class != NULL) Rf_setAttrib(view, R_ClassSymbol, Rf_mkString(h->r_class));
  }
  UNPROTECT(1);
  return view;
}

static void set_common_methods(R_altrep_class_t cls) {
  R_set_altrep_Length_method(cls, view_length);
  R_set_altrep_Inspect_method(cls, view_inspect);
  R_set_altrep_Duplicate_method(cls, view_duplicate);
  R_set_altrep_Serialized_state_method(cls, view_serialized_state);
  R_set_altrep_Unserialize_method(cls, view_unserialize);
  R_set_altrep_UnserializeEX_method(cls, view_unserialize_ex);
  R_set_altvec_Dataptr_method(cls, view_dataptr);
  R_set_altvec_Dataptr_or_null_method(cls, view_dataptr_or_null);
}

void npshm_r_register_classes(DllInfo *dll, const npshm_r_view_serialization *how) {
  serialization = how;
  inplace_marker = Rf_install("npshm_writes_in_place");

  real_class = R_make_altreal_class("npshm_real", "npshm", dll);
  set_common_methods(real_class);
  R_set_altreal_Elt_method(real_class, real_elt);

  integer_class = R_make_altinteger_class("npshm_integer", "npshm", dll);
  set_common_methods(integer_class);
  R_set_altinteger_Elt_method(integer_class, integer_elt);

  complex_class = R_make_altcomplex_class("npshm_complex", "npshm", dll);
  set_common_methods(complex_class);
  R_set_altcomplex_Elt_method(complex_class, complex_elt);

  raw_class = R_make_altraw_class("npshm_raw", "npshm", dll);
  set_common_methods(raw_class);
  R_set_altraw_Elt_method(raw_class, raw_elt);
}
