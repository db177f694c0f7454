/*
 * errors.c -- raise the library's failures as npshm's Python exceptions.
 *
 * npshm.errors holds the one map from codes to exception classes (made from
 * the library's code table) and registers its factory here
 * (set_error_factory); every failure raises what that factory makes.  A
 * failure before the package has registered it imports npshm.errors first,
 * so there is no second map here; only if that import fails does a plain
 * OSError carry the message (with the chained import error).
 */
#include "npshm_py.h"

#include <stdarg.h>
#include <string.h>

/* npshm.errors.error(code, message, errno), or NULL before registration. */
static PyObject *error_factory = NULL;

int npshm_py_set_error_factory(PyObject *factory) {
  if (!PyCallable_Check(factory)) {
    PyErr_SetString(PyExc_TypeError, "the error factory must be callable");
    return -1;
  }
  Py_INCREF(factory);
  Py_XSETREF(error_factory, factory);
  return 0;
}

/* The exception being raised (normalised; the caller owns it), cleared. */
static PyObject *raised_exception(void) {
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  if (type == NULL) {
    return NULL;
  }
  PyErr_NormalizeException(&type, &value, &traceback);
  if (traceback != NULL && value != NULL) {
    PyException_SetTraceback(value, traceback);
  }
  Py_DECREF(type);
  Py_XDECREF(traceback);
  return value;
}

/* Make sure error_factory is set: importing npshm.errors registers it.
   0, or -1 with a Python exception set. */
static int have_factory(void) {
  if (error_factory != NULL) {
    return 0;
  }
  PyObject *module = PyImport_ImportModule("npshm.errors");
  if (module == NULL) {
    return -1;
  }
  Py_DECREF(module);
  if (error_factory == NULL) {
    PyErr_SetString(PyExc_ImportError,
                    "npshm.errors did not register its error factory");
    return -1;
  }
  return 0;
}

/* Raise the exception error_factory makes of (code, text, err); NULL. */
static PyObject *raise_made(int code, PyObject *text, int err) {
  if (have_factory() < 0) {
    /* Keep the library's message visible, chained to the import failure. */
    PyObject *cause = raised_exception();
    PyObject *exc = PyObject_CallFunctionObjArgs(PyExc_OSError, text, NULL);
    if (exc != NULL) {
      if (cause != NULL) {
        PyException_SetCause(exc, cause); /* steals cause */
        cause = NULL;
      }
      PyErr_SetObject(PyExc_OSError, exc);
      Py_DECREF(exc);
    }
    Py_XDECREF(cause);
    return NULL;
  }
  PyObject *exc =
      PyObject_CallFunction(error_factory, "iOi", code, text, err);
  if (exc == NULL) {
    return NULL;
  }
  PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
  Py_DECREF(exc);
  return NULL;
}

PyObject *npshm_py_raise_invalid(PyObject *text) {
  return raise_made(NPSHM_E_INVALID, text, 0);
}

PyObject *npshm_py_raise_format(int code, const char *format, ...) {
  va_list args;
  va_start(args, format);
  PyObject *text = PyUnicode_FromFormatV(format, args);
  va_end(args);
  if (text == NULL) {
    return NULL;
  }
  raise_made(code, text, 0);
  Py_DECREF(text);
  return NULL;
}

PyObject *npshm_py_raise_last_error(void) {
  return npshm_py_raise_error(npshm_last_error(), npshm_last_message(), npshm_last_errno());
}

PyObject *npshm_py_raise_error(int code, const char *message, int sys_errno) {
  if (message == NULL || message[0] == '\0') {
    message = "npshm: unknown error";
  }
  if (code == NPSHM_OK) {
    /* A NULL result without a recorded failure: only allocation fails so. */
    return PyErr_NoMemory();
  }
  /* Messages may quote names that are not UTF-8: keep every byte visible. */
  PyObject *text = PyUnicode_DecodeUTF8(message, (Py_ssize_t)strlen(message),
                                        "backslashreplace");
  if (text == NULL) {
    return NULL;
  }
  raise_made(code, text, sys_errno);
  Py_DECREF(text);
  return NULL;
}
