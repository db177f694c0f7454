"""Pickling by reference: arrays and views travel by name through real
process pools (fork, spawn, forkserver, ProcessPoolExecutor); no data."""

import concurrent.futures
import errno
import multiprocessing
import os
import pickle
import sys

import numpy as np
import pytest

import npshm
import workers
from npshm._shared_array import mapping_of

METHODS = [m for m in ("fork", "spawn", "forkserver")
           if m in multiprocessing.get_all_start_methods()]


def views_of(a):
    return {
        "whole": a,
        "slice": a[2:5],
        "strided": a[::2, 1:],
        "transpose": a.T,
        "reshape": a.reshape(-1),
        "reversed": a[::-1, ::-3],
        "row": a[3],
        "element0d": a[1:2, 2:3].reshape(()),
    }


def test_pickle_in_process_is_a_view(name):
    a = npshm.create(name, (6, 8), "<f8")
    a[...] = np.arange(48).reshape(6, 8)
    for label, v in views_of(a).items():
        data = pickle.dumps(v)
        assert len(data) < 400, label
        w = pickle.loads(data)
        assert isinstance(w, npshm.SharedArray), label
        assert w.shape == v.shape and w.strides == v.strides, label
        assert w.dtype == v.dtype and (w == v).all(), label
        assert np.shares_memory(w, a), label


def test_results_of_computation_pickle_by_value(name):
    a = npshm.create(name, (6, 8), "<f8", fill=1.0)
    for label, r in {"add": a + 1, "sum0": a.sum(axis=0), "copy": a.copy(),
                     "fancy": a[[0, 2]], "astype": a.astype("f4"),
                     "bytes view": a.view(np.uint8)[:, 3:11]}.items():
        assert mapping_of(r) is None or label == "bytes view", label
        w = pickle.loads(pickle.dumps(r))
        assert type(w) is np.ndarray, label
        assert (w == r).all() and w.shape == r.shape, label
    assert type(a + 1) is np.ndarray
    assert isinstance(a.sum(), np.floating)


def test_plain_ndarray_pickles_as_before(run):
    plain = np.arange(12, dtype="<i4").reshape(3, 4)[:, ::2]
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        without_npshm = run(f"""
            import pickle, sys, numpy as np
            plain = np.arange(12, dtype="<i4").reshape(3, 4)[:, ::2]
            sys.stdout.write(pickle.dumps(plain, protocol={protocol}).hex())
            """).stdout
        assert pickle.dumps(plain, protocol=protocol).hex() == without_npshm


def test_readonly_view_stays_readonly(name):
    npshm.create(name, 10)
    r = npshm.attach(name, readonly=True)
    w = pickle.loads(pickle.dumps(r[2:]))
    assert not w.flags.writeable
    assert mapping_of(w).readonly


def assert_recreated_error(info, name):
    """The error unpickling a view of a removed and re-created name."""
    assert info.value.errno == errno.ENOENT
    message = str(info.value)
    assert f"unpickle shm://{name}:" in message, message
    assert "removed and created again" in message, message


def test_recreated_name_is_an_error(name):
    """Same name, dtype and shape, another array: not silently its bytes."""
    a = npshm.create(name, 10, "i8", fill=1)
    data = pickle.dumps(a[:5])
    npshm.delete(name)
    b = npshm.create(name, 10, "i8", fill=2)
    assert mapping_of(b).id != mapping_of(a).id
    with pytest.raises(FileNotFoundError) as info:
        pickle.loads(data)
    assert_recreated_error(info, name)
    # The newer array's own pickles still work (through the same cache).
    w = pickle.loads(pickle.dumps(b[:5]))
    assert (w == 2).all() and np.shares_memory(w, b)


def test_recreated_name_with_another_dtype_is_an_error(name):
    a = npshm.create(name, (4, 4), "<f8", fill=1.5)
    data = pickle.dumps(a[1:3, ::2])
    del a
    npshm.delete(name)
    npshm.create(name, 256, "u1", fill=9)  # big enough to view silently
    with pytest.raises(FileNotFoundError) as info:
        pickle.loads(data)
    assert_recreated_error(info, name)


def test_recreated_name_is_an_error_in_a_fresh_process(name, run):
    """No cache at all: the receiver attaches the new array and refuses."""
    a = npshm.create(name, 8, "i4", fill=3)
    data = pickle.dumps(a)
    npshm.delete(name)
    npshm.create(name, 8, "i4", fill=4)
    out = run(f"""
        import errno, pickle
        import npshm
        try:
            pickle.loads(bytes.fromhex({data.hex()!r}))
        except FileNotFoundError as exc:
            assert exc.errno == errno.ENOENT, exc.errno
            print("refused:", exc)
        else:
            print("accepted")
        """).stdout
    assert out.startswith("refused:"), out
    assert "removed and created again" in out, out


def test_stale_cache_entry_with_another_id_is_not_used(name):
    """A cache entry for the name whose id is not the pickled one (its file
    identity looked right) is dropped; the name is attached afresh."""
    from npshm import _pickling
    a = npshm.create(name, 6, "i8", fill=5)
    data = pickle.dumps(a[1:])
    old_id = mapping_of(a).id
    npshm.delete(name)
    b = npshm.create(name, 6, "i8", fill=6)
    key = "shm://" + name
    entry = _pickling._attachments.get(key)
    assert entry is not None and entry[0]() is mapping_of(b)
    with pytest.raises(FileNotFoundError) as info:
        pickle.loads(data)
    assert_recreated_error(info, name)
    assert mapping_of(b).id != old_id


def test_pickle_carries_the_array_id(name):
    a = npshm.create(name, (3, 4), "<i8")
    array_id = mapping_of(a).id
    assert isinstance(array_id, int) and 0 < array_id < 2 ** 64
    rebuild, args = a[1:].__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    assert args[0] == "shm://" + name and args[-1] == array_id
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert len(pickle.dumps(a[::2, 1:], protocol=protocol)) < 400
    other = npshm.create(None, (3, 4), "<i8", lifetime="owner")
    assert mapping_of(other).id != array_id


def test_old_pickles_without_id_still_load(name):
    """A reference pickled before ids (six fields) attaches by name."""
    from npshm._pickling import rebuild
    a = npshm.create(name, (3, 4), "<i2")
    a[...] = np.arange(12).reshape(3, 4)
    w = rebuild("shm://" + name, 8, (4,), (2,), np.dtype("<i2"), False)
    assert (w == np.arange(4, 8)).all()
    w[0] = -4  # the same memory (a fresh mapping: a was never pickled)
    assert a[1, 0] == -4


def test_plain_npy_file_has_id_zero_and_pickles(tmp_path):
    path = tmp_path / "plain.npy"
    np.save(path, np.arange(6, dtype="<f4"))
    a = npshm.attach("file://" + str(path))
    assert mapping_of(a).id == 0
    rebuild, args = a[2:].__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    assert args[-1] == 0
    w = pickle.loads(pickle.dumps(a[2:]))
    assert (w == np.arange(2, 6)).all() and mapping_of(w).id == 0
    w[0] = 40.0  # a mapping of the same file, not a copy
    assert a[2] == 40.0


def test_unpickle_in_another_process_is_the_same_array(name, run):
    """The receiver gets the very array pickled (same id), with no copy:
    its write lands in our memory."""
    a = npshm.create(name, (4, 5), "<f8", fill=0.0)
    data = pickle.dumps(a[2])
    out = run(f"""
        import pickle
        from npshm._shared_array import mapping_of
        w = pickle.loads(bytes.fromhex({data.hex()!r}))
        w[...] = 2.5
        print(mapping_of(w).id)
        """).stdout
    assert int(out) == mapping_of(a).id
    assert (a[2] == 2.5).all() and (a[[0, 1, 3]] == 0).all()


@pytest.mark.parametrize("method", METHODS)
def test_pool_views_by_reference(name, method):
    a = npshm.create(name, (8, 10), "<i8")
    a[...] = np.arange(80).reshape(8, 10)
    views = views_of(a)
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(2) as pool:
        seen = pool.map(workers.describe, list(views.values()))
        sums = pool.map(workers.row_sum, [(a, i) for i in range(8)])
    for (label, v), got in zip(views.items(), seen):
        assert got["type"] == "SharedArray", label
        assert got["segment"] == "shm://" + name, label
        assert got["offset"] == mapping_of(v).locate(v), label
        assert np.array_equal(got["values"], v), label
        assert got["pid"] != os.getpid()
    assert sums == [float(a[i].sum()) for i in range(8)]


@pytest.mark.parametrize("method", METHODS)
def test_worker_writes_are_seen(name, method):
    """Zero copy across processes: a worker's write lands in our memory."""
    a = npshm.create(name, (4, 4), "f4")
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(2) as pool:
        pids = pool.map(workers.write, [(a[i], slice(None), i + 0.5)
                                         for i in range(4)])
    assert os.getpid() not in pids
    assert (a == np.arange(4)[:, None] + 0.5).all()


@pytest.mark.parametrize("method", METHODS)
def test_process_pool_executor(name, method):
    a = npshm.create(name, (5, 3), "u2", fill=2)
    ctx = multiprocessing.get_context(method)
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        sums = list(ex.map(workers.row_sum, [(a.T, i) for i in range(3)]))
        ex.submit(workers.write, (a, (0, 0), 7)).result()
    assert sums == [10.0, 10.0, 10.0]
    assert a[0, 0] == 7


def test_hundred_megabytes_pickle_tiny(name):
    a = npshm.create(name, (100 * 1024 * 1024 // 8,), "f8")
    for v in (a, a[::3], a.reshape(1024, -1).T):
        assert len(pickle.dumps(v)) < 400
        assert len(pickle.dumps(v, protocol=5)) < 400
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        # The worker pickles it back: the size it reports is tiny too.
        assert pool.apply(workers.pickled_size, (a,)) < 400


def test_worker_exit_unlinks_nothing(name, run):
    """A worker attaching (and exiting, even abruptly) removes nothing."""
    a = npshm.create(name, 10)
    for method in METHODS:
        ctx = multiprocessing.get_context(method)
        with ctx.Pool(2) as pool:
            pool.map(workers.row_sum, [(a[None], 0)] * 4)
        assert npshm.exists(name)
    run(f"""
        import os, npshm
        b = npshm.attach({name!r})
        os._exit(0)
        """)
    assert npshm.exists(name)


def test_fork_child_attaches_its_own_handle(name, run):
    """A fork worker unpickles onto its own handle (own lock), so a "last"
    array outlives the parent's release while the worker still uses it."""
    run(f"""
        import gc, os, pickle, npshm
        a = npshm.create({name!r}, 4, "f8", lifetime="last", fill=7.0)
        data = pickle.dumps(a)                  # as a Pool(fork) sends it
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                v = pickle.loads(data)          # first task
                os.write(child_writes, b"x")
                os.read(child_reads, 1)         # the parent released a
                assert npshm.exists({name!r}), "name gone under the child"
                w = pickle.loads(data)          # second task, same array
                assert v[0] == 7.0 and w[0] == 7.0
                del v, w
                gc.collect()                    # the child is the last now
                status = 0 if not npshm.exists({name!r}) else 2
            except BaseException as exc:
                print("child:", type(exc).__name__, exc, flush=True)
            finally:
                os._exit(status)
        os.read(parent_reads, 1)
        del a
        gc.collect()
        os.write(parent_writes, b"x")
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if npshm.exists({name!r}):
            npshm.delete({name!r})
        assert code == 0, f"fork child failed: exit {{code}}"
        print("ok")
        """)


def test_attachment_cache_drops_dead_entries(name):
    from npshm import _pickling
    a = npshm.create(name, 4, "f8")
    _pickling._attachments.pop("shm://" + name, None)
    _pickling._attachments.pop(name, None)
    reader = pickle.loads(pickle.dumps(npshm.attach(name, readonly=True)))
    writer = pickle.loads(pickle.dumps(a))  # replaces the read-only entry
    assert npshm.handle(writer).readonly is False
    del reader
    entry = _pickling._attachments.get("shm://" + name)
    assert entry is not None and entry[0]() is mapping_of(writer), \
        "a dead mapping's entry removed its successor's"
    del writer, a, entry
    assert "shm://" + name not in _pickling._attachments
    for _ in range(20):
        b = npshm.create(None, 4, lifetime="owner")
        label = npshm.handle(b).name
        pickle.loads(pickle.dumps(b))
        del b
        assert label not in _pickling._attachments


# ---- crafted references are checked against the segment -------------------

def crafted(name, offset, shape, strides, dtype, readonly, array_id):
    """A pickle as a hostile writer could make it (protocol 2 reduce)."""
    from npshm._pickling import rebuild

    class Ref:
        def __reduce__(self):
            return (rebuild, ("shm://" + name, offset, shape, strides,
                              dtype, readonly, array_id))
    return pickle.dumps(Ref())


@pytest.mark.parametrize("dtype", ["O", [("x", "<f8"), ("o", "O")], "<i8",
                                   "<f4", "u1"], ids=str)
def test_reference_dtype_must_be_the_arrays(name, dtype):
    a = npshm.create(name, (4, 4), "<f8")
    data = crafted(name, 0, (4,), (8,), np.dtype(dtype), False,
                   mapping_of(a).id)
    with pytest.raises(npshm.errors.FormatError, match="dtype"):
        pickle.loads(data)


@pytest.mark.parametrize("offset, shape, strides", [
    (128, (1,), (8,)),           # starts at the end
    (-8, (1,), (8,)),            # before the start
    (0, (17,), (8,)),            # one past the end
    (0, (4,), (48,)),            # strides walk out
    (64, (10,), (-8,)),          # negative strides walk out
    (0, (2 ** 40, 2 ** 40), (8, 8)),  # overflowing extent
    (0, (4, 4), (8,)),           # strides do not match the shape
], ids=str)
def test_reference_must_lie_inside_the_data(name, offset, shape, strides):
    a = npshm.create(name, (4, 4), "<f8")
    data = crafted(name, offset, shape, strides, np.dtype("<f8"), False,
                   mapping_of(a).id)
    with pytest.raises(ValueError):
        pickle.loads(data)


def test_readonly_reference_maps_readonly_elsewhere(name, run):
    a = npshm.create(name, 8, "<f8", fill=1.0)
    ro = npshm.readonly(a)
    assert not ro.flags.writeable and a.flags.writeable
    data = crafted(name, 0, (8,), (8,), np.dtype("<f8"), True,
                   mapping_of(a).id)
    assert pickle.dumps(ro[2:]) != pickle.dumps(a[2:])
    proc = run("""
        import pickle, sys, npshm
        for data in (bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2])):
            w = pickle.loads(data)
            print(w.flags.writeable, npshm.handle(w).readonly)
            try:
                w.flags.writeable = True
                print("made writeable")
            except ValueError:
                print("stays read-only")
    """, data.hex(), pickle.dumps(ro[2:]).hex())
    assert proc.stdout.split("\n")[:4] == [
        "False True", "stays read-only", "False True", "stays read-only"]


def test_seven_and_six_field_pickles_still_load(name):
    """References written by the previous release: 7 fields (with id) and
    6 fields (before ids), pickled by protocol 2 as that release did."""
    a = npshm.create(name, (3, 4), "<i4")
    a[...] = np.arange(12).reshape(3, 4)
    array_id = mapping_of(a).id
    seven = crafted(name, 16, (2, 2), (16, 4), np.dtype("<i4"), False,
                    array_id)
    w = pickle.loads(seven)
    assert w.tolist() == [[4, 5], [8, 9]] and np.shares_memory(w, a)

    from npshm._pickling import rebuild

    class Old:
        def __reduce__(self):
            return (rebuild, ("shm://" + name, 4, (3,), (16,),
                              np.dtype("<i4"), True))
    w = pickle.loads(pickle.dumps(Old()))
    assert w.tolist() == [1, 5, 9] and not w.flags.writeable
