"""Names: a NUL is refused by every entry point (never cut at), bytes names
are accepted, and every name the library accepts -- including bytes that
are not UTF-8 -- can be listed, attached, checked and deleted from Python."""

import os
import pickle

import numpy as np
import pytest

import npshm
import npshm.compat.cdxcore as cdx
import npshm.compat.sharedarray as sa
from conftest import SHM_DIR
from npshm import _pickling
from npshm.compat.shared_memory_array import SharedMemoryArray


def nul_name(name):
    """name + NUL + junk: a library cutting at the NUL would see `name`."""
    return name + "\0junk"


def refuses_nul(call, *args, **kwargs):
    with pytest.raises(npshm.errors.InvalidError, match="NUL") as info:
        call(*args, **kwargs)
    assert isinstance(info.value, ValueError)
    assert info.value.code == npshm.errors.INVALID


@pytest.fixture
def target(name):
    """An existing array `name`; a cut name would reach it."""
    a = npshm.create(name, 4, "i4", fill=5)
    return name, a


def test_create_refuses_nul(name):
    refuses_nul(npshm.create, nul_name(name), 3)
    refuses_nul(npshm.create, nul_name(name).encode(), 3)
    refuses_nul(npshm.from_array, nul_name(name), np.arange(3))
    assert not npshm.exists(name)


def test_attach_exists_delete_refuse_nul(target):
    name, _ = target
    refuses_nul(npshm.attach, nul_name(name))
    refuses_nul(npshm.exists, nul_name(name))
    refuses_nul(npshm.delete, nul_name(name))
    refuses_nul(npshm.delete, nul_name(name).encode())
    assert npshm.exists(name)  # the array `name` is untouched


def test_load_save_refuse_nul(tmp_path, target):
    name, a = target
    path = tmp_path / "a.npy"
    np.save(path, np.arange(3))
    refuses_nul(npshm.load, path, nul_name(name))
    refuses_nul(npshm.load, str(path) + "\0junk", None)
    refuses_nul(npshm.save, nul_name(name), tmp_path / "b.npy")
    refuses_nul(npshm.save, a, str(tmp_path / "c.npy") + "\0junk")
    assert sorted(os.listdir(tmp_path)) == ["a.npy"]
    assert npshm.exists(name)


def test_unpickling_refuses_nul(target):
    name, a = target
    h = npshm.handle(a)
    crafted = pickle.dumps((_pickling.rebuild, (
        nul_name(name), 0, (4,), (4,), np.dtype("i4"), False, h.id)))
    # pickle.loads of a reduce tuple only rebuilds the tuple; call it as
    # the unpickler would.
    function, args = pickle.loads(crafted)
    refuses_nul(function, *args)


def test_compat_modules_refuse_nul(target):
    name, _ = target
    refuses_nul(sa.create, nul_name(name), 3)
    refuses_nul(sa.attach, nul_name(name))
    refuses_nul(sa.delete, nul_name(name))
    refuses_nul(sa.delete, nul_name(name).encode())
    refuses_nul(cdx.create_shared_array, nul_name(name), (3,), "f8")
    refuses_nul(cdx.attach_shared_array, nul_name(name))
    refuses_nul(cdx.delete_shared_array, nul_name(name))
    refuses_nul(SharedMemoryArray.attach, nul_name(name), (4,), "i4")
    assert npshm.exists(name)


def test_low_level_refuses_nul(target):
    """The C layer checks too, for every name and path argument."""
    name, _ = target
    low = npshm._npshm
    refuses_nul(low.exists, nul_name(name), None)
    refuses_nul(low.remove, nul_name(name), None)
    refuses_nul(low.attach_mapping, nul_name(name), None)
    options = low.options_new()
    try:
        refuses_nul(low.options_set_directory, options, "/dev\0/shm")
    finally:
        low.options_free(options)
    assert npshm.exists(name)


def test_bytes_names(name):
    raw = name.encode()
    a = npshm.create(raw, 3, fill=1.5)
    assert npshm.handle(a).name == "shm://" + name
    assert npshm.exists(raw) and npshm.exists(name)
    assert (npshm.attach(raw) == 1.5).all()
    npshm.delete(raw)
    assert not npshm.exists(name)


def test_non_utf8_names_round_trip(tmp_path, name):
    raw = name.encode() + b"-\xff\xfe-caf\xe9"
    listed = os.fsdecode(raw)  # what os.listdir gives for it
    a = npshm.create(raw, (2, 3), "u2", fill=7)
    try:
        h = npshm.handle(a)
        assert h.name == "shm://" + listed
        assert os.fsencode(h.path) == os.fsencode(SHM_DIR) + b"/" + raw
        infos = [i for i in npshm.list() if i.name == "shm://" + listed]
        assert len(infos) == 1, [i.name for i in npshm.list()]
        shown = infos[0].name[len("shm://"):]
        assert npshm.exists(shown)
        b = npshm.attach(shown)
        assert (b == 7).all()
        # pickles by that name and unpickles onto the same memory
        c = pickle.loads(pickle.dumps(a[1:]))
        a[1, 0] = 9
        assert c[0, 0] == 9
        npshm.save(shown, tmp_path / "x.npy")
        assert (np.load(tmp_path / "x.npy") == a).all()
        assert [d.name for d in sa.list() if d.name == raw] == [raw]
        npshm.delete(shown)
        assert not npshm.exists(raw)
    finally:
        try:
            npshm.delete(raw)
        except FileNotFoundError:
            pass


def test_name_types():
    with pytest.raises(TypeError, match="str or bytes"):
        npshm.attach(42)
    with pytest.raises(TypeError):
        npshm._npshm.exists(42, None)
