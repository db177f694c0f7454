"""dask across two real hosts on one machine (network + mount namespaces,
each host with its own /dev/shm): bytes cross once per host, one copy per
host however many workers, correct results, both hosts clean afterwards."""

import json
import os
import shutil
import sys
import tempfile

import pytest

from two_hosts import TwoHosts, unavailable_reason, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable

pytestmark = pytest.mark.skipif(unavailable_reason() is not None,
                                reason=str(unavailable_reason()))


def start_cluster(hosts, workdir):
    scheduler = f"tcp://{hosts.a.address}:8786"
    hosts.start(hosts.a, ["dask-scheduler", "--host", hosts.a.address,
                          "--port", "8786", "--no-dashboard",
                          "--no-show"],
                stdout=open(os.path.join(workdir, "scheduler.log"), "w"),
                stderr=subprocess_stdout())
    for h in hosts.hosts():
        hosts.start(h, ["dask-worker", scheduler, "--nworkers", "2",
                        "--nthreads", "1", "--host", h.address,
                        "--no-dashboard", "--preload", "npshm.dask",
                        "--local-directory", os.path.join(workdir, h.label),
                        "--death-timeout", "60"],
                    stdout=open(os.path.join(workdir, h.label + ".log"), "w"),
                    stderr=subprocess_stdout())
    return scheduler


def subprocess_stdout():
    import subprocess
    return subprocess.STDOUT


def test_two_hosts_one_copy_per_host():
    workdir = tempfile.mkdtemp(prefix="npshm-dask-2hosts-")
    try:
        with TwoHosts() as hosts:
            scheduler = start_cluster(hosts, workdir)
            name = f"twohosts-{hosts.tag}"
            elements = 4 * 1024 * 1024  # 32 MiB of float64
            run = hosts.a.run([PY, os.path.join(HERE, "two_hosts_client.py"),
                               scheduler, hosts.a.veth, name, str(elements)],
                              timeout=400)
            if run.returncode != 0:
                logs = ""
                for f in sorted(os.listdir(workdir)):
                    p = os.path.join(workdir, f)
                    if os.path.isfile(p):
                        logs += f"--- {f}\n" + open(p).read()[-3000:]
                pytest.fail(f"client failed:\n{run.stdout}\n{run.stderr}\n{logs}")
            report = json.loads(run.stdout.strip().splitlines()[-1])
            nbytes = report["nbytes"]
            copy = report["copy"]
            assert copy.startswith(f"{name}@hosta.")
            assert copy.endswith(f"-{report['id']:016x}")

            assert report["hosts"] == 2
            assert report["workers"] == [2, 2]
            assert report["scatter_sums_ok"]
            # Bytes cross once for host B (and only references otherwise).
            assert nbytes <= report["scatter_bytes"] < 1.2 * nbytes, report
            # One copy on host B for its two workers; host A only the original.
            for listing in report["b_listing"].values():
                assert listing == [copy]
            for listing in report["a_listing"].values():
                assert listing == [name]
            # Task arguments, map over views and a dask array: no more data.
            assert report["later_ok"]
            assert report["later_bytes"] < 0.1 * nbytes, report
            # A host that lost its copy makes it again on the next use.
            assert list(report["b_after_unlink"].values()) == [[]]
            assert report["again_ok"]
            assert nbytes <= report["again_bytes"] < 1.2 * nbytes, report
            for listing in report["b_after_again"].values():
                assert listing == [copy]
            assert report["a_before_shutdown"] == []

            # After the cluster is gone: both hosts clean (the nannies
            # removed host B's copy, also the one a killed worker held).
            for p in hosts.processes:
                try:
                    p.wait(60)
                except Exception:
                    hosts.stop(p)
            assert hosts.a.shm_files() == []
            leftover_b = hosts.b.shm_files()
            gc_run = hosts.b.run([PY, "-c", "import npshm; print(npshm.gc())"])
            assert gc_run.returncode == 0, gc_run.stderr
            assert hosts.b.shm_files() == []
            assert leftover_b == [], f"left on host B after shutdown: {leftover_b}"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
