"""create / attach / from_array / delete / exists / list / handles / errors."""

import errno
import os
import re

import numpy as np
import pytest

import npshm
from npshm import _npshm
from conftest import SHM_DIR


def test_create_attach_same_memory(name):
    a = npshm.create(name, (4, 5), "i4", fill=7)
    assert isinstance(a, npshm.SharedArray)
    assert a.shape == (4, 5) and a.dtype == np.dtype("i4")
    assert (a == 7).all()
    b = npshm.attach(name)
    a[1, 2] = -1
    assert b[1, 2] == -1
    assert os.path.exists(os.path.join(SHM_DIR, name))


def test_create_defaults_and_unique_name():
    a = npshm.create(None, 3)
    h = npshm.handle(a)
    try:
        assert a.dtype == np.float64 and a.shape == (3,) and (a == 0).all()
        # no name: nobody else knows it, so it goes with this process
        assert h.lifetime == "owner" and not h.readonly and h.creator
        assert npshm.exists(h.name)
        assert oct(os.stat(h.path).st_mode & 0o777) == oct(0o600)
    finally:
        npshm.delete(h.name)


def test_mode_and_fill_structured(name):
    dt = np.dtype([("a", "<i4"), ("b", "<f8", (2,))])
    a = npshm.create(name, 3, dt, fill=(5, (1.5, 2.5)), mode=0o640)
    assert oct(os.stat(npshm.handle(a).path).st_mode & 0o777) == oct(0o640)
    assert (a["a"] == 5).all() and (a["b"] == [1.5, 2.5]).all()


def test_exist_ok(name):
    a = npshm.create(name, (2, 3), "f4")
    a[0, 0] = 9
    b = npshm.create(name, (2, 3), "f4", exist_ok=True)
    assert b[0, 0] == 9
    with pytest.raises(FileExistsError, match=name):
        npshm.create(name, (2, 3), "f4")
    with pytest.raises(ValueError):
        npshm.create(name, (2, 4), "f4", exist_ok=True)


def test_attach_validation(name):
    npshm.create(name, (2, 3), "<f8")
    npshm.attach(name, dtype="f8", shape=(2, 3))
    with pytest.raises(ValueError, match=name):
        npshm.attach(name, dtype="i8")
    with pytest.raises(ValueError, match=name):
        npshm.attach(name, shape=(3, 2))


def test_readonly(name):
    npshm.create(name, 10, "u1")
    r = npshm.attach(name, readonly=True)
    assert not r.flags.writeable and npshm.handle(r).readonly
    with pytest.raises(ValueError):
        r[0] = 1
    with pytest.raises(ValueError):
        r.flags.writeable = True
    w = npshm.attach(name)
    w[0] = 3
    assert r[0] == 3


def test_readonly_mapping_is_protected(run, name):
    """Even bypassing numpy's flag, the memory itself is read-only."""
    npshm.create(name, 10, "u1")
    proc = run(f"""
        import ctypes, npshm
        r = npshm.attach({name!r}, readonly=True)
        ctypes.memset(r.ctypes.data, 1, 1)
        """, check=False)
    assert proc.returncode == -11  # SIGSEGV: the page is PROT_READ
    assert npshm.attach(name)[0] == 0


def test_from_array_layouts(names):
    base = np.arange(60, dtype=">i2").reshape(3, 4, 5)
    cases = {
        "c": base,
        "f": np.asfortranarray(base),
        "strided": base[:, ::2, 1:],
        "transposed": base.transpose(2, 0, 1),
        "reversed": base[::-1, :, ::-1],
    }
    for label, source in cases.items():
        a = npshm.from_array(names(), source)
        assert a.dtype == source.dtype and (a == source).all(), label
        if label == "f":
            assert a.flags.f_contiguous and not a.flags.c_contiguous
            assert npshm.handle(a).order == "F"
        else:
            assert a.flags.c_contiguous


def test_from_array_failure_leaves_nothing(name):
    with pytest.raises(ValueError, match="object"):
        npshm.from_array(name, np.array([1, "x", None], dtype=object))
    assert not npshm.exists(name)


def test_list_and_delete(name):
    a = npshm.create(name, (2, 3), "f4", order="F", lifetime="last")
    records = {r.name: r for r in npshm.list()}
    rec = records["shm://" + name]
    assert rec.dtype == np.dtype("f4") and rec.shape == (2, 3)
    assert rec.order == "F" and rec.nbytes == 24 and rec.lifetime == "last"
    assert rec.holders >= 0 and rec.mtime > 0
    npshm.delete(name)
    assert not npshm.exists(name)
    with pytest.raises(FileNotFoundError, match=name):
        npshm.delete(name)


def test_handle_operations(name):
    a = npshm.create(name, 1000)
    h = npshm.handle(a[10:20])
    assert h.name == "shm://" + name and h.dtype == "<f8"
    h.msync()
    h.msync(npshm.MS_ASYNC)
    try:
        h.mlock()
        h.munlock()
    except MemoryError:
        pass  # RLIMIT_MEMLOCK may be small
    assert h.id != 0 and h.id == npshm.handle(npshm.attach(name)).id
    h.unlink()
    assert not npshm.exists(name)
    a[5] = 1.0  # the mapping stays valid after unlink
    b = npshm.create(name, 1000)  # the same name again: another array
    try:
        assert npshm.handle(b).id != h.id
    finally:
        npshm.delete(name)
    with pytest.raises(ValueError, match="not backed"):
        npshm.handle(np.zeros(3))


def test_managed_scope(names):
    n1, n2 = names(), names()
    with npshm.managed() as scope:
        a = scope.create(n1, 10)
        b = scope.from_array(n2, np.arange(5))
        assert npshm.exists(n1) and npshm.exists(n2)
        assert b.sum() == 10
    assert not npshm.exists(n1) and not npshm.exists(n2)
    a[0] = 1  # views outlive the scope safely
    # The scope closed its own handles only: a new one of a live view is open.
    assert not npshm.handle(a).closed


@pytest.mark.parametrize("bad", ["", "a/b", ".hidden", "x" * 201, "tab\tname"])
def test_bad_names(bad, private_shm_dir):
    with pytest.raises(ValueError):
        npshm.create(bad, 3)
    with pytest.raises((ValueError, FileNotFoundError)):
        npshm.attach(bad)
    assert os.listdir(private_shm_dir) == []


def test_bad_shapes_dtypes_options(name):
    with pytest.raises(ValueError):
        npshm.create(name, (3, -1))
    with pytest.raises(TypeError):
        npshm.create(name, (3, "x"))
    with pytest.raises(ValueError, match="32"):
        npshm.create(name, (1,) * 33)
    with pytest.raises(ValueError):
        npshm.create(name, 3, object)
    with pytest.raises(ValueError):
        npshm.create(name, 3, "not-a-dtype")
    with pytest.raises(ValueError, match="lifetime"):
        npshm.create(name, 3, lifetime="forever")
    # The choices a message names are the core's (npshm_order_name, ...).
    orders = sorted(filter(None, map(_npshm.order_name, range(_npshm.ORDER_COUNT))))
    lifetimes = sorted(filter(None, map(_npshm.lifetime_name, range(_npshm.LIFETIME_COUNT))))
    assert orders and lifetimes
    with pytest.raises(ValueError, match=re.escape(f"must be one of {lifetimes}, got 'forever'")):
        npshm.create(name, 3, lifetime="forever")
    with pytest.raises(ValueError, match=re.escape(f"order must be one of {orders}, got 'K'")):
        npshm.create(name, 3, order="K")
    with pytest.raises(ValueError):
        npshm.create(name, 3, "i4", fill=[1, 2])
    with pytest.raises(ValueError, match="overflow"):
        npshm.create(name, (2**62, 2**62))
    assert not npshm.exists(name)


def test_missing_and_foreign(name):
    with pytest.raises(FileNotFoundError, match=name):
        npshm.attach(name)
    assert not npshm.exists(name)
    path = os.path.join(SHM_DIR, name)
    with open(path, "wb") as f:
        f.write(b"not an npy file at all" * 300)
    try:
        with pytest.raises(ValueError, match=name):
            npshm.attach(name)
        with pytest.raises(ValueError):
            npshm.delete(name)        # never deletes a foreign file
        with pytest.raises(ValueError):
            npshm.exists(name)
        assert os.path.exists(path)
        assert "shm://" + name not in {r.name for r in npshm.list()}
    finally:
        os.unlink(path)


def test_no_space(name):
    with pytest.raises(OSError) as info:
        npshm.create(name, (1 << 50,), "u1")
    assert info.value.errno == errno.ENOSPC or isinstance(info.value,
                                                          MemoryError)
    assert not npshm.exists(name)


def test_permission(name):
    npshm.create(name, 3, mode=0o000)
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    with pytest.raises(PermissionError, match=name):
        npshm.attach(name)


def test_ndim_over_numpy_limit(name):
    from npshm import _npshm
    _npshm.create_mapping(name, "<f8", (1,) * 40, 0, None)  # dropped at once
    with pytest.raises(ValueError, match="40 dimensions"):
        npshm.attach(name)


def test_errors_carry_errno(name):
    """Code written for multiprocessing.shared_memory checks e.errno."""
    with pytest.raises(FileNotFoundError) as missing:
        npshm.attach(name)
    assert missing.value.errno == errno.ENOENT
    assert name in str(missing.value)
    a = npshm.create(name, 3)
    with pytest.raises(FileExistsError) as taken:
        npshm.create(name, 3)
    assert taken.value.errno == errno.EEXIST
    reader = npshm.attach(name, readonly=True)
    with pytest.raises(PermissionError) as denied:
        npshm.handle(reader).unlink()   # a reader never removes an array
    assert denied.value.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
    assert npshm.exists(name) and a.shape == (3,)


def test_exist_ok_order_must_match(name):
    a = npshm.create(name, (2, 3), "f8", order="F", fill=1.0)
    with pytest.raises(ValueError, match="order"):
        npshm.create(name, (2, 3), "f8", order="C", exist_ok=True)
    b = npshm.create(name, (2, 3), "f8", order="F", fill=9.0, exist_ok=True)
    assert npshm.handle(b).order == "F" and b.flags.f_contiguous
    assert b[0, 0] == 1.0             # the existing array's fill is kept
    del a, b


def test_managed_unlinks_only_what_it_created(names):
    theirs, mine = names(), names()
    other = npshm.create(theirs, 3, "f8", fill=5.0)
    with npshm.managed() as scope:
        attached = scope.create(theirs, 3, "f8", exist_ok=True)  # attaches
        created = scope.create(mine, 3, "f8", exist_ok=True)     # creates
        assert not npshm.handle(attached).creator
        assert npshm.handle(created).creator
    assert npshm.exists(theirs), "the scope removed an array it only attached"
    assert not npshm.exists(mine)
    npshm.handle(other).msync()       # the creator's handle is untouched
    assert (other == 5.0).all()


def test_readonly_view(name):
    a = npshm.create(name, 6, "i4", fill=1)
    ro = npshm.readonly(a[1:])
    assert isinstance(ro, npshm.SharedArray) and not ro.flags.writeable
    assert a.flags.writeable and np.shares_memory(ro, a)
    with pytest.raises(ValueError):
        ro[0] = 5
    with pytest.raises(ValueError):
        ro.flags.writeable = True
    plain = npshm.readonly(np.zeros(3))
    assert type(plain) is np.ndarray and not plain.flags.writeable


def test_exist_ok_refuses_a_planted_file(name):
    """create(exist_ok=True) attaches an existing array only if nobody else
    could have planted it: here one that others may write."""
    npshm.create(name, 4, "f8", mode=0o666)
    with pytest.raises(npshm.errors.PermissionError) as info:
        npshm.create(name, 4, "f8", exist_ok=True)
    assert isinstance(info.value, PermissionError)
    # asking for that mode yourself accepts it
    a = npshm.create(name, 4, "f8", exist_ok=True, mode=0o666)
    assert not npshm.handle(a).creator


def test_read_shared_array_refuses_a_planted_file(name, tmp_path):
    from npshm.compat.cdxcore import read_shared_array
    np.save(tmp_path / "x.npy", np.arange(4.0))
    npshm.create(name, 4, "f8", mode=0o622)
    with pytest.raises(PermissionError):
        read_shared_array(tmp_path / "x.npy", name)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to chown a file")
def test_attach_of_another_users_file_needs_allow_other_owner(name):
    a = npshm.create(name, 4, "f8", fill=3.0, mode=0o644)
    os.chown(npshm.handle(a).path, 65534, 65534)  # nobody's now
    with pytest.raises(npshm.errors.PermissionError, match="owner"):
        npshm.attach(name)
    b = npshm.attach(name, allow_other_owner=True)
    assert (b == 3.0).all()
