"""The MPI recipe (examples/mpi) on two real hosts on one machine: Open MPI
launches 2 ranks per host (on host B one of them is an Rscript rank through
Rmpi), the array crosses the link once, every host holds one copy."""

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
    if subprocess.run(["Rscript", "-e", "library(Rmpi)"],
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


def test_mpi_recipe_one_copy_per_host():
    workdir = tempfile.mkdtemp(prefix="npshm-mpi-2hosts-")
    try:
        with TwoHosts() as hosts:
            cases = "\n".join(f"  {h.address}) pid={h.anchor.pid};;"
                              for h in hosts.hosts())
            agent = os.path.join(workdir, "agent.sh")
            with open(agent, "w") as f:
                f.write(AGENT.format(cases=cases))
            os.chmod(agent, stat.S_IRWXU)
            subnet = hosts.a.address.rsplit(".", 1)[0] + ".0/24"
            name = f"mpi-{hosts.tag}"
            names = "hosta,hostb"
            common = [str(ELEMENTS), names]
            argv = ["mpirun", "--allow-run-as-root", "--oversubscribe",
                    "--host", f"{hosts.a.address}:2,{hosts.b.address}:2",
                    "--mca", "plm_rsh_agent", agent,
                    "--mca", "btl", "self,vader,tcp",
                    "--mca", "btl_tcp_if_include", subnet,
                    "--mca", "oob_tcp_if_include", subnet,
                    "-x", "PYTHONPATH", "-x", "R_LIBS",
                    "-np", "3", sys.executable,
                    os.path.join(EXAMPLES, "npshm_mpi.py"), name] + common + [
                    ":", "-np", "1", "Rscript",
                    os.path.join(EXAMPLES, "npshm_rank.R"), name] + common
            env = dict(os.environ, KEEP="1", OMPI_ALLOW_RUN_AS_ROOT="1",
                       OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
            env.pop("NPSHM_DIR", None)
            before = hosts.a.link_bytes()["tx"]
            run = hosts.a.run(argv, env=env, timeout=300, cwd=workdir)
            crossed = hosts.a.link_bytes()["tx"] - before
            assert run.returncode == 0, run.stdout + run.stderr
            ranks = json.loads(run.stdout.strip().splitlines()[-1])
            expected = ELEMENTS * (ELEMENTS - 1) / 2
            nbytes = ELEMENTS * 8

            assert [r["language"] for r in ranks] == ["python"] * 3 + ["R"]
            assert [r["host"] for r in ranks] == [0, 0, 1, 1]
            assert all(r["sum"] == expected for r in ranks)
            # One copy per host: the ranks of a host share its pages.
            for host in (0, 1):
                pss = sum(r["pss"] for r in ranks if r["host"] == host)
                assert 0.5 * nbytes < pss < 1.5 * nbytes, ranks
            # The data crossed the link once (plus MPI's own traffic).
            assert nbytes <= crossed < 1.5 * nbytes, crossed
            # The arrays outlive the job (KEEP=1): one file per host.
            for h in hosts.hosts():
                assert h.shm_files() == [name]
                h.run(["rm", "-f", f"/dev/shm/{name}"], check=True)
                assert h.shm_files() == []
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
