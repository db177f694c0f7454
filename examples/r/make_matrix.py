"""Makes a ROWS x COLS float64 matrix in shared memory with NumPy and the
npshm C library (through ctypes), in Fortran order so R sees the same dim.

  make_matrix.py NAME ROWS COLS

Prints NumPy's column means, one per line (R checks its own against them).
The library is $NPSHM_LIBRARY, or build/core/libnpshm.so of this source tree.
"""
import ctypes
import os
import sys

import numpy as np

name, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
here = os.path.dirname(os.path.abspath(__file__))
lib = ctypes.CDLL(os.environ.get("NPSHM_LIBRARY",
                                 os.path.join(here, "..", "..", "build", "core", "libnpshm.so")))
lib.npshm_create.restype = ctypes.c_void_p
lib.npshm_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int,
                             ctypes.POINTER(ctypes.c_int64), ctypes.c_int, ctypes.c_void_p]
lib.npshm_data.restype = ctypes.c_void_p
lib.npshm_data.argtypes = [ctypes.c_void_p]
lib.npshm_close.argtypes = [ctypes.c_void_p]
lib.npshm_last_message.restype = ctypes.c_char_p

NPSHM_ORDER_F = 1
shape = (ctypes.c_int64 * 2)(rows, cols)
handle = lib.npshm_create(name.encode(), b"<f8", 2, shape, NPSHM_ORDER_F, None)
if not handle:
    sys.exit(lib.npshm_last_message().decode())
buffer = (ctypes.c_double * (rows * cols)).from_address(lib.npshm_data(handle))
matrix = np.frombuffer(buffer, dtype=np.float64).reshape((rows, cols), order="F")
rng = np.random.default_rng(42)
matrix[...] = rng.normal(loc=np.arange(cols), scale=1.0, size=(rows, cols))
for mean in matrix.mean(axis=0):
    print(repr(float(mean)))
del matrix, buffer
lib.npshm_close(handle)  # the array stays: its lifetime is "persistent"
