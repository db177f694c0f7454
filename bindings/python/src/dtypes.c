/*
 * dtypes.c -- what a dtype descr means, asked of the C library
 * (npshm_dtype_info_*), as nested tuples from which npshm._dtypes builds the
 * numpy.dtype.  Python never parses descr text itself.
 */
#include "npshm_py.h"

/* (descr, kind, itemsize, byteorder, unit, fields) of info; fields is None,
   or for a structured dtype a tuple of (name, title or None, offset,
   (description of the field's type), shape tuple) in order. */
static PyObject *describe(const npshm_dtype_info *info) {
  PyObject *fields = Py_None;
  if (npshm_dtype_info_is_structured(info)) {
    size_t n = npshm_dtype_info_nfields(info), i;
    fields = PyTuple_New((Py_ssize_t)n);
    if (fields == NULL) {
      return NULL;
    }
    for (i = 0; i < n; i++) {
      const char *title = npshm_dtype_info_field_title(info, i);
      PyObject *field = Py_BuildValue(
          "(sNNNN)", npshm_dtype_info_field_name(info, i),
          title != NULL ? PyUnicode_FromString(title) : Py_NewRef(Py_None),
          PyLong_FromSize_t(npshm_dtype_info_field_offset(info, i)),
          describe(npshm_dtype_info_field_type(info, i)),
          npshm_py_int64_tuple(npshm_dtype_info_field_ndim(info, i),
                               npshm_dtype_info_field_shape(info, i)));
      if (field == NULL) {
        Py_DECREF(fields);
        return NULL;
      }
      PyTuple_SET_ITEM(fields, (Py_ssize_t)i, field);
    }
  } else {
    Py_INCREF(fields);
  }
  return Py_BuildValue("(sCNCsN)", npshm_dtype_info_descr(info),
                       npshm_dtype_info_kind(info),
                       PyLong_FromSize_t(npshm_dtype_info_itemsize(info)),
                       npshm_dtype_info_byteorder(info),
                       npshm_dtype_info_unit(info), fields);
}

PyObject *npshm_py_dtype_description(const char *descr) {
  npshm_dtype_info *info = npshm_dtype_info_new(descr);
  PyObject *description;
  if (info == NULL) {
    return npshm_py_raise_last_error();
  }
  description = describe(info);
  npshm_dtype_info_free(info);
  return description;
}
