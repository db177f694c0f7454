"""Saved references through the C ABI: every view NumPy can make of an
array round-trips through npshm_ref_make / parse / attach onto the same
bytes; views NumPy cannot make inside the data, and hand-edited texts, are
refused.  Also the dtype query against NumPy's own description."""
import ctypes
import itertools

import numpy as np
import numpy.lib.format as npf
import pytest

import npshm_ctypes

SLICES = [
    (slice(None), slice(None)),
    (slice(None, None, -1), slice(None)),
    (slice(None), slice(None, None, -2)),
    (slice(1, 3), slice(4, 0, -1)),
    (2, slice(None)),
    (slice(None), 3),
    (1, 2, Ellipsis),
    (slice(2, 2), slice(None)),
    (slice(None, None, -1), slice(None, None, -1)),
]


def whole(lib, h, dtype):
    nd = lib.ndim(h)
    shape = tuple(lib.shape(h)[i] for i in range(nd))
    buf = (ctypes.c_char * lib.nbytes(h)).from_address(lib.data(h))
    return np.ndarray(shape, dtype=dtype, buffer=buf)


def as_list(values):
    return npshm_ctypes.shape(*values) if values else None


@pytest.fixture
def array(lib, shm_dir, unique):
    name = unique("ref").encode()
    h = lib.create(name, b"<i4", 2, npshm_ctypes.shape(4, 5), 0, None)
    assert h, lib.error()
    whole(lib, h, np.int32)[...] = np.arange(20).reshape(4, 5)
    yield h
    lib.close(h)


@pytest.mark.parametrize("index", SLICES, ids=str)
@pytest.mark.parametrize("transpose", [False, True])
def test_numpy_views_round_trip(lib, array, index, transpose):
    base = whole(lib, array, np.int32)
    v = (base.T if transpose else base)[index]
    offset = v.__array_interface__["data"][0] - lib.data(array)
    ref = lib.ref_make(array, offset, v.ndim, as_list(v.shape), as_list(v.strides), 0)
    assert ref, lib.error()
    text = lib.ref_text(ref)
    lib.ref_free(ref)
    parsed = lib.ref_parse(text)
    assert parsed, lib.error()
    h = lib.ref_attach(parsed, None)
    assert h, lib.error()
    nd = lib.ref_ndim(parsed)
    shape = tuple(lib.ref_shape(parsed)[i] for i in range(nd))
    strides = tuple(lib.ref_strides(parsed)[i] for i in range(nd))
    buf = (ctypes.c_char * lib.nbytes(h)).from_address(lib.data(h))
    again = np.ndarray(shape, dtype=np.int32, buffer=buf, offset=lib.ref_offset(parsed), strides=strides)
    assert np.array_equal(again, v)
    assert lib.ref_check(parsed, h) == 0
    lib.close(h)
    lib.ref_free(parsed)


def test_every_small_geometry_is_judged_like_numpy(lib, array):
    """Exhaustive over small offsets, extents and strides: the library
    accepts exactly the views whose every element lies in the 80 bytes."""
    nbytes = lib.nbytes(array)
    accepted = refused = 0
    for offset, n0, n1, s0, s1 in itertools.product(range(-8, 90, 4), range(0, 4), range(0, 3),
                                                    (-40, -4, 0, 4, 20, 44), (-8, 4, 12)):
        ref = lib.ref_make(array, offset, 2, npshm_ctypes.shape(n0, n1), npshm_ctypes.shape(s0, s1), 0)
        if n0 == 0 or n1 == 0:
            inside = 0 <= offset <= nbytes
        else:
            first = [offset + i * s0 + j * s1 for i in range(n0) for j in range(n1)]
            inside = min(first) >= 0 and max(first) + 4 <= nbytes and 0 <= offset <= nbytes
        assert bool(ref) == inside, (offset, n0, n1, s0, s1, lib.error())
        if ref:
            accepted += 1
            lib.ref_free(ref)
        else:
            refused += 1
            assert lib.last_error() == lib.NPSHM_E_INVALID
    assert accepted > 100 and refused > 100


def test_object_dtype_never_attaches(lib, array):
    ref = lib.ref_make(array, 0, 0, None, None, 0)
    text = lib.ref_text(ref).decode()
    lib.ref_free(ref)
    body = text[:text.index(" sum=")].replace("dtype=%3Ci4", "dtype=%7CO8")
    h = 0xcbf29ce484222325
    for b in body.encode():
        h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
    crafted = f"{body} sum={h:016x}".encode()
    assert not lib.ref_parse(crafted)
    assert lib.last_error() == lib.NPSHM_E_INVALID
    assert b"unsupported dtype" in lib.last_message()


DTYPES = ["<f8", ">i2", "|u1", "<c16", "|S5", "<U3", "|V4", "<M8[ns]", ">m8[10s]",
          [("a", "<i4"), ("b", [("x", ">f4"), ("y", "|u1", (2, 3))]), (("T", "c"), "<f2")]]


@pytest.mark.parametrize("descr", DTYPES, ids=str)
def test_dtype_info_agrees_with_numpy(lib, descr):
    dt = np.dtype(descr)
    text = npf.dtype_to_descr(dt)
    text = (text if isinstance(text, str) else repr(text)).encode()
    info = lib.dtype_info_new(text)
    assert info, lib.error()

    def check(info, dt):
        assert lib.dtype_info_itemsize(info) == dt.itemsize
        assert lib.dtype_info_is_structured(info) == (dt.fields is not None)
        if dt.fields is None:
            assert chr(lib.dtype_info_kind(info)) == dt.kind
            assert chr(lib.dtype_info_byteorder(info)) == dt.str[0]
            return
        assert lib.dtype_info_nfields(info) == len(dt.names)
        for i, name in enumerate(dt.names):
            field = dt.fields[name]
            assert lib.dtype_info_field_name(info, i).decode() == name
            assert lib.dtype_info_field_offset(info, i) == field[1]
            title = lib.dtype_info_field_title(info, i)
            assert (title.decode() if title else None) == (field[2] if len(field) > 2 else None)
            sub = field[0]
            nd = lib.dtype_info_field_ndim(info, i)
            shape = tuple(lib.dtype_info_field_shape(info, i)[k] for k in range(nd))
            assert shape == sub.shape
            check(lib.dtype_info_field_type(info, i), sub.base)

    check(info, dt)
    lib.dtype_info_free(info)


def test_resolve(lib, shm_dir):
    loc = lib.resolve(b"abc", None)
    assert loc, lib.error()
    assert lib.location_name(loc) == b"shm://abc"
    assert lib.location_path(loc).decode() == str(shm_dir / "abc")
    lib.location_free(loc)
    assert not lib.resolve(b"a/b", None)
    assert lib.last_error() == lib.NPSHM_E_INVALID
