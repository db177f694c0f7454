"""dask across real hosts on one machine (network + mount namespaces, each
host with its own /dev/shm, joined by a bridge), on a TLS cluster with
certificates made here:

- bytes cross once per additional host, never in clear (a capture of every
  frame on the bridge never holds the array's byte pattern), and every
  host listens only on dask's own ports (ss -ltn);
- host B loses its copy, or a worker holding it is SIGKILLed: it recovers;
- files of another user planted in host B's /dev/shm change nothing;
- a third host joins after the first client has exited and the sender's
  array is gone, and gets the array from host B;
- after shutdown nothing is left on any host."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from two_hosts import TwoHosts, unavailable_reason

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
PATTERN = b"NpShM\x00Pt"

pytestmark = pytest.mark.skipif(unavailable_reason() is not None,
                                reason=str(unavailable_reason()))


def make_certificates(certdir):
    """One self-signed certificate and key for every role (distributed's
    Security.temporary), written where the dask command lines read them."""
    from distributed import Security
    sec = Security.temporary()
    for name, text in (("ca.pem", sec.tls_ca_file),
                       ("cert.pem", sec.tls_worker_cert),
                       ("key.pem", sec.tls_worker_key)):
        path = os.path.join(certdir, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600),
                  "w") as f:
            f.write(text)


def tls_args(certdir):
    return ["--tls-ca-file", os.path.join(certdir, "ca.pem"),
            "--tls-cert", os.path.join(certdir, "cert.pem"),
            "--tls-key", os.path.join(certdir, "key.pem")]


def start_workers(hosts, host, scheduler, workdir, certdir, n=2):
    hosts.start(host, ["dask-worker", scheduler, "--nworkers", str(n),
                       "--nthreads", "1", "--host", host.address,
                       "--no-dashboard", "--preload", "npshm.dask",
                       "--local-directory", os.path.join(workdir, host.label),
                       "--death-timeout", "60"] + tls_args(certdir),
                stdout=open(os.path.join(workdir, host.label + ".log"), "w"),
                stderr=subprocess.STDOUT)


def logs_of(workdir):
    logs = ""
    for f in sorted(os.listdir(workdir)):
        p = os.path.join(workdir, f)
        if os.path.isfile(p) and f.endswith(".log"):
            logs += f"--- {f}\n" + open(p).read()[-20000:]
    return logs


def run_client(hosts, host, args, workdir):
    run = host.run([PY, os.path.join(HERE, "two_hosts_client.py")] + args,
                   timeout=400)
    if run.returncode != 0:
        pytest.fail(f"client failed:\n{run.stdout}\n{run.stderr}\n"
                    f"{logs_of(workdir)}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def plant_files(host, names):
    """Files of another user (uid 65534) in host's /dev/shm."""
    script = ("import os, sys\n"
              "for n in sys.argv[1:]:\n"
              "    p = '/dev/shm/' + n\n"
              "    with open(p, 'wb') as f: f.write(b'\\x93NUMPY planted')\n"
              "    os.chown(p, 65534, 65534)\n")
    run = host.run([PY, "-c", script] + names)
    assert run.returncode == 0, run.stderr


def test_hosts_over_tls_one_copy_per_host():
    workdir = tempfile.mkdtemp(prefix="npshm-test-dask-hosts-")
    try:
        certdir = os.path.join(workdir, "certs")
        os.mkdir(certdir, 0o700)
        make_certificates(certdir)
        with TwoHosts(three=True) as hosts:
            br = hosts.bridge_ns
            capture = subprocess.Popen(
                ["ip", "netns", "exec", br, PY, os.path.join(HERE, "capture.py"),
                 PATTERN.hex()], stdout=subprocess.PIPE, text=True,
                start_new_session=True)
            hosts.processes.append(capture)
            assert capture.stdout.readline().strip() == "ready"

            scheduler = f"tls://{hosts.a.address}:8786"
            hosts.start(hosts.a, ["dask-scheduler", "--host", hosts.a.address,
                                  "--port", "8786", "--no-dashboard",
                                  "--no-show"] + tls_args(certdir),
                        stdout=open(os.path.join(workdir, "scheduler.log"), "w"),
                        stderr=subprocess.STDOUT)
            # A co-user's files under names a copy could have: the old
            # derived names and copy-like names of every uid.
            name = f"npshm-test-hosts-{hosts.tag}"
            planted = [f"{name}@hosta.00000000-0000000000000001",
                       f"{name}@hosta.00000000-0000000000000001~partial",
                       f"npshm-copy-0-{'0' * 24}", f"npshm-copy-0-{'f' * 24}"]
            plant_files(hosts.b, planted)
            for h in (hosts.a, hosts.b):
                start_workers(hosts, h, scheduler, workdir, certdir)

            elements = 4 * 1024 * 1024  # 32 MiB
            report = run_client(hosts, hosts.a,
                                ["first", scheduler, certdir, hosts.a.veth,
                                 name, str(elements)], workdir)
            nbytes = report["nbytes"]
            assert report["hosts"] == 2
            assert report["workers"] == [2, 2]
            assert report["scatter_ok"]
            # One array crossed, for host B (TLS adds a little).
            assert nbytes <= report["scatter_bytes"] < 1.1 * nbytes, report
            # One copy on host B for its two workers, a private name.
            copies = list(report["b_copies"].values())
            assert len(copies[0]) == 1 and copies[0] == copies[1]
            assert copies[0][0].startswith("npshm-copy-0-")
            assert sum(t["copies"] for t in report["b_transfers"].values()) == 1
            for listing in report["a_listing"].values():
                assert listing == [name]
            # Only dask listens (scheduler, workers, nannies), on each host.
            dask_ports = set(report["dask_ports"])
            assert {int(p) for p in report["listeners_a"]} <= dask_ports, \
                json.dumps([report["listeners_a"], sorted(dask_ports)])
            for ports in report["listeners_b"].values():
                assert {int(p) for p in ports} <= dask_ports, \
                    (ports, dask_ports)
            assert report["later_ok"]
            assert report["later_bytes"] < 0.1 * nbytes, report
            # A deleted copy is made again (once), a killed worker recovers.
            assert list(report["b_after_unlink"].values()) == [[]]
            assert report["again_ok"]
            assert nbytes <= report["again_bytes"] < 1.1 * nbytes, report
            assert report["after_kill_ok"]
            assert report["a_before_exit"] == []

            # A third host joins after that client exited (its array gone):
            # it gets the array from host B, and only host B sends it.
            start_workers(hosts, hosts.c, scheduler, workdir, certdir, n=1)
            a_before = hosts.a.link_bytes()["tx"]
            b_before = hosts.b.link_bytes()["tx"]
            report2 = run_client(hosts, hosts.a,
                                 ["second", scheduler, certdir], workdir)
            assert report2["c_ok"] == [True, elements]
            assert sum(t["copies"] for t in report2["c_transfers"].values()) == 1
            b_sent = hosts.b.link_bytes()["tx"] - b_before
            a_sent = hosts.a.link_bytes()["tx"] - a_before
            assert nbytes <= b_sent < 1.1 * nbytes, (b_sent, a_sent)
            assert a_sent < 0.1 * nbytes, (b_sent, a_sent)
            for ports in report2["listeners_c"].values():
                assert {int(p) for p in ports} <= set(report2["dask_ports"]), \
                    (ports, report2["dask_ports"])

            # After the cluster is gone: nothing left on any host (the
            # planted files are still there, untouched).
            for p in hosts.processes:
                if p is not capture:
                    try:
                        p.wait(60)
                    except Exception:
                        hosts.stop(p)
            for h in hosts.hosts():
                files = h.shm_files()
                if h is hosts.b:
                    assert sorted(planted) == sorted(
                        f for f in files if f in planted)
                    files = [f for f in files if f not in planted]
                assert files == [], f"left on {h.label}: {files}"

            capture.terminate()
            seen = json.loads(capture.communicate(timeout=30)[0]
                              .strip().splitlines()[-1])
            # The capture saw the transfers (B's and C's copies, each
            # frame on two bridge ports), never the pattern in clear.
            assert seen["bytes"] > 2 * nbytes, seen
            assert seen["hits"] == 0, seen
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
