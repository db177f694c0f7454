/*
 * errors.c -- the library's error codes as Python exceptions.
 *
 * Once the npshm package is imported, npshm.errors registers its factory
 * (set_error_factory) and every failure raises the npshm.Error subclass of
 * its code (made from the library's code table, see npshm/errors.py).  Until
 * then (only while the package itself imports) the builtins below are used:
 *
 *   NOT_FOUND            FileNotFoundError(errno.ENOENT, message)
 *   EXISTS               FileExistsError(errno.EEXIST, message)
 *   INVALID, FORMAT,
 *   MISMATCH             ValueError
 *   PERMISSION, READONLY PermissionError(errno.EACCES, message)
 *   NO_SPACE             OSError(errno.ENOSPC, message)
 *   NO_MEMORY            MemoryError
 *   others               OSError(errno, message) (errno of the system call,
 *                        when the library reports one)
 *
 * The OSError subclasses carry an errno (the system call's, when the library
 * reports one, else the canonical one above), so e.errno works as it does for
 * the exceptions of os and multiprocessing.shared_memory.
 */
#include "npshm_py.h"

#include <errno.h>
#include <string.h>

/* Raise type(err, message); type is an OSError class. */
static PyObject *raise_os_error(PyObject *type, int err, const char *message) {
  PyObject *args = Py_BuildValue("(is)", err, message);
  if (args != NULL) {
    PyErr_SetObject(type, args);
    Py_DECREF(args);
  }
  return NULL;
}

/* The library's errno for the last failure, or fallback when it has none. */
static int errno_or(int fallback) {
  int err = npshm_last_errno();
  return err != 0 ? err : fallback;
}

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

/* Raise the exception error_factory makes of (code, text, err); NULL. */
static PyObject *raise_made(int code, PyObject *text, int err) {
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
  if (error_factory != NULL) {
    return raise_made(NPSHM_E_INVALID, text, 0);
  }
  PyErr_SetObject(PyExc_ValueError, text);
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
  if (error_factory != NULL) {
    /* Messages may quote names that are not UTF-8: keep every byte
       visible. */
    PyObject *text = PyUnicode_DecodeUTF8(
        message, (Py_ssize_t)strlen(message), "backslashreplace");
    if (text == NULL) {
      return NULL;
    }
    raise_made(code, text, sys_errno);
    Py_DECREF(text);
    return NULL;
  }
  switch (code) {
  case NPSHM_E_NOT_FOUND:
    return raise_os_error(PyExc_FileNotFoundError, errno_or(ENOENT), message);
  case NPSHM_E_EXISTS:
    return raise_os_error(PyExc_FileExistsError, errno_or(EEXIST), message);
  case NPSHM_E_INVALID:
  case NPSHM_E_FORMAT:
  case NPSHM_E_MISMATCH:
    PyErr_SetString(PyExc_ValueError, message);
    return NULL;
  case NPSHM_E_PERMISSION:
  case NPSHM_E_READONLY:
    return raise_os_error(PyExc_PermissionError, errno_or(EACCES), message);
  case NPSHM_E_NO_SPACE:
    return raise_os_error(PyExc_OSError, ENOSPC, message);
  case NPSHM_E_NO_MEMORY:
    PyErr_SetString(PyExc_MemoryError, message);
    return NULL;
  case NPSHM_OK:
    /* A NULL result without a recorded failure: only allocation fails so. */
    return PyErr_NoMemory();
  default: {
    int err = sys_errno;
    if (err != 0) {
      return raise_os_error(PyExc_OSError, err, message);
    }
    PyErr_SetString(PyExc_OSError, message);
    return NULL;
  }
  }
}
