#!/usr/bin/python3
"""npshm on dask.distributed against plain dask and the Pool/npshm floor.

A program, not a test: it prints tables of timings, memory and ratios
(lines starting with ROW feed bench/tables.py).

  1. One host, a LocalCluster of WORKERS worker processes (1 thread each):
     hand a SIZE array to every worker, then every worker sums all of it.
       plain dask   client.scatter(ndarray) to each worker (dask's own
                    numpy serializer; compression off, as lz4 is slow here)
       npshm.dask   client.scatter(npshm array, broadcast=True)
       Pool/npshm   multiprocessing.Pool(WORKERS).map over the npshm array
                    (by reference): the floor
     "ready" is the time from the hand-over until every worker has the
     array (dask: scatter returned; Pool: every worker attached it); "sum"
     the time until every worker summed it; "PSS" the summed PSS of the
     client and the workers after the sums, above the same processes before
     the array existed, in copies of the array.  Contenders alternate in
     rounds; medians are printed.
  2. (root only) Two hosts in network + mount namespaces (own /dev/shm),
     2 workers on each, scheduler and client on host A: bytes on the veth
     link for one broadcast scatter, plain dask vs npshm.dask, in arrays.

    PYTHONPATH=build/bindings/python /usr/bin/python3 bench/python/bench_dask.py
    ... --size-mib 256 --rounds 2          # smaller
    ... --no-two-hosts                      # skip part 2
    ... --no-one-host                       # skip part 1
"""

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import npshm

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..", "..", "tests", "dask")


def pss_of(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def summed_pss(pids):
    return sum(pss_of(p) for p in pids)


def total(x):
    return float(np.sum(x, dtype=np.float64))


def attach_ready(x):
    return x.shape[0]


# ----------------------------------------------------------- one host

def run_dask(client, pids, make, scatter, elements):
    before = summed_pss(pids)
    a = make(elements)
    workers = sorted(client.scheduler_info()["workers"])
    t0 = time.perf_counter()
    futures = scatter(client, a, workers)
    ready = time.perf_counter() - t0
    sums = client.gather([client.submit(total, f, workers=[w], pure=False)
                          for f, w in zip(futures, workers)])
    summed = time.perf_counter() - t0
    assert all(s == sums[0] for s in sums)
    grown = summed_pss(pids) - before
    nbytes = a.nbytes
    del futures
    return ready, summed, grown / nbytes, a


def make_plain(elements):
    return np.ones(elements)


def make_shared(elements):
    a = npshm.create(None, (elements,), "f8", lifetime="owner")
    a[:] = 1.0
    return a


def scatter_plain(client, a, workers):
    return [client.scatter(a, workers=[w], hash=False) for w in workers]


def scatter_shared(client, a, workers):
    f = client.scatter(a, broadcast=True)
    return [f] * len(workers)


def pool_floor(pool, pids, elements):
    before = summed_pss(pids)
    a = make_shared(elements)
    t0 = time.perf_counter()
    pool.map(attach_ready, [a] * len(pids[1:]), chunksize=1)
    ready = time.perf_counter() - t0
    pool.map(total, [a] * len(pids[1:]), chunksize=1)
    summed = time.perf_counter() - t0
    grown = summed_pss(pids) - before
    return ready, summed, grown / a.nbytes, a


def one_host(args):
    import dask
    import npshm.dask
    from distributed import Client, LocalCluster
    elements = args.size_mib * 1024 * 1024 // 8
    dask.config.set({"distributed.comm.compression": None})
    results = {"plain dask": [], "npshm.dask": [], "Pool/npshm": []}
    with tempfile.TemporaryDirectory() as scratch, \
            LocalCluster(n_workers=args.workers, threads_per_worker=1,
                         processes=True, dashboard_address=None,
                         local_directory=scratch) as cluster, \
            Client(cluster) as client:
        npshm.dask.setup(client)
        pids = [os.getpid()] + list(client.run(os.getpid).values())
        ctx = multiprocessing.get_context("forkserver")
        with ctx.Pool(args.workers) as pool:
            pool_pids = [os.getpid()] + [p.pid for p in pool._pool]
            for r in range(args.rounds):
                order = [("plain dask", lambda: run_dask(client, pids, make_plain, scatter_plain, elements)),
                         ("npshm.dask", lambda: run_dask(client, pids, make_shared, scatter_shared, elements)),
                         ("Pool/npshm", lambda: pool_floor(pool, pool_pids, elements))]
                if r % 2:
                    order.reverse()
                for label, run in order:
                    ready, summed, copies, a = run()
                    del a
                    client.run(lambda: __import__("gc").collect())
                    results[label].append((ready, summed, copies))
                    print(f"  round {r + 1} {label:11} ready {ready:8.3f} s  "
                          f"sum {summed:8.3f} s  PSS {copies:5.2f} copies",
                          flush=True)
    print(f"\nOne host, {args.workers} workers, {args.size_mib} MiB float64, "
          f"medians of {args.rounds} rounds:")
    print(f"{'':14}{'ready s':>10}{'sum s':>10}{'PSS copies':>12}{'ready vs plain':>16}")
    plain_ready = statistics.median(r[0] for r in results["plain dask"])
    for label, rows in results.items():
        ready = statistics.median(r[0] for r in rows)
        summed = statistics.median(r[1] for r in rows)
        copies = statistics.median(r[2] for r in rows)
        print(f"{label:14}{ready:10.3f}{summed:10.3f}{copies:12.2f}"
              f"{ready / plain_ready:15.3f}x")
    ours = results["npshm.dask"]
    size = f"{args.size_mib} MiB, {args.workers} workers"
    for peer, target in (("plain dask", "<= 0.1x"), ("Pool/npshm", "-")):
        row(f"dask hand-over until every worker has it, {size}", [r[0] for r in ours],
            peer, [r[0] for r in results[peer]], "s", target)
    row(f"dask summed PSS after the sums, {size}", [r[2] for r in ours], "plain dask",
        [r[2] for r in results["plain dask"]], "copies", "npshm <= 1.05 copies")


def row(what, ours, peer, theirs, unit, target):
    """A ROW line for bench/tables.py: medians, 25th-75th percentiles, ratio."""
    def stats(samples):
        s = sorted(samples)
        return statistics.median(s), s[len(s) // 4], s[min(len(s) - 1, 3 * len(s) // 4)]
    m, lo, hi = stats(ours)
    pm, plo, phi = stats(theirs)
    print(f"ROW\tdask\t{what}\t{m:.2f} {unit}\t{lo:.2f}-{hi:.2f}\t{peer}\t{pm:.2f} {unit}\t"
          f"{plo:.2f}-{phi:.2f}\t{m / pm:.3f}x\t{target}", flush=True)


# ----------------------------------------------------------- two hosts

CLIENT = r"""
import json, subprocess, sys, time
import numpy as np
from distributed import Client
import dask
dask.config.set({"distributed.comm.compression": None})
import npshm, npshm.dask
scheduler, veth, elements, kind = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def tx():
    out = subprocess.run(["ip", "-j", "-s", "link", "show", "dev", veth],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]["stats64"]["tx"]["bytes"]
def total(x):
    return float(np.sum(x, dtype=np.float64))
with Client(scheduler, timeout=60) as client:
    client.wait_for_workers(4, timeout=180)
    npshm.dask.setup(client)
    workers = sorted(client.scheduler_info()["workers"])
    if kind == "npshm":
        a = npshm.create(None, (elements,), "f8", lifetime="owner")
    else:
        a = np.empty(elements)
    a[:] = 1.0
    before = tx()
    t0 = time.perf_counter()
    if kind == "npshm":
        futures = [client.scatter(a, broadcast=True)] * len(workers)
    else:
        futures = [client.scatter(a, workers=[w], hash=False) for w in workers]
    sums = client.gather([client.submit(total, f, workers=[w], pure=False)
                          for f, w in zip(futures, workers)])
    elapsed = time.perf_counter() - t0
    assert all(s == elements for s in sums)
    print(json.dumps({"bytes": tx() - before, "nbytes": a.nbytes, "seconds": elapsed}))
    del futures
    client.run(npshm.dask._release_here)
    client.shutdown()
"""


def two_hosts(args):
    sys.path.insert(0, TESTS)
    from two_hosts import TwoHosts, unavailable_reason
    reason = unavailable_reason()
    if reason:
        print(f"\nTwo hosts: skipped ({reason})")
        return
    elements = args.two_host_mib * 1024 * 1024 // 8
    workdir = tempfile.mkdtemp(prefix="npshm-bench-dask-")
    rows = []
    try:
        script = os.path.join(workdir, "client.py")
        with open(script, "w") as f:
            f.write(CLIENT)
        for kind in ("plain", "npshm"):
            with TwoHosts(shm_size="4g") as hosts:
                scheduler = f"tcp://{hosts.a.address}:8786"
                log = open(os.path.join(workdir, f"{kind}.log"), "w")
                hosts.start(hosts.a, ["dask-scheduler", "--host", hosts.a.address,
                                      "--port", "8786", "--no-dashboard"],
                            stdout=log, stderr=subprocess.STDOUT)
                for h in hosts.hosts():
                    hosts.start(h, ["dask-worker", scheduler, "--nworkers", "2",
                                    "--nthreads", "1", "--host", h.address,
                                    "--no-dashboard", "--preload", "npshm.dask",
                                    "--local-directory", os.path.join(workdir, h.label)],
                                stdout=log, stderr=subprocess.STDOUT)
                run = hosts.a.run([sys.executable, script, scheduler, hosts.a.veth,
                                   str(elements), kind], timeout=1800)
                if run.returncode != 0:
                    print(run.stdout, run.stderr)
                    raise SystemExit(f"two-host {kind} run failed")
                rows.append((kind, json.loads(run.stdout.strip().splitlines()[-1])))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nTwo hosts x 2 workers, {args.two_host_mib} MiB float64, one "
          "broadcast scatter + a sum on every worker:")
    print(f"{'':14}{'link bytes':>14}{'arrays':>8}{'seconds':>9}")
    for kind, r in rows:
        label = "plain dask" if kind == "plain" else "npshm.dask"
        print(f"{label:14}{r['bytes']:14d}{r['bytes'] / r['nbytes']:8.2f}"
              f"{r['seconds']:9.2f}")
    arrays = {kind: [r["bytes"] / r["nbytes"]] for kind, r in rows}
    seconds = {kind: [r["seconds"]] for kind, r in rows}
    if "plain" in arrays and "npshm" in arrays:
        what = f"dask, 2 hosts x 2 workers, {args.two_host_mib} MiB broadcast"
        row(f"{what}: arrays on the link", arrays["npshm"], "plain dask", arrays["plain"],
            "arrays", "npshm: 1 per other host")
        row(f"{what}: seconds", seconds["npshm"], "plain dask", seconds["plain"], "s", "-")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--two-host-mib", type=int, default=256)
    parser.add_argument("--no-two-hosts", action="store_true")
    parser.add_argument("--no-one-host", action="store_true")
    args = parser.parse_args()
    # Processes entering another host's namespaces start at its root.
    os.environ["PYTHONPATH"] = ":".join(
        os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(":") if p)
    if not args.no_one_host:
        one_host_run(args)
    if not args.no_two_hosts:
        two_hosts(args)


def one_host_run(args):
    directory = tempfile.mkdtemp(prefix="npshm-bench-dask-", dir="/dev/shm")
    os.environ["NPSHM_DIR"] = directory
    try:
        one_host(args)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        os.environ.pop("NPSHM_DIR")


if __name__ == "__main__":
    main()
