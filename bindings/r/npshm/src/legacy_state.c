/* States serialized by npshm 0.1.0, read for one release of compatibility
 * (remove with the release after the one that writes saved references).
 *
 * That release wrote the view's own fields instead of the core's reference:
 *   list("npshm-view-2", name, directory, dtype, shape (double), readonly,
 *        inplace, id (16 lowercase hex digits))
 * They are read as that release read them: attach by name in the
 * directory, with the dtype and shape as expected values the core checks
 * against the header, and the id compared with the array's.  They follow
 * the core's rule for references (npshm_ref_attach): write access only for
 * a shm:// name with a non-zero id, and only where this process can open
 * the file for writing (else read-only, and never in place). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <R.h>
#include <Rinternals.h>

#include "view_class.h"
#include "view_state.h"
#include "r_errors.h"
#include "r_types.h"

#define LEGACY_TAG "npshm-view-2"
#define LEGACY_FIELDS 8
#define ID_DIGITS 16

static int is_string1(SEXP v) {
  return TYPEOF(v) == STRSXP && XLENGTH(v) == 1 && STRING_ELT(v, 0) != NA_STRING;
}

static int is_flag(SEXP v) {
  return TYPEOF(v) == LGLSXP && XLENGTH(v) == 1 && LOGICAL(v)[0] != NA_LOGICAL;
}

/* The id written as ID_DIGITS lowercase hex digits; 0 if v is not one. */
static int parse_id(SEXP v, uint64_t *id) {
  if (!is_string1(v)) return 0;
  const char *s = CHAR(STRING_ELT(v, 0));
  if (strlen(s) != ID_DIGITS) return 0;
  uint64_t value = 0;
  for (int i = 0; i < ID_DIGITS; i++) {
    int digit;
    if (s[i] >= '0' && s[i] <= '9') digit = s[i] - '0';
    else if (s[i] >= 'a' && s[i] <= 'f') digit = s[i] - 'a' + 10;
    else return 0;
    value = value << 4 | (uint64_t)digit;
  }
  *id = value;
  return 1;
}

static const char *tag_of(SEXP state) {
  if (TYPEOF(state) != VECSXP || XLENGTH(state) < 1 || !is_string1(VECTOR_ELT(state, 0)))
    return "";
  return CHAR(STRING_ELT(VECTOR_ELT(state, 0), 0));
}

SEXP npshm_r_legacy_view(SEXP state) {
  if (strcmp(tag_of(state), LEGACY_TAG) != 0) return NULL;
  uint64_t id = 0;
  if (XLENGTH(state) != LEGACY_FIELDS || !parse_id(VECTOR_ELT(state, 7), &id) ||
      !is_string1(VECTOR_ELT(state, 1)) || !is_string1(VECTOR_ELT(state, 2)) ||
      !is_string1(VECTOR_ELT(state, 3)) || TYPEOF(VECTOR_ELT(state, 4)) != REALSXP)
    npshm_r_stop(NPSHM_E_FORMAT, 0, "npshm: cannot unserialize a view: unknown state format");
  const char *name = CHAR(STRING_ELT(VECTOR_ELT(state, 1), 0));
  const char *dir = CHAR(STRING_ELT(VECTOR_ELT(state, 2), 0));
  const char *dtype = CHAR(STRING_ELT(VECTOR_ELT(state, 3), 0));
  if (!is_flag(VECTOR_ELT(state, 5)) || !is_flag(VECTOR_ELT(state, 6)))
    npshm_r_stop(NPSHM_E_FORMAT, 0,
                 "npshm: cannot unserialize the view of %s: its read-only and "
                 "in-place flags must be TRUE or FALSE", name);
  int readonly = LOGICAL(VECTOR_ELT(state, 5))[0];
  int inplace = LOGICAL(VECTOR_ELT(state, 6))[0];
  if (readonly && inplace)
    npshm_r_stop(NPSHM_E_FORMAT, 0,
                 "npshm: cannot unserialize the view of %s: a read-only view "
                 "cannot write in place (the state was altered)", name);
  if (npshm_r_view_type_of(dtype) == NULL)
    npshm_r_stop(NPSHM_E_FORMAT, 0,
                 "npshm: cannot unserialize the view of %s: dtype '%s' has no R view", name,
                 dtype);
  /* A name is shm:// unless it starts with file:// (as the core resolves
     it). */
  if (id == 0 || strncmp(name, "file://", 7) == 0) readonly = 1;
  int64_t shape[NPSHM_MAX_NDIM];
  int ndim = npshm_r_shape_from_numeric(VECTOR_ELT(state, 4), shape, "npshm: shape");

  npshm_options *opts = npshm_options_new();
  if (opts == NULL) npshm_r_stop(NPSHM_E_NO_MEMORY, 0, "npshm: out of memory");
  npshm_array *a = NULL;
  if ((dir[0] == '\0' || npshm_options_set_directory(opts, dir) == NPSHM_OK) &&
      npshm_options_set_readonly(opts, readonly) == NPSHM_OK &&
      npshm_options_set_expected_dtype(opts, dtype) == NPSHM_OK &&
      npshm_options_set_expected_shape(opts, ndim, shape) == NPSHM_OK)
    a = npshm_attach(name, opts);
  if (a == NULL && !readonly && npshm_last_error() == NPSHM_E_PERMISSION &&
      npshm_options_set_readonly(opts, 1) == NPSHM_OK)
    a = npshm_attach(name, opts); /* this process cannot write it */
  npshm_options_free(opts);
  if (a == NULL)
    npshm_r_stop(npshm_last_error(), npshm_last_errno(),
                 "npshm: cannot unserialize the view of %s: %s", name, npshm_last_message());
  if (npshm_id(a) != id) {
    npshm_close(a);
    npshm_r_stop(NPSHM_E_NOT_FOUND, ENOENT,
                 "npshm: cannot unserialize the view of %s: the array of that name is not "
                 "the one serialized (it was removed and created again)", name);
  }
  SEXP hptr = PROTECT(npshm_r_wrap_handle(a));
  SEXP view = npshm_r_new_view(hptr, inplace, 0);
  UNPROTECT(1);
  return view;
}
