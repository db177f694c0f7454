"""libnpshm through ctypes, with every prototype taken from include/npshm.h.

The one ctypes prototype table of the project: tests and examples that use
the C library without a binding import this instead of declaring restype
and argtypes by hand, so a change to the header reaches them all.

    import npshm_ctypes
    lib = npshm_ctypes.load()            # NPSHM_LIB, else a build tree, else the system
    a = lib.npshm_create(b"x", b"<f8", 1, npshm_ctypes.shape(3), lib.NPSHM_ORDER_C, None)

Types: `const char *` arguments are bytes (c_char_p); `const char *` results
are bytes or None; `void *` and every opaque handle are plain integers
(c_void_p); `int64_t *` are POINTER(c_int64).  The header's constants are
attributes of the loaded library object (lib.NPSHM_E_INVALID).
"""

import ctypes
import glob
import os

import npshm_header

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
HEADER = os.path.join(REPO, "include", "npshm.h")

_SCALARS = {
    "void": None,
    "int": ctypes.c_int,
    "unsigned int": ctypes.c_uint,
    "size_t": ctypes.c_size_t,
    "int64_t": ctypes.c_int64,
    "uint64_t": ctypes.c_uint64,
    "double": ctypes.c_double,
}


def ctype_of(ctype):
    """The ctypes type of a header type (npshm_header.CType)."""
    if ctype.callback:
        return ctypes.c_void_p
    if ctype.pointers == 0:
        return _SCALARS[ctype.base]
    if ctype.base == "char" and ctype.pointers == 1:
        return ctypes.c_char_p
    if ctype.pointers == 1 and ctype.base in ("int64_t", "uint64_t", "size_t", "int"):
        return ctypes.POINTER(_SCALARS[ctype.base])
    return ctypes.c_void_p  # void *, opaque handles, anything deeper


def prototypes(header_path=HEADER):
    """{function name: (restype, [argtypes])} for every NPSHM_API function."""
    header = npshm_header.parse_header(header_path)
    return {f.name: (ctype_of(f.ret), [ctype_of(p.ctype) for p in f.params])
            for f in header.functions}


def constants(header_path=HEADER):
    """{NAME: value} of the header's enums and integer #defines."""
    return {name: value for name, value, _ in
            npshm_header.parse_header(header_path).constants}


def library_path():
    """NPSHM_LIB (or NPSHM_LIBRARY), else a build tree of this checkout,
    else the installed SONAME."""
    for var in ("NPSHM_LIB", "NPSHM_LIBRARY"):
        if os.environ.get(var):
            return os.environ[var]
    found = sorted(glob.glob(os.path.join(REPO, "build*", "core", "libnpshm.so")))
    return found[0] if found else "libnpshm.so.0"


def load(path=None, header_path=HEADER):
    """dlopen libnpshm with every prototype of the header declared."""
    lib = ctypes.CDLL(path or library_path())
    for name, (restype, argtypes) in prototypes(header_path).items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    for name, value in constants(header_path).items():
        setattr(lib, name, value)
    return lib


def shape(*extents):
    """An int64_t array for shape arguments: shape(3, 4)."""
    return (ctypes.c_int64 * len(extents))(*extents)
