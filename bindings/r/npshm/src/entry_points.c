/* The hand-written entry points declared in r_entry_points.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <R.h>
#include <Rinternals.h>

#include "r_entry_points.h"
#include "view_class.h"
#include "view_state.h"
#include "r_types.h"
#include "converted_copy.h"
#include "r_errors.h"

static const char *string_arg(SEXP v, const char *what) {
  if (TYPEOF(v) != STRSXP || XLENGTH(v) != 1 || STRING_ELT(v, 0) == NA_STRING)
    npshm_r_stop(NPSHM_E_INVALID, 0, "npshm: %s must be a single string", what);
  /* A name marked "bytes" (one the library listed that is not UTF-8, or
     one given as a raw vector) goes to the library byte for byte; others
     in UTF-8.  R strings never hold a NUL. */
  SEXP s = STRING_ELT(v, 0);
  return Rf_getCharCE(s) == CE_BYTES ? CHAR(s) : Rf_translateCharUTF8(s);
}

static int flag_arg(SEXP v, const char *what) {
  if (TYPEOF(v) != LGLSXP || XLENGTH(v) != 1 || LOGICAL(v)[0] == NA_LOGICAL)
    npshm_r_stop(NPSHM_E_INVALID, 0, "npshm: %s must be TRUE or FALSE", what);
  return LOGICAL(v)[0];
}

/* The view of an array npshm_r_create just made. */
typedef struct {
  SEXP hptr;
  int in_place;
  SEXP init;
} created_view;

static SEXP fill_and_view(void *data) {
  created_view *c = (created_view *)data;
  npshm_r_handle *h = (npshm_r_handle *)R_ExternalPtrAddr(c->hptr);
  if (c->init != R_NilValue && h->length > 0) {
    size_t size = npshm_itemsize(h->array);
    const char *src = (const char *)DATAPTR_RO(c->init);
    if (XLENGTH(c->init) == 1) {
      for (R_xlen_t i = 0; i < h->length; i++)
        memcpy((char *)h->data + (size_t)i * size, src, size);
    } else {
      memcpy(h->data, src, (size_t)h->length * size);
    }
  }
  return npshm_r_new_view(c->hptr, c->in_place, 1);
}

/* A create that fails after the file exists leaves nothing behind: the
   handle (closed later by its finalizer) unlinks the array now. */
static void unlink_on_jump(void *data, Rboolean jump) {
  created_view *c = (created_view *)data;
  npshm_r_handle *h = (npshm_r_handle *)R_ExternalPtrAddr(c->hptr);
  if (jump && h != NULL && npshm_is_creator(h->array)) npshm_unlink(h->array);
}

SEXP npshm_r_create(SEXP name, SEXP dtype, SEXP shape, int order,
                    const npshm_options *opts, SEXP inplace, SEXP init) {
  const char *cname = string_arg(name, "name");
  const char *cdtype = string_arg(dtype, "type");
  int in_place = flag_arg(inplace, "inplace");
  char what[300], dim_what[310];
  snprintf(what, sizeof what, "npshm_create %s", cname);
  snprintf(dim_what, sizeof dim_what, "%s: dim", what);
  int64_t extents[NPSHM_MAX_NDIM];
  int ndim = npshm_r_shape_from_numeric(shape, extents, dim_what);
  const npshm_r_view_type *vtype = npshm_r_view_type_of(cdtype);
  if (vtype == NULL)
    npshm_r_stop(NPSHM_E_INVALID, 0, "%s: type '%s' has no R view (R views: %s)", what, cdtype,
                 npshm_r_view_types_text());

  double total = 1;
  for (int i = 0; i < ndim; i++) total *= (double)extents[i];
  if (init != R_NilValue) {
    const char *init_type = npshm_r_type_name_of(init);
    if (strcmp(init_type, vtype->r_type) != 0)
      npshm_r_stop(NPSHM_E_INVALID, 0, "%s: init is %s, the array is %s", what, init_type,
                   vtype->r_type);
    if (XLENGTH(init) != 1 && (double)XLENGTH(init) != total)
      npshm_r_stop(NPSHM_E_INVALID, 0, "%s: init has %lld elements; the array has %.0f "
               "(or give 1 to fill)", what, (long long)XLENGTH(init), total);
  }

  npshm_r_check_dim(what, ndim, extents, order);

  npshm_array *a = npshm_create(cname, cdtype, ndim, extents, order, opts);
  if (a == NULL) npshm_r_stop_last();
  /* With exist_ok the handle may attach an array that was there already:
     a failure then must not remove it. */
  SEXP hptr = PROTECT(npshm_r_wrap_handle_ex(a, npshm_is_creator(a)));
  created_view c = {hptr, in_place, init};
  SEXP token = PROTECT(R_MakeUnwindCont());
  SEXP view = PROTECT(R_UnwindProtect(fill_and_view, &c, unlink_on_jump, &c, token));
  /* R_UnwindProtect keeps the result in the token (a reference): drop it,
     or R would see the view as shared and duplicate an inplace view at its
     first assignment instead of writing the shared memory. */
  SETCAR(token, R_NilValue);
  UNPROTECT(3);
  return view;
}

SEXP npshm_r_attach(SEXP name, npshm_options *opts, SEXP expected_shape,
                    SEXP readonly, SEXP inplace, SEXP copy) {
  const char *cname = string_arg(name, "name");
  int read_only = flag_arg(readonly, "readonly");
  int in_place = flag_arg(inplace, "inplace");
  int want_copy = flag_arg(copy, "copy");
  if (in_place && read_only)
    npshm_r_stop(NPSHM_E_INVALID, 0, "npshm_attach %s: inplace = TRUE writes to shared memory, "
                 "which readonly = TRUE forbids", cname);
  if (in_place && want_copy)
    npshm_r_stop(NPSHM_E_INVALID, 0, "npshm_attach %s: inplace = TRUE and copy = TRUE exclude "
                 "each other", cname);
  if (npshm_options_set_readonly(opts, read_only) != NPSHM_OK) npshm_r_stop_last();
  if (expected_shape != R_NilValue) {
    char what[310];
    snprintf(what, sizeof what, "npshm_attach %s: dim", cname);
    int64_t extents[NPSHM_MAX_NDIM];
    int ndim = npshm_r_shape_from_numeric(expected_shape, extents, what);
    if (npshm_options_set_expected_shape(opts, ndim, extents) != NPSHM_OK)
      npshm_r_stop_last();
  }
  npshm_array *a = npshm_attach(cname, opts);
  if (a == NULL) npshm_r_stop_last();

  if (want_copy) return npshm_r_converted_copy(a); /* closes a */

  if (npshm_r_view_type_of(npshm_dtype(a)) == NULL) {
    char msg[800];
    snprintf(msg, sizeof msg,
             "npshm_attach %s: dtype '%s' has no zero-copy R type (%s); use copy = "
             "TRUE for a converted copy", npshm_name(a), npshm_dtype(a),
             npshm_r_view_types_text());
    npshm_close(a);
    npshm_r_stop(NPSHM_E_FORMAT, 0, "%s", msg);
  }
  if (in_place && npshm_is_readonly(a)) {
    char msg[400];
    snprintf(msg, sizeof msg,
             "npshm_attach %s: inplace = TRUE needs a writable attach",
             npshm_name(a));
    npshm_close(a);
    npshm_r_stop(NPSHM_E_READONLY, 0, "%s", msg);
  }
  SEXP hptr = PROTECT(npshm_r_wrap_handle(a));
  SEXP view = npshm_r_new_view(hptr, in_place, 1);
  UNPROTECT(1);
  return view;
}

static SEXP named_list(int n, const char **names) {
  SEXP list = PROTECT(Rf_allocVector(VECSXP, n));
  SEXP nm = PROTECT(Rf_allocVector(STRSXP, n));
  for (int i = 0; i < n; i++) SET_STRING_ELT(nm, i, Rf_mkChar(names[i]));
  Rf_setAttrib(list, R_NamesSymbol, nm);
  UNPROTECT(2);
  return list;
}

SEXP npshm_r_view_info(SEXP x) {
  x = npshm_r_find_view(x);
  if (x == NULL) return R_NilValue;
  npshm_r_handle *h = npshm_r_view_handle(x);
  const npshm_array *a = h->array;
  static const char *names[] = {"name", "path", "dtype", "shape", "order",
                                "nbytes", "readonly", "inplace", "lifetime",
                                "creator", "view"};
  SEXP info = PROTECT(named_list(11, names));
  SET_VECTOR_ELT(info, 0, Rf_mkString(npshm_name(a)));
  SET_VECTOR_ELT(info, 1, Rf_mkString(npshm_path(a)));
  SET_VECTOR_ELT(info, 2, Rf_mkString(npshm_dtype(a)));
  int ndim = npshm_ndim(a);
  SEXP shape = Rf_allocVector(REALSXP, ndim);
  SET_VECTOR_ELT(info, 3, shape);
  for (int i = 0; i < ndim; i++) REAL(shape)[i] = (double)npshm_shape(a)[i];
  const char *order = npshm_order_name(npshm_order(a));
  SET_VECTOR_ELT(info, 4, Rf_mkString(order != NULL ? order : "unknown"));
  SET_VECTOR_ELT(info, 5, Rf_ScalarReal((double)npshm_nbytes(a)));
  SET_VECTOR_ELT(info, 6, Rf_ScalarLogical(npshm_is_readonly(a)));
  SET_VECTOR_ELT(info, 7, Rf_ScalarLogical(npshm_r_view_inplace(x)));
  const char *lifetime = npshm_lifetime_name(npshm_lifetime(a));
  SET_VECTOR_ELT(info, 8, Rf_mkString(lifetime != NULL ? lifetime : "unknown"));
  SET_VECTOR_ELT(info, 9, Rf_ScalarLogical(npshm_is_creator(a)));
  SET_VECTOR_ELT(info, 10, Rf_ScalarLogical(!npshm_r_view_materialised(x)));
  UNPROTECT(1);
  return info;
}

SEXP npshm_r_is_view(SEXP x) {
  x = npshm_r_find_view(x);
  return Rf_ScalarLogical(x != NULL && !npshm_r_view_materialised(x));
}

SEXP npshm_r_view_reference(SEXP x) {
  x = npshm_r_find_view(x);
  if (x == NULL || npshm_r_view_materialised(x)) return R_NilValue;
  npshm_r_handle *h = npshm_r_view_handle(x);
  static const char *names[] = {"reference", "inplace"};
  SEXP out = PROTECT(named_list(2, names));
  SET_VECTOR_ELT(out, 0, npshm_r_reference_text(h->array));
  SET_VECTOR_ELT(out, 1, Rf_ScalarLogical(npshm_r_view_inplace(x)));
  UNPROTECT(1);
  return out;
}

SEXP npshm_r_attach_reference(SEXP reference, SEXP inplace, SEXP attributes, SEXP readonly) {
  const char *text = string_arg(reference, "the reference");
  int in_place = flag_arg(inplace, "inplace");
  if (attributes != R_NilValue && TYPEOF(attributes) != LISTSXP)
    npshm_r_stop(NPSHM_E_INVALID, 0, "npshm: the attributes must be a pairlist");
  /* readonly NA: the reference decides; TRUE: read-only; FALSE: this call
     asks for write access itself. */
  if (TYPEOF(readonly) != LGLSXP || XLENGTH(readonly) != 1)
    npshm_r_stop(NPSHM_E_INVALID, 0, "npshm: readonly must be TRUE, FALSE or NA");
  int ro = LOGICAL(readonly)[0];
  int access = ro == NA_LOGICAL ? NPSHM_R_ACCESS_GRANTED
               : ro ? NPSHM_R_ACCESS_READ : NPSHM_R_ACCESS_WRITE;
  SEXP view = PROTECT(npshm_r_view_of_reference(text, in_place, access, "attach"));
  npshm_r_set_attributes(view, attributes);
  UNPROTECT(1);
  return view;
}
