/*
 * errors.c -- the library's error codes as Python exceptions.
 *
 *   NOT_FOUND            FileNotFoundError
 *   EXISTS               FileExistsError
 *   INVALID, FORMAT,
 *   MISMATCH             ValueError
 *   PERMISSION, READONLY PermissionError
 *   NO_SPACE             OSError(errno.ENOSPC, message)
 *   NO_MEMORY            MemoryError
 *   others               OSError(errno, message) (errno of the system call,
 *                        when the library reports one)
 */
#include "npshm_py.h"

#include <errno.h>

static PyObject *raise_os_error(int err, const char *message) {
  PyObject *args = Py_BuildValue("(is)", err, message);
  if (args != NULL) {
    PyErr_SetObject(PyExc_OSError, args);
    Py_DECREF(args);
  }
  return NULL;
}

PyObject *npshm_py_raise_last_error(void) {
  int code = npshm_last_error();
  const char *message = npshm_last_message();
  if (message == NULL || message[0] == '\0') {
    message = "npshm: unknown error";
  }
  switch (code) {
  case NPSHM_E_NOT_FOUND:
    PyErr_SetString(PyExc_FileNotFoundError, message);
    return NULL;
  case NPSHM_E_EXISTS:
    PyErr_SetString(PyExc_FileExistsError, message);
    return NULL;
  case NPSHM_E_INVALID:
  case NPSHM_E_FORMAT:
  case NPSHM_E_MISMATCH:
    PyErr_SetString(PyExc_ValueError, message);
    return NULL;
  case NPSHM_E_PERMISSION:
  case NPSHM_E_READONLY:
    PyErr_SetString(PyExc_PermissionError, message);
    return NULL;
  case NPSHM_E_NO_SPACE:
    return raise_os_error(ENOSPC, message);
  case NPSHM_E_NO_MEMORY:
    PyErr_SetString(PyExc_MemoryError, message);
    return NULL;
  case NPSHM_OK:
    /* A NULL result without a recorded failure: only allocation fails so. */
    return PyErr_NoMemory();
  default: {
    int err = npshm_last_errno();
    if (err != 0) {
      return raise_os_error(err, message);
    }
    PyErr_SetString(PyExc_OSError, message);
    return NULL;
  }
  }
}
