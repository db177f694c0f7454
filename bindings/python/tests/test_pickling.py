"""Pickling by reference: arrays and views travel by name through real
process pools (fork, spawn, forkserver, ProcessPoolExecutor); no data."""

import concurrent.futures
import errno
import io
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


def reference_text(view):
    """The saved reference a view pickles as: the library's text."""
    from npshm._pickling import attach_reference
    function, args = view.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    assert function is attach_reference and len(args) == 1, args
    assert args[0].startswith("npshm-ref/1 uri="), args[0]
    return args[0]


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
    assert isinstance(info.value, npshm.errors.NotFoundError)
    message = str(info.value)
    assert f"shm://{name}:" in message, message
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
    entry = _pickling._attachments.get(npshm.handle(b).path)
    assert entry is not None and entry[0]() is mapping_of(b)
    with pytest.raises(FileNotFoundError) as info:
        pickle.loads(data)
    assert_recreated_error(info, name)
    assert mapping_of(b).id != old_id


def test_pickle_carries_the_array_id(name):
    a = npshm.create(name, (3, 4), "<i8")
    array_id = mapping_of(a).id
    assert isinstance(array_id, int) and 0 < array_id < 2 ** 64
    text = reference_text(a[1:])
    assert f" uri=shm://{name} " in text and f" id={array_id:016x} " in text
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert len(pickle.dumps(a[::2, 1:], protocol=protocol)) < 400
    other = npshm.create(None, (3, 4), "<i8", lifetime="owner")
    assert mapping_of(other).id != array_id


def test_old_pickles_without_id_still_load(name):
    """A reference pickled before ids (six fields) attaches by name,
    read-only: it names no id, so it carries no write access."""
    from npshm._pickling import rebuild
    a = npshm.create(name, (3, 4), "<i2")
    a[...] = np.arange(12).reshape(3, 4)
    w = rebuild("shm://" + name, 8, (4,), (2,), np.dtype("<i2"), False)
    assert (w == np.arange(4, 8)).all()
    assert not w.flags.writeable
    a[1, 0] = -4  # the same memory (a fresh mapping: a was never pickled)
    assert w[0] == -4


def test_plain_npy_file_has_id_zero_and_pickles(tmp_path):
    path = tmp_path / "plain.npy"
    np.save(path, np.arange(6, dtype="<f4"))
    a = npshm.attach("file://" + str(path))
    assert mapping_of(a).id == 0
    text = reference_text(a[2:])
    assert " id=0000000000000000 " in text and " dir= " in text
    w = pickle.loads(pickle.dumps(a[2:]))
    assert (w == np.arange(2, 6)).all() and mapping_of(w).id == 0
    assert not w.flags.writeable  # a file:// reference carries no write access
    a[2] = 40.0  # a mapping of the same file, not a copy
    assert w[0] == 40.0


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
    path = npshm.handle(a).path
    _pickling._attachments.pop(path, None)
    reader = pickle.loads(pickle.dumps(npshm.attach(name, readonly=True)))
    writer = pickle.loads(pickle.dumps(a))  # replaces the read-only entry
    assert npshm.handle(writer).readonly is False
    del reader
    entry = _pickling._attachments.get(path)
    assert entry is not None and entry[0]() is mapping_of(writer), \
        "a dead mapping's entry removed its successor's"
    del writer, a, entry
    assert path not in _pickling._attachments
    for _ in range(20):
        b = npshm.create(None, 4, lifetime="owner")
        label = npshm.handle(b).path
        pickle.loads(pickle.dumps(b))
        del b
        assert label not in _pickling._attachments


# ---- crafted references are checked against the segment -------------------
#
# A hostile pickle either carries a reference text (what this release
# pickles: attach_reference) or the fields of a view (what the previous
# release pickled: rebuild).  Both reach the library's checks.

def forge(name, array_id, offset, shape, strides, readonly, descr,
          directory=None):
    """A reference text as a hostile writer makes it: the grammar of
    include/npshm.h (docs/format.md), with a correct checksum."""
    def encode(text):
        return "".join(
            chr(b) if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "-._~:/")
            else f"%{b:02X}" for b in text.encode())
    directory = directory or os.environ.get("NPSHM_DIR") or "/dev/shm"
    body = (f"npshm-ref/1 uri={encode('shm://' + name)} dir={encode(directory)}"
            f" id={array_id:016x} offset={offset}"
            f" shape={','.join(map(str, shape))}"
            f" strides={','.join(map(str, strides))} ro={int(readonly)}"
            f" dtype={encode(descr)}")
    checksum = 0xcbf29ce484222325
    for b in body.encode():
        checksum = ((checksum ^ b) * 0x100000001b3) % 2 ** 64
    return f"{body} sum={checksum:016x}"


class _Pickled:
    def __init__(self, function, args):
        self.reduced = (function, args)

    def __reduce__(self):
        return self.reduced


def crafted_text(name, offset, shape, strides, dtype, readonly, array_id):
    from npshm._pickling import attach_reference
    text = forge(name, array_id, offset, shape, strides, readonly,
                 np.lib.format.dtype_to_descr(np.dtype(dtype))
                 if not isinstance(dtype, str) else dtype)
    return pickle.dumps(_Pickled(attach_reference, (text,)))


def crafted_fields(name, offset, shape, strides, dtype, readonly, array_id):
    """The previous release's layout, pickled by protocol 2 as it did."""
    from npshm._pickling import rebuild
    return pickle.dumps(_Pickled(rebuild, (
        "shm://" + name, offset, shape, strides, dtype, readonly, array_id)),
        protocol=2)


CRAFTERS = {"text": crafted_text, "fields": crafted_fields}


def test_forged_text_is_the_librarys(name):
    """The forger above writes exactly what the library writes."""
    a = npshm.create(name, (4, 4), "<f8")
    v = a[1:, ::-2]
    assert forge(name, mapping_of(a).id, mapping_of(a).locate(v), v.shape,
                 v.strides, False, "<f8") == reference_text(v)


@pytest.mark.parametrize("path", CRAFTERS)
@pytest.mark.parametrize("dtype", ["|O", [("x", "<f8"), ("o", "O")], "<i8",
                                   "<f4", "|u1"], ids=str)
def test_reference_dtype_must_be_the_arrays(name, dtype, path):
    a = npshm.create(name, (4, 4), "<f8")
    # what the library says of a reference: malformed, or not the array's
    expected = (npshm.errors.InvalidError if np.dtype(dtype).hasobject
                else npshm.errors.MismatchError)
    if path == "fields":
        dtype = np.dtype(dtype)
    elif not isinstance(dtype, str):
        dtype = repr(np.dtype(dtype).descr)
    data = CRAFTERS[path](name, 0, (4,), (8,), dtype, False, mapping_of(a).id)
    with pytest.raises(ValueError, match="dtype") as info:
        pickle.loads(data)
    assert isinstance(info.value, expected), repr(info.value)


@pytest.mark.parametrize("path", CRAFTERS)
@pytest.mark.parametrize("offset, shape, strides", [
    (128, (1,), (8,)),           # starts at the end
    (-8, (1,), (8,)),            # before the start
    (0, (17,), (8,)),            # one past the end
    (0, (4,), (48,)),            # strides walk out
    (64, (10,), (-8,)),          # negative strides walk out
    (0, (2 ** 40, 2 ** 40), (8, 8)),  # overflowing extent
    (0, (4, 4), (8,)),           # strides do not match the shape
], ids=str)
def test_reference_must_lie_inside_the_data(name, offset, shape, strides,
                                            path):
    a = npshm.create(name, (4, 4), "<f8")
    data = CRAFTERS[path](name, offset, shape, strides, np.dtype("<f8"),
                          False, mapping_of(a).id)
    with pytest.raises(ValueError):
        pickle.loads(data)


@pytest.mark.parametrize("damage", [
    lambda t: t.replace("offset=8", "offset=0"),       # edited: checksum
    lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # damaged checksum
    lambda t: t[: len(t) // 2],                         # truncated
    lambda t: t.replace("npshm-ref/1", "npshm-ref/9"),  # unknown version
    lambda t: "",
    lambda t: "hello",
    lambda t: t + "\0junk",                             # NUL inside
    lambda t: t.encode("ascii")[:-3] + b"\xff\xfe\xfd",  # not ASCII
], ids=["edited", "checksum", "truncated", "version", "empty", "garbage",
        "nul", "bytes"])
def test_corrupt_reference_text_is_refused(name, damage):
    from npshm._pickling import attach_reference
    a = npshm.create(name, (4, 4), "<f8")
    text = reference_text(a[0, 1:])
    assert "offset=8" in text
    data = pickle.dumps(_Pickled(attach_reference, (damage(text),)))
    with pytest.raises(npshm.errors.InvalidError) as info:
        pickle.loads(data)
    assert "reference" in str(info.value), info.value


def test_reference_text_of_another_type_is_refused(name):
    from npshm._pickling import attach_reference
    with pytest.raises(TypeError):
        pickle.loads(pickle.dumps(_Pickled(attach_reference, (12,))))


def test_forged_text_with_valid_checksum_names_only_what_the_array_allows(
        name):
    """A well-formed reference to the right array: accepted exactly as far
    as the array's header allows (read-only stays read-only)."""
    a = npshm.create(name, (4, 4), "<f8", fill=2.0)
    array_id = mapping_of(a).id
    ok = pickle.loads(crafted_text(name, 8, (3,), (32,), "<f8", True,
                                   array_id))
    assert ok.tolist() == [2.0, 2.0, 2.0] and not ok.flags.writeable
    with pytest.raises(ValueError):
        ok.flags.writeable = True
    with pytest.raises(FileNotFoundError):
        pickle.loads(crafted_text(name, 0, (1,), (8,), "<f8", False,
                                  array_id ^ 1))


@pytest.mark.parametrize("path", CRAFTERS)
def test_readonly_reference_maps_readonly_elsewhere(name, run, path):
    a = npshm.create(name, 8, "<f8", fill=1.0)
    ro = npshm.readonly(a)
    assert not ro.flags.writeable and a.flags.writeable
    data = CRAFTERS[path](name, 0, (8,), (8,), np.dtype("<f8"), True,
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


# ---- pickles of the previous release still load ----------------------------
#
# LEGACY_* are real pickle bytes made by the previous release's code (commit
# e525f20, npshm._pickling.reduce_shared), with NPSHM_DIR set to a private
# directory:
#
#     a = npshm.create("npshm-legacy-pickle", (3, 4), "<i4")
#     a[...] = np.arange(12).reshape(3, 4)           # its id: ceef6b4fc63b4446
#     LEGACY_SEVEN = pickle.dumps(a[1:, ::2], protocol=2)
#     LEGACY_SEVEN_RO = pickle.dumps(npshm.readonly(a)[::-1, 1], protocol=5)
#     class Old:   # six fields (before ids), as that release still read
#         def __reduce__(self):
#             return (rebuild, ("shm://npshm-legacy-pickle", 4, (3,), (16,),
#                               np.dtype("<i4"), True))
#     LEGACY_SIX = pickle.dumps(Old(), protocol=2)
#
# A seven-field pickle carries its array's random id, which no array made
# now has: loaded as is, it is refused as the "removed and created again"
# array it is; its fields, read back from the very bytes and given the live
# array's id, load as that release's unpickler would have.

LEGACY_NAME = "npshm-legacy-pickle"
LEGACY_ID = 0xceef6b4fc63b4446
LEGACY_SEVEN = bytes.fromhex(
    "8002636e7073686d2e5f7069636b6c696e670a72656275696c640a710028581900000073"
    "686d3a2f2f6e7073686d2d6c65676163792d7069636b6c6571014b104b024b028671024b"
    "104b08867103636e756d70790a64747970650a7104580200000069347105898887710652"
    "7107284b0358010000003c71084e4e4e4affffffff4affffffff4b0074710962898a0946"
    "443bc64f6befce0074710a52710b2e")
LEGACY_SEVEN_RO = bytes.fromhex(
    "8005958f000000000000008c0f6e7073686d2e5f7069636b6c696e67948c077265627569"
    "6c64949394288c1973686d3a2f2f6e7073686d2d6c65676163792d7069636b6c65944b24"
    "4b0385944af0ffffff85948c056e756d7079948c0564747970659493948c026934948988"
    "87945294284b038c013c944e4e4e4affffffff4affffffff4b00749462888a0946443bc6"
    "4f6befce00749452942e")
LEGACY_SIX = bytes.fromhex(
    "8002636e7073686d2e5f7069636b6c696e670a72656275696c640a710028581900000073"
    "686d3a2f2f6e7073686d2d6c65676163792d7069636b6c6571014b044b038571024b1085"
    "7103636e756d70790a64747970650a71045802000000693471058988877106527107284b"
    "0358010000003c71084e4e4e4affffffff4affffffff4b00747109628874710a52710b2e")


def legacy_fields(data):
    """The arguments a legacy pickle hands npshm._pickling.rebuild."""
    class Reader(pickle.Unpickler):
        def find_class(self, module, qualname):
            if (module, qualname) == ("npshm._pickling", "rebuild"):
                return lambda *fields: fields
            return super().find_class(module, qualname)
    return Reader(io.BytesIO(data)).load()


@pytest.fixture
def legacy_array(private_shm_dir):
    a = npshm.create(LEGACY_NAME, (3, 4), "<i4")
    a[...] = np.arange(12).reshape(3, 4)
    yield a
    npshm.delete(LEGACY_NAME)


def test_legacy_pickles_are_what_the_previous_release_wrote():
    assert legacy_fields(LEGACY_SEVEN) == (
        "shm://" + LEGACY_NAME, 16, (2, 2), (16, 8), np.dtype("<i4"), False,
        LEGACY_ID)
    assert legacy_fields(LEGACY_SEVEN_RO) == (
        "shm://" + LEGACY_NAME, 36, (3,), (-16,), np.dtype("<i4"), True,
        LEGACY_ID)
    assert legacy_fields(LEGACY_SIX) == (
        "shm://" + LEGACY_NAME, 4, (3,), (16,), np.dtype("<i4"), True)


def test_legacy_six_field_pickle_loads(legacy_array):
    w = pickle.loads(LEGACY_SIX)
    assert isinstance(w, npshm.SharedArray)
    assert w.tolist() == [1, 5, 9] and not w.flags.writeable
    legacy_array[2, 1] = -9          # the same memory, not a copy
    assert w.tolist() == [1, 5, -9]


def test_legacy_seven_field_pickle_of_another_array_is_refused(legacy_array):
    for data in (LEGACY_SEVEN, LEGACY_SEVEN_RO):
        with pytest.raises(FileNotFoundError) as info:
            pickle.loads(data)
        assert "removed and created again" in str(info.value)


def test_legacy_seven_field_pickle_loads(legacy_array):
    from npshm._pickling import rebuild
    array_id = mapping_of(legacy_array).id
    for data, values, writeable in ((LEGACY_SEVEN, [[4, 6], [8, 10]], True),
                                    (LEGACY_SEVEN_RO, [9, 5, 1], False)):
        fields = legacy_fields(data)[:-1] + (array_id,)
        w = pickle.loads(crafted_fields(LEGACY_NAME, *fields[1:]))
        assert w.tolist() == values and w.flags.writeable == writeable
        assert np.shares_memory(w, legacy_array)
        again = rebuild(*fields)   # the same attachment, reused
        assert mapping_of(again) is mapping_of(w)
    w = pickle.loads(crafted_fields(LEGACY_NAME, 16, (2, 2), (16, 8),
                                    np.dtype("<i4"), False, array_id))
    w[0, 0] = -4
    assert legacy_array[1, 0] == -4


def test_seven_and_six_field_pickles_still_load(name):
    """References written by the previous release: 7 fields (with id) and
    6 fields (before ids), pickled by protocol 2 as that release did."""
    a = npshm.create(name, (3, 4), "<i4")
    a[...] = np.arange(12).reshape(3, 4)
    array_id = mapping_of(a).id
    seven = crafted_fields(name, 16, (2, 2), (16, 4), np.dtype("<i4"), False,
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


@pytest.mark.parametrize("dtype", [
    [("a", "<i4"), ("b", ">f8", (2,))],
    np.dtype([("x", "u1"), ("y", "<f8")], align=True),
    "<M8[ns]", ">U3", "?"], ids=str)
def test_fields_of_any_dtype_load(name, dtype):
    """The fields' dtype is compared with the header's as the library
    normalises both (numpy's descr text may be spaced otherwise)."""
    a = npshm.create(name, 6, dtype)
    w = pickle.loads(crafted_fields(name, a.itemsize, (5,), (a.itemsize,),
                                    a.dtype, False, mapping_of(a).id))
    assert np.shares_memory(w, a)
    assert w.dtype == a.dtype and reference_text(w) == reference_text(a[1:])
