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
     a plain TCP and a TLS cluster side by side (certificates made here),
     each with 2 workers on each host, schedulers and client on host A:
     bytes on the veth link and seconds for handing a SIZE array to every
     worker plus a sum on each, plain dask (a scatter to each worker) vs
     npshm.dask (one broadcast scatter: host B gets one copy over dask's
     comms), and npshm.dask on TLS against TCP.  The four contenders take
     turns, each round starting with another one.

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
import json, os, subprocess, sys, time
import numpy as np
from distributed import Client, Security
import dask
dask.config.set({"distributed.comm.compression": None})
import npshm, npshm.dask
tcp, tls, certdir, veth, elements, rounds = (sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4],
                                             int(sys.argv[5]), int(sys.argv[6]))
security = Security(tls_ca_file=os.path.join(certdir, "ca.pem"),
                    tls_client_cert=os.path.join(certdir, "cert.pem"),
                    tls_client_key=os.path.join(certdir, "key.pem"),
                    require_encryption=True)
def tx():
    out = subprocess.run(["ip", "-j", "-s", "link", "show", "dev", veth],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]["stats64"]["tx"]["bytes"]
def total(x):
    return float(np.sum(x, dtype=np.float64))
def hand_over(client, kind, value):
    workers = sorted(client.scheduler_info()["workers"])
    if kind == "npshm":
        a = npshm.create(None, (elements,), "f8", lifetime="owner")
    else:
        a = np.empty(elements)
    a[:] = value  # each round its own bytes (a new digest: no copy is reused)
    before = tx()
    t0 = time.perf_counter()
    if kind == "npshm":
        futures = [client.scatter(a, broadcast=True, hash=False)] * len(workers)
    else:
        futures = [client.scatter(a, workers=[w], hash=False) for w in workers]
    ready = time.perf_counter() - t0  # every worker has it (host B its copy)
    sent = tx() - before
    sums = client.gather([client.submit(total, f, workers=[w], pure=False)
                          for f, w in zip(futures, workers)])
    elapsed = time.perf_counter() - t0
    assert all(s == value * elements for s in sums), sums
    nbytes = a.nbytes
    del futures, a
    if kind == "npshm":
        npshm.dask.release_copies(client)
    return {"bytes": sent, "nbytes": nbytes, "ready": ready, "seconds": elapsed}
with Client(tcp, timeout=60) as c_tcp, Client(tls, timeout=60, security=security) as c_tls:
    clients = {"tcp": c_tcp, "tls": c_tls}
    for c in clients.values():
        c.wait_for_workers(4, timeout=180)
        npshm.dask.setup(c)
    contenders = [(p, k) for p in ("tcp", "tls") for k in ("plain", "npshm")]
    for r in range(rounds):
        # Each round starts with another contender (machine noise hits all).
        for i in range(len(contenders)):
            protocol, kind = contenders[(i + r) % len(contenders)]
            with clients[protocol].as_current():
                result = hand_over(clients[protocol], kind, float(r * 10 + i + 1))
            result.update(protocol=protocol, kind=kind, round=r)
            print(json.dumps(result), flush=True)
    for c in clients.values():
        c.shutdown()
"""


def make_certificates(certdir):
    """One self-signed certificate for every role (Security.temporary)."""
    from distributed import Security
    sec = Security.temporary()
    for name, text in (("ca.pem", sec.tls_ca_file), ("cert.pem", sec.tls_worker_cert),
                       ("key.pem", sec.tls_worker_key)):
        fd = os.open(os.path.join(certdir, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, "w") as f:
            f.write(text)


def two_hosts(args):
    """A TCP and a TLS cluster side by side on the same two hosts (each host
    2 workers of each); one client alternates the four contenders round by
    round."""
    sys.path.insert(0, TESTS)
    from two_hosts import TwoHosts, unavailable_reason
    reason = unavailable_reason()
    if reason:
        print(f"\nTwo hosts: skipped ({reason})")
        return
    elements = args.two_host_mib * 1024 * 1024 // 8
    workdir = tempfile.mkdtemp(prefix="npshm-bench-dask-")
    results = {}
    try:
        script = os.path.join(workdir, "client.py")
        with open(script, "w") as f:
            f.write(CLIENT)
        certdir = os.path.join(workdir, "certs")
        os.mkdir(certdir, 0o700)
        make_certificates(certdir)
        tls = ["--tls-ca-file", os.path.join(certdir, "ca.pem"),
               "--tls-cert", os.path.join(certdir, "cert.pem"),
               "--tls-key", os.path.join(certdir, "key.pem")]
        log = open(os.path.join(workdir, "cluster.log"), "w")
        with TwoHosts(shm_size="4g") as hosts:
            schedulers = {}
            # (Each scheduler's HTTP server takes a port of its own.)
            for protocol, port, extra in (("tcp", 8786, []), ("tls", 8796, tls)):
                scheduler = schedulers[protocol] = f"{protocol}://{hosts.a.address}:{port}"
                hosts.start(hosts.a, ["dask-scheduler", "--host", hosts.a.address,
                                      "--port", str(port), "--no-dashboard",
                                      "--dashboard-address", ":0"] + extra,
                            stdout=log, stderr=subprocess.STDOUT)
                for h in hosts.hosts():
                    hosts.start(h, ["dask-worker", scheduler, "--nworkers", "2",
                                    "--nthreads", "1", "--host", h.address,
                                    "--no-dashboard", "--preload", "npshm.dask",
                                    "--local-directory",
                                    os.path.join(workdir, protocol + h.label)] + extra,
                                stdout=log, stderr=subprocess.STDOUT)
            run = hosts.a.run([sys.executable, script, schedulers["tcp"], schedulers["tls"],
                               certdir, hosts.a.veth, str(elements),
                               str(args.two_host_rounds)], timeout=3600)
            if run.returncode != 0:
                log.flush()
                print(run.stdout, run.stderr, open(log.name).read()[-5000:])
                raise SystemExit("two-host run failed")
            for line in run.stdout.splitlines():
                r = json.loads(line)
                print(f"  round {r['round'] + 1} {r['kind']:6} {r['protocol']}  ready "
                      f"{r['ready']:7.2f} s  with sums {r['seconds']:7.2f} s  "
                      f"{r['bytes'] / r['nbytes']:5.2f} arrays on the link", flush=True)
                results.setdefault((r["kind"], r["protocol"]), []).append(r)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nTwo hosts x 2 workers, {args.two_host_mib} MiB float64: hand-over until "
          "every worker has it, and until every worker summed it, "
          f"medians of {args.two_host_rounds} rounds [min-max]:")
    print(f"{'':20}{'link bytes':>14}{'arrays':>8}{'ready s':>9}  spread{'':8}"
          f"{'+ sums s':>9}  spread")
    for (kind, protocol), rs in sorted(results.items()):
        label = ("plain dask" if kind == "plain" else "npshm.dask") + f" {protocol}"
        line = (f"{label:20}{statistics.median(r['bytes'] for r in rs):14.0f}"
                f"{statistics.median(r['bytes'] / r['nbytes'] for r in rs):8.2f}")
        for key in ("ready", "seconds"):
            t = [r[key] for r in rs]
            line += f"{statistics.median(t):9.2f}  [{min(t):5.2f}-{max(t):5.2f}]"
        print(line)
    what = f"dask, 2 hosts x 2 workers, {args.two_host_mib} MiB"
    for protocol in ("tcp", "tls"):
        ours = results.get(("npshm", protocol))
        theirs = results.get(("plain", protocol))
        if ours and theirs:
            name = "TCP" if protocol == "tcp" else "TLS"
            row(f"{what}, {name}: arrays on the link per other host",
                [r["bytes"] / r["nbytes"] for r in ours], "plain dask",
                [r["bytes"] / r["nbytes"] for r in theirs], "arrays", "npshm: 1.00")
            row(f"{what}, {name}: hand-over until every worker has it",
                [r["ready"] for r in ours], "plain dask", [r["ready"] for r in theirs],
                "s", "<= 0.5x")
            row(f"{what}, {name}: hand-over + a sum on every worker",
                [r["seconds"] for r in ours], "plain dask",
                [r["seconds"] for r in theirs], "s", "-")
    tls, tcp = results.get(("npshm", "tls")), results.get(("npshm", "tcp"))
    if tls and tcp:
        row(f"{what}: npshm.dask hand-over, TLS against TCP", [r["ready"] for r in tls],
            "npshm.dask TCP", [r["ready"] for r in tcp], "s", "<= 1.2x")
        row(f"{what}: npshm.dask hand-over + sums, TLS against TCP",
            [r["seconds"] for r in tls], "npshm.dask TCP", [r["seconds"] for r in tcp],
            "s", "-")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--two-host-mib", type=int, default=256)
    parser.add_argument("--two-host-rounds", type=int, default=5)
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
