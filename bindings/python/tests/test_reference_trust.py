"""A saved reference grants nothing by itself (issue 20, class 2): a
pickle or reference text someone else wrote, naming your own file:// array
or a plain .npy (id 0) with ro=0 and a valid damage check, gives a
read-only view; npshm.attach(text, readonly=False) is how you ask for write
access yourself.  A shm:// array named by its id keeps pickling writable
(to Pools too: test_pickling.py::test_worker_writes_are_seen)."""

import multiprocessing
import os
import pickle

import numpy as np
import pytest

import npshm
from npshm._pickling import attach_reference, rebuild
from npshm._shared_array import mapping_of


def forged(uri, directory, array_id, shape, descr="<f8", readonly=False):
    """A reference text as a hostile writer makes it (the grammar of
    include/npshm.h), with a valid damage check (FNV-1a 64)."""
    def encode(text):
        return "".join(
            chr(b) if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "-._~:/")
            else f"%{b:02X}" for b in text.encode())
    itemsize = np.dtype(descr).itemsize
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.insert(0, step)
        step *= n
    body = (f"npshm-ref/1 uri={encode(uri)} dir={encode(directory)}"
            f" id={array_id:016x} offset=0 shape={','.join(map(str, shape))}"
            f" strides={','.join(map(str, strides))} ro={int(readonly)}"
            f" dtype={encode(descr)}")
    check = 0xcbf29ce484222325
    for b in body.encode():
        check = ((check ^ b) * 0x100000001b3) % 2 ** 64
    return f"{body} sum={check:016x}"


class _Pickled:
    def __init__(self, function, args):
        self.reduced = (function, args)

    def __reduce__(self):
        return self.reduced


@pytest.fixture
def model(tmp_path):
    """A plain .npy of the user's own (id 0), as numpy.save writes it."""
    path = tmp_path / "model.npy"
    np.save(path, np.arange(6, dtype="<f8"))
    return path


def test_forged_pickle_of_own_file_unpickles_read_only(model):
    text = forged("file://" + str(model), "", 0, (6,))
    assert " ro=0 " in text
    data = pickle.dumps(_Pickled(attach_reference, (text,)))
    x = pickle.loads(data)
    assert not x.flags.writeable
    assert mapping_of(x).readonly
    with pytest.raises(ValueError):
        x[...] = 0
    # even while this process holds a writable mapping of the file
    mine = npshm.attach("file://" + str(model))
    assert mine.flags.writeable
    y = pickle.loads(data)
    assert not y.flags.writeable
    with pytest.raises(ValueError):
        y[0] = -1
    del x, y, mine
    assert (np.load(model) == np.arange(6)).all()


def test_forged_text_of_plain_npy_in_shm_dir_is_read_only(name):
    """A plain .npy under a shm:// name has id 0: read-only too."""
    shm_dir = os.environ.get("NPSHM_DIR") or "/dev/shm"
    path = os.path.join(shm_dir, name)
    with open(path, "wb") as f:
        np.save(f, np.arange(4, dtype="<f8"))
    x = npshm.attach(forged("shm://" + name, shm_dir, 0, (4,)))
    assert not x.flags.writeable
    del x
    assert (np.load(path) == np.arange(4)).all()


def test_attach_reference_text_readonly_false_asks_for_write(model):
    text = forged("file://" + str(model), "", 0, (6,))
    assert not npshm.attach(text).flags.writeable
    assert not npshm.attach(text, readonly=True).flags.writeable
    w = npshm.attach(text, readonly=False)
    assert w.flags.writeable
    w[...] = 7
    del w
    assert (np.load(model) == 7).all()
    with pytest.raises(ValueError):
        npshm.attach(text, dtype="<f8")


def test_references_made_of_file_arrays_say_read_only(model):
    a = npshm.attach("file://" + str(model))
    text = mapping_of(a).reference(0, (6,), (8,), False)
    assert " ro=1 " in text and " id=0000000000000000 " in text
    w = pickle.loads(pickle.dumps(a))
    assert not w.flags.writeable


def test_shm_reference_by_id_stays_writable(name):
    a = npshm.create(name, (4,), "<f8")
    text = mapping_of(a).reference(0, (4,), (8,), False)
    assert " ro=0 " in text
    w = npshm.attach(text)
    assert w.flags.writeable
    w[1] = 5
    assert a[1] == 5
    w2 = pickle.loads(pickle.dumps(a[1:]))
    assert w2.flags.writeable
    w2[1] = 6
    assert a[2] == 6


def _write_first(view):
    view[0] = 99.0
    return float(view.sum())


def test_shm_writable_pickle_to_pool_writes_through(name):
    a = npshm.create(name, (2, 3), "<f8")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        assert pool.apply(_write_first, (a[1],)) == 99.0
    assert a[1, 0] == 99.0


def test_fields_without_id_rebuild_read_only(name):
    """Pickles of the release before ids name an array by name alone: they
    carry no write access any more."""
    a = npshm.create(name, (4,), "<f8")
    w = rebuild("shm://" + name, 0, (4,), (8,), np.dtype("<f8"), False)
    assert not w.flags.writeable
    w2 = rebuild("shm://" + name, 0, (4,), (8,), np.dtype("<f8"), False,
                 mapping_of(a).id)
    assert w2.flags.writeable
