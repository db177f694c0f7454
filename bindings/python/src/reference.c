/*
 * reference.c -- saved references (npshm_ref_*) between Python and the C
 * library: a parsed reference's geometry as tuples, and attaching or
 * checking a reference against a Mapping (Mapping.reference() makes one,
 * mapping.c).  Whether a reference may name a view (the very array
 * referenced, its dtype, every element inside the data, read-only staying
 * read-only) is the library's decision, made by npshm_ref_make,
 * npshm_ref_attach and npshm_ref_check.
 */
#include "npshm_py.h"

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
