/*
 * errors.c -- the library's error codes as Python exceptions.
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

PyObject *npshm_py_raise_last_error(void) {
  int code = npshm_last_error();
  const char *message = npshm_last_message();
  if (message == NULL || message[0] == '\0') {
    message = "npshm: unknown error";
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
    int err = npshm_last_errno();
    if (err != 0) {
      return raise_os_error(PyExc_OSError, err, message);
    }
    PyErr_SetString(PyExc_OSError, message);
    return NULL;
  }
  }
}
