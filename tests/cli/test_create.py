"""npshm create: dtypes, shapes, orders, fill values and their errors."""
import os
import stat

import numpy as np
import pytest


def load(shm, name):
    return np.load(shm.path(name))


@pytest.mark.parametrize("dtype,fill,expected", [
    ("f8", "1.5", 1.5),
    ("<f4", "-2.25", -2.25),
    (">f8", "3.5", 3.5),
    ("f2", "0.1", np.float16(0.1)),
    ("f2", "65504", 65504.0),
    ("f2", "1e-7", np.float16(1e-7)),
    ("f8", "nan", np.nan),
    ("f4", "-inf", -np.inf),
    ("i1", "-128", -128),
    ("u1", "255", 255),
    (">i4", "-123456", -123456),
    ("<u8", "18446744073709551615", 2**64 - 1),
    ("i8", "-9223372036854775808", -2**63),
    ("u2", "0x1F", 31),
    ("b1", "true", True),
    ("b1", "0", False),
    ("c16", "1+2j", 1 + 2j),
    (">c8", "(-0.5-1.25j)", -0.5 - 1.25j),
    ("c16", "3", 3 + 0j),
    ("c16", "-2j", complex("-2j")),  # +0 real part, as Python parses it
    ("c8", "1e+2-3e-1j", 100 - 0.3j),
    ("f16", "0.1", np.longdouble("0.1")),
    ("M8[s]", "86400", np.datetime64(86400, "s")),
    ("m8[ns]", "NaT", np.timedelta64("NaT", "ns")),
])
def test_fill_matches_numpy(shm, dtype, fill, expected):
    shm.ok("create", "a", "--shape", "3,2", "--dtype", dtype, "--fill", fill)
    array = load(shm, "a")
    assert array.dtype == np.dtype(dtype)
    assert array.shape == (3, 2)
    want = np.full((3, 2), expected, dtype=np.dtype(dtype))
    np.testing.assert_array_equal(array, want)
    if np.dtype(dtype).kind != "f" or np.dtype(dtype).itemsize < 16:  # x87 padding varies
        assert array.tobytes() == want.tobytes()  # the same bytes, byte order included


def test_zero_fill_order_mode_and_output(shm):
    result = shm.ok("create", "m", "--shape", "(4, 5)", "--dtype", "i2", "--order", "F",
                    "--mode", "0640")
    assert result.stdout == "created shm://m: <i2 (4, 5) F, 40 B, persistent\n"
    array = load(shm, "m")
    assert array.flags.f_contiguous and not array.flags.c_contiguous
    assert (array == 0).all() and array.shape == (4, 5)
    assert stat.S_IMODE(os.stat(shm.path("m")).st_mode) == 0o640


@pytest.mark.parametrize("shape,expected", [("", ()), ("()", ()), ("7", (7,)), ("7,", (7,)),
                                            ("0,3", (0, 3)), ("2, 3 ,4", (2, 3, 4))])
def test_shapes(shm, shape, expected):
    shm.ok("create", "s", "--shape", shape, "--dtype", "u1")
    assert load(shm, "s").shape == expected


def test_structured_and_string_dtypes(shm):
    descr = "[('x', '<f4'), ('id', '>i8', (3,))]"
    shm.ok("create", "rec", "--shape", "5", "--dtype", descr)
    array = load(shm, "rec")
    assert array.dtype == np.dtype([("x", "<f4"), ("id", ">i8", (3,))])
    shm.ok("create", "txt", "--shape", "2", "--dtype", "<U10")
    assert load(shm, "txt").dtype == np.dtype("<U10")


@pytest.mark.parametrize("shape", ["-1", "1,,2", "a", "1.5", "(2,3", "1,2,-3", "2x3,4", "2xx3",
                                   "99999999999999999999", ",".join(["1"] * 65)])
def test_bad_shape(shm, shape):
    result = shm.run("create", "x", "--shape", shape, "--dtype", "f8")
    assert result.returncode == 2
    assert "bad shape" in result.stderr
    assert shm.names() == []


@pytest.mark.parametrize("dtype", ["f3", "O", "q8", "", "[('x',)]", "<U0"])
def test_bad_dtype(shm, dtype):
    result = shm.run("create", "x", "--shape", "3", "--dtype", dtype)
    assert result.returncode == 2, result
    assert result.stderr.startswith("npshm: create shm://x")
    assert "dtype" in result.stderr
    assert shm.names() == []


@pytest.mark.parametrize("dtype,fill,why", [
    ("u1", "256", "out of range"),
    ("i1", "-129", "out of range"),
    ("u4", "-1", "out of range"),
    ("i8", "9223372036854775808", "out of range"),
    ("i4", "1.5", "not an integer"),
    ("i4", "", "not an integer"),
    ("f4", "1e39", "does not fit"),
    ("f2", "65520", "does not fit"),
    ("f8", "1e999", "does not fit"),
    ("f8", "1+2j", "not a number"),
    ("f8", "abc", "not a number"),
    ("b1", "2", "not a bool"),
    ("c8", "1+2k", "not a number"),
    ("S3", "ab", "not supported"),
    ("[('x', '<f4')]", "1", "structured"),
])
def test_fill_rejected(shm, dtype, fill, why):
    result = shm.run("create", "x", "--shape", "3", "--dtype", dtype, "--fill", fill)
    assert result.returncode == 2, result
    assert why in result.stderr
    assert shm.names() == []


@pytest.mark.parametrize("option,value", [("--order", "X"), ("--lifetime", "forever"),
                                          ("--mode", "999"), ("--mode", "01000")])
def test_bad_option_values(shm, option, value):
    result = shm.run("create", "x", "--shape", "3", "--dtype", "f8", option, value)
    assert result.returncode == 2
    assert option in result.stderr
    assert shm.names() == []


def test_existing_name(shm):
    shm.ok("create", "x", "--shape", "3", "--dtype", "f8", "--fill", "7")
    result = shm.run("create", "x", "--shape", "9", "--dtype", "u1")
    assert result.returncode == 4
    assert result.stderr == ("npshm: create shm://x: an array of that name exists "
                             "(to replace it, remove it first: npshm rm x)\n")
    assert (load(shm, "x") == 7).all()  # untouched


@pytest.mark.parametrize("name", [".hidden", "a/b", "x" * 201])
def test_invalid_name(shm, name):
    result = shm.run("create", name, "--shape", "3", "--dtype", "f8")
    assert result.returncode == 2
    assert "invalid name" in result.stderr
    assert shm.names() == []


def test_owner_and_last_lifetimes_outlive_the_command(shm):
    for lifetime in ("owner", "last"):
        result = shm.ok("create", lifetime, "--shape", "3", "--dtype", "f8", "--lifetime", lifetime)
        assert "note:" in result.stderr
    assert shm.names() == ["last", "owner"]
    output = shm.ok("gc").stdout
    assert "removed owner" in output and "removed last" in output
    assert shm.names() == []


@pytest.mark.parametrize("name", [
    "bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
    "float16", "float32", "float64", "float128", "complex64", "complex128", "complex256",
    "double", "single", "half", "intc", "longdouble", "int", "float", "complex",
    "datetime64[ns]", "datetime64[D]", "timedelta64[s]", "timedelta64[ms]",
])
def test_numpy_dtype_names(shm, name):
    shm.ok("create", "n", "--shape", "2", "--dtype", name)
    assert load(shm, "n").dtype == np.dtype(name)


def test_numpy_dtype_name_with_fill(shm):
    shm.ok("create", "n", "--shape", "3", "--dtype", "uint16", "--fill", "513")
    assert (load(shm, "n") == np.full(3, 513, dtype=np.uint16)).all()


@pytest.mark.parametrize("dtype", ["float65", "object", "str", "datetime64[xx]",
                                   "float64[ns]", "int33"])
def test_unknown_dtype_names(shm, dtype):
    result = shm.run("create", "x", "--shape", "3", "--dtype", dtype)
    assert result.returncode == 2, result
    assert f"dtype '{dtype}'" in result.stderr
    assert "float64" in result.stderr or "datetime64[ns]" in result.stderr  # says what is accepted
    assert "item size" not in result.stderr
    assert shm.names() == []


@pytest.mark.parametrize("shape,expected", [("1000x1000", (1000, 1000)), ("2x3x4", (2, 3, 4)),
                                            ("7", (7,)), ("0x3", (0, 3))])
def test_shapes_as_ls_shows_them(shm, shape, expected):
    shm.ok("create", "s", "--shape", shape, "--dtype", "u1")
    assert load(shm, "s").shape == expected
    shown = shm.ok("ls", "--no-header").stdout.split()[2]
    assert shown == "x".join(map(str, expected))


def test_create_json(shm):
    data = shm.json("create", "j", "--shape", "2x3", "--dtype", "float32", "--mode", "0640")
    assert data["name"] == "j" and data["uri"] == "shm://j" and data["path"] == shm.path("j")
    assert data["dtype"] == "<f4" and data["shape"] == [2, 3] and data["mode"] == "0640"
    assert data["nbytes"] == 24 and data["lifetime"] == "persistent"
    assert int(data["id"], 16) != 0
