"""npshm.compat.sharedarray against SharedArray 3.x: its README example with
only the import line changed, and every documented function and error."""

import os

import numpy as np
import pytest

import npshm
import npshm.compat.sharedarray as sa

# SharedArray's README example, as published (only the array name "test" is
# made unique per run by the test below).
README_EXAMPLE = '''
import numpy as np
import SharedArray as sa

# Create an array in shared memory.
a = sa.create("shm://test", 10)

# Attach it as a different array. This can be done from another
# python interpreter as long as it runs on the same computer.
b = sa.attach("shm://test")

# See how they are actually sharing the same memory.
a[0] = 42
print(b[0])

# Destroying a does not affect b.
del a
print(b[0])

# See how "test" is still present in shared memory even though we
# destroyed the array a. This method only works on Linux.
sa.list()

# Now destroy the array "test" from memory.
sa.delete("test")

# The array b is still there, but once you destroy it then the
# data is gone for real.
print(b[0])
'''

IMPORT_BEFORE = "import SharedArray as sa"
IMPORT_AFTER = "import npshm.compat.sharedarray as sa"


def migrated(example, name):
    assert example.count(IMPORT_BEFORE) == 1
    code = example.replace(IMPORT_BEFORE, IMPORT_AFTER)
    return code.replace('"shm://test"', f'"shm://{name}"').replace(
        'sa.delete("test")', f'sa.delete("{name}")')


def test_readme_example_gives_the_same_output(run, name):
    proc = run(migrated(README_EXAMPLE, name))
    assert proc.stdout.split() == ["42.0", "42.0", "42.0"]
    assert not npshm.exists(name)


def test_readme_list_step_shows_the_array(name):
    a = sa.create(f"shm://{name}", 10)
    del a
    listed = {d.name: d for d in sa.list()}
    assert name.encode() in listed
    assert listed[name.encode()].dtype == np.float64
    assert listed[name.encode()].dims == (10,)


def test_attach_from_another_interpreter(run, name):
    a = sa.create(f"shm://{name}", (3, 4), np.int32)
    run(f"""
        import npshm.compat.sharedarray as sa
        b = sa.attach("shm://{name}")
        assert b.shape == (3, 4) and b.dtype == "int32"
        b[1] = [1, 2, 3, 4]
        """)
    assert a[1].tolist() == [1, 2, 3, 4]


def test_persists_after_del_and_interpreter_exit(run, name):
    run(f"""
        import npshm.compat.sharedarray as sa
        a = sa.create("{name}", 5, "i8")
        a[:] = range(5)
        del a
        """)
    b = sa.attach(name)
    assert b.tolist() == [0, 1, 2, 3, 4]


def test_create_is_zero_filled_like_numpy_zeros(names):
    for shape, dtype in [(10, float), ((2, 3), "u1"), ((), "c16"),
                         ((4, 0), "i4"), ((2, 2), [("x", "<f4"), ("n", "i2")])]:
        a = sa.create(names(), shape, dtype)
        expected = np.zeros(shape, dtype)
        assert a.shape == expected.shape and a.dtype == expected.dtype
        assert a.tobytes() == expected.tobytes()
        assert type(a) is np.ndarray


def test_default_dtype_is_float(name):
    assert sa.create(name, 3).dtype == np.float64


def test_create_taken_name_raises_file_exists(name):
    sa.create(name, 3)
    with pytest.raises(FileExistsError):
        sa.create(name, 3)
    with pytest.raises(FileExistsError):
        sa.create(f"shm://{name}", 4)


def test_missing_name_raises_file_not_found(name):
    with pytest.raises(FileNotFoundError, match=name):
        sa.attach(name)
    with pytest.raises(FileNotFoundError, match=name):
        sa.delete(f"shm://{name}")


def test_bad_arguments(name):
    with pytest.raises(ValueError):
        sa.create(name, 3, object)
    with pytest.raises(ValueError):
        sa.create(name, -1)
    with pytest.raises(ValueError):
        sa.create("bad/name", 3)
    with pytest.raises(TypeError):
        sa.create(42, 3)
    assert not npshm.exists(name)


def test_bytes_names_are_accepted(name):
    a = sa.create(name.encode(), 2)
    a[:] = 7
    assert sa.attach(f"shm://{name}".encode()).tolist() == [7.0, 7.0]
    sa.delete(name.encode())
    assert not npshm.exists(name)


def test_readonly_attach(name):
    sa.create(name, 4)
    r = sa.attach(name, ro=True)
    assert not r.flags.writeable
    with pytest.raises(ValueError):
        r[0] = 1
    assert sa.attach(name, ro=False).flags.writeable


def test_delete_keeps_attachments_valid(name):
    a = sa.create(name, 4)
    a[:] = 3
    sa.delete(name)
    assert not npshm.exists(name)
    assert a.tolist() == [3.0] * 4
    a[0] = 5
    assert a[0] == 5


def test_base_object(name):
    a = sa.create(f"shm://{name}", (4, 4), "f4")
    owner = a.base
    assert isinstance(owner, sa.MapOwner)
    assert owner.name == f"shm://{name}"
    assert owner.addr == a.ctypes.data
    assert owner.size == a.nbytes == 64
    assert a[1:].base is a  # numpy keeps views chained to the array
    assert sa.attach(name).base.name == name
    for flags in (sa.MS_SYNC, sa.MS_ASYNC, sa.MS_SYNC | sa.MS_INVALIDATE):
        owner.msync(flags)
    with pytest.raises(ValueError):
        owner.msync(0x100)
    owner.mlock()
    owner.munlock()


def test_msync_constants_are_the_system_values():
    # Linux <sys/mman.h>, as SharedArray exports them.
    assert (sa.MS_ASYNC, sa.MS_INVALIDATE, sa.MS_SYNC) == (1, 2, 4)


def test_array_stays_valid_after_base_references_go(name):
    a = sa.create(name, 1000, "i8")
    a[:] = np.arange(1000)
    view = a[10:20]
    del a
    sa.delete(name)
    assert view.tolist() == list(range(10, 20))


def test_file_backed_arrays(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = sa.create("file://relative.npy", (2, 3), "i2")
    a[:] = [[1, 2, 3], [4, 5, 6]]
    assert a.base.name == "file://relative.npy"
    absolute = str(tmp_path / "relative.npy")
    b = sa.attach("file://" + absolute)
    assert b.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert np.load(absolute).tolist() == b.tolist()  # a valid .npy file
    a.base.msync(sa.MS_SYNC)
    with pytest.raises(FileExistsError):
        sa.create("file://" + absolute, 3)
    sa.delete("file://relative.npy")
    assert not os.path.exists(absolute)
    with pytest.raises(ValueError):
        sa.create("file://", 3)


def test_list_items(names):
    first, second = names(), names()
    sa.create(first, (2, 5), "u2")
    sa.create(second, (), "f4")
    listed = {d.name: d for d in sa.list()}
    assert listed[first.encode()] == (first.encode(), np.dtype("u2"), (2, 5))
    item = listed[second.encode()]
    assert (item.name, item.dtype, item.dims) == (second.encode(),
                                                  np.dtype("f4"), ())
    # names are bytes (not all are UTF-8), sorted bytewise
    assert [d.name for d in sa.list()] == sorted(d.name for d in sa.list())


def test_padded_structured_dtype_is_kept(name):
    dtype = np.dtype([("flag", "u1"), ("xy", "<f8", (2,))], align=True)
    a = sa.create(name, 3, dtype)
    assert a.dtype == dtype
    a["xy"][1] = [1.5, 2.5]
    assert sa.attach(name)["xy"][1].tolist() == [1.5, 2.5]


def test_arrays_are_npshm_segments(name):
    a = sa.create(name, 6, "i4")
    assert npshm.handle(a).name == f"shm://{name}"
    assert npshm.handle(a[2:]).lifetime == "persistent"
    a[:] = 9
    assert npshm.attach(name).tolist() == [9] * 6
    assert np.load(os.path.join(os.environ.get("NPSHM_DIR") or "/dev/shm", name)).tolist() == [9] * 6
