/* Waiting from R: the library's waits in interruptible slices (see
 * r_waiting.h). */
#include <R.h>
#include <R_ext/Utils.h>
#include <Rinternals.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "npshm.h"
#include "r_errors.h"
#include "r_waiting.h"
#include "view_class.h"

#define SLICE 0.1

static double monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *name_arg(SEXP v) {
  if (TYPEOF(v) != STRSXP || XLENGTH(v) != 1 || STRING_ELT(v, 0) == NA_STRING)
    npshm_r_stop(NPSHM_E_INVALID, 0, "npshm: name must be a single string");
  SEXP s = STRING_ELT(v, 0);
  return Rf_getCharCE(s) == CE_BYTES ? CHAR(s) : Rf_translateCharUTF8(s);
}

/* One handle per (name, access) for this session, never closed: closing a
   LAST array's only handle would remove it.  The kernel releases them at
   exit. */
typedef struct cached {
  char *name;
  int writable;
  npshm_array *a;
  dev_t dev; /* of the file when attached: a newer array under the name */
  ino_t ino; /* is another file */
  struct cached *next;
} cached;
static cached *handles = NULL;

static npshm_array *handle_of(const char *name, int writable) {
  for (cached *c = handles; c; c = c->next)
    if (c->writable == writable && strcmp(c->name, name) == 0) {
      /* a newer array under that name replaces the one we hold */
      struct stat st;
      if (stat(npshm_path(c->a), &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino) return c->a;
      break;
    }
  npshm_options *o = npshm_options_new();
  if (!o) npshm_r_stop(NPSHM_E_NO_MEMORY, 0, "npshm: out of memory");
  npshm_options_set_readonly(o, !writable);
  npshm_array *a = npshm_attach(name, o);
  npshm_options_free(o);
  if (!a) npshm_r_stop_last();
  cached *c = malloc(sizeof *c);
  char *copy = malloc(strlen(name) + 1);
  if (!c || !copy) {
    free(c);
    free(copy);
    npshm_r_stop(NPSHM_E_NO_MEMORY, 0, "npshm: out of memory");
  }
  strcpy(copy, name);
  c->name = copy;
  c->writable = writable;
  c->a = a;
  struct stat st;
  c->dev = stat(npshm_path(a), &st) == 0 ? st.st_dev : 0;
  c->ino = stat(npshm_path(a), &st) == 0 ? st.st_ino : 0;
  c->next = handles;
  handles = c;
  return a;
}

typedef int (*wait_fn)(void *ctx, double timeout);

/* Run fn in slices until it does not time out or timeout passes. */
static void sliced(wait_fn fn, void *ctx, double timeout, const char *what, const char *name) {
  if (isnan(timeout)) npshm_r_stop(NPSHM_E_INVALID, 0, "npshm: timeout must be a number or NULL");
  const int forever = timeout < 0 || isinf(timeout);
  const double end = forever ? 0 : monotonic() + timeout;
  for (;;) {
    double slice = SLICE;
    if (!forever) {
      const double left = end - monotonic();
      slice = left < SLICE ? (left > 0 ? left : 0) : SLICE;
    }
    const int rc = fn(ctx, slice);
    if (rc == NPSHM_OK) return;
    if (rc != NPSHM_E_TIMEOUT) npshm_r_stop_last();
    if (!forever && monotonic() >= end)
      npshm_r_stop(NPSHM_E_TIMEOUT, 0, "%s %s: timed out after %g s", what, name, timeout);
    R_CheckUserInterrupt();
  }
}

typedef struct {
  const char *name;
  npshm_array *a;
  uint64_t seen, version;
} ctx_t;

static int do_created(void *p, double t) { return npshm_wait_created(((ctx_t *)p)->name, NULL, t); }
static int do_released(void *p, double t) { return npshm_wait_released(((ctx_t *)p)->name, NULL, t); }
static int do_changed(void *p, double t) {
  ctx_t *c = p;
  return npshm_wait_changed(c->a, c->seen, t, &c->version);
}

SEXP npshm_r_wait_created(SEXP name, double timeout) {
  ctx_t c = {name_arg(name), NULL, 0, 0};
  sliced(do_created, &c, timeout, "wait_created", c.name);
  return R_NilValue;
}

SEXP npshm_r_wait_released(SEXP name, double timeout) {
  ctx_t c = {name_arg(name), NULL, 0, 0};
  sliced(do_released, &c, timeout, "wait_released", c.name);
  return R_NilValue;
}

SEXP npshm_r_notify(SEXP name) {
  uint64_t v = 0;
  if (npshm_notify(handle_of(name_arg(name), 1), &v) != NPSHM_OK) npshm_r_stop_last();
  return Rf_ScalarReal((double)v);
}

SEXP npshm_r_version(SEXP name) {
  uint64_t v = 0;
  if (npshm_array_version(handle_of(name_arg(name), 0), &v) != NPSHM_OK) npshm_r_stop_last();
  return Rf_ScalarReal((double)v);
}

SEXP npshm_r_wait_changed(SEXP name, double seen, double timeout) {
  if (!(seen >= 0) || seen > 9007199254740992.0)
    npshm_r_stop(NPSHM_E_INVALID, 0, "npshm: seen must be a version (a number >= 0)");
  ctx_t c = {name_arg(name), NULL, (uint64_t)seen, 0};
  c.a = handle_of(c.name, 0);
  sliced(do_changed, &c, timeout, "wait_changed", c.name);
  return Rf_ScalarReal((double)c.version);
}

/* ---- array locks: on the handle of a view ---- */

typedef struct {
  npshm_array *a;
  int exclusive;
} lock_ctx;

static int do_lock(void *p, double t) {
  lock_ctx *c = p;
  return npshm_lock(c->a, c->exclusive, t);
}

static npshm_array *view_array(SEXP x, const char *what) {
  SEXP view = npshm_r_find_view(x);
  npshm_r_handle *h = view == NULL ? NULL : npshm_r_view_handle(view);
  if (h == NULL)
    npshm_r_stop(NPSHM_E_INVALID, 0, "npshm: %s needs an npshm view (what npshm_create or npshm_attach returned)",
                 what);
  return h->array;
}

SEXP npshm_r_lock(SEXP x, int exclusive, double timeout) {
  lock_ctx c = {view_array(x, "npshm_lock"), exclusive != 0};
  sliced(do_lock, &c, timeout, exclusive ? "lock (exclusive)" : "lock (shared)", npshm_name(c.a));
  return R_NilValue;
}

SEXP npshm_r_unlock(SEXP x) {
  if (npshm_unlock(view_array(x, "npshm_unlock")) != NPSHM_OK) npshm_r_stop_last();
  return R_NilValue;
}
