"""Makes a ROWS x COLS float64 matrix in shared memory with the npshm Python
package, in Fortran order so R sees the same dim.

  make_matrix.py NAME ROWS COLS

Prints NumPy's column means, one per line (R checks its own against them).
"""
import sys

import numpy as np

import npshm

name, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
matrix = npshm.create(name, (rows, cols), np.float64, order="F")
rng = np.random.default_rng(42)
matrix[...] = rng.normal(loc=np.arange(cols), scale=1.0, size=(rows, cols))
for mean in matrix.mean(axis=0):
    print(repr(float(mean)))
# The array stays when this process ends: its lifetime is "persistent".
