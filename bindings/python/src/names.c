/*
 * names.c -- array names and file paths between Python and the C library.
 *
 * The library's names are byte strings (any bytes but NUL and '/'); Python
 * spells them as str the way os.listdir does: the file system encoding with
 * surrogateescape, so bytes that are not UTF-8 survive a round trip.  bytes
 * are accepted as they are.  A NUL is refused, never cut at.
 */
#include "npshm_py.h"

#include <string.h>

const char *npshm_py_name_arg(PyObject *obj, const char *what, int none_ok,
                              PyObject **encoded) {
  PyObject *bytes = NULL;
  const char *text;
  Py_ssize_t size;
  *encoded = NULL;
  if (obj == Py_None && none_ok) {
    return NULL;
  }
  if (PyUnicode_Check(obj)) {
    bytes = PyUnicode_EncodeFSDefault(obj);
  } else if (PyBytes_Check(obj)) {
    Py_INCREF(obj);
    bytes = obj;
  } else {
    PyObject *path = PyOS_FSPath(obj);
    if (path == NULL) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError, "%s must be str or bytes, not %.100s",
                   what, Py_TYPE(obj)->tp_name);
      return NULL;
    }
    bytes = PyUnicode_Check(path) ? PyUnicode_EncodeFSDefault(path) : path;
    if (bytes != path) {
      Py_DECREF(path);
    }
  }
  if (bytes == NULL) {
    return NULL;
  }
  text = PyBytes_AS_STRING(bytes);
  size = PyBytes_GET_SIZE(bytes);
  if (memchr(text, '\0', (size_t)size) != NULL) {
    PyObject *message = PyUnicode_FromFormat(
        "npshm: %s %R contains a NUL byte (a C string would end there and "
        "name something else)",
        what, obj);
    Py_DECREF(bytes);
    if (message != NULL) {
      npshm_py_raise_invalid(message);
      Py_DECREF(message);
    }
    return NULL;
  }
  *encoded = bytes;
  return text;
}

PyObject *npshm_py_name_str(const char *text) {
  if (text == NULL) {
    Py_RETURN_NONE;
  }
  return PyUnicode_DecodeFSDefault(text);
}
