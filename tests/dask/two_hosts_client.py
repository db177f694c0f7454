"""The client side of the multi-host dask test (see test_two_hosts.py).
Prints one JSON object with what it saw.

usage: two_hosts_client.py first SCHEDULER CERTDIR VETH NAME ELEMENTS
       two_hosts_client.py second SCHEDULER CERTDIR
"""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
from distributed import Client, Security

import npshm
import npshm.dask

PATTERN = b"NpShM\x00Pt"  # the array's bytes: this word, repeated


def security(certdir):
    return Security(tls_ca_file=os.path.join(certdir, "ca.pem"),
                    tls_client_cert=os.path.join(certdir, "cert.pem"),
                    tls_client_key=os.path.join(certdir, "key.pem"),
                    require_encryption=True)


def link_bytes(veth):
    out = subprocess.run(["ip", "-j", "-s", "link", "show", "dev", veth],
                         check=True, capture_output=True, text=True).stdout
    stats = json.loads(out)[0]["stats64"]
    return stats["tx"]["bytes"]


def checksum(x):
    """Whether x holds the pattern everywhere, and how many elements."""
    word = np.frombuffer(PATTERN, "u8")[0]
    return [bool((np.asarray(x) == word).all()), int(x.size)]


def shm_listing():
    """The arrays in this host's /dev/shm (planted files are no arrays)."""
    return sorted(info.name[len("shm://"):] for info in npshm.list())


def copies_here():
    """This user's host copies here (not the files a co-user planted)."""
    return sorted(n for n in os.listdir("/dev/shm")
                  if n.startswith("npshm-copy-")
                  and os.stat("/dev/shm/" + n).st_uid == os.getuid())


def transfers():
    import npshm._dask_comms
    return dict(npshm._dask_comms.transfers)


def listeners():
    """Listening TCP ports here: port -> the listener's process (ss)."""
    out = subprocess.run(["ss", "-ltnpH"], check=True, capture_output=True,
                         text=True).stdout
    ports = {}
    for line in out.splitlines():
        fields = line.split()
        ports[int(fields[3].rsplit(":", 1)[1])] = " ".join(fields[5:])
    return ports


def same(x):
    return x


def hold_and_sleep(x, seconds):
    time.sleep(seconds)
    return checksum(x)


def dask_ports(client):
    """Every port dask listens on: scheduler, workers, nannies, and their
    HTTP services (dashboard, /health and /metrics), as dask reports them."""
    info = client.scheduler_info()
    ports = {int(client.scheduler.address.rsplit(":", 1)[1])}
    ports.update(int(p) for p in info.get("services", {}).values())
    for w, meta in info["workers"].items():
        ports.add(int(w.rsplit(":", 1)[1]))
        if meta.get("nanny"):
            ports.add(int(meta["nanny"].rsplit(":", 1)[1]))
        ports.update(int(p) for p in meta.get("services", {}).values())
    return sorted(ports)


def first(scheduler, certdir, veth, name, elements):
    report = {}
    with Client(scheduler, security=security(certdir), timeout=60) as client:
        client.wait_for_workers(4, timeout=180)
        npshm.dask.setup(client)
        ids = npshm.dask.host_ids(client)
        here = npshm.host_id()
        a_workers = sorted(w for w, h in ids.items() if h == here)
        b_workers = sorted(w for w, h in ids.items() if h != here)
        report["hosts"] = len(set(ids.values()))
        report["workers"] = [len(a_workers), len(b_workers)]

        a = npshm.create(name, (elements,), "u8", lifetime="owner")
        a.view(np.uint8)[:] = np.frombuffer(PATTERN * elements, np.uint8)
        report["nbytes"] = a.nbytes

        start = link_bytes(veth)
        fa = client.scatter(a, broadcast=True)
        seen = client.gather([client.submit(checksum, fa, workers=[w],
                                            pure=False)
                              for w in a_workers + b_workers])
        report["scatter_ok"] = all(s == [True, elements] for s in seen)
        after_scatter = link_bytes(veth)
        report["scatter_bytes"] = after_scatter - start
        report["b_copies"] = client.run(copies_here, workers=b_workers)
        report["b_transfers"] = client.run(transfers, workers=b_workers)
        report["a_listing"] = client.run(shm_listing, workers=a_workers)

        # Only dask's listeners, on every host (npshm opens none).
        report["dask_ports"] = dask_ports(client)
        report["listeners_a"] = listeners()
        report["listeners_b"] = client.run(listeners, workers=b_workers[:1])

        # Task arguments, views, a dask array: no more data crosses.
        ok = client.gather([client.submit(checksum, a, workers=[w],
                                          pure=False) for w in b_workers])
        chunks = [a[i:i + elements // 8]
                  for i in range(0, elements, elements // 8)]
        mapped = client.gather(client.map(checksum, chunks, pure=False))
        x = npshm.dask.array(a, chunks=elements // 8)
        word = int(np.frombuffer(PATTERN, "u8")[0])
        report["later_ok"] = (all(s == [True, elements] for s in ok)
                              and all(m[0] for m in mapped)
                              and int(x.max().compute()) == word)
        after_later = link_bytes(veth)
        report["later_bytes"] = after_later - after_scatter

        # Host B loses its copy: the next use makes it again.
        copy = report["b_copies"][b_workers[0]][0]
        client.run(os.unlink, "/dev/shm/" + copy, workers=[b_workers[0]])
        report["b_after_unlink"] = client.run(copies_here,
                                              workers=[b_workers[0]])
        again = client.submit(checksum, a, workers=[b_workers[1]],
                              pure=False).result()
        report["again_ok"] = again == [True, elements]
        report["again_bytes"] = link_bytes(veth) - after_later
        report["b_after_again"] = client.run(copies_here, workers=b_workers)

        # A worker of host B killed mid-task, holding the copy: the nanny
        # starts a new one, which gets the array again.
        held = client.submit(hold_and_sleep, a, 60, workers=[b_workers[0]],
                             pure=False)
        time.sleep(2)
        pid = client.run(os.getpid, workers=[b_workers[0]])[b_workers[0]]
        os.kill(pid, signal.SIGKILL)  # (the hosts share a pid namespace)
        del held
        client.wait_for_workers(4, timeout=120)
        deadline = time.monotonic() + 60
        while len(client.scheduler_info()["workers"]) != 4 \
                or b_workers[0] in client.scheduler_info()["workers"]:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        ids = npshm.dask.host_ids(client)
        new_b = sorted(w for w, h in ids.items() if h != here)
        after_kill = client.gather([client.submit(checksum, a, workers=[w],
                                                  pure=False) for w in new_b])
        report["after_kill_ok"] = all(s == [True, elements]
                                      for s in after_kill)

        # Keep, for a later client, a task's result on host B: a view of
        # B's copy (one replica, which dask's memory manager keeps; the
        # broadcast's extra replicas it may drop).  The sender's array goes.
        fb = client.submit(same, a, workers=new_b[:1], pure=False)
        assert checksum(fb.result()) == [True, elements]
        client.publish_dataset(npshm_test=fb)
        del fb
        del fa, x, chunks
        npshm.delete(name)
        report["a_before_exit"] = shm_listing()
    print(json.dumps(report))


def second(scheduler, certdir):
    report = {}
    with Client(scheduler, security=security(certdir), timeout=60) as client:
        client.wait_for_workers(5, timeout=180)
        fa = client.get_dataset("npshm_test")
        ids = npshm.dask.host_ids(client)
        by_host = {}
        for w, h in ids.items():
            by_host.setdefault(h, []).append(w)
        c_workers = [ws for ws in by_host.values() if len(ws) == 1][0]
        got = client.submit(checksum, fa, workers=c_workers,
                            pure=False).result()
        report["c_ok"] = got
        report["c_transfers"] = client.run(transfers, workers=c_workers)
        report["listeners_c"] = client.run(listeners, workers=c_workers)
        report["dask_ports"] = dask_ports(client)
        client.unpublish_dataset("npshm_test")
        del fa
        npshm.dask.release_copies(client)
        client.shutdown()
    print(json.dumps(report))


if __name__ == "__main__":
    if sys.argv[1] == "first":
        first(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
              int(sys.argv[6]))
    else:
        second(sys.argv[2], sys.argv[3])
