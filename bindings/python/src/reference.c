/*
 * reference.c -- saved references (npshm_ref_*) between Python and the C
 * library: the text naming a view of a Mapping's array, a parsed
 * reference's geometry as tuples, and attaching or checking a reference
 * against a Mapping.  Whether a reference may name a view (the very array
 * referenced, its dtype, every element inside the data, read-only staying
 * read-only) is the library's decision, made by npshm_ref_make,
 * npshm_ref_attach and npshm_ref_check.
 */
#include "npshm_py.h"

/* Fill values (at most NPSHM_MAX_NDIM) from a sequence of ints.  The count,
   or -1 with an exception set. */
static int int64_sequence(PyObject *seq, int64_t *values, const char *what) {
  PyObject *fast = PySequence_Fast(seq, what);
  Py_ssize_t n, i;
  if (fast == NULL) {
    return -1;
  }
  n = PySequence_Fast_GET_SIZE(fast);
  if (n > NPSHM_MAX_NDIM) {
    PyErr_Format(PyExc_ValueError, "%s has %zd items; npshm allows at most %d",
                 what, n, NPSHM_MAX_NDIM);
    Py_DECREF(fast);
    return -1;
  }
  for (i = 0; i < n; i++) {
    PyObject *index = PyNumber_Index(PySequence_Fast_GET_ITEM(fast, i));
    long long value = index != NULL ? PyLong_AsLongLong(index) : -1;
    Py_XDECREF(index);
    if (value == -1 && PyErr_Occurred()) {
      Py_DECREF(fast);
      return -1;
    }
    values[i] = (int64_t)value;
  }
  Py_DECREF(fast);
  return (int)n;
}

PyObject *npshm_py_ref_text(PyObject *mapping, long long offset,
                            PyObject *shape, PyObject *strides, int readonly) {
  int64_t dims[NPSHM_MAX_NDIM], steps[NPSHM_MAX_NDIM];
  npshm_array *handle = npshm_py_mapping_handle(mapping);
  int ndim, nsteps;
  npshm_ref *ref;
  PyObject *text;
  if (handle == NULL) {
    return NULL;
  }
  ndim = int64_sequence(shape, dims, "shape");
  if (ndim < 0) {
    return NULL;
  }
  nsteps = int64_sequence(strides, steps, "strides");
  if (nsteps < 0) {
    return NULL;
  }
  if (nsteps != ndim) {
    PyErr_Format(PyExc_ValueError, "reference %s: %d strides for %d dimensions",
                 npshm_name(handle), nsteps, ndim);
    return NULL;
  }
  ref = npshm_ref_make(handle, (int64_t)offset, ndim, dims, steps, readonly);
  if (ref == NULL) {
    return npshm_py_raise_last_error();
  }
  text = PyUnicode_FromString(npshm_ref_text(ref));
  npshm_ref_free(ref);
  return text;
}

PyObject *npshm_py_ref_shape(const npshm_ref *ref) {
  return npshm_py_int64_tuple(npshm_ref_ndim(ref), npshm_ref_shape(ref));
}

PyObject *npshm_py_ref_strides(const npshm_ref *ref) {
  return npshm_py_int64_tuple(npshm_ref_ndim(ref), npshm_ref_strides(ref));
}

PyObject *npshm_py_ref_attach(const npshm_ref *ref, const npshm_options *opts) {
  npshm_array *handle;
  Py_BEGIN_ALLOW_THREADS
  handle = npshm_ref_attach(ref, opts);
  Py_END_ALLOW_THREADS
  return npshm_py_mapping_new(handle);
}

PyObject *npshm_py_ref_fits(const npshm_ref *ref, PyObject *mapping) {
  npshm_array *handle = npshm_py_mapping_handle(mapping);
  if (handle == NULL) {
    return NULL;
  }
  return PyBool_FromLong(npshm_ref_check(ref, handle) == NPSHM_OK);
}
