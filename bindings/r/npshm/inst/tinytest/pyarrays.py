"""NumPy side of the npshm R package's cross-language tests.

Run by the tests with Debian's /usr/bin/python3 (which has numpy):
  pyarrays.py make NAME DTYPE ORDER VIA EXTENT...   make an array
      VIA "numpy": numpy.save into the shm directory (a plain .npy);
      VIA "lib": npshm_create of libnpshm through ctypes (path in the
      environment variable NPSHM_LIBRARY).  Prints its values in memory
      order, one per line, then "ELEM v" for the element at index
      (1, 2, 0, ...) when the array has 2 or more dimensions.
  pyarrays.py dump NAME      print "descr;shape;order" and the values in
                             C (row-major) order, read with numpy.load.
  pyarrays.py write NAME I V set the element at memory position I to V.
  pyarrays.py read NAME I    print the element at memory position I.
Values print as: floats with repr, complex as "re im", integers and
booleans as integers.
"""
import ctypes
import os
import sys

import numpy as np


def shm_path(name):
    return os.path.join(os.environ.get("NPSHM_DIR") or "/dev/shm", name)


def values_for(dtype, n):
    k = np.arange(n)
    kind = np.dtype(dtype).kind
    if kind == "f":
        a = (k - n / 2) / 3.0 if np.dtype(dtype).itemsize == 8 else k / 4.0
    elif kind == "c":
        a = k / 3.0 - 1j * (k * 2.5)
    elif kind == "b":
        a = k % 3 == 0
    elif dtype == "<i8":
        a = np.int64(2) ** 62 - k.astype(np.int64) * (2 ** 40) - 7
    elif dtype == "<i4":
        a = (k * 7919) % 100000 - 50000
        if n > 1:
            a[0], a[-1] = 2 ** 31 - 1, -(2 ** 31 - 1)
    elif dtype == "|u1":
        a = (k * 37) % 256
    else:
        a = k - 100
    return np.asarray(a).astype(dtype)


def fmt(v):
    if isinstance(v, (complex, np.complexfloating)):
        return "%r %r" % (float(v.real), float(v.imag))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return str(int(v))


def memory_order(a):
    return "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"


def make(name, dtype, order, via, shape):
    n = int(np.prod(shape))
    a = values_for(dtype, n).reshape(shape, order=order)
    if via == "numpy":
        with open(shm_path(name), "wb") as f:
            np.save(f, a)
    else:
        lib = ctypes.CDLL(os.environ["NPSHM_LIBRARY"])
        lib.npshm_create.restype = ctypes.c_void_p
        lib.npshm_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int,
                                     ctypes.POINTER(ctypes.c_int64), ctypes.c_int,
                                     ctypes.c_void_p]
        lib.npshm_data.restype = ctypes.c_void_p
        lib.npshm_data.argtypes = [ctypes.c_void_p]
        lib.npshm_close.argtypes = [ctypes.c_void_p]
        lib.npshm_last_message.restype = ctypes.c_char_p
        extents = (ctypes.c_int64 * len(shape))(*shape)
        h = lib.npshm_create(name.encode(), dtype.encode(), len(shape), extents,
                             1 if order == "F" else 0, None)
        if not h:
            sys.exit("npshm_create failed: " + lib.npshm_last_message().decode())
        buf = (ctypes.c_char * a.nbytes).from_address(lib.npshm_data(h))
        view = np.frombuffer(buf, dtype=a.dtype).reshape(shape, order=order)
        view[...] = a
        del view, buf
        lib.npshm_close(h)
    for v in a.ravel(order=order):
        print(fmt(v))
    if len(shape) >= 2:
        print("ELEM " + fmt(a[(1, 2) + (0,) * (len(shape) - 2)]))


def flat(a):
    return a.reshape(-1, order=memory_order(a))


def main(argv):
    cmd, name = argv[0], argv[1]
    if cmd == "make":
        make(name, argv[2], argv[3], argv[4], [int(s) for s in argv[5:]])
    elif cmd == "dump":
        a = np.load(shm_path(name), mmap_mode="r")
        print("%s;%s;%s" % (a.dtype.str, ",".join(str(s) for s in a.shape),
                            memory_order(a)))
        for v in a.ravel(order="C"):
            print(fmt(v))
    elif cmd == "write":
        a = np.load(shm_path(name), mmap_mode="r+")
        f = flat(a)
        f[int(argv[2])] = complex(argv[3]) if a.dtype.kind == "c" else float(argv[3])
        a.flush()
    elif cmd == "read":
        a = np.load(shm_path(name), mmap_mode="r")
        print(fmt(flat(a)[int(argv[2])]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv[1:])
