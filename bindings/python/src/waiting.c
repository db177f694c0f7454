/*
 * waiting.c -- waits and array locks for Python: the GIL is released while
 * waiting, and Ctrl-C (any signal with a Python handler) interrupts a wait.
 *
 * The library's waits are not interrupted by signals, so a wait runs in
 * slices of at most SLICE seconds, with PyErr_CheckSignals() between them
 * (a KeyboardInterrupt then comes within a slice).  Slices cost nothing
 * measurable: the futex, inotify watch or lock attempt is set up again each
 * time, and each is checked before waiting, so nothing happening between
 * two slices is missed.
 */
#include "npshm_py.h" /* Python.h first: it sets the POSIX level */

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SLICE 0.05

static double monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef int (*wait_fn)(void *ctx, double timeout);

/* Raise the library's timeout error, its message saying the caller's
   timeout rather than the last slice's. */
static PyObject *raise_timeout(double slice, double timeout) {
  char from[64], to[64];
  const char *message = npshm_last_message();
  const char *at;
  PyObject *result;
  char *fixed;
  size_t n;
  snprintf(from, sizeof from, "after %g s", slice);
  snprintf(to, sizeof to, "after %g s", timeout);
  at = strstr(message, from);
  if (at == NULL) return npshm_py_raise_last_error();
  n = strlen(message) + strlen(to) + 1;
  fixed = PyMem_Malloc(n);
  if (fixed == NULL) return PyErr_NoMemory();
  snprintf(fixed, n, "%.*s%s%s", (int)(at - message), message, to, at + strlen(from));
  result = npshm_py_raise_error(NPSHM_E_TIMEOUT, fixed, npshm_last_errno());
  PyMem_Free(fixed);
  return result;
}

/* Run fn in slices until it does not time out, the timeout (seconds; None
   or negative: none) passes, or a signal handler raises.  0, or -1 with an
   exception set. */
static int sliced(wait_fn fn, void *ctx, double timeout) {
  const int forever = timeout < 0 || isinf(timeout);
  const double end = forever ? 0 : monotonic() + timeout;
  if (isnan(timeout)) {
    PyErr_SetString(PyExc_ValueError, "timeout must be a number of seconds or None");
    return -1;
  }
  for (;;) {
    double slice = SLICE;
    int rc;
    if (!forever) {
      const double left = end - monotonic();
      slice = left < SLICE ? (left > 0 ? left : 0) : SLICE;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = fn(ctx, slice);
    Py_END_ALLOW_THREADS
    if (rc != NPSHM_E_TIMEOUT) {
      if (rc < 0) {
        npshm_py_raise_last_error();
        return -1;
      }
      return 0;
    }
    if (!forever && monotonic() >= end) {
      raise_timeout(slice, timeout);
      return -1;
    }
    if (PyErr_CheckSignals() < 0) return -1;
  }
}

/* ---- the waits ---- */

typedef struct {
  const char *name;
  const npshm_options *opts;
  npshm_array *handle;
  uint64_t seen, version;
  int exclusive;
} wait_ctx;

static int do_wait_created(void *p, double t) {
  wait_ctx *c = p;
  return npshm_wait_created(c->name, c->opts, t);
}

static int do_wait_changed(void *p, double t) {
  wait_ctx *c = p;
  return npshm_wait_changed(c->handle, c->seen, t, &c->version);
}

static int do_wait_released_name(void *p, double t) {
  wait_ctx *c = p;
  return npshm_wait_released(c->name, c->opts, t);
}

static int do_wait_released_array(void *p, double t) {
  wait_ctx *c = p;
  return npshm_wait_released_array(c->handle, t);
}

static int do_lock(void *p, double t) {
  wait_ctx *c = p;
  return npshm_lock(c->handle, c->exclusive, t);
}

PyObject *npshm_py_wait_created(const char *name, const npshm_options *opts, double timeout) {
  wait_ctx c = {name, opts, NULL, 0, 0, 0};
  if (sliced(do_wait_created, &c, timeout) < 0) return NULL;
  Py_RETURN_NONE;
}

PyObject *npshm_py_wait_changed(PyObject *mapping, unsigned long long seen, double timeout) {
  wait_ctx c = {NULL, NULL, npshm_py_mapping_handle(mapping), seen, 0, 0};
  if (c.handle == NULL) return NULL;
  if (sliced(do_wait_changed, &c, timeout) < 0) return NULL;
  return PyLong_FromUnsignedLongLong(c.version);
}

PyObject *npshm_py_wait_released(const char *name, const npshm_options *opts, PyObject *mapping,
                                 double timeout) {
  wait_ctx c = {name, opts, NULL, 0, 0, 0};
  if (mapping != Py_None) {
    c.handle = npshm_py_mapping_handle(mapping);
    if (c.handle == NULL) return NULL;
  }
  if (sliced(c.handle ? do_wait_released_array : do_wait_released_name, &c, timeout) < 0)
    return NULL;
  Py_RETURN_NONE;
}

PyObject *npshm_py_lock(PyObject *mapping, int exclusive, double timeout) {
  wait_ctx c = {NULL, NULL, npshm_py_mapping_handle(mapping), 0, 0, exclusive};
  if (c.handle == NULL) return NULL;
  if (sliced(do_lock, &c, timeout) < 0) return NULL;
  Py_RETURN_NONE;
}

PyObject *npshm_py_unlock(PyObject *mapping) {
  npshm_array *handle = npshm_py_mapping_handle(mapping);
  if (handle == NULL) return NULL;
  if (npshm_unlock(handle) < 0) return npshm_py_raise_last_error();
  Py_RETURN_NONE;
}

PyObject *npshm_py_notify(PyObject *mapping) {
  npshm_array *handle = npshm_py_mapping_handle(mapping);
  uint64_t v = 0;
  int rc;
  if (handle == NULL) return NULL;
  Py_BEGIN_ALLOW_THREADS
  rc = npshm_notify(handle, &v);
  Py_END_ALLOW_THREADS
  if (rc < 0) return npshm_py_raise_last_error();
  return PyLong_FromUnsignedLongLong(v);
}

PyObject *npshm_py_version(PyObject *mapping) {
  npshm_array *handle = npshm_py_mapping_handle(mapping);
  uint64_t v = 0;
  if (handle == NULL) return NULL;
  if (npshm_array_version(handle, &v) < 0) return npshm_py_raise_last_error();
  return PyLong_FromUnsignedLongLong(v);
}
