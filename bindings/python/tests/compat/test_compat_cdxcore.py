"""npshm.compat.cdxcore against cdxcore.npshm: the documented two-process
example with only the import line changed, cdxcore's own test flow, and
every documented argument and error."""

import gc
import os
import pathlib

import numpy as np
import pytest

import npshm
from npshm.compat.cdxcore import (ALIGN, attach_shared_array,
                                  create_shared_array, delete_shared_array,
                                  is_shared_array, read_shared_array)

SHM_DIR = os.environ.get("NPSHM_DIR") or "/dev/shm"

# The example of cdxcore.npshm's documentation, process by process.  The
# published process-2 snippet imports only create_shared_array but calls
# attach_shared_array; the import line is the one line we change anyway.
PROCESS_1 = '''
from cdxcore.npshm import create_shared_array
import numpy as np

test_name = "Test2121"
test = create_shared_array( test_name, shape=(10,3), dtype=np.int32, force=True, full=0 )
test[:,1] = 1
'''
PROCESS_2 = '''
from cdxcore.npshm import create_shared_array
import numpy as np

test_name = "Test2121"
test = attach_shared_array( test_name, validate_shape=(10,3), validate_dtype=np.int32 )
assert np.all( test[:,1] == 1)
test[:,2] = 2
'''
BACK_IN_PROCESS_1 = '''
assert np.all( test[:,2] == 2)
'''

IMPORT_BEFORE = "from cdxcore.npshm import create_shared_array"
IMPORT_AFTER = ("from npshm.compat.cdxcore import create_shared_array, "
                "attach_shared_array")


def migrated(code, name):
    assert code.count(IMPORT_BEFORE) <= 1
    return code.replace(IMPORT_BEFORE, IMPORT_AFTER).replace(
        '"Test2121"', repr(name))


def test_documented_example_across_processes(run, name):
    namespace = {}
    exec(migrated(PROCESS_1, name), namespace)
    run(migrated(PROCESS_2, name))
    exec(BACK_IN_PROCESS_1, namespace)
    assert namespace["test"][:, 0].tolist() == [0] * 10
    # force=True replaces an existing array of that name
    exec(migrated(PROCESS_1, name), namespace)
    assert namespace["test"][:, 2].tolist() == [0] * 10


def test_cdxcore_test_flow(name, tmp_path):
    """The steps of cdxcore's own test_npi, with .npy files."""
    test = create_shared_array(name, shape=(10, 3), dtype=np.int32,
                               force=False, full=0)
    with pytest.raises(FileExistsError):
        create_shared_array(name, shape=(11, 3), dtype=np.int32, force=False)
    verf = attach_shared_array(name, validate_dtype=test.dtype,
                               validate_shape=test.shape, read_only=True)
    assert np.all(verf == test)
    test[:4, 2] = 1
    assert np.all(verf == test)
    with pytest.raises(FileNotFoundError):
        attach_shared_array(name + "xxx")
    delete_shared_array(name)
    assert np.all(verf == test)       # existing links still work
    test[:4, 1] = 2
    assert np.all(verf == test)
    with pytest.raises(FileNotFoundError):
        attach_shared_array(name, read_only=True)
    del test, verf
    gc.collect()

    array = (np.random.default_rng(1231).normal(size=(1000, 3)) * 100.
             ).astype(np.int32)
    file = tmp_path / "test_read_shared.npy"
    np.save(file, array)
    loaded = read_shared_array(str(file), name=name)
    assert np.all(loaded == array)


def test_create_returns_none_when_asked(name):
    create_shared_array(name, (2,), "f8")
    assert create_shared_array(name, (2,), "f8", raise_on_error=False) is None


def test_attach_returns_none_when_asked(name):
    assert attach_shared_array(name, raise_on_error=False) is None


def test_validation_always_raises_value_error(name):
    create_shared_array(name, (15, 10), np.int32)
    assert attach_shared_array(name, validate_shape=(15, 10)).shape == (15, 10)
    for kwargs in ({"validate_shape": (10, 15)},
                   {"validate_dtype": np.float32},
                   {"validate_shape": (15, 10), "validate_dtype": "i8"}):
        with pytest.raises(ValueError, match=name):
            attach_shared_array(name, **kwargs)
        with pytest.raises(ValueError):
            attach_shared_array(name, raise_on_error=False, **kwargs)


def test_full(names):
    assert create_shared_array(names(), (3, 2), "i4").tolist() == [[0] * 2] * 3
    assert np.all(create_shared_array(names(), (10, 20, 5), np.int32,
                                      full=-1) == -1)
    row = np.array([1.5, 2.5])
    filled = create_shared_array(names(), (3, 2), "f8", full=row)
    assert filled.tolist() == [[1.5, 2.5]] * 3
    with pytest.raises(ValueError):
        create_shared_array(names(), (3, 2), "f8", full=np.ones(3))


def test_failed_full_leaves_nothing(name):
    with pytest.raises(ValueError):
        create_shared_array(name, (3, 2), "f8", full=np.ones((4, 4)))
    assert not npshm.exists(name)


def test_force_replaces_existing_array(name):
    old = create_shared_array(name, (4,), "i8", full=7)
    new = create_shared_array(name, (2, 2), "f4", force=True, full=1)
    assert old.tolist() == [7] * 4            # old views keep their data
    assert new.shape == (2, 2) and new.dtype == np.float32
    assert attach_shared_array(name).tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_force_never_deletes_a_foreign_file(name):
    path = os.path.join(SHM_DIR, name)
    with open(path, "wb") as f:
        f.write(b"not an array")
    try:
        with pytest.raises(ValueError):
            create_shared_array(name, (2,), "i4", force=True)
        with open(path, "rb") as f:
            assert f.read() == b"not an array"
        with pytest.raises(ValueError):
            delete_shared_array(name)
        assert delete_shared_array(name, raise_on_error=False) is False
        assert os.path.exists(path)
    finally:
        os.unlink(path)


def test_dtypes_and_shapes(names):
    for dtype in [np.float32, np.int32, np.uint32, np.float64, "M8[s]",
                  [("a", "<i4"), ("b", "<f8", (2,))]]:
        n = names()
        arr = create_shared_array(n, shape=(5, 5), dtype=dtype, force=True)
        assert arr.dtype == np.dtype(dtype)
        assert attach_shared_array(n, validate_dtype=dtype).dtype == dtype
    assert create_shared_array(names(), (), "f8", full=3.0)[()] == 3.0
    assert create_shared_array(names(), 7, "u1").shape == (7,)


def test_read_only(name):
    rw = create_shared_array(name, (5, 5), np.int32)
    rw[:] = 42
    ro = attach_shared_array(name, read_only=True)
    assert np.all(ro == 42) and not ro.flags.writeable
    with pytest.raises(ValueError):
        ro[0, 0] = 1
    rw[0, 0] = 99
    assert ro[0, 0] == 99


def test_unlink_on_create_goes_with_the_array(name):
    a = create_shared_array(name, (3,), "f8", unlink=True)
    assert npshm.exists(name)
    view = a[1:]
    del a
    gc.collect()
    assert npshm.exists(name)           # a view still holds it
    del view
    gc.collect()
    assert not npshm.exists(name)


def test_unlink_on_attach_goes_with_the_attached_array(name):
    a = create_shared_array(name, (3,), "f8")
    b = attach_shared_array(name, unlink=True)
    del b
    gc.collect()
    assert not npshm.exists(name)
    a[0] = 1.0                          # the creator's view stays valid
    assert a[0] == 1.0


def test_unlink_on_attach_spares_a_recreated_name(name):
    create_shared_array(name, (3,), "f8")
    b = attach_shared_array(name, unlink=True)
    delete_shared_array(name)
    create_shared_array(name, (4,), "f8")
    del b
    gc.collect()
    assert attach_shared_array(name).shape == (4,)


def test_track_gives_the_last_lifetime(names):
    tracked = create_shared_array(names(), (3,), "f8", track=True)
    assert npshm.handle(tracked).lifetime == "last"
    plain = create_shared_array(names(), (3,), "f8", track=False)
    assert npshm.handle(plain).lifetime == "persistent"
    default = create_shared_array(names(), (3,), "f8")
    assert npshm.handle(default).lifetime == "persistent"
    n = names()
    create_shared_array(n, (3,), "f8")
    assert attach_shared_array(n, track=True).shape == (3,)


def test_verbose_reports(names):
    class Context:
        def __init__(self):
            self.lines = []

        def write(self, message):
            self.lines.append(message)

    verbose = Context()
    n = names()
    create_shared_array(n, (2,), "f8", verbose=verbose)
    attach_shared_array(n, verbose=verbose)
    delete_shared_array(n, verbose=verbose)
    assert len(verbose.lines) == 3
    assert all(n in line for line in verbose.lines)
    heard = []
    create_shared_array(names(), (2,), "f8", verbose=heard.append)
    assert len(heard) == 1


def test_delete_shared_array(name):
    assert delete_shared_array(name) is True        # nothing there: free
    create_shared_array(name, (2,), "f8")
    assert delete_shared_array(name) is True
    assert not npshm.exists(name)
    assert delete_shared_array(name, False) is True


def test_is_shared_array(name):
    a = create_shared_array(name, (4, 4), "f8")
    assert is_shared_array(a)
    assert is_shared_array(a[1:, ::2])
    assert is_shared_array(attach_shared_array(name).T)
    assert not is_shared_array(a.copy())
    assert not is_shared_array(a + 1)
    assert not is_shared_array(np.zeros(3))
    assert not is_shared_array([1, 2])
    assert not is_shared_array(None)


def test_align(name):
    a = create_shared_array(name, (3,), "u1")
    assert ALIGN % 64 == 0
    assert a.ctypes.data % ALIGN == 0


def test_leading_slash_names(name):
    a = create_shared_array("/" + name, (2,), "i4", full=5)
    assert attach_shared_array(name).tolist() == [5, 5]
    assert attach_shared_array("/" + name).tolist() == [5, 5]
    assert npshm.handle(a).name == f"shm://{name}"


@pytest.fixture
def npy_file(tmp_path):
    array = np.arange(24, dtype="<i4").reshape(4, 6)
    path = tmp_path / "array.npy"
    np.save(path, array)
    return path, array


def test_read_shared_array_sources(names, npy_file):
    path, array = npy_file
    assert np.all(read_shared_array(str(path), names()) == array)
    assert np.all(read_shared_array(pathlib.Path(path), names()) == array)
    with open(path, "rb") as f:
        assert np.all(read_shared_array(f, names()) == array)
        assert np.all(read_shared_array(f.fileno(), names()) == array)
    with pytest.raises(TypeError):
        read_shared_array(3.5, names())


def test_read_shared_array_status_and_existing(name, npy_file):
    path, array = npy_file
    first, attached = read_shared_array(path, name, return_status=True)
    assert attached is False and np.all(first == array)
    first[0, 0] = -1
    again, attached = read_shared_array(path, name, return_status=True)
    assert attached is True and again[0, 0] == -1     # the existing array
    with pytest.raises(FileExistsError):
        read_shared_array(path, name, accept_existing=False)
    assert read_shared_array(path, name, accept_existing=False,
                             raise_on_error=False) is None


def test_read_shared_array_existing_must_match_the_file(name, npy_file):
    path, _ = npy_file
    create_shared_array(name, (3,), "f8")
    with pytest.raises(ValueError):
        read_shared_array(path, name)
    # with both validations given, the file is not even opened
    assert read_shared_array("/nonexistent.npy", name, validate_shape=(3,),
                             validate_dtype="f8").shape == (3,)


def test_read_shared_array_validation(names, npy_file):
    path, _ = npy_file
    with pytest.raises(ValueError, match="shape"):
        read_shared_array(path, names(), validate_shape=(6, 4))
    with pytest.raises(ValueError, match="dtype"):
        read_shared_array(path, names(), validate_dtype="f8")
    n = names()
    ok = read_shared_array(path, n, validate_shape=(4, 6),
                           validate_dtype=np.int32, accept_existing=False)
    assert ok.shape == (4, 6)


def test_read_shared_array_read_only(name, npy_file):
    path, array = npy_file
    ro = read_shared_array(path, name, read_only=True)
    assert not ro.flags.writeable and np.all(ro == array)
    again = read_shared_array(path, name, read_only=True)
    assert not again.flags.writeable


def test_read_shared_array_bad_files(names, tmp_path):
    with pytest.raises(FileNotFoundError):
        read_shared_array(tmp_path / "missing.npy", names())
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00" * 100)
    n = names()
    with pytest.raises(ValueError, match="not a .npy file"):
        read_shared_array(junk, n)
    assert not npshm.exists(n)
    fortran = tmp_path / "f.npy"
    np.save(fortran, np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    kept = read_shared_array(fortran, names())
    assert kept.flags.f_contiguous and kept.tolist() == [[0, 1, 2], [3, 4, 5]]


# cdxcore.npio.to_file's layout, written here byte by byte: a 4-byte
# big-endian total header length, a 1-byte dtype code, a 3-byte big-endian
# ndim, 8-byte big-endian dimensions, then the data in C order (native).
CDX_CODES = ["bool", "int8", "int16", "int32", "int64", "uint16", "uint32",
             "uint64", "float16", "float32", "float64", "complex64",
             "complex128", "datetime64", "timedelta64"]


def cdx_bytes(array, code=None, ndim=None, total=None):
    array = np.array(array, order="C")  # (ascontiguousarray makes 0-d 1-d)
    if code is None:
        code = CDX_CODES.index(array.dtype.name.split("[")[0])
    ndim = array.ndim if ndim is None else ndim
    header = (int(8 + 8 * ndim if total is None else total).to_bytes(4, "big")
              + bytes([code]) + ndim.to_bytes(3, "big")
              + b"".join(int(d).to_bytes(8, "big") for d in array.shape))
    return header + array.tobytes()


def cdx_sample(code, shape):
    dtype = np.dtype(CDX_CODES[code])
    n = int(np.prod(shape))
    if dtype.kind == "b":
        flat = np.arange(n) % 3 == 0
    elif dtype.kind in "Mm":
        flat = np.arange(n).astype(np.int64).view(dtype)
    else:
        flat = (np.arange(n) % 100).astype(dtype)
    return flat.reshape(shape)


@pytest.mark.parametrize("code", range(15), ids=CDX_CODES)
def test_read_cdxcore_file_every_dtype_code(names, tmp_path, code):
    for shape in [(3, 4), (5,), (), (2, 3, 2, 1), (0,), (4, 0, 2)]:
        source = cdx_sample(code, shape)
        path = tmp_path / f"a{code}.bin"
        path.write_bytes(cdx_bytes(source, code=code))
        got = read_shared_array(str(path), names())
        assert got.dtype == np.dtype(CDX_CODES[code])
        assert got.shape == shape and got.flags.c_contiguous
        assert got.tobytes() == source.tobytes()
        assert is_shared_array(got)


def test_read_cdxcore_file_sources_and_existing(names, tmp_path):
    source = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    path = tmp_path / "x.bin"
    path.write_bytes(cdx_bytes(source))
    with open(path, "rb") as f:
        assert np.array_equal(read_shared_array(f, names()), source)
        assert np.array_equal(read_shared_array(f.fileno(), names()), source)
    n = names()
    first, attached = read_shared_array(pathlib.Path(path), n,
                                        return_status=True)
    assert not attached
    first[0, 0, 0] = -5
    again, attached = read_shared_array(path, n, return_status=True)
    assert attached and again[0, 0, 0] == -5
    with pytest.raises(ValueError, match="shape"):
        read_shared_array(path, names(), validate_shape=(24,))
    ro = read_shared_array(path, names(), read_only=True)
    assert not ro.flags.writeable


def test_read_cdxcore_file_large_ndim(names, tmp_path):
    source = np.arange(2 ** 5, dtype=np.float64).reshape((2,) * 5 + (1,) * 20)
    path = tmp_path / "deep.bin"
    path.write_bytes(cdx_bytes(source))
    assert np.array_equal(read_shared_array(path, names()), source)


def bad_cdx_files():
    good = cdx_bytes(np.arange(6, dtype=np.float64).reshape(2, 3))
    return {
        # truncated: cdxcore raises EOFError
        "empty": (b"", EOFError, "truncated"),
        "short-fixed-header": (good[:6], EOFError, "truncated"),
        "short-dims": (good[:20], EOFError, "truncated"),
        "short-data": (good[:-1], EOFError, "needs 48 bytes of data"),
        "huge-shape": (cdx_bytes(np.zeros((1, 1)))[:8]
                       + (2 ** 62).to_bytes(8, "big") * 2, EOFError,
                       "truncated"),
        # inconsistent: cdxcore raises ValueError
        "dtype-code-15": (good[:4] + bytes([15]) + good[5:], ValueError,
                          "unknown dtype code 15"),
        "dtype-code-255": (good[:4] + bytes([255]) + good[5:], ValueError,
                           "unknown dtype code 255"),
        "length-vs-ndim": (cdx_bytes(np.zeros((2, 3)), total=16),
                           ValueError, "does not match 2 dimensions"),
        "ndim-over-numpy": (cdx_bytes(np.zeros(1), ndim=40, total=8 + 320)
                            + b"\0" * 400, ValueError, "at most 32"),
    }


@pytest.mark.parametrize("case", sorted(bad_cdx_files()))
def test_bad_cdxcore_files_leave_nothing(names, tmp_path, private_shm_dir,
                                         case):
    data, exception, message = bad_cdx_files()[case]
    path = tmp_path / "bad.bin"
    path.write_bytes(data)
    n = names()
    with pytest.raises(exception, match=message):
        read_shared_array(path, n)
    assert not npshm.exists(n)
    assert os.listdir(private_shm_dir) == []


def test_cdxcore_file_shrinking_while_read_leaves_nothing(
        names, tmp_path, private_shm_dir, monkeypatch):
    """The file passes the size check, then loses its data before it is
    read (another process truncating it): EOFError, and the new array is
    gone."""
    import npshm.compat.cdxcore as cdx
    path = tmp_path / "x.bin"
    path.write_bytes(cdx_bytes(np.arange(1000, dtype=np.int64)))
    checked = cdx._cdx_header

    def check_then_truncate(fd, what):
        header = checked(fd, what)
        os.truncate(path, header.offset + 100)
        return header
    monkeypatch.setattr(cdx, "_cdx_header", check_then_truncate)
    n = names()
    with pytest.raises(EOFError, match="read 100 of 8000 bytes"):
        read_shared_array(path, n)
    assert not npshm.exists(n)
    assert os.listdir(private_shm_dir) == []
