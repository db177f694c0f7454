"""Every segment is a .npy file: numpy reads what libnpshm writes, and
libnpshm attaches what numpy.save writes.  Uses Debian's python3-numpy and
the library through ctypes."""
import ctypes

import numpy as np
import numpy.lib.format as npf
import pytest

DTYPES = [
    "|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", ">i4", ">u8",
    "<f2", "<f4", "<f8", ">f8", "<c8", "<c16", ">c16", "|S7", "<U5", ">U3", "|V6",
    "<M8[ns]", "<M8[D]", ">m8[s]", "<m8[10ms]",
    [("a", "<i4"), ("b", "<f8", (2,))],
    [("x", [("re", "<f4"), ("im", ">f4")]), ("flag", "|b1"), ("pad", "|V3")],
]
SHAPES = [(), (0,), (7,), (3, 4), (2, 3, 4), (0, 5)]


def sample(dtype, shape, seed=0):
    """Deterministic non-trivial contents for any dtype."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape, dtype=np.int64))
    raw = rng.integers(0, 256, size=n * dtype.itemsize, dtype=np.uint8)
    arr = raw.view(dtype).reshape(shape) if n else np.zeros(shape, dtype)
    if dtype.kind == "b":
        arr = (raw[:n] & 1).astype(bool).reshape(shape)
    elif dtype.kind in "fc":
        arr = rng.standard_normal(shape).astype(dtype) if n else arr
    elif dtype.kind == "U":
        arr = np.array(["".join(chr(65 + (i + j) % 26) for j in range(i % 5)) for i in range(n)],
                       dtype=dtype).reshape(shape)
    return arr


def descr_of(dtype: np.dtype) -> bytes:
    d = npf.dtype_to_descr(dtype)
    return (d if isinstance(d, str) else repr(d)).encode()


def view(lib, handle, dtype):
    nd = lib.ndim(handle)
    shape = tuple(lib.shape(handle)[i] for i in range(nd))
    strides = tuple(lib.strides(handle)[i] for i in range(nd))
    nbytes = lib.nbytes(handle)
    buf = (ctypes.c_char * max(nbytes, 1)).from_address(lib.data(handle))
    return np.ndarray(shape, dtype=dtype, buffer=buf, strides=strides)


@pytest.mark.parametrize("descr", DTYPES, ids=str)
@pytest.mark.parametrize("order", ["C", "F"])
def test_library_writes_numpy_reads(lib, shm_dir, unique, descr, order):
    dtype = np.dtype(descr)
    for shape in SHAPES:
        name = unique("w")
        c_shape = (ctypes.c_int64 * max(len(shape), 1))(*shape)
        h = lib.create(name.encode(), descr_of(dtype), len(shape), c_shape, 1 if order == "F" else 0, None)
        assert h, lib.error()
        try:
            assert lib.dtype(h) == descr_of(dtype)
            expected = sample(dtype, shape)
            v = view(lib, h, dtype)
            v[...] = expected
            path = lib.path(h).decode()
            for loaded in (np.load(path, mmap_mode="r"), np.load(path)):
                assert loaded.dtype == dtype
                assert loaded.shape == shape
                if len(shape) > 1 and loaded.size > 1:
                    assert loaded.flags.f_contiguous == (order == "F")
                assert loaded.tobytes() == expected.tobytes()
        finally:
            assert lib.close(h) == 0
            assert lib.remove(name.encode(), None) == 0


@pytest.mark.parametrize("descr", DTYPES, ids=str)
@pytest.mark.parametrize("order", ["C", "F"])
def test_numpy_writes_library_attaches(lib, shm_dir, unique, descr, order):
    dtype = np.dtype(descr)
    for shape in SHAPES:
        expected = np.asarray(sample(dtype, shape, seed=1), order=order)
        path = shm_dir / (unique("np") + ".npy")
        np.save(path, expected)
        h = lib.attach(f"file://{path}".encode(), None)
        assert h, lib.error()
        try:
            assert lib.dtype(h) == descr_of(dtype)
            assert lib.ndim(h) == len(shape)
            assert lib.order(h) == (1 if (order == "F" and len(shape) > 1 and expected.size > 1
                                          and not expected.flags.c_contiguous) else 0)
            got = view(lib, h, dtype)
            assert got.tobytes(order="A") == expected.tobytes(order="A")
            np.testing.assert_array_equal(got, expected)
        finally:
            lib.close(h)
            path.unlink()


def test_header_pads_data_to_4096(lib, shm_dir, unique):
    name = unique("pad")
    shape = (ctypes.c_int64 * 1)(5)
    h = lib.create(name.encode(), b"<f8", 1, shape, 0, None)
    assert h, lib.error()
    path = lib.path(h).decode()
    with open(path, "rb") as f:
        version = npf.read_magic(f)
        assert version == (1, 0)
        shape_, fortran, dtype = npf.read_array_header_1_0(f)
        assert f.tell() == 4096 == lib.data_offset(h)
    assert (shape_, fortran, dtype) == ((5,), False, np.dtype("<f8"))
    lib.close(h)
    lib.remove(name.encode(), None)


@pytest.mark.parametrize("version", [(1, 0), (2, 0), (3, 0)])
@pytest.mark.parametrize("nfields", [1, 400])  # 400 fields: a header longer than a page
def test_numpy_header_versions_and_long_headers(lib, shm_dir, unique, version, nfields):
    dtype = np.dtype([(f"field_{i}", "<f4") for i in range(nfields)])
    expected = sample(dtype, (3,), seed=2)
    path = shm_dir / (unique("v") + ".npy")
    with open(path, "wb") as f:
        npf.write_array(f, expected, version=version)
    h = lib.attach(f"file://{path}".encode(), None)
    assert h, lib.error()
    try:
        assert lib.data_offset(h) == path.stat().st_size - expected.nbytes
        assert view(lib, h, dtype).tobytes() == expected.tobytes()
    finally:
        lib.close(h)
        path.unlink()


@pytest.mark.parametrize("field, version", [("été", (1, 0)), ("日本", (3, 0))])
def test_non_ascii_field_names_round_trip_with_numpy(lib, shm_dir, unique, field, version):
    """v1/v2 headers are latin-1, v3 UTF-8, both ways (numpy.save -> attach,
    create -> numpy.load), so 'été' is written as numpy writes it."""
    dtype = np.dtype([(field, "<f8"), ("n", "<i4")])
    expected = sample(dtype, (4,), seed=3)
    path = shm_dir / (unique("np") + ".npy")
    np.save(path, expected)
    h = lib.attach(f"file://{path}".encode(), None)
    assert h, lib.error()
    try:
        assert lib.dtype(h).decode() == f"[('{field}', '<f8'), ('n', '<i4')]"
        assert view(lib, h, dtype).tobytes() == expected.tobytes()
    finally:
        lib.close(h)
    name = unique("w")
    shape = (ctypes.c_int64 * 1)(4)
    h = lib.create(name.encode(), repr(npf.dtype_to_descr(dtype)).encode(), 1, shape, 0, None)
    assert h, lib.error()
    try:
        view(lib, h, dtype)[...] = expected
        with open(lib.path(h).decode(), "rb") as f:
            assert npf.read_magic(f) == version
        loaded = np.load(lib.path(h).decode())
        assert loaded.dtype == dtype
        assert loaded.tobytes() == expected.tobytes()
    finally:
        lib.close(h)
        lib.remove(name.encode(), None)


def test_duplicate_field_names_refused(lib, unique):
    shape = (ctypes.c_int64 * 1)(2)
    assert not lib.create(unique("d").encode(), b"[('a', '<f8'), ('a', '<i4')]", 1, shape, 0, None)
    assert "duplicate field name" in lib.error()
