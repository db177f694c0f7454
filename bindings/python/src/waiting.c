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

/* ---- the calls of npshm.notify, version and wait_changed ----
   Their whole work in C (finding the handle, reading the arguments), as
   METH_FASTCALL functions: a notification is a few microseconds, and a
   Python-level wrapper, SWIG's argument conversion or a GIL release would
   be a large part of it.  wait_changed releases the GIL only when it has
   to sleep; notify and version never block. */

/* A timeout argument: None (-1: none) or a number of seconds >= 0. */
static int timeout_arg(PyObject *obj, double *out) {
  double t;
  if (obj == Py_None) {
    *out = -1;
    return 0;
  }
  t = PyFloat_AsDouble(obj);
  if (t == -1.0 && PyErr_Occurred()) {
    if (PyErr_ExceptionMatches(PyExc_TypeError)) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError, "timeout must be a number of seconds or None, got %R", obj);
    }
    return -1;
  }
  if (isnan(t) || t < 0) {
    npshm_py_raise_format(NPSHM_E_INVALID, "timeout must be >= 0 seconds or None, got %R", obj);
    return -1;
  }
  *out = t;
  return 0;
}

/* A version argument: anything int() takes, >= 0. */
static int version_arg(PyObject *obj, uint64_t *out) {
  unsigned long long v;
  PyObject *number = PyLong_CheckExact(obj) ? (Py_INCREF(obj), obj) : PyNumber_Long(obj);
  if (number == NULL) return -1;
  v = PyLong_AsUnsignedLongLong(number);
  Py_DECREF(number);
  if (v == (unsigned long long)-1 && PyErr_Occurred()) return -1;
  *out = v;
  return 0;
}

static PyObject *notify_array(PyObject *self, PyObject *array) {
  npshm_array *handle = npshm_py_handle_of(array);
  uint64_t v = 0;
  (void)self;
  if (handle == NULL) return NULL;
  if (npshm_notify(handle, &v) < 0) return npshm_py_raise_last_error();
  return PyLong_FromUnsignedLongLong(v);
}

static PyObject *version_array(PyObject *self, PyObject *array) {
  npshm_array *handle = npshm_py_handle_of(array);
  uint64_t v = 0;
  (void)self;
  if (handle == NULL) return NULL;
  if (npshm_array_version(handle, &v) < 0) return npshm_py_raise_last_error();
  return PyLong_FromUnsignedLongLong(v);
}

static PyObject *wait_changed_array(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
  wait_ctx c = {NULL, NULL, NULL, 0, 0, 0};
  double timeout = -1;
  (void)self;
  if (nargs < 2 || nargs > 3) {
    PyErr_SetString(PyExc_TypeError, "wait_changed_array(array, seen, timeout=None)");
    return NULL;
  }
  c.handle = npshm_py_handle_of(args[0]);
  if (c.handle == NULL || version_arg(args[1], &c.seen) < 0) return NULL;
  if (nargs == 3 && timeout_arg(args[2], &timeout) < 0) return NULL;
  /* Changed already: no sleep, so no GIL release either. */
  if (npshm_array_version(c.handle, &c.version) < 0) return npshm_py_raise_last_error();
  if (c.version != c.seen) return PyLong_FromUnsignedLongLong(c.version);
  if (sliced(do_wait_changed, &c, timeout) < 0) return NULL;
  return PyLong_FromUnsignedLongLong(c.version);
}

/* ---- one thread waiting for many arrays (npshm._async_wait) ---- */

#define WAITER_CAPSULE "npshm_waiter"

static void waiter_destroy(PyObject *capsule) {
  npshm_waiter_free(PyCapsule_GetPointer(capsule, WAITER_CAPSULE));
}

/* A new npshm_waiter in a capsule that frees it; the library's error
   (NPSHM_E_SYSTEM, errno ENOSYS, where the system cannot) otherwise. */
static PyObject *waiter_new(PyObject *self, PyObject *unused) {
  npshm_waiter *w = npshm_waiter_new();
  PyObject *capsule;
  (void)self;
  (void)unused;
  if (w == NULL) return npshm_py_raise_last_error();
  capsule = PyCapsule_New(w, WAITER_CAPSULE, waiter_destroy);
  if (capsule == NULL) npshm_waiter_free(w);
  return capsule;
}

static PyObject *waiter_interrupt(PyObject *self, PyObject *capsule) {
  npshm_waiter *w = PyCapsule_GetPointer(capsule, WAITER_CAPSULE);
  (void)self;
  if (w == NULL) return NULL;
  npshm_waiter_interrupt(w);
  Py_RETURN_NONE;
}

/* wait_changed_any(waiter, arrays, seen): sleeps, without the GIL and
   without limit, until the version of arrays[i] differs from seen[i] for
   some i (returns i) or the waiter is interrupted (returns None).  arrays
   and seen are lists of equal length (1 to NPSHM_WAIT_ANY_MAX); the caller
   keeps them, and so the arrays' handles, alive meanwhile. */
static PyObject *wait_changed_any(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
  npshm_array *handles[NPSHM_WAIT_ANY_MAX];
  uint64_t seen[NPSHM_WAIT_ANY_MAX];
  npshm_waiter *w;
  Py_ssize_t n, i;
  size_t index = 0;
  int rc;
  (void)self;
  if (nargs != 3 || !PyList_Check(args[1]) || !PyList_Check(args[2])) {
    PyErr_SetString(PyExc_TypeError, "wait_changed_any(waiter, arrays: list, seen: list)");
    return NULL;
  }
  w = PyCapsule_GetPointer(args[0], WAITER_CAPSULE);
  if (w == NULL) return NULL;
  n = PyList_GET_SIZE(args[1]);
  if (n != PyList_GET_SIZE(args[2]) || n < 1 || n > NPSHM_WAIT_ANY_MAX) {
    npshm_py_raise_format(NPSHM_E_INVALID, "wait_changed_any: %zd arrays and %zd versions (1 to %d)", n,
                          PyList_GET_SIZE(args[2]), NPSHM_WAIT_ANY_MAX);
    return NULL;
  }
  for (i = 0; i < n; ++i) {
    handles[i] = npshm_py_handle_of(PyList_GET_ITEM(args[1], i));
    if (handles[i] == NULL || version_arg(PyList_GET_ITEM(args[2], i), &seen[i]) < 0) return NULL;
  }
  Py_BEGIN_ALLOW_THREADS
  rc = npshm_wait_changed_any(w, handles, seen, (size_t)n, -1, &index, NULL);
  Py_END_ALLOW_THREADS
  if (rc == NPSHM_E_CANCELED) Py_RETURN_NONE;
  if (rc < 0) return npshm_py_raise_last_error();
  return PyLong_FromSize_t(index);
}

/* ---- wait_created for event loops (npshm._async_wait) ---- */

#define WATCH_CAPSULE "npshm_watch"

static void watch_destroy(PyObject *capsule) { npshm_watch_free(PyCapsule_GetPointer(capsule, WATCH_CAPSULE)); }

/* watch_created(name) -> a capsule owning the watch (closed when the
   capsule goes). */
static PyObject *watch_created(PyObject *self, PyObject *name) {
  PyObject *encoded = NULL, *capsule;
  const char *text = npshm_py_name_arg(name, "name", 0, &encoded);
  npshm_watch *w;
  (void)self;
  if (text == NULL) return NULL;
  w = npshm_watch_created(text, NULL);
  Py_XDECREF(encoded);
  if (w == NULL) return npshm_py_raise_last_error();
  capsule = PyCapsule_New(w, WATCH_CAPSULE, watch_destroy);
  if (capsule == NULL) npshm_watch_free(w);
  return capsule;
}

static PyObject *watch_fd(PyObject *self, PyObject *capsule) {
  npshm_watch *w = PyCapsule_GetPointer(capsule, WATCH_CAPSULE);
  (void)self;
  if (w == NULL) return NULL;
  return PyLong_FromLong(npshm_watch_fd(w));
}

/* True once the name exists as an array. */
static PyObject *watch_check(PyObject *self, PyObject *capsule) {
  npshm_watch *w = PyCapsule_GetPointer(capsule, WATCH_CAPSULE);
  int rc;
  (void)self;
  if (w == NULL) return NULL;
  rc = npshm_watch_check(w);
  if (rc < 0) return npshm_py_raise_last_error();
  return PyBool_FromLong(rc);
}

static PyMethodDef waiting_methods[] = {
    {"notify_array", notify_array, METH_O, "npshm.notify's work: notify(array) -> new version"},
    {"version_array", version_array, METH_O, "npshm.version's work: version(array) -> version"},
    {"wait_changed_array", (PyCFunction)(void (*)(void))wait_changed_array, METH_FASTCALL,
     "npshm.wait_changed's work: wait_changed_array(array, seen, timeout=None) -> version"},
    {"waiter_new", waiter_new, METH_NOARGS, "a new npshm_waiter (a capsule)"},
    {"watch_created", watch_created, METH_O, "watch_created(name) -> a watch (a capsule)"},
    {"watch_fd", watch_fd, METH_O, "the watch's descriptor to poll for reading, or -1"},
    {"watch_check", watch_check, METH_O, "consume the watch's events and look: True once created"},
    {"waiter_interrupt", waiter_interrupt, METH_O, "end the waiter's wait (from any thread)"},
    {"wait_changed_any", (PyCFunction)(void (*)(void))wait_changed_any, METH_FASTCALL,
     "wait_changed_any(waiter, arrays, seen) -> index, or None if interrupted"},
    {NULL, NULL, 0, NULL}};

int npshm_py_add_waiting(PyObject *module) { return PyModule_AddFunctions(module, waiting_methods); }
