/*
 * npshm_py.h -- the hand-written C part of the Python binding, shared with
 * the SWIG-generated wrapper (npshm.i).
 *
 * mapping.c  the npshm._npshm_c.Mapping type: owns one npshm_array handle
 *            and is the base object of every ndarray that views it, so the
 *            handle is closed only when the last view is gone.
 * errors.c   turns the library's last error into the matching Python
 *            exception, with the library's message.
 * names.c    names and paths between Python (str, bytes) and C strings.
 * progress.c progress callbacks and Ctrl-C during long copies.
 * reference.c saved references (npshm_ref_*) against Mappings.
 * dtypes.c   what a dtype descr means (npshm_dtype_info_*), as tuples.
 * waiting.c  waits and array locks: GIL released, Ctrl-C honoured.
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
/* The same for a given code, message and errno (0: none); NULL. */
PyObject *npshm_py_raise_error(int code, const char *message, int sys_errno);

/* From now on, raise factory(code, message, errno) (npshm.errors.error)
   for the library's failures.  0 or -1. */
int npshm_py_set_error_factory(PyObject *factory);

/* Raise npshm's "invalid argument" error (a ValueError) with text; NULL. */
PyObject *npshm_py_raise_invalid(PyObject *text);
/* Raise npshm's exception of code with PyUnicode_FromFormat's text; NULL. */
PyObject *npshm_py_raise_format(int code, const char *format, ...);

/* A name or path argument as the C library takes it: str (encoded as
   os.fsencode does, so names listed with undecodable bytes come back
   unchanged), bytes or os.PathLike; None gives NULL when none_ok.  A NUL
   byte raises npshm's invalid-argument error naming the argument `what`:
   C strings end at a NUL, so the library would see another name.  On
   success *encoded holds the bytes object that owns the text (release it
   with Py_XDECREF) and the text is returned; NULL with an exception set on
   failure (*encoded is then NULL). */
const char *npshm_py_name_arg(PyObject *obj, const char *what, int none_ok,
                              PyObject **encoded);

/* A name or path from the library as str, decoded as os.fsdecode does (so
   it round-trips through npshm_py_name_arg). */
PyObject *npshm_py_name_str(const char *text);

/* Import NumPy's C API and add the Mapping type to module.  0 or -1. */
int npshm_py_init_module(PyObject *module);

/* Wrap a handle in a new Mapping, which takes ownership of it: the handle is
   closed when the Mapping is deallocated, and also here on failure. */
PyObject *npshm_py_mapping_new(npshm_array *handle);

/* The Python side of a load or save's progress reports (progress.c). */
typedef struct {
  PyObject *callback; /* borrowed: a callable (done, total), or None/NULL */
  PyObject *type, *value, *traceback; /* what stopped the copy, if any */
} npshm_py_progress;

/* Report the progress of an operation run with opts to callback (None or
   NULL: none), and let Ctrl-C stop it.  progress must outlive the
   operation.  0, or -1 with an exception set. */
int npshm_py_progress_start(npshm_py_progress *progress, PyObject *callback,
                            npshm_options *opts);

/* After the operation failed: 1 with the exception that stopped it raised
   again (the callback's, or KeyboardInterrupt), else 0 (nothing stopped
   it: raise the library's error). */
int npshm_py_progress_stopped(npshm_py_progress *progress);

/* The handle a Mapping owns, or NULL with TypeError (not a Mapping). */
npshm_array *npshm_py_mapping_handle(PyObject *mapping);

/* The handle of the Mapping at the end of obj's .base chain (an ndarray
   npshm made, or any view of one), or NULL with TypeError naming obj's
   type. */
npshm_array *npshm_py_handle_of(PyObject *obj);
/* Add the waits' fast functions (waiting.c) to module.  0 or -1. */
int npshm_py_add_waiting(PyObject *module);
/* A tuple of n ints (an empty one when n < 0). */
PyObject *npshm_py_int64_tuple(int n, const int64_t *values);

/* Saved references (reference.c).  A parsed reference's shape and strides
   as tuples. */
PyObject *npshm_py_ref_shape(const npshm_ref *ref);
PyObject *npshm_py_ref_strides(const npshm_ref *ref);
/* A new Mapping of the array ref names, checked by npshm_ref_attach. */
PyObject *npshm_py_ref_attach(const npshm_ref *ref, const npshm_options *opts);
/* True if mapping may stand for ref (npshm_ref_check passes), else False. */
PyObject *npshm_py_ref_fits(const npshm_ref *ref, PyObject *mapping);

/* The description of a dtype descr (dtypes.c): (descr, kind, itemsize,
   byteorder, unit, fields), see dtypes.c; InvalidError for a bad descr. */
PyObject *npshm_py_dtype_description(const char *descr);

/* Waits and array locks (waiting.c); timeouts in seconds, negative: none.
   Each returns None (the waits on versions: the new version), or NULL with
   the exception set (TimeoutError, KeyboardInterrupt, ...). */
PyObject *npshm_py_wait_created(const char *name, const npshm_options *opts, double timeout);
/* By mapping unless it is None, else by name. */
PyObject *npshm_py_wait_released(const char *name, const npshm_options *opts, PyObject *mapping,
                                 double timeout);
PyObject *npshm_py_lock(PyObject *mapping, int exclusive, double timeout);
PyObject *npshm_py_unlock(PyObject *mapping);

#endif /* NPSHM_PY_H */
