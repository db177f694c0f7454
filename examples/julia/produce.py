#!/usr/bin/python3
"""Make a shared array from Python for the Julia example to attach.

    produce.py NAME [ROWS]     create shm://NAME: ROWS x 3 float64 samples
    produce.py --remove NAME   remove it again

Uses only NumPy and ctypes against libnpshm (found through NPSHM_LIB, else
the build tree, else the system), so it does not need the Python binding.
The array is C-ordered (NumPy's default): row i is one sample (x, y, z).
Prints the column means NumPy computes, for comparison with Julia's.
"""

import ctypes
import glob
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def load_library():
    path = os.environ.get("NPSHM_LIB")
    if not path:
        found = sorted(glob.glob(os.path.join(REPO, "build*", "core",
                                              "libnpshm.so")))
        path = found[0] if found else "libnpshm.so.0"
    lib = ctypes.CDLL(path)
    P, S, I = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    for name, restype, argtypes in [
            ("npshm_create", P, [S, S, I, ctypes.POINTER(ctypes.c_int64), I,
                                 P]),
            ("npshm_data", P, [P]),
            ("npshm_close", I, [P]),
            ("npshm_remove", I, [S, P]),
            ("npshm_last_message", S, [])]:
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


def create(lib, name, rows):
    shape = (ctypes.c_int64 * 2)(rows, 3)
    handle = lib.npshm_create(name.encode(), b"<f8", 2, shape, 0, None)
    if not handle:
        sys.exit("produce.py: " + lib.npshm_last_message().decode())
    try:
        buffer = (ctypes.c_double * (rows * 3)).from_address(
            lib.npshm_data(handle))
        samples = np.frombuffer(buffer, dtype="<f8").reshape(rows, 3)
        i = np.arange(rows, dtype=np.float64)
        samples[:, 0] = i                    # x: 0, 1, 2, ...
        samples[:, 1] = np.sin(i / 10.0)     # y
        samples[:, 2] = 2.0 * i + 1.0        # z
        means = samples.mean(axis=0)
        del samples, buffer                  # no views into the mapping
    finally:
        lib.npshm_close(handle)              # persistent: the array stays
    print(f"created shm://{name}: {rows}x3 float64 (C order)")
    print("numpy column means:", " ".join(f"{m:.12g}" for m in means))


def main(argv):
    lib = load_library()
    if len(argv) == 2 and argv[0] == "--remove":
        if lib.npshm_remove(argv[1].encode(), None) != 0:
            sys.exit("produce.py: " + lib.npshm_last_message().decode())
        print(f"removed shm://{argv[1]}")
    elif len(argv) in (1, 2) and not argv[0].startswith("-"):
        create(lib, argv[0], int(argv[1]) if len(argv) == 2 else 1000)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
