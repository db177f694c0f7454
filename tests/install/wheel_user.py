"""What a user of an installed wheel does, run by that venv's python from
outside the source tree: import npshm, create an array in one process and
attach it by name in another (each sees the other's writes), a
multiprocessing Pool round trip (arrays pickle by name), cleanup.  Prints
"wheel-user ok" at the end."""

import multiprocessing
import os
import subprocess
import sys

import numpy as np

import npshm

VENV = sys.argv[1]


def row_sum(args):
    array, row = args  # pickled by reference: attaches in the worker
    array[row, 0] = -1.0  # written in the worker, seen by the parent
    return float(array[row, 1:].sum())


def main():
    assert npshm.__file__.startswith(VENV + os.sep), npshm.__file__
    name = npshm.unique_name("wheel-test")
    a = npshm.create(name, (4, 1000), "f8")
    try:
        a[...] = np.arange(4000, dtype="f8").reshape(4, 1000)
        child = ("import sys, npshm; b = npshm.attach(sys.argv[1]); "
                 "assert b.shape == (4, 1000) and b[3, 999] == 3999.0; b[0, 0] = 42.0")
        subprocess.run([sys.executable, "-c", child, name], check=True)
        assert a[0, 0] == 42.0, "the other process's write is not visible"

        with multiprocessing.get_context("spawn").Pool(2) as pool:
            sums = pool.map(row_sum, [(a, r) for r in range(4)])
        expected = [float(a[r, 1:].sum()) for r in range(4)]
        assert sums == expected, (sums, expected)
        assert (a[:, 0] == -1.0).all(), "the workers' writes are not visible"
    finally:
        del a
        npshm.delete(name)
    assert not npshm.exists(name)
    print("wheel-user ok")


if __name__ == "__main__":
    main()
