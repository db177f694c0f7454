"""Every dtype NPY stores without pickling, every layout: exact round trip,
and numpy.load of the segment file agrees."""

import os

import numpy as np
import pytest

import npshm

rng = np.random.default_rng(7)

DTYPES = [
    "?", "i1", "u1", "<i2", ">i2", "<u2", ">u4", "<i8", ">u8",
    "<f2", ">f2", "<f4", ">f8", "<c8", ">c16", "<f8",
    "<M8[ns]", ">M8[D]", "<m8[10s]", "<m8[us]",
    "S1", "S7", "<U3", ">U5", "V4",
    [("a", "<i4"), ("b", ">f8", (2,))],
    [("x", "u1"), ("name", "S4"), ("nested", [("p", "<f4"), ("q", ">i2")])],
    # gaps before, between and after the fields: numpy.save writes one
    # padding field named '' per gap
    np.dtype({"names": ["a", "b"], "formats": ["<i4", "<f8"], "offsets": [4, 16],
              "itemsize": 32}),
]


def sample(dtype, shape):
    dtype = np.dtype(dtype)
    raw = rng.integers(0, 256, size=int(np.prod(shape)) * dtype.itemsize,
                       dtype=np.uint8)
    out = raw.view(dtype).reshape(shape)
    if dtype.kind == "b":
        out = raw[: out.size].astype(bool).reshape(shape)
    if dtype.kind == "U":
        out = np.array([["ab", "xyz", "é"][i % 3] for i in range(out.size)],
                       dtype=dtype).reshape(shape)
    return out


def same_bytes(a, b):
    return (a.dtype == b.dtype and a.shape == b.shape
            and np.ascontiguousarray(a).tobytes()
            == np.ascontiguousarray(b).tobytes())


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("order", ["C", "F"])
def test_round_trip(names, dtype, order):
    source = sample(dtype, (3, 4))
    if order == "F":
        source = np.asfortranarray(source)
    n = names()
    a = npshm.from_array(n, source)
    assert same_bytes(a, source)
    assert a.flags.f_contiguous == (order == "F")
    b = npshm.attach(n, dtype=source.dtype, shape=source.shape)
    assert same_bytes(b, source)
    on_disk = np.load(npshm.handle(b).path, mmap_mode="r")
    assert same_bytes(np.asarray(on_disk), source)
    assert on_disk.flags.f_contiguous == (order == "F")
    del on_disk


@pytest.mark.parametrize("shape", [(), (0,), (3, 0, 2), (1,), (2, 1, 1, 3)])
def test_zero_d_and_empty(names, shape):
    source = np.arange(int(np.prod(shape)), dtype="<i4").reshape(shape)
    n = names()
    a = npshm.from_array(n, source)
    assert a.shape == shape and same_bytes(a, source)
    b = npshm.attach(n)
    assert b.shape == shape and same_bytes(b, source)
    assert same_bytes(np.load(npshm.handle(b).path), source)


def test_numpy_saved_file_attaches(tmp_path):
    source = np.asfortranarray(sample(">c8", (5, 6)))
    path = tmp_path / "x.npy"
    np.save(path, source)
    a = npshm.attach("file://" + str(path), readonly=True)
    assert same_bytes(a, source) and not a.flags.writeable


def test_many_dimensions(name):
    shape = (1,) * 31 + (2,)
    a = npshm.create(name, shape, "u2", fill=3)
    assert a.shape == shape and a.sum() == 6
    assert npshm.attach(name).shape == shape
    assert os.path.getsize(npshm.handle(a).path) >= 4096


# What a descr means is the library's answer (npshm_dtype_info_*): the
# numpy.dtype built from it is numpy's own reading of the same descr.
PADDED = np.dtype([("a", "u1"), ("b", "<f8")], align=True)   # 7 bytes padding
TITLED = np.dtype({"names": ["x", "y"], "formats": ["<i2", ">f4"],
                   "titles": ["the x", None], "offsets": [0, 4],
                   "itemsize": 8})


@pytest.mark.parametrize("dtype", DTYPES + [PADDED, TITLED, "<M8", "|b1",
                                            [("m", "<f8", (2, 3))]], ids=str)
def test_dtype_of_a_descr_is_numpys_reading(dtype):
    from numpy.lib import format as npy_format
    from npshm._dtypes import descr_of, dtype_of
    descr = descr_of(dtype)
    expected = npy_format.descr_to_dtype(npy_format.dtype_to_descr(
        np.dtype(dtype)))
    got = dtype_of(descr)
    assert got == expected and got.itemsize == expected.itemsize
    assert got.descr == expected.descr


def test_dtype_description_comes_from_the_library():
    """The library describes a descr; Python reads fields from it."""
    from npshm import _npshm
    assert _npshm.dtype_description("f8") == ("<f8", "f", 8, "<", "", None)
    assert _npshm.dtype_description("<m8[10s]")[1:5] == ("m", 8, "<", "10s")
    described = _npshm.dtype_description(repr(PADDED.descr))
    assert described[1:3] == ("V", 16)
    names = [f[0] for f in described[5]]
    offsets = [f[2] for f in described[5]]
    assert names == ["a", "", "b"] and offsets == [0, 1, 8]
    with pytest.raises(npshm.errors.InvalidError, match="dtype"):
        _npshm.dtype_description("<q9")
