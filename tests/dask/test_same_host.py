"""npshm.dask on one host: a LocalCluster of 3 worker processes shares one
copy of an npshm array, whatever the way it reaches them."""

import os
import pickle
import shutil
import signal
import tempfile
import time

import numpy as np
import pytest

import npshm

ELEMENTS = 8 * 1024 * 1024  # 64 MiB of float64
WORKERS = 3


@pytest.fixture(scope="module")
def shm_dir():
    old = os.environ.get("NPSHM_DIR")
    directory = tempfile.mkdtemp(prefix="npshm-test-dask-", dir="/dev/shm")
    os.environ["NPSHM_DIR"] = directory  # the workers inherit it
    yield directory
    shutil.rmtree(directory, ignore_errors=True)
    if old is None:
        os.environ.pop("NPSHM_DIR", None)
    else:
        os.environ["NPSHM_DIR"] = old


@pytest.fixture(scope="module")
def client(shm_dir):
    import npshm.dask
    from distributed import Client, LocalCluster
    scratch = tempfile.mkdtemp(prefix="npshm-test-dask-")  # dask's own files
    cluster = LocalCluster(n_workers=WORKERS, threads_per_worker=1,
                           processes=True, dashboard_address=None,
                           local_directory=scratch)
    c = Client(cluster)
    c.npshm_test_cluster = cluster
    npshm.dask.setup(c)
    yield c
    c.close()
    cluster.close()
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def big(client, shm_dir):
    a = npshm.create(npshm.unique_name("dask-big"), (ELEMENTS,), "f8")
    a[:] = np.arange(ELEMENTS, dtype="f8")
    yield a
    npshm.delete(npshm.handle(a).name)


EXPECTED = float(ELEMENTS * (ELEMENTS - 1) / 2)


def total(x):
    return float(np.sum(x, dtype=np.float64))


def describe(x):
    import npshm
    return (type(x).__name__, npshm.handle(x).name, x.flags.writeable)


def write_first(x):
    x[0] = -1.0
    return True


def pss_bytes():
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no Pss in smaps_rollup")


def summed_pss(client):
    return sum(client.run(pss_bytes).values()) + pss_bytes()


def test_serialized_size_is_a_few_hundred_bytes(big):
    from distributed.protocol import serialize
    for view in (big, big[10:1000:3], big.reshape(1024, -1).T):
        blob = pickle.dumps(view)
        assert len(blob) < 600
        header, frames = serialize(view)
        assert header["serializer"] == "pickle"
        assert sum(memoryview(f).nbytes for f in frames) < 600
    # Computed arrays are new memory: they travel by value.
    header, frames = serialize(big[:1000] + 1)
    assert sum(memoryview(f).nbytes for f in frames) >= 8000


def test_scatter_broadcast_submit_gather_zero_copy(client, big):
    name = npshm.handle(big).name
    fa = client.scatter(big, broadcast=True)
    workers = sorted(client.scheduler_info()["workers"])
    assert len(workers) == WORKERS
    seen = client.gather([client.submit(describe, fa, workers=[w], pure=False)
                          for w in workers])
    assert seen == [("SharedArray", name, True)] * WORKERS
    sums = client.gather([client.submit(total, fa, workers=[w], pure=False)
                          for w in workers])
    assert sums == [EXPECTED] * WORKERS
    back = client.gather(fa)
    assert npshm.handle(back).name == name
    assert np.shares_memory(back, big) or back.ctypes.data == big.ctypes.data \
        or npshm.handle(back).id == npshm.handle(big).id
    # A view returned by a task comes back as a view of the same array.
    part = client.submit(lambda x: x[10:20], fa).result()
    assert npshm.handle(part).name == name
    assert part[0] == 10.0


def test_task_write_is_seen_by_the_client(client, big):
    assert client.submit(write_first, big[:100], pure=False).result()
    assert big[0] == -1.0


def test_map_over_views_and_dask_array_reductions(client, big):
    import dask.array as da
    import npshm.dask
    step = ELEMENTS // 16
    chunks = [big[i:i + step] for i in range(0, ELEMENTS, step)]
    assert sum(client.gather(client.map(total, chunks, pure=False))) == EXPECTED
    x = npshm.dask.array(big, chunks=step)
    assert float(x.sum().compute()) == EXPECTED
    assert float(x.max().compute()) == ELEMENTS - 1
    # Chunks are views of the array wherever they run.
    kinds = x.map_blocks(lambda b: np.array([type(b).__name__ == "SharedArray"
                                             and not b.flags.owndata]),
                         chunks=(1,), dtype=bool).compute()
    assert kinds.all()
    # Plain dask.array.from_array keeps the chunks views too.
    y = da.from_array(big, chunks=step)
    assert float(y.mean().compute()) == EXPECTED / ELEMENTS


def test_workers_share_one_copy(client, big):
    before = summed_pss(client)
    fa = client.scatter(big, broadcast=True)
    workers = sorted(client.scheduler_info()["workers"])
    for w in workers:  # every worker reads every page
        assert client.submit(total, fa, workers=[w], pure=False).result() == EXPECTED
    grown = summed_pss(client) - before
    assert grown < 0.5 * big.nbytes, f"summed PSS grew by {grown / big.nbytes:.2f} copies"
    del fa


def test_scatter_hashes_the_bytes_once(client, big, monkeypatch):
    """client.scatter(hash=True) names the key with dask's tokenize: for an
    npshm array that is the digest its reference carries, so the client
    hashes the array's bytes once (npshm's digest), not twice."""
    from dask.base import tokenize
    from npshm import _remote
    hashed = []
    real = _remote.digest_of_bytes
    monkeypatch.setattr(_remote, "digest_of_bytes",
                        lambda layout, data: hashed.append(len(data)) or
                        real(layout, data))
    dasks = []
    monkeypatch.setattr("dask.base.hash_buffer_hex",
                        lambda *a: dasks.append(1) or "0")
    fa = client.scatter(big, hash=True)
    assert client.submit(total, fa, pure=False).result() == EXPECTED
    assert hashed == [big.nbytes] and dasks == []
    # Tokens tell arrays and views apart.
    other = npshm.create(None, big.shape, "f8", lifetime="owner")
    tokens = {tokenize(x) for x in (big, big[1:], big[::2], other)}
    assert len(tokens) == 4 and tokenize(big) in tokens
    assert tokenize(big) == tokenize(big)
    del fa, other


def test_same_host_workers_see_the_same_host_id(client):
    import npshm.dask
    ids = set(npshm.dask.host_ids(client).values())
    assert ids == {npshm.host_id()}


def test_stale_reference_is_refused(client, shm_dir):
    name = npshm.unique_name("dask-stale")
    a = npshm.create(name, (100,), "f8")
    blob = pickle.dumps(a)
    del a
    npshm.delete(name)
    b = npshm.create(name, (100,), "f8")  # same name and shape, new array
    try:
        with pytest.raises(FileNotFoundError, match="removed and created again"
                           "|no longer the array"):
            client.submit(pickle.loads, blob, pure=False).result()
    finally:
        del b
        npshm.delete(name)


def test_load_per_host_and_release_copies(client, shm_dir):
    import npshm.dask
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "input.npy")
        np.save(path, np.arange(1000.0))
        name = npshm.unique_name("dask-load")
        a = npshm.dask.load_per_host(client, path, name)
    try:
        assert npshm.handle(a).name == "shm://" + name
        assert client.submit(total, a, pure=False).result() == 499500.0
        # One host: nothing was copied, nothing to release.
        assert set(npshm.dask.release_copies(client).values()) == {0}
    finally:
        del a
        npshm.delete(name)


def hold_last_array(name, seconds):
    import npshm
    a = npshm.create(name, (1000,), "i8", lifetime="last")
    a[0] = os.getpid()
    time.sleep(seconds)
    return int(a.sum())


def test_worker_killed_mid_task_leaves_only_garbage(client, shm_dir):
    name = npshm.unique_name("dask-killed")
    future = client.submit(hold_last_array, name, 60, pure=False)
    path = os.path.join(shm_dir, name)
    pid = 0
    deadline = time.monotonic() + 60
    while pid == 0:  # read the worker's pid without attaching
        assert time.monotonic() < deadline
        time.sleep(0.1)
        if os.path.exists(path):
            with open(path, "rb") as f:
                f.seek(4096)
                pid = int.from_bytes(f.read(8), "little")
    os.kill(pid, signal.SIGKILL)
    future.cancel()
    deadline = time.monotonic() + 60
    while True:
        removed = [n for n, _ in npshm.gc()]
        if removed:
            assert removed == ["shm://" + name]
            break
        assert time.monotonic() < deadline, "gc could not remove it"
        time.sleep(0.2)
    assert not npshm.exists(name)
    # (The nanny restarts the worker; the tests after this one need none.)


def test_shutdown_leaves_nothing(client, shm_dir):
    """Last in this module: after use, closing the cluster leaves the shm
    directory holding only the arrays this process made."""
    import npshm.dask
    a = npshm.create(npshm.unique_name("dask-shutdown"), (1000,), "f8")
    fa = client.scatter(a, broadcast=True)
    assert client.submit(total, fa).result() == 0.0
    x = npshm.dask.array(a, chunks=100)
    assert float(x.sum().compute()) == 0.0
    del fa, x
    client.close()
    client.npshm_test_cluster.close()
    assert sorted(os.listdir(shm_dir)) == [npshm.handle(a).name[len("shm://"):]]
    npshm.delete(npshm.handle(a).name)
    assert os.listdir(shm_dir) == []
