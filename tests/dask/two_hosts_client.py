"""The client side of the two-host dask test; runs on host A (see
test_two_hosts.py).  Prints one JSON object with what it saw.

usage: two_hosts_client.py SCHEDULER VETH NAME ELEMENTS
"""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
from distributed import Client

import npshm
import npshm.dask
import npshm._remote


def link_bytes(veth):
    out = subprocess.run(["ip", "-j", "-s", "link", "show", "dev", veth],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]["stats64"]["tx"]["bytes"]


def total(x):
    return float(np.sum(x, dtype=np.float64))


def shm_listing():
    """The arrays in this host's /dev/shm (not multiprocessing's sem.*)."""
    return sorted(info.name[len("shm://"):] for info in npshm.list())


def fetches():
    return npshm._remote.fetch_count


def hold_and_sleep(x, seconds):
    time.sleep(seconds)
    return total(x)


def kill_self():
    os.kill(os.getpid(), signal.SIGKILL)


def main():
    scheduler, veth, name, elements = sys.argv[1:5]
    elements = int(elements)
    report = {}
    with Client(scheduler, timeout=60) as client:
        client.wait_for_workers(4, timeout=180)
        npshm.dask.setup(client)
        ids = npshm.dask.host_ids(client)
        here = npshm.host_id()
        a_workers = sorted(w for w, h in ids.items() if h == here)
        b_workers = sorted(w for w, h in ids.items() if h != here)
        report["hosts"] = len(set(ids.values()))
        report["workers"] = [len(a_workers), len(b_workers)]

        a = npshm.create(name, (elements,), "f8")
        a[:] = np.arange(elements, dtype="f8")
        expected = float(elements * (elements - 1) / 2)
        report["nbytes"] = a.nbytes
        report["id"] = npshm.handle(a).id

        start = link_bytes(veth)
        fa = client.scatter(a, broadcast=True)
        sums = client.gather([client.submit(total, fa, workers=[w], pure=False)
                              for w in a_workers + b_workers])
        report["scatter_sums_ok"] = all(s == expected for s in sums)
        after_scatter = link_bytes(veth)
        report["scatter_bytes"] = after_scatter - start
        report["b_fetches"] = client.run(fetches, workers=b_workers)
        report["b_listing"] = client.run(shm_listing, workers=b_workers)
        report["a_listing"] = client.run(shm_listing, workers=a_workers)

        # Task arguments, map over views, a dask array over the array.
        sums = client.gather([client.submit(total, a, workers=[w], pure=False)
                              for w in b_workers])
        chunks = [a[i:i + elements // 8] for i in range(0, elements, elements // 8)]
        mapped = client.gather(client.map(total, chunks, pure=False))
        x = npshm.dask.array(a, chunks=elements // 8)
        reduced = float(x.sum().compute())
        report["later_ok"] = (all(s == expected for s in sums)
                              and sum(mapped) == expected and reduced == expected)
        after_later = link_bytes(veth)
        report["later_bytes"] = after_later - after_scatter

        # Host B loses its copy: the next use makes it again.
        copy = npshm._remote.derived_name(npshm.handle(a).name, "hosta",
                                          npshm._remote.local_host_hash(),
                                          npshm.handle(a).id)
        report["copy"] = copy
        client.run(os.unlink, "/dev/shm/" + copy, workers=[b_workers[0]])
        report["b_after_unlink"] = client.run(shm_listing, workers=[b_workers[0]])
        again = client.submit(total, a, workers=[b_workers[1]], pure=False).result()
        report["again_ok"] = again == expected
        report["again_bytes"] = link_bytes(veth) - after_later
        report["b_after_again"] = client.run(shm_listing, workers=b_workers)

        # A worker of host B killed mid-task, holding the copy.
        held = client.submit(hold_and_sleep, a, 60, workers=[b_workers[0]],
                             pure=False)
        time.sleep(3)
        try:
            client.run(kill_self, workers=[b_workers[0]], wait=False)
        except Exception:
            pass
        del held
        client.wait_for_workers(4, timeout=120)
        time.sleep(1)
        del fa, x
        npshm.delete(name)
        del a, chunks
        report["a_before_shutdown"] = shm_listing()
        client.shutdown()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
