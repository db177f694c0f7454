/*
 * progress.c -- the progress callback of npshm_load/npshm_save calling
 * Python, and Ctrl-C during a long copy.
 *
 * The copy runs without the GIL.  At each report (start, about every
 * 64 MiB, end) the callback takes the GIL, runs Python's pending signal
 * handlers (so Ctrl-C raises KeyboardInterrupt there) and then the user's
 * callable, if any.  An exception from either stops the copy: the library
 * then fails with NPSHM_E_CANCELED and removes what it made, and the caller
 * re-raises that exception instead of the library's error.
 */
#include "npshm_py.h"

static int report(uint64_t done, uint64_t total, void *context) {
  npshm_py_progress *progress = (npshm_py_progress *)context;
  PyGILState_STATE gil = PyGILState_Ensure();
  int stop = 0;
  if (PyErr_CheckSignals() < 0) {
    stop = 1;
  } else if (progress->callback != NULL && progress->callback != Py_None) {
    PyObject *result = PyObject_CallFunction(
        progress->callback, "KK", (unsigned long long)done,
        (unsigned long long)total);
    if (result == NULL) {
      stop = 1;
    } else {
      Py_DECREF(result);
    }
  }
  if (stop && progress->type == NULL) {
    PyErr_Fetch(&progress->type, &progress->value, &progress->traceback);
  }
  PyErr_Clear();
  PyGILState_Release(gil);
  return stop;
}

int npshm_py_progress_start(npshm_py_progress *progress, PyObject *callback,
                            npshm_options *opts) {
  progress->callback = callback;
  progress->type = progress->value = progress->traceback = NULL;
  if (callback != NULL && callback != Py_None && !PyCallable_Check(callback)) {
    PyErr_SetString(PyExc_TypeError,
                    "progress must be a callable (done, total) or None");
    return -1;
  }
  if (npshm_options_set_progress(opts, report, progress) < 0) {
    npshm_py_raise_last_error();
    return -1;
  }
  return 0;
}

int npshm_py_progress_stopped(npshm_py_progress *progress) {
  if (progress->type == NULL) {
    return 0;
  }
  PyErr_Restore(progress->type, progress->value, progress->traceback);
  progress->type = progress->value = progress->traceback = NULL;
  return 1;
}
