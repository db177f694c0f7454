/*
 * npshm.i -- SWIG interface: the low-level module npshm._npshm over the C
 * ABI in include/npshm.h (Python shadow module npshm/_npshm.py, C extension
 * npshm._npshm_c).  Private: the public API is the npshm package.
 *
 * - Names lose their "npshm_"/"NPSHM_" prefix: npshm_exists -> exists,
 *   NPSHM_ORDER_F -> ORDER_F.
 * - Failures raise the matching Python exception with the library's message
 *   (src/errors.c), so callers never check return codes.
 * - Array handles never reach Python as raw pointers: create_mapping() and
 *   attach_mapping() hand them straight to a Mapping (src/mapping.c), which
 *   owns the handle and closes it when its last ndarray view is gone.
 * - Shapes are Python sequences of ints (None: no shape).
 */
%module(package="npshm") _npshm

%{
#include "npshm_py.h"
%}

%include "stdint.i"

%init %{
  if (npshm_py_init_module(m) < 0 || npshm_py_add_waiting(m) < 0) {
    return NULL;
  }
%}

%rename("%(regex:/^(npshm|NPSHM)_(.*)/\\2/)s") "";

/* ---- failure checks --------------------------------------------------- */

%define NPSHM_CHECK_PTR(function)
%exception function {
  $action
  if (result == NULL) {
    npshm_py_raise_last_error();
    SWIG_fail;
  }
}
%enddef

%define NPSHM_CHECK_CODE(function)
%exception function {
  $action
  if (result < 0) {
    npshm_py_raise_last_error();
    SWIG_fail;
  }
}
%enddef

NPSHM_CHECK_PTR(npshm_options_new);
NPSHM_CHECK_PTR(npshm_stat);
NPSHM_CHECK_PTR(npshm_list_arrays);
NPSHM_CHECK_PTR(npshm_gc);
NPSHM_CHECK_CODE(npshm_options_set_lifetime);
NPSHM_CHECK_CODE(npshm_options_set_mode);
NPSHM_CHECK_CODE(npshm_options_set_fill);
NPSHM_CHECK_CODE(npshm_options_set_readonly);
NPSHM_CHECK_CODE(npshm_options_set_populate);
NPSHM_CHECK_CODE(npshm_options_set_directory);
NPSHM_CHECK_CODE(npshm_options_set_expected_dtype);
NPSHM_CHECK_CODE(npshm_options_set_expected_shape);
NPSHM_CHECK_CODE(npshm_options_set_gc_min_age);
NPSHM_CHECK_CODE(npshm_options_set_exist_ok);
NPSHM_CHECK_CODE(npshm_options_set_allow_other_owner);
NPSHM_CHECK_CODE(npshm_options_set_ref_writable);
NPSHM_CHECK_CODE(npshm_options_set_no_clobber);
NPSHM_CHECK_CODE(npshm_remove);
NPSHM_CHECK_CODE(npshm_exists);
NPSHM_CHECK_CODE(npshm_lifetime_from_name);
NPSHM_CHECK_CODE(npshm_order_from_name);
NPSHM_CHECK_PTR(npshm_ref_parse);

/* ---- typemaps ---------------------------------------------------------- */

/* Names, paths and reference texts: str (encoded as os.fsencode does), bytes
   or os.PathLike; a NUL byte is refused with npshm's invalid-argument error
   (src/names.c).  None gives NULL (the library then says what is missing). */
%define NPSHM_TEXT_ARG(what)
  $1 = (char *)npshm_py_name_arg($input, what, 1, &encoded);
  if ($1 == NULL && PyErr_Occurred()) {
    SWIG_fail;
  }
%enddef
%typemap(in) const char *name (PyObject *encoded = NULL),
             const char *npy_path (PyObject *encoded = NULL),
             const char *dir (PyObject *encoded = NULL) {
  NPSHM_TEXT_ARG("$1_name")
}
%typemap(in) const char *text (PyObject *encoded = NULL) {
  NPSHM_TEXT_ARG("reference text")
}
%typemap(freearg) const char *name, const char *npy_path, const char *dir,
                  const char *text {
  Py_XDECREF(encoded$argnum);
}

/* Names and paths the library returns: str as os.fsdecode makes them, so
   every listed name can be passed back. */
%typemap(out) const char *npshm_info_name, const char *npshm_info_path,
              const char *npshm_ref_name, const char *npshm_ref_path,
              const char *npshm_ref_directory {
  $result = npshm_py_name_str($1);
}

/* (int ndim, const int64_t *shape) from a sequence of ints; None: -1, NULL. */
%typemap(in) (int ndim, const int64_t *shape) {
  $1 = -1;
  $2 = NULL;
  if ($input != Py_None) {
    PyObject *fast = PySequence_Fast($input, "shape must be a sequence of ints");
    Py_ssize_t n, i;
    if (fast == NULL) {
      SWIG_fail;
    }
    n = PySequence_Fast_GET_SIZE(fast);
    if (n > NPSHM_MAX_NDIM) {
      Py_DECREF(fast);
      PyErr_Format(PyExc_ValueError,
                   "shape has %zd dimensions; npshm supports at most %d", n,
                   NPSHM_MAX_NDIM);
      SWIG_fail;
    }
    $2 = (int64_t *)PyMem_Malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
    if ($2 == NULL) {
      Py_DECREF(fast);
      PyErr_NoMemory();
      SWIG_fail;
    }
    for (i = 0; i < n; i++) {
      PyObject *index = PyNumber_Index(PySequence_Fast_GET_ITEM(fast, i));
      long long value = index != NULL ? PyLong_AsLongLong(index) : -1;
      Py_XDECREF(index);
      if (value == -1 && PyErr_Occurred()) {
        Py_DECREF(fast);
        SWIG_fail;
      }
      ((int64_t *)$2)[i] = (int64_t)value;
    }
    $1 = (int)n;
    Py_DECREF(fast);
  }
}
%typemap(freearg) (int ndim, const int64_t *shape) {
  PyMem_Free((void *)$2);
}

/* (const void *item, size_t size) from any bytes-like object; None: NULL. */
%typemap(in) (const void *item, size_t size) (Py_buffer view, int have_view = 0) {
  $1 = NULL;
  $2 = 0;
  if ($input != Py_None) {
    if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) < 0) {
      SWIG_fail;
    }
    have_view = 1;
    $1 = view.buf;
    $2 = (size_t)view.len;
  }
}
%typemap(freearg) (const void *item, size_t size) {
  if (have_view$argnum) {
    PyBuffer_Release(&view$argnum);
  }
}
%apply (const void *item, size_t size) { (const void *data, size_t nbytes) };

/* ---- the header -------------------------------------------------------- */

/* Handles are owned by Mapping objects (src/mapping.c): the raw handle
   functions stay in C. */
%ignore npshm_create;
%ignore npshm_create_from;
%ignore npshm_attach;
%ignore npshm_validate;
%ignore npshm_check_view;
%ignore npshm_close;
%ignore npshm_unlink;
%ignore npshm_data;
%ignore npshm_dtype;
%ignore npshm_ndim;
%ignore npshm_shape;
%ignore npshm_strides;
%ignore npshm_order;
%ignore npshm_itemsize;
%ignore npshm_nbytes;
%ignore npshm_name;
%ignore npshm_path;
%ignore npshm_is_readonly;
%ignore npshm_lifetime;
%ignore npshm_is_creator;
%ignore npshm_data_offset;
%ignore npshm_id;
%ignore npshm_msync;
%ignore npshm_mlock;
%ignore npshm_munlock;
%ignore npshm_load;
%ignore npshm_save;
%ignore npshm_save_name;
/* C callbacks: Python reports progress its own way. */
%ignore npshm_options_set_progress;
/* numpy normalises dtypes itself. */
%ignore npshm_dtype_normalize;
/* Shapes come back as tuples through info_shape_tuple(). */
%ignore npshm_info_shape;
/* Text out-parameter: host_id_text() below returns a str. */
%ignore npshm_host_id;
/* A tool's query (scans /proc); not part of the Python API. */
%ignore npshm_info_processes;

#define NPSHM_API
/* Name resolution: used through resolve_path() below, never raw. */
%ignore npshm_resolve;
%ignore npshm_location_free;
%ignore npshm_location_name;
%ignore npshm_location_path;
%ignore npshm_location_directory;
%ignore npshm_location_basename;
%ignore npshm_location_is_shm;
/* Saved references: parsed and read through ref_parse() and its accessors;
   made by Mapping.reference() (src/mapping.c), attached and checked against
   a Mapping through ref_attach_mapping() and ref_fits() below (raw handles
   stay in C); shape and strides come back as tuples. */
%ignore npshm_ref_make;
%ignore npshm_ref_attach;
%ignore npshm_ref_check;
%ignore npshm_ref_shape;
%ignore npshm_ref_strides;
/* The dtype query: read whole through dtype_description() below. */
%ignore npshm_dtype_info_new;
%ignore npshm_dtype_info_free;
%ignore npshm_dtype_info_descr;
%ignore npshm_dtype_info_kind;
%ignore npshm_dtype_info_itemsize;
%ignore npshm_dtype_info_byteorder;
%ignore npshm_dtype_info_unit;
%ignore npshm_dtype_info_is_structured;
%ignore npshm_dtype_info_nfields;
%ignore npshm_dtype_info_field_name;
%ignore npshm_dtype_info_field_title;
%ignore npshm_dtype_info_field_offset;
%ignore npshm_dtype_info_field_type;
%ignore npshm_dtype_info_field_ndim;
%ignore npshm_dtype_info_field_shape;
/* not offered in Python (yet): huge-page sizes */
%ignore npshm_page_size;
%ignore npshm_info_page_size;
/* Waits and array locks: through the sliced, GIL-free helpers below
   (src/waiting.c), on Mappings. */
%ignore npshm_wait_created;
%ignore npshm_notify;
%ignore npshm_array_version;
%ignore npshm_wait_changed;
%ignore npshm_waiter_new;
%ignore npshm_waiter_free;
%ignore npshm_wait_changed_any;
%ignore npshm_waiter_interrupt;
%ignore npshm_watch_created;
%ignore npshm_watch_fd;
%ignore npshm_watch_check;
%ignore npshm_watch_free;
%ignore npshm_wait_released;
%ignore npshm_wait_released_array;
%ignore npshm_lock;
%ignore npshm_unlock;

%include "npshm.h"

/* ---- helpers ----------------------------------------------------------- */

%inline %{
/* Create an array; returns its Mapping. */
PyObject *create_mapping(const char *name, const char *dtype, int ndim,
                         const int64_t *shape, int order,
                         const npshm_options *opts) {
  npshm_array *handle;
  Py_BEGIN_ALLOW_THREADS
  handle = npshm_create(name, dtype, ndim, shape, order, opts);
  Py_END_ALLOW_THREADS
  return npshm_py_mapping_new(handle);
}

/* Create an array whose data is a copy of a contiguous buffer (the bytes
   in the given order), written into the file before it is mapped
   (npshm_create_from); returns its Mapping. */
PyObject *create_mapping_from(const char *name, const char *dtype, int ndim,
                              const int64_t *shape, int order,
                              const void *data, size_t nbytes,
                              const npshm_options *opts) {
  npshm_array *handle;
  Py_BEGIN_ALLOW_THREADS
  handle = npshm_create_from(name, dtype, ndim, shape, order, data, nbytes,
                             opts);
  Py_END_ALLOW_THREADS
  return npshm_py_mapping_new(handle);
}

/* Attach an array (honours opts' readonly and expectations); returns its
   Mapping. */
PyObject *attach_mapping(const char *name, const npshm_options *opts) {
  npshm_array *handle;
  Py_BEGIN_ALLOW_THREADS
  handle = npshm_attach(name, opts);
  Py_END_ALLOW_THREADS
  return npshm_py_mapping_new(handle);
}

/* Create an array from a .npy file (npshm_load: one kernel copy, published
   when complete); returns its Mapping.  progress: None or a callable
   (done, total); an exception from it, or Ctrl-C, stops the copy (nothing
   is left behind) and is raised. */
PyObject *load_mapping(const char *npy_path, const char *name,
                       npshm_options *opts, PyObject *progress) {
  npshm_py_progress report;
  npshm_array *handle;
  if (npshm_py_progress_start(&report, progress, opts) < 0) {
    return NULL;
  }
  Py_BEGIN_ALLOW_THREADS
  handle = npshm_load(npy_path, name, opts);
  Py_END_ALLOW_THREADS
  npshm_options_set_progress(opts, NULL, NULL);
  if (handle == NULL && npshm_py_progress_stopped(&report)) {
    return NULL;
  }
  return npshm_py_mapping_new(handle);
}

/* npshm_host_id as a str. */
PyObject *host_id_text(const npshm_options *opts) {
  char id[NPSHM_HOST_ID_MAX];
  if (npshm_host_id(opts, id, sizeof id) < 0) {
    npshm_py_raise_last_error();
    return NULL;
  }
  return PyUnicode_DecodeFSDefault(id);
}

/* Write the array a Mapping holds to a .npy file (npshm_save); progress as
   for load_mapping. */
PyObject *save_mapping(PyObject *mapping, const char *npy_path,
                       npshm_options *opts, PyObject *progress) {
  npshm_py_progress report;
  npshm_array *handle = npshm_py_mapping_handle(mapping);
  int rc;
  if (handle == NULL || npshm_py_progress_start(&report, progress, opts) < 0) {
    return NULL;
  }
  Py_BEGIN_ALLOW_THREADS
  rc = npshm_save(handle, npy_path, opts);
  Py_END_ALLOW_THREADS
  npshm_options_set_progress(opts, NULL, NULL);
  if (rc < 0) {
    if (!npshm_py_progress_stopped(&report)) {
      npshm_py_raise_last_error();
    }
    return NULL;
  }
  Py_RETURN_NONE;
}

/* Write the array named name to a .npy file (npshm_save_name: its lifetime
   is not applied, so a "last" array nobody else holds stays); progress as
   for load_mapping. */
PyObject *save_by_name(const char *name, const char *npy_path,
                       npshm_options *opts, PyObject *progress) {
  npshm_py_progress report;
  int rc;
  if (npshm_py_progress_start(&report, progress, opts) < 0) {
    return NULL;
  }
  Py_BEGIN_ALLOW_THREADS
  rc = npshm_save_name(name, npy_path, opts);
  Py_END_ALLOW_THREADS
  npshm_options_set_progress(opts, NULL, NULL);
  if (rc < 0) {
    if (!npshm_py_progress_stopped(&report)) {
      npshm_py_raise_last_error();
    }
    return NULL;
  }
  Py_RETURN_NONE;
}

/* The file a name refers to, as the library resolves it (npshm_resolve
   with the default options: $NPSHM_DIR or /dev/shm). */
PyObject *resolve_path(const char *name) {
  npshm_location *location = npshm_resolve(name, NULL);
  PyObject *path;
  if (location == NULL) {
    return npshm_py_raise_last_error();
  }
  path = npshm_py_name_str(npshm_location_path(location));
  npshm_location_free(location);
  return path;
}

/* From now on raise factory(code, message, errno) for failures
   (npshm.errors registers itself). */
PyObject *set_error_factory(PyObject *factory) {
  if (npshm_py_set_error_factory(factory) < 0) {
    return NULL;
  }
  Py_RETURN_NONE;
}

/* The shape of a valid info as a tuple. */
PyObject *info_shape_tuple(const npshm_info *info) {
  return npshm_py_int64_tuple(npshm_info_ndim(info), npshm_info_shape(info));
}

/* Saved references (src/reference.c). */
PyObject *ref_shape_tuple(const npshm_ref *ref) {
  return npshm_py_ref_shape(ref);
}
PyObject *ref_strides_tuple(const npshm_ref *ref) {
  return npshm_py_ref_strides(ref);
}
PyObject *ref_attach_mapping(const npshm_ref *ref, const npshm_options *opts) {
  return npshm_py_ref_attach(ref, opts);
}
PyObject *ref_fits(const npshm_ref *ref, PyObject *mapping) {
  return npshm_py_ref_fits(ref, mapping);
}

/* What a dtype descr means (src/dtypes.c). */
PyObject *dtype_description(const char *descr) {
  return npshm_py_dtype_description(descr);
}

/* Waits and array locks (src/waiting.c): the GIL released, Ctrl-C
   honoured; timeouts in seconds, negative: none. */
PyObject *wait_created_name(const char *name, const npshm_options *opts,
                            double timeout) {
  return npshm_py_wait_created(name, opts, timeout);
}
PyObject *wait_released_either(const char *name, const npshm_options *opts,
                               PyObject *mapping, double timeout) {
  return npshm_py_wait_released(name, opts, mapping, timeout);
}
PyObject *lock_mapping(PyObject *mapping, int exclusive, double timeout) {
  return npshm_py_lock(mapping, exclusive, timeout);
}
PyObject *unlock_mapping(PyObject *mapping) {
  return npshm_py_unlock(mapping);
}
%}
