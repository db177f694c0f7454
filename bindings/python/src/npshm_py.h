/*
 * npshm_py.h -- the hand-written C part of the Python binding, shared with
 * the SWIG-generated wrapper (npshm.i).
 *
 * mapping.c  the npshm._npshm_c.Mapping type: owns one npshm_array handle
 *            and is the base object of every ndarray that views it, so the
 *            handle is closed only when the last view is gone.
 * errors.c   turns the library's last error into the matching Python
 *            exception, with the library's message.
 *
 * Every function returning PyObject * returns a new reference, or NULL with
 * a Python exception set.
 */
#ifndef NPSHM_PY_H
#define NPSHM_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "npshm.h"

/* Raise the exception that matches npshm_last_error() (message:
   npshm_last_message()); always returns NULL. */
PyObject *npshm_py_raise_last_error(void);

/* Import NumPy's C API and add the Mapping type to module.  0 or -1. */
int npshm_py_init_module(PyObject *module);

/* Wrap a handle in a new Mapping, which takes ownership of it: the handle is
   closed when the Mapping is deallocated, and also here on failure. */
PyObject *npshm_py_mapping_new(npshm_array *handle);

#endif /* NPSHM_PY_H */
