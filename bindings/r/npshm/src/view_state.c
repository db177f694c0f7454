/* The serialized state of a view, and views made from saved references.
 *
 * A view serializes by reference (R's serialize, saveRDS, parallel,
 * future): its state is the core's saved reference to the whole array
 * (npshm_ref_make: name, shm directory, id, dtype, shape, strides,
 * read-only flag, damage check; see "Saved references" in npshm.h) plus the one
 * thing only R knows, whether the view writes in place:
 *   list("npshm-view-3", "<reference text>", <inplace: TRUE or FALSE>)
 * R writes the view's attributes (dim, class) next to the state.
 * npshm_ref() holds the same reference text and flag.
 *
 * A state is data anyone can craft: nothing in it is trusted, and it
 * grants nothing by itself.  The text is parsed and attached by the core
 * (npshm_ref_parse, npshm_ref_attach), which refuses a damaged or
 * malformed text, another array under the same name (the id differs),
 * another dtype, and any element outside the data, and decides the access:
 * writable only for a shm:// array named by its id where this process can
 * write the file; a file:// or id-0 reference, or a read-only one, attaches
 * read-only.  What R adds: the dtype must have an R view, the view must be
 * the whole array (R vectors have no offset or strides), and the in-place
 * flag counts only on a writable handle (a read-only view copies on
 * write).  Only npshm_attach(ref, readonly = FALSE) asks for write access
 * itself.
 * The view's type, length and data come from the attached handle alone.
 *
 * States written by npshm 0.1.0 ("npshm-view-2") are read by
 * legacy_state.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <R.h>
#include <Rinternals.h>

#include "view_class.h"
#include "view_state.h"
#include "r_errors.h"
#include "r_types.h"

#define STATE_TAG "npshm-view-3"
#define STATE_FIELDS 3

static SEXP string1(const char *s) { return Rf_ScalarString(Rf_mkCharCE(s, CE_UTF8)); }

SEXP npshm_r_reference_text(const npshm_array *a) {
  npshm_ref *ref = npshm_ref_make(a, 0, npshm_ndim(a), npshm_shape(a), npshm_strides(a),
                                  npshm_is_readonly(a));
  if (ref == NULL) npshm_r_stop_last();
  /* Making the R string may fail with an R error (out of memory): copy
     the text out first into memory R frees at the end of the call. */
  const char *text = npshm_ref_text(ref);
  char *copy = R_alloc(strlen(text) + 1, 1);
  memcpy(copy, text, strlen(text) + 1);
  npshm_ref_free(ref);
  return string1(copy);
}

SEXP npshm_r_view_state(SEXP x) {
  npshm_r_handle *h = npshm_r_view_handle(x);
  SEXP state = PROTECT(Rf_allocVector(VECSXP, STATE_FIELDS));
  SET_VECTOR_ELT(state, 0, string1(STATE_TAG));
  SET_VECTOR_ELT(state, 1, npshm_r_reference_text(h->array));
  SET_VECTOR_ELT(state, 2, Rf_ScalarLogical(npshm_r_view_inplace(x)));
  UNPROTECT(1);
  return state;
}

/* Raises the failure of `what` (the cause names the array), after
   releasing ref and a (either may be NULL). */
NPSHM_R_NORETURN static void refuse(const char *what, npshm_ref *ref, npshm_array *a,
                                    int code, int errnum, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

static void refuse(const char *what, npshm_ref *ref, npshm_array *a, int code, int errnum,
                   const char *fmt, ...) {
  char cause[1500];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cause, sizeof cause, fmt, ap);
  va_end(ap);
  npshm_ref_free(ref);
  npshm_close(a);
  npshm_r_stop(code, errnum, "npshm: cannot %s a view: %s", what, cause);
}

/* Whether the reference names all of a's data as the array itself lays it
   out (offset 0, a's shape and strides): an R vector cannot show less. */
static int names_whole_array(const npshm_ref *ref, const npshm_array *a) {
  int ndim = npshm_ref_ndim(ref);
  if (npshm_ref_offset(ref) != 0 || ndim != npshm_ndim(a)) return 0;
  for (int i = 0; i < ndim; i++)
    if (npshm_ref_shape(ref)[i] != npshm_shape(a)[i] ||
        npshm_ref_strides(ref)[i] != npshm_strides(a)[i])
      return 0;
  return 1;
}

SEXP npshm_r_view_of_reference(const char *text, int inplace, int access, const char *what) {
  npshm_ref *ref = npshm_ref_parse(text);
  if (ref == NULL)
    refuse(what, NULL, NULL, npshm_last_error(), 0, "%s", npshm_last_message());
  if (npshm_r_view_type_of(npshm_ref_dtype(ref)) == NULL)
    refuse(what, ref, NULL, NPSHM_E_FORMAT, 0, "%s: dtype '%s' has no R view",
           npshm_ref_name(ref), npshm_ref_dtype(ref));
  /* The shape is checked against the header before the file is locked or
     mapped (offset and strides once the handle says how it lays out). */
  npshm_options *opts = npshm_options_new();
  if (opts == NULL)
    refuse(what, ref, NULL, NPSHM_E_NO_MEMORY, 0, "%s: out of memory", npshm_ref_name(ref));
  npshm_array *a = NULL;
  if (npshm_options_set_expected_shape(opts, npshm_ref_ndim(ref), npshm_ref_shape(ref)) ==
          NPSHM_OK &&
      npshm_options_set_readonly(opts, access == NPSHM_R_ACCESS_READ) == NPSHM_OK &&
      npshm_options_set_ref_writable(opts, access == NPSHM_R_ACCESS_WRITE) == NPSHM_OK)
    a = npshm_ref_attach(ref, opts);
  if (a == NULL) {
    int code = npshm_last_error(), errnum = npshm_last_errno();
    char cause[1500];
    snprintf(cause, sizeof cause, "%s", npshm_last_message());
    npshm_options_free(opts);
    refuse(what, ref, NULL, code, errnum, "%s", cause);
  }
  npshm_options_free(opts);
  if (!names_whole_array(ref, a))
    refuse(what, ref, a, NPSHM_E_MISMATCH, 0,
           "%s: the reference names part of the array (offset or strides); an R "
           "view is always the whole array", npshm_ref_name(ref));
  npshm_ref_free(ref);
  SEXP hptr = PROTECT(npshm_r_wrap_handle(a));
  /* A read-only handle (what the reference grants, or what was asked for)
     never writes in place: npshm_r_new_view drops the flag. */
  SEXP view = npshm_r_new_view(hptr, inplace, 0);
  UNPROTECT(1);
  return view;
}

void npshm_r_set_attributes(SEXP view, SEXP attributes) {
  for (SEXP at = attributes; at != R_NilValue; at = CDR(at)) {
    if (TYPEOF(at) != LISTSXP || TYPEOF(TAG(at)) != SYMSXP)
      npshm_r_stop(NPSHM_E_FORMAT, 0, "npshm: cannot make a view: bad attributes");
    Rf_setAttrib(view, TAG(at), CAR(at));
  }
}

static int is_string1(SEXP v) {
  return TYPEOF(v) == STRSXP && XLENGTH(v) == 1 && STRING_ELT(v, 0) != NA_STRING;
}

SEXP npshm_r_view_from_state(SEXP state) {
  SEXP legacy = npshm_r_legacy_view(state);
  if (legacy != NULL) return legacy;
  if (TYPEOF(state) != VECSXP || XLENGTH(state) != STATE_FIELDS ||
      !is_string1(VECTOR_ELT(state, 0)) ||
      strcmp(CHAR(STRING_ELT(VECTOR_ELT(state, 0), 0)), STATE_TAG) != 0 ||
      !is_string1(VECTOR_ELT(state, 1)))
    npshm_r_stop(NPSHM_E_FORMAT, 0, "npshm: cannot unserialize a view: unknown state format");
  SEXP ip = VECTOR_ELT(state, 2);
  if (TYPEOF(ip) != LGLSXP || XLENGTH(ip) != 1 || LOGICAL(ip)[0] == NA_LOGICAL)
    npshm_r_stop(NPSHM_E_FORMAT, 0,
                 "npshm: cannot unserialize a view: its in-place flag must be TRUE or FALSE");
  return npshm_r_view_of_reference(CHAR(STRING_ELT(VECTOR_ELT(state, 1), 0)),
                                   LOGICAL(ip)[0], NPSHM_R_ACCESS_GRANTED, "unserialize");
}

const npshm_r_view_serialization npshm_r_views_serialize_as_references = {
    npshm_r_view_state, npshm_r_view_from_state, npshm_r_set_attributes};
