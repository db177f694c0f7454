/*
 * mapping.c -- npshm._npshm_c.Mapping: one npshm_array handle as a Python
 * object, and ndarrays that view its data with no copy.
 *
 * A Mapping owns its handle.  Every ndarray made here has the Mapping as its
 * base object, and NumPy keeps the base alive as long as any view of the
 * array exists; npshm_close() runs in the Mapping's destructor, so the data
 * is never unmapped under a live view.  A Mapping has no close(): several
 * Python handles (npshm.Handle) may share it, each closed on its own; the
 * handle goes with the Mapping's last reference.
 */
#include "npshm_py.h"

/* NumPy's C API macros call through a table of void pointers, which ISO C
   does not allow converting to function pointers (-Wpedantic); that is how
   NumPy's API works, so this file alone waives that one warning. */
#pragma GCC diagnostic ignored "-Wpedantic"
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <stdint.h>
#include <string.h>

typedef struct {
  PyObject_HEAD
  npshm_array *handle; /* never NULL while the object lives */
  PyObject *weakreflist;
} Mapping;

static PyTypeObject MappingType;

/* ------------------------------------------------------------------------ */
/* Life cycle                                                               */
/* ------------------------------------------------------------------------ */

PyObject *npshm_py_mapping_new(npshm_array *handle) {
  Mapping *self;
  if (handle == NULL) {
    return npshm_py_raise_last_error();
  }
  self = PyObject_New(Mapping, &MappingType);
  if (self == NULL) {
    npshm_close(handle);
    return NULL;
  }
  self->handle = handle;
  self->weakreflist = NULL;
  return (PyObject *)self;
}

npshm_array *npshm_py_mapping_handle(PyObject *mapping) {
  if (!PyObject_TypeCheck(mapping, &MappingType)) {
    PyErr_SetString(PyExc_TypeError, "an npshm Mapping is needed");
    return NULL;
  }
  return ((Mapping *)mapping)->handle;
}

npshm_array *npshm_py_handle_of(PyObject *array) {
  PyObject *obj = array;
  PyObject *held = NULL; /* the reference getattr gave, if any */
  npshm_array *found = NULL;
  while (obj != NULL && obj != Py_None) {
    PyObject *next;
    if (Py_TYPE(obj) == &MappingType) {
      found = ((Mapping *)obj)->handle;
      break;
    }
    if (PyArray_Check(obj)) {
      next = PyArray_BASE((PyArrayObject *)obj);
      Py_XINCREF(next);
    } else if ((next = PyObject_GetAttrString(obj, "base")) == NULL) {
      Py_XDECREF(held);
      if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return NULL;
      PyErr_Clear();
      break;
    }
    Py_XDECREF(held);
    held = next;
    obj = next;
  }
  Py_XDECREF(held);
  if (found == NULL)
    PyErr_Format(PyExc_TypeError,
                 "expected an array npshm created or attached (npshm.create / npshm.attach), got %s",
                 Py_TYPE(array)->tp_name);
  return found;
}

static void mapping_dealloc(Mapping *self) {
  npshm_array *handle = self->handle;
  if (self->weakreflist != NULL) {
    PyObject_ClearWeakRefs((PyObject *)self);
  }
  /* A failing close (e.g. the lifetime policy could not unlink) cannot be
     reported from a destructor; the handle is freed either way.  Unmapping
     a large array takes a while; npshm_close touches no Python state and
     nothing else can reach this dying object, so other threads run
     meanwhile. */
  self->handle = NULL;
  Py_BEGIN_ALLOW_THREADS
  npshm_close(handle);
  Py_END_ALLOW_THREADS
  PyObject_Free(self);
}

/* ------------------------------------------------------------------------ */
/* Handle operations                                                        */
/* ------------------------------------------------------------------------ */

static PyObject *result_of(int rc) {
  if (rc < 0) {
    return npshm_py_raise_last_error();
  }
  Py_RETURN_NONE;
}

static PyObject *mapping_unlink(Mapping *self, PyObject *unused) {
  (void)unused;
  return result_of(npshm_unlink(self->handle));
}

static PyObject *mapping_msync(Mapping *self, PyObject *args) {
  int flags = NPSHM_MS_SYNC;
  int rc;
  if (!PyArg_ParseTuple(args, "|i:msync", &flags)) {
    return NULL;
  }
  Py_BEGIN_ALLOW_THREADS
  rc = npshm_msync(self->handle, flags);
  Py_END_ALLOW_THREADS
  return result_of(rc);
}

static PyObject *mapping_mlock(Mapping *self, PyObject *unused) {
  int rc;
  (void)unused;
  Py_BEGIN_ALLOW_THREADS
  rc = npshm_mlock(self->handle);
  Py_END_ALLOW_THREADS
  return result_of(rc);
}

static PyObject *mapping_munlock(Mapping *self, PyObject *unused) {
  int rc;
  (void)unused;
  Py_BEGIN_ALLOW_THREADS
  rc = npshm_munlock(self->handle);
  Py_END_ALLOW_THREADS
  return result_of(rc);
}

/* ------------------------------------------------------------------------ */
/* ndarray views                                                            */
/* ------------------------------------------------------------------------ */

/* Check, in the library (npshm_check_view), that a view of ndim items
   (shape, strides, itemsize) starting at byte offset lies inside the data.
   0, or -1 with the library's error (InvalidError) raised. */
static int check_extent(const Mapping *self, Py_ssize_t offset, int ndim,
                        const npy_intp *shape, const npy_intp *strides,
                        npy_intp itemsize) {
  int64_t shape64[NPY_MAXDIMS], strides64[NPY_MAXDIMS];
  int i;
  for (i = 0; i < ndim; i++) {
    shape64[i] = (int64_t)shape[i];
    strides64[i] = (int64_t)strides[i];
  }
  if (npshm_check_view(self->handle, (int64_t)offset, ndim, shape64,
                       strides64, (size_t)itemsize) != NPSHM_OK) {
    npshm_py_raise_last_error();
    return -1;
  }
  return 0;
}

/* Fill npy_intp dims from a sequence of ints.  Returns ndim or -1. */
static int intp_sequence(PyObject *seq, npy_intp *out, const char *what) {
  PyObject *fast = PySequence_Fast(seq, what);
  Py_ssize_t n, i;
  if (fast == NULL) {
    return -1;
  }
  n = PySequence_Fast_GET_SIZE(fast);
  if (n > NPY_MAXDIMS) {
    npshm_py_raise_format(NPSHM_E_INVALID,
                 "%s has %zd dimensions; NumPy supports at most %d", what, n,
                 NPY_MAXDIMS);
    Py_DECREF(fast);
    return -1;
  }
  for (i = 0; i < n; i++) {
    out[i] = PyArray_PyIntAsIntp(PySequence_Fast_GET_ITEM(fast, i));
    if (out[i] == -1 && PyErr_Occurred()) {
      Py_DECREF(fast);
      return -1;
    }
  }
  Py_DECREF(fast);
  return (int)n;
}

/* A new ndarray of type subtype viewing the data at offset, with Mapping as
   its base.  Steals nothing. */
static PyObject *make_view(Mapping *self, PyTypeObject *subtype,
                           PyArray_Descr *descr, Py_ssize_t offset, int ndim,
                           npy_intp *shape, npy_intp *strides, int readonly) {
  PyObject *array;
  char *data = (char *)npshm_data(self->handle);
  int flags = 0;
  if (!PyType_IsSubtype(subtype, &PyArray_Type)) {
    PyErr_SetString(PyExc_TypeError, "subtype must be an ndarray subclass");
    return NULL;
  }
  if (descr->elsize <= 0 && ndim > 0) {
    npshm_py_raise_format(NPSHM_E_INVALID, "dtype of %s has no item size",
                 npshm_name(self->handle));
    return NULL;
  }
  if (check_extent(self, offset, ndim, shape, strides, descr->elsize) < 0) {
    return NULL;
  }
  if (!readonly && !npshm_is_readonly(self->handle)) {
    flags |= NPY_ARRAY_WRITEABLE;
  }
  Py_INCREF(descr); /* PyArray_NewFromDescr steals it */
  array = PyArray_NewFromDescr(subtype, descr, ndim, shape, strides,
                               data + offset, flags, NULL);
  if (array == NULL) {
    return NULL;
  }
  /* PyArray_SetBaseObject steals this reference, also when it fails (it
     releases it itself then): the error path must not release it again. */
  Py_INCREF(self);
  if (PyArray_SetBaseObject((PyArrayObject *)array, (PyObject *)self) < 0) {
    Py_DECREF(array);
    return NULL;
  }
  return array;
}

static PyObject *mapping_array(Mapping *self, PyObject *args) {
  PyTypeObject *subtype;
  PyArray_Descr *descr;
  npy_intp shape[NPY_MAXDIMS], strides[NPY_MAXDIMS];
  int ndim = npshm_ndim(self->handle);
  const int64_t *handle_shape = npshm_shape(self->handle);
  const int64_t *handle_strides = npshm_strides(self->handle);
  int i;
  if (!PyArg_ParseTuple(args, "O!O!:array", &PyType_Type, &subtype,
                        &PyArrayDescr_Type, &descr)) {
    return NULL;
  }
  if (ndim > NPY_MAXDIMS) {
    npshm_py_raise_format(NPSHM_E_INVALID,
                 "%s has %d dimensions; NumPy supports at most %d",
                 npshm_name(self->handle), ndim, NPY_MAXDIMS);
    return NULL;
  }
  if ((size_t)descr->elsize != npshm_itemsize(self->handle)) {
    npshm_py_raise_format(NPSHM_E_INVALID,
                 "dtype %s of %s has item size %zu, NumPy's has %d",
                 npshm_dtype(self->handle), npshm_name(self->handle),
                 npshm_itemsize(self->handle), descr->elsize);
    return NULL;
  }
  for (i = 0; i < ndim; i++) {
    shape[i] = (npy_intp)handle_shape[i];
    strides[i] = (npy_intp)handle_strides[i];
  }
  return make_view(self, subtype, descr, 0, ndim, shape, strides, 0);
}

/* Fill shape and strides of a view from two sequences of ints.  Returns
   ndim, or -1 with an exception set (also when their lengths differ). */
static int view_geometry(const Mapping *self, PyObject *shape_seq,
                         PyObject *strides_seq, npy_intp *shape,
                         npy_intp *strides) {
  int ndim = intp_sequence(shape_seq, shape, "shape");
  int nstrides;
  if (ndim < 0) {
    return -1;
  }
  nstrides = intp_sequence(strides_seq, strides, "strides");
  if (nstrides < 0) {
    return -1;
  }
  if (nstrides != ndim) {
    npshm_py_raise_format(NPSHM_E_INVALID, "view of %s: %d strides for %d dimensions",
                 npshm_name(self->handle), nstrides, ndim);
    return -1;
  }
  return ndim;
}

static PyObject *mapping_view(Mapping *self, PyObject *args) {
  PyTypeObject *subtype;
  PyArray_Descr *descr;
  Py_ssize_t offset;
  PyObject *shape_seq, *strides_seq;
  int readonly;
  npy_intp shape[NPY_MAXDIMS], strides[NPY_MAXDIMS];
  int ndim;
  if (!PyArg_ParseTuple(args, "O!O!nOOp:view", &PyType_Type, &subtype,
                        &PyArrayDescr_Type, &descr, &offset, &shape_seq,
                        &strides_seq, &readonly)) {
    return NULL;
  }
  ndim = view_geometry(self, shape_seq, strides_seq, shape, strides);
  if (ndim < 0) {
    return NULL;
  }
  return make_view(self, subtype, descr, offset, ndim, shape, strides,
                   readonly);
}

/* The text of the library's saved reference to a view of this array
   (npshm_ref_make, which refuses a view reaching outside the data). */
static PyObject *mapping_reference(Mapping *self, PyObject *args) {
  Py_ssize_t offset;
  PyObject *shape_seq, *strides_seq, *text;
  int readonly;
  npy_intp shape[NPY_MAXDIMS], strides[NPY_MAXDIMS];
  int64_t shape64[NPY_MAXDIMS], strides64[NPY_MAXDIMS];
  int ndim, i;
  npshm_ref *ref;
  if (!PyArg_ParseTuple(args, "nOOp:reference", &offset, &shape_seq,
                        &strides_seq, &readonly)) {
    return NULL;
  }
  ndim = view_geometry(self, shape_seq, strides_seq, shape, strides);
  if (ndim < 0) {
    return NULL;
  }
  for (i = 0; i < ndim; i++) {
    shape64[i] = (int64_t)shape[i];
    strides64[i] = (int64_t)strides[i];
  }
  ref = npshm_ref_make(self->handle, (int64_t)offset, ndim, shape64,
                       strides64, readonly);
  if (ref == NULL) {
    return npshm_py_raise_last_error();
  }
  text = PyUnicode_FromString(npshm_ref_text(ref));
  npshm_ref_free(ref);
  return text;
}

/* Byte offset of array's data from the start of this mapping's data, or
   None when any element of array lies outside it. */
static PyObject *mapping_locate(Mapping *self, PyObject *arg) {
  PyArrayObject *array;
  const char *start = (const char *)npshm_data(self->handle);
  size_t size = npshm_nbytes(self->handle);
  const char *data;
  Py_ssize_t offset;
  if (!PyArray_Check(arg)) {
    PyErr_SetString(PyExc_TypeError, "locate() needs an ndarray");
    return NULL;
  }
  array = (PyArrayObject *)arg;
  data = PyArray_BYTES(array);
  if (data < start || data > start + size) {
    Py_RETURN_NONE;
  }
  offset = (Py_ssize_t)(data - start);
  if (check_extent(self, offset, PyArray_NDIM(array), PyArray_DIMS(array),
                   PyArray_STRIDES(array), PyArray_ITEMSIZE(array)) < 0) {
    PyErr_Clear();
    Py_RETURN_NONE;
  }
  return PyLong_FromSsize_t(offset);
}

/* ------------------------------------------------------------------------ */
/* Attributes                                                               */
/* ------------------------------------------------------------------------ */

PyObject *npshm_py_int64_tuple(int n, const int64_t *values) {
  PyObject *tuple = PyTuple_New(n > 0 ? n : 0);
  int i;
  if (tuple == NULL) {
    return NULL;
  }
  for (i = 0; i < n; i++) {
    PyObject *item = PyLong_FromLongLong((long long)values[i]);
    if (item == NULL) {
      Py_DECREF(tuple);
      return NULL;
    }
    PyTuple_SET_ITEM(tuple, i, item);
  }
  return tuple;
}

static PyObject *get_name(Mapping *self, void *c) {
  (void)c;
  return npshm_py_name_str(npshm_name(self->handle));
}
static PyObject *get_path(Mapping *self, void *c) {
  (void)c;
  return npshm_py_name_str(npshm_path(self->handle));
}
static PyObject *get_dtype(Mapping *self, void *c) {
  (void)c;
  return PyUnicode_FromString(npshm_dtype(self->handle));
}
static PyObject *get_shape(Mapping *self, void *c) {
  (void)c;
  return npshm_py_int64_tuple(npshm_ndim(self->handle), npshm_shape(self->handle));
}
static PyObject *get_strides(Mapping *self, void *c) {
  (void)c;
  return npshm_py_int64_tuple(npshm_ndim(self->handle), npshm_strides(self->handle));
}
static PyObject *get_order(Mapping *self, void *c) {
  const char *name = npshm_order_name(npshm_order(self->handle));
  (void)c;
  return PyUnicode_FromString(name != NULL ? name : "unknown");
}
static PyObject *get_nbytes(Mapping *self, void *c) {
  (void)c;
  return PyLong_FromSize_t(npshm_nbytes(self->handle));
}
static PyObject *get_data_offset(Mapping *self, void *c) {
  (void)c;
  return PyLong_FromSize_t(npshm_data_offset(self->handle));
}
static PyObject *get_address(Mapping *self, void *c) {
  (void)c;
  return PyLong_FromVoidPtr(npshm_data(self->handle));
}
static PyObject *get_lifetime(Mapping *self, void *c) {
  const char *name = npshm_lifetime_name(npshm_lifetime(self->handle));
  (void)c;
  return PyUnicode_FromString(name != NULL ? name : "unknown");
}
static PyObject *get_readonly(Mapping *self, void *c) {
  (void)c;
  return PyBool_FromLong(npshm_is_readonly(self->handle));
}
static PyObject *get_creator(Mapping *self, void *c) {
  (void)c;
  return PyBool_FromLong(npshm_is_creator(self->handle));
}
static PyObject *get_id(Mapping *self, void *c) {
  (void)c;
  return PyLong_FromUnsignedLongLong(
      (unsigned long long)npshm_id(self->handle));
}

static PyObject *mapping_repr(Mapping *self) {
  return PyUnicode_FromFormat("<npshm Mapping %s %s>",
                              npshm_name(self->handle),
                              npshm_dtype(self->handle));
}

static PyMethodDef mapping_methods[] = {
    {"array", (PyCFunction)mapping_array, METH_VARARGS,
     "array(subtype, dtype) -> the whole array as an ndarray of subtype."},
    {"view", (PyCFunction)mapping_view, METH_VARARGS,
     "view(subtype, dtype, offset, shape, strides, readonly) -> an ndarray "
     "viewing the data at byte offset (checked to lie inside the data)."},
    {"reference", (PyCFunction)mapping_reference, METH_VARARGS,
     "reference(offset, shape, strides, readonly) -> the text of the "
     "library's saved reference to that view (npshm_ref_make)."},
    {"locate", (PyCFunction)mapping_locate, METH_O,
     "locate(ndarray) -> byte offset of its data in this mapping, or None."},
    {"unlink", (PyCFunction)mapping_unlink, METH_NOARGS,
     "Remove the array's name now; mappings stay valid."},
    {"msync", (PyCFunction)mapping_msync, METH_VARARGS,
     "msync(flags=MS_SYNC): flush the data to its file."},
    {"mlock", (PyCFunction)mapping_mlock, METH_NOARGS,
     "Lock the data in RAM."},
    {"munlock", (PyCFunction)mapping_munlock, METH_NOARGS,
     "Undo mlock()."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef mapping_getset[] = {
    {"name", (getter)get_name, NULL, "\"shm://NAME\"", NULL},
    {"path", (getter)get_path, NULL, "file path", NULL},
    {"dtype", (getter)get_dtype, NULL, "normalised NPY descr", NULL},
    {"shape", (getter)get_shape, NULL, "shape tuple", NULL},
    {"strides", (getter)get_strides, NULL, "strides in bytes", NULL},
    {"order", (getter)get_order, NULL, "memory order, as npshm_order_name spells it", NULL},
    {"nbytes", (getter)get_nbytes, NULL, "data bytes", NULL},
    {"data_offset", (getter)get_data_offset, NULL, "data offset in file",
     NULL},
    {"address", (getter)get_address, NULL, "address of the data", NULL},
    {"lifetime", (getter)get_lifetime, NULL, "lifetime policy name", NULL},
    {"readonly", (getter)get_readonly, NULL, "mapped read-only", NULL},
    {"creator", (getter)get_creator, NULL, "this handle created it", NULL},
    {"id", (getter)get_id, NULL,
     "random 64-bit id chosen when the array was created (0: plain .npy)",
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject MappingType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "npshm._npshm_c.Mapping",
    .tp_basicsize = sizeof(Mapping),
    .tp_dealloc = (destructor)mapping_dealloc,
    .tp_repr = (reprfunc)mapping_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One npshm_array handle; the base object of its ndarray views.",
    .tp_weaklistoffset = offsetof(Mapping, weakreflist),
    .tp_methods = mapping_methods,
    .tp_getset = mapping_getset,
};

int npshm_py_init_module(PyObject *module) {
  import_array1(-1);
  if (PyType_Ready(&MappingType) < 0) {
    return -1;
  }
  Py_INCREF(&MappingType);
  if (PyModule_AddObject(module, "Mapping", (PyObject *)&MappingType) < 0) {
    Py_DECREF(&MappingType);
    return -1;
  }
  return 0;
}
