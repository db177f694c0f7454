"""npshm.dask across "hosts" on one machine, over IPv6: every worker runs
with its own shm directory (NPSHM_DIR), so it has its own host id and must
get a host copy as another host would -- over dask's comms (no namespaces,
no root).  Hosts: A (the client and worker a1), B (workers b1, b2), C (c1).
Covers: bytes once per host, any holder serves (the sender's array gone),
digest checks (an injected corruption retried from another holder, or a
clear error), a deleted copy recovers, planted files of another user cause
no wait and no failure, private copy names, nothing left at the end."""

import os
import secrets
import shutil
import tempfile
import time

import numpy as np
import pytest

import npshm

ELEMENTS = 1024 * 1024 + 3  # 8 MiB of float64 and a bit: several pieces


def total(x):
    return float(np.sum(x, dtype=np.float64))


def describe(x):
    import npshm
    return (npshm.handle(x).name, bool(x.flags.writeable), total(x))


def transfers():
    import npshm._dask_comms as c
    return dict(c.transfers)


def set_corrupt(n):
    import npshm._dask_comms as c
    c.corrupt_next = n
    return n


def listing():
    return sorted(os.listdir(os.environ["NPSHM_DIR"]))


@pytest.fixture(scope="module")
def dirs():
    made = {h: tempfile.mkdtemp(prefix=f"npshm-test-dirhost-{h}-",
                                dir="/dev/shm") for h in "abc"}
    for d in made.values():
        os.chmod(d, 0o1777)  # like /dev/shm (a co-user may plant files)
    old = os.environ.get("NPSHM_DIR")
    os.environ["NPSHM_DIR"] = made["a"]
    yield made
    for d in made.values():
        shutil.rmtree(d, ignore_errors=True)
    if old is None:
        os.environ.pop("NPSHM_DIR", None)
    else:
        os.environ["NPSHM_DIR"] = old


@pytest.fixture(scope="module")
def cluster(dirs):
    import npshm.dask as npshm_dask
    from distributed import Client, Nanny, Scheduler, SpecCluster
    scratch = tempfile.mkdtemp(prefix="npshm-test-dirhost-")

    def worker(host):
        return {"cls": Nanny, "options": {
            "nthreads": 1, "host": "[::1]", "local_directory": scratch,
            "env": {"NPSHM_DIR": dirs[host]}}}
    spec = {"a1": worker("a"), "b1": worker("b"), "b2": worker("b"),
            "c1": worker("c")}
    c = client = None
    try:
        c = SpecCluster(workers=spec, scheduler={
            "cls": Scheduler, "options": {"host": "[::1]",
                                          "dashboard_address": None}})
        client = Client(c)
        client.wait_for_workers(4, timeout=120)
        npshm_dask.setup(client)
        by_dir = client.run(lambda: os.environ["NPSHM_DIR"])
        hosts = {h: sorted(w for w, d in by_dir.items() if d == dirs[h])
                 for h in "abc"}
        assert [len(hosts[h]) for h in "abc"] == [1, 2, 1]
        yield client, hosts
    finally:
        if client is not None:
            client.close()
        if c is not None:
            c.close()
        shutil.rmtree(scratch, ignore_errors=True)


def make(name_prefix, lifetime="persistent"):
    a = npshm.create(npshm.unique_name(f"npshm-test-{name_prefix}"),
                     (ELEMENTS,), "f8", lifetime=lifetime)
    a[:] = np.arange(ELEMENTS, dtype="f8")
    a[0] = 1000 + secrets.randbelow(1 << 20)  # each array its own bytes
    return a


def copies_in(directory):
    return sorted(n for n in os.listdir(directory)
                  if n.startswith("npshm-copy-"))


def test_ipv6_cluster_one_copy_per_host(cluster, dirs):
    client, hosts = cluster
    assert client.scheduler.address.startswith("tcp://[::1]:")
    a = make("dirhost-once")
    try:
        before = client.run(transfers)
        fa = client.scatter(a, broadcast=True, hash=False)
        workers = hosts["a"] + hosts["b"] + hosts["c"]
        seen = client.gather([client.submit(describe, fa, workers=[w],
                                            pure=False) for w in workers])
        assert all(s[2] == total(a) for s in seen)
        # Host A attaches the array itself (read-only when the reference
        # came from another host's copy: broadcast replicates between
        # workers); B and C read-only copies.
        assert seen[0][0] == npshm.handle(a).name
        for name, writable, _ in seen[1:]:
            assert name.startswith(f"shm://npshm-copy-{os.getuid()}-")
            assert not writable
        assert seen[1][0] == seen[2][0]  # b1 and b2: one copy
        after = client.run(transfers)
        got = {w: after[w]["copies"] - before[w]["copies"] for w in after}
        assert sum(got[w] for w in hosts["b"]) == 1
        assert sum(got[w] for w in hosts["c"]) == 1
        assert got[hosts["a"][0]] == 0
        assert len(copies_in(dirs["b"])) == 1
        assert len(copies_in(dirs["c"])) == 1
        # Task arguments and a dask array over it: no more transfers.
        import npshm.dask as npshm_dask
        x = npshm_dask.array(a, chunks=ELEMENTS // 4)
        assert float(x.sum().compute()) == total(a)
        assert client.submit(total, a[10:], workers=hosts["c"],
                             pure=False).result() == total(a) - total(a[:10])
        again = client.run(transfers)
        assert sum(again[w]["copies"] for w in again) == \
            sum(after[w]["copies"] for w in after)
        # A view coming back from host B resolves to the client's array.
        back = client.submit(lambda v: v[5:8], fa, workers=hosts["b"][:1],
                             pure=False).result()
        assert npshm.handle(back).name == npshm.handle(a).name
        assert list(back) == [5.0, 6.0, 7.0]
        del fa, x, back
    finally:
        npshm.delete(npshm.handle(a).name)


def test_any_holder_serves_when_the_sender_is_gone(cluster, dirs):
    client, hosts = cluster
    a = make("dirhost-gone")
    expected = total(a)
    fb = client.scatter(a, workers=hosts["b"][:1], hash=False)  # B's copy
    assert client.submit(total, fb, workers=hosts["b"][:1],
                         pure=False).result() == expected
    npshm.delete(npshm.handle(a).name)  # the sender's array is gone
    del a
    before = client.run(transfers, workers=hosts["c"])
    # Host C gets it from B's copy (B's worker sends C a reference).
    assert client.submit(total, fb, workers=hosts["c"],
                         pure=False).result() == expected
    after = client.run(transfers, workers=hosts["c"])
    w = hosts["c"][0]
    assert after[w]["copies"] - before[w]["copies"] == 1
    del fb


def test_corrupted_transfer_is_retried_or_refused(cluster, dirs):
    client, hosts = cluster
    a = make("dirhost-corrupt")
    try:
        fa = client.scatter(a, workers=hosts["b"][:1], hash=False)
        assert client.submit(total, fa, workers=hosts["b"][:1],
                             pure=False).result() == total(a)
        # C: two holders (A, B); the first transfer is corrupted.
        c = hosts["c"][0]
        client.run(set_corrupt, 1, workers=[c])
        before = client.run(transfers, workers=[c])[c]
        assert client.submit(total, a, workers=[c], pure=False).result() \
            == total(a)
        after = client.run(transfers, workers=[c])[c]
        assert after["rejected"] - before["rejected"] == 1
        assert after["copies"] - before["copies"] == 1
        # A second array only host A holds: every transfer corrupted gives
        # a clear error, and nothing is left; a clean retry works.
        b = make("dirhost-corrupt2")
        client.run(set_corrupt, 10, workers=[c])
        with pytest.raises(Exception, match="do not match the reference's "
                                            "digest"):
            client.submit(total, b, workers=[c], pure=False).result()
        copies = copies_in(dirs["c"])
        client.run(set_corrupt, 0, workers=[c])
        assert client.submit(total, b, workers=[c], pure=False).result() \
            == total(b)
        assert len(copies_in(dirs["c"])) == len(copies) + 1
        npshm.delete(npshm.handle(b).name)
        del fa
    finally:
        npshm.delete(npshm.handle(a).name)


def test_deleted_copy_recovers(cluster, dirs):
    client, hosts = cluster
    a = make("dirhost-deleted")
    try:
        b1, b2 = hosts["b"]
        assert client.submit(total, a, workers=[b1], pure=False).result() \
            == total(a)
        made = set(copies_in(dirs["b"]))
        name = client.submit(describe, a, workers=[b1], pure=False).result()[0]
        os.unlink(os.path.join(dirs["b"], name[len("shm://"):]))
        # Both of host B's workers get the array again (one new copy).
        for w in (b2, b1):
            assert client.submit(total, a, workers=[w], pure=False).result() \
                == total(a)
        now = set(copies_in(dirs["b"]))
        assert len(now - made) == 1
    finally:
        npshm.delete(npshm.handle(a).name)


def test_planted_files_of_another_user_cause_no_wait(cluster, dirs):
    client, hosts = cluster
    a = make("dirhost-planted")
    uid = os.getuid()
    planted = []
    # Names a co-user might guess: the old derived names, copy-like names,
    # the array's own name on host C.  Files of another uid (root: chown).
    guesses = [npshm.handle(a).name[len("shm://"):],
               npshm.handle(a).name[len("shm://"):] + "@hosta.0000",
               f"npshm-copy-{uid}-" + "0" * 24,
               f"npshm-copy-{uid}-" + "f" * 24 + "~partial"]
    for g in guesses:
        path = os.path.join(dirs["c"], g)
        with open(path, "wb") as f:
            f.write(b"\x93NUMPY planted")
        if os.geteuid() == 0:
            os.chown(path, 65534, 65534)
        planted.append(path)
    try:
        t0 = time.monotonic()
        assert client.submit(total, a, workers=hosts["c"], pure=False
                             ).result() == total(a)
        # (No wait: NPSHM_DASK_WAIT is 300 s; a transfer of 8 MiB here
        # takes well under a second, the bound leaves a wide margin.)
        assert time.monotonic() - t0 < 60
        for p in planted:
            with open(p, "rb") as f:
                assert f.read() == b"\x93NUMPY planted"
    finally:
        for p in planted:
            os.unlink(p)
        npshm.delete(npshm.handle(a).name)


@pytest.mark.parametrize("local_file", [False, True])
def test_load_per_host(cluster, dirs, local_file):
    import npshm.dask as npshm_dask
    client, hosts = cluster
    data = np.arange(ELEMENTS, dtype="f8")
    data[0] = 1000 + secrets.randbelow(1 << 20)
    with tempfile.TemporaryDirectory(prefix="npshm-test-dirhost-") as d:
        path = os.path.join(d, "input.npy")
        np.save(path, data)
        before = client.run(transfers)
        copies = {h: set(copies_in(dirs[h])) for h in "bc"}
        a = npshm_dask.load_per_host(client, path, local_file=local_file)
        try:
            # Unnamed: lifetime "owner" (nothing left after the run).
            assert [i.lifetime for i in npshm.list()
                    if i.name == npshm.handle(a).name] == ["owner"]
            after = client.run(transfers)
            fetched = sum(after[w]["copies"] - before[w]["copies"]
                          for w in after)
            # One copy on each other host: read from its own file, or sent.
            assert fetched == (0 if local_file else 2)
            for h in "bc":
                assert len(set(copies_in(dirs[h])) - copies[h]) == 1
            # Tasks then find the host's copy: nothing more moves.
            sums = client.gather([client.submit(total, a, workers=[w],
                                                pure=False) for w in after])
            assert sums == [float(data.sum())] * len(after)
            again = client.run(transfers)
            assert sum(again[w]["copies"] for w in again) == \
                sum(after[w]["copies"] for w in after)
        finally:
            name = npshm.handle(a).name
            del a
    import gc
    gc.collect()  # (the client's graph machinery may hold a cycle to it)
    assert not npshm.exists(name)


def registry_holders(dask_scheduler, digest):
    return dask_scheduler.plugins["npshm-registry"].holders(digest)


def test_worker_killed_while_making_its_hosts_copy(cluster, dirs):
    """b1 is SIGKILLed while it makes host B's copy: b2 does not wait for
    b1's claim, makes the copy itself, and b1's partial copy goes (the
    restarted worker sweeps what dead processes left)."""
    import signal
    from npshm import _remote
    from npshm._shared_array import mapping_of
    client, hosts = cluster
    b1, b2 = hosts["b"]
    # Large enough that the transfer takes a while (16 pieces).
    big = npshm.create(npshm.unique_name("npshm-test-dirhost-killed"),
                       (32 << 20,), "f8", lifetime="owner")
    big[:] = 3.0
    digest = _remote.digest_of(mapping_of(big))
    host_b = client.run(_remote.local_host_hash, workers=[b2])[b2]
    before = set(copies_in(dirs["b"]))
    pid = client.run(os.getpid, workers=[b1])[b1]
    fut = client.submit(total, big, workers=[b1], pure=False)
    deadline = time.monotonic() + 120
    while not set(copies_in(dirs["b"])) - before:  # b1 made the partial copy
        assert time.monotonic() < deadline, "b1 never started the copy"
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    finished = host_b in client.run_on_scheduler(registry_holders,
                                                 digest=digest)
    del fut
    t0 = time.monotonic()
    assert client.submit(total, big, workers=[b2], pure=False).result() \
        == 3.0 * big.size
    # (b1's claim dies with it: no wait for NPSHM_DASK_WAIT, 300 s; the
    # transfer takes seconds here, the bound leaves a wide margin.)
    assert time.monotonic() - t0 < 120
    client.wait_for_workers(4, timeout=120)
    deadline = time.monotonic() + 60
    while True:
        by_dir = client.run(lambda: os.environ["NPSHM_DIR"])
        new_b = sorted(w for w, d in by_dir.items() if d == dirs["b"])
        if len(new_b) == 2 and b1 not in new_b:
            break
        assert time.monotonic() < deadline, "b1 was not restarted"
        time.sleep(0.2)
    hosts["b"][:] = new_b
    # One copy of big on host B: b2's; b1's partial copy is gone.
    deadline = time.monotonic() + 30
    while len(set(copies_in(dirs["b"])) - before) != 1:
        assert time.monotonic() < deadline, copies_in(dirs["b"])
        time.sleep(0.2)
    name = npshm.handle(big).name
    del big
    assert not npshm.exists(name)
    if finished:
        pytest.skip("b1 finished the copy before it was killed (a faster "
                    "machine): a dead worker's claim was not tested")


def test_release_and_close_leave_nothing(cluster, dirs):
    import npshm.dask as npshm_dask
    client, hosts = cluster
    npshm_dask.release_copies(client)
    time.sleep(0.5)
    # Every copy went with its last holder (lifetime "last").
    for h in "bc":
        assert copies_in(dirs[h]) == [], h
    assert [n for n in os.listdir(dirs["a"])] == []
