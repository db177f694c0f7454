"""The MPI recipe (examples/mpi) on two real hosts on one machine: Open MPI
launches 2 ranks per host (on host B one of them is an Rscript rank through
Rmpi), the array crosses the link once, every host holds one copy.

One copy per host is measured two ways, both after every rank has read
every page (the recipe's ranks meet at a barrier before they measure):
the resident bytes of the host's shm files (fincore), and the PSS the
host's ranks have of their mappings (a page mapped by k processes counts
1/k to each, so they sum to the pages resident once).  The same check is
run on a job that keeps a copy per rank (mpi_copy_per_rank.py), where it
must fail."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

import pytest

from two_hosts import TwoHosts, unavailable_reason

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "examples", "mpi")
ELEMENTS = 4 * 1024 * 1024  # 32 MiB of float64
NBYTES = ELEMENTS * 8


def _missing():
    reason = unavailable_reason()
    if reason:
        return reason
    for tool in ("mpirun", "Rscript"):
        if shutil.which(tool) is None:
            return f"needs {tool} (openmpi-bin, r-base-core)"
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return "needs mpi4py (python3-mpi4py)"
    # Without loading it: loading Rmpi starts MPI, which leaves a session
    # directory behind in TMPDIR.
    if subprocess.run(["Rscript", "-e", "quit(status = !nzchar(system.file(package = \"Rmpi\")))"],
                      capture_output=True).returncode != 0:
        return "needs Rmpi (r-cran-rmpi)"
    r_libs = os.environ.get("R_LIBS", "")
    if not any(os.path.isdir(os.path.join(d, "npshm"))
               for d in r_libs.split(":") if d):
        return "needs the npshm R package in R_LIBS (the meson build's)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=str(_missing()))

AGENT = """#!/bin/sh
# plm_rsh_agent for Open MPI: "ssh" into a namespaced host of this test.
host="$1"; shift
case "$host" in
{cases}
  *) echo "unknown host $host" >&2; exit 1;;
esac
exec nsenter --target="$pid" --net --mount --uts -- sh -c "$*"
"""


def mpirun(hosts, workdir, programs):
    """Run one MPI job over both hosts (2 ranks on each); programs is a
    list of (count, argv) in rank order.  Returns (ranks' JSON, bytes host
    A sent on the link)."""
    cases = "\n".join(f"  {h.address}) pid={h.anchor.pid};;" for h in hosts.hosts())
    agent = os.path.join(workdir, "agent.sh")
    with open(agent, "w") as f:
        f.write(AGENT.format(cases=cases))
    os.chmod(agent, stat.S_IRWXU)
    subnet = hosts.a.address.rsplit(".", 1)[0] + ".0/24"
    argv = ["mpirun", "--allow-run-as-root", "--oversubscribe",
            "--host", f"{hosts.a.address}:2,{hosts.b.address}:2",
            "--mca", "plm_rsh_agent", agent,
            "--mca", "btl", "self,vader,tcp",
            "--mca", "btl_tcp_if_include", subnet,
            "--mca", "oob_tcp_if_include", subnet,
            "-x", "PYTHONPATH", "-x", "R_LIBS", "-x", "TMPDIR"]
    for i, (count, program) in enumerate(programs):
        argv += ([":"] if i else []) + ["-np", str(count)] + program
    env = dict(os.environ, KEEP="1", OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", TMPDIR=workdir)
    before = hosts.a.link_bytes()["tx"]
    run = hosts.a.run(argv, env=env, timeout=300, cwd=workdir)
    crossed = hosts.a.link_bytes()["tx"] - before
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1]), crossed


def resident_shm_bytes(host):
    """Bytes of the host's shm files resident in memory (fincore)."""
    out = host.run(["sh", "-c", "fincore --bytes --noheadings --raw --output RES /dev/shm/*"],
                   check=True).stdout
    return sum(int(x) for x in out.split())


def copies_per_host(hosts, ranks):
    """For each host: (copies resident in its /dev/shm, copies by the PSS
    its ranks have of their mappings), in units of the array's size."""
    result = []
    for index, host in enumerate(hosts.hosts()):
        pss = sum(r["pss"] for r in ranks if r["host"] == index)
        result.append((resident_shm_bytes(host) / NBYTES, pss / NBYTES))
    return result


def one_copy(copies):
    """True when every host holds the array once.  The file carries a
    4 KiB header and a trailer page besides the data (< 0.1 % here); PSS
    is exact once every rank has touched every page (the bound leaves 20 %
    for pages of the mapping a rank may not have touched, such as the
    header, and for rounding to whole KiB)."""
    return all(0.99 < files < 1.01 and 0.8 < pss < 1.2 for files, pss in copies)


def remove_shm_files(hosts):
    for h in hosts.hosts():
        h.run(["sh", "-c", "rm -f /dev/shm/*"], check=True)
        assert h.shm_files() == []


def test_mpi_recipe_one_copy_per_host():
    workdir = tempfile.mkdtemp(prefix="npshm-test-mpi-")
    try:
        with TwoHosts() as hosts:
            name = f"mpi-{hosts.tag}"
            common = [name, str(ELEMENTS), "hosta,hostb"]
            ranks, crossed = mpirun(hosts, workdir, [
                (3, [sys.executable, os.path.join(EXAMPLES, "npshm_mpi.py")] + common),
                (1, ["Rscript", os.path.join(EXAMPLES, "npshm_rank.R")] + common)])
            expected = ELEMENTS * (ELEMENTS - 1) / 2

            assert [r["language"] for r in ranks] == ["python"] * 3 + ["R"]
            assert [r["host"] for r in ranks] == [0, 0, 1, 1]
            assert all(r["sum"] == expected for r in ranks)
            copies = copies_per_host(hosts, ranks)
            print("copies per host (resident shm files, PSS):", copies)
            assert one_copy(copies), (copies, ranks)
            # The data crossed the link once (plus MPI's own traffic).
            assert NBYTES <= crossed < 1.5 * NBYTES, crossed
            # The arrays outlive the job (KEEP=1): one file per host.
            for h in hosts.hosts():
                assert h.shm_files() == [name]
            remove_shm_files(hosts)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_copy_per_rank_fails_the_check():
    """A job that keeps a copy per rank holds two per host: the check that
    passes the recipe must say so."""
    workdir = tempfile.mkdtemp(prefix="npshm-test-mpi-")
    try:
        with TwoHosts() as hosts:
            name = f"mpi-copies-{hosts.tag}"
            ranks, _ = mpirun(hosts, workdir, [
                (4, [sys.executable, os.path.join(HERE, "mpi_copy_per_rank.py"),
                     name, str(ELEMENTS), "hosta,hostb"])])
            assert [r["host"] for r in ranks] == [0, 0, 1, 1]
            copies = copies_per_host(hosts, ranks)
            print("copies per host (resident shm files, PSS):", copies)
            assert not one_copy(copies), copies
            assert all(1.9 < files < 2.1 and 1.6 < pss < 2.4 for files, pss in copies), copies
            remove_shm_files(hosts)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
