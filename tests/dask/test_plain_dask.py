"""Plain dask, without `import npshm.dask` anywhere: npshm arrays still
travel by reference (npshm registers itself with distributed's
serialization at import), so workers see the same memory and a worker's
write reaches the client.  Run in a fresh interpreter, npshm imported
before distributed and after it."""

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

SCRIPT = r"""
import os, sys
order = sys.argv[1]
if order == "npshm-first":
    import npshm
    import distributed
else:
    import distributed
    import npshm
import numpy as np
from distributed import Client, LocalCluster

def describe(x):
    import npshm
    return (type(x).__name__, npshm.handle(x).name, "npshm.dask" in sys.modules)

def write_first(x):
    x[0] = -1.0
    return True

if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None,
                      local_directory=os.environ["SCRATCH"]) as cluster, \
            Client(cluster) as client:
        a = npshm.create(npshm.unique_name("npshm-test-plain"), (1 << 20,), "f8")
        fa = client.scatter(a, broadcast=True)
        seen = client.run(lambda: None)
        got = client.gather([client.submit(describe, fa, workers=[w], pure=False)
                             for w in sorted(seen)])
        assert all(g == ("SharedArray", npshm.handle(a).name, False)
                   for g in got), got
        from distributed.protocol import serialize
        header, frames = serialize(a)
        assert sum(memoryview(f).nbytes for f in frames) < 1000, header
        assert client.submit(write_first, a[:10], pure=False).result()
        assert a[0] == -1.0
        assert "npshm.dask" not in sys.modules
        name = npshm.handle(a).name
        del fa
        npshm.delete(name)
    print("ok")
"""


@pytest.mark.parametrize("order", ["npshm-first", "distributed-first"])
def test_plain_dask_shares_by_reference(order):
    shm = tempfile.mkdtemp(prefix="npshm-test-plain-", dir="/dev/shm")
    scratch = tempfile.mkdtemp(prefix="npshm-test-plain-")
    try:
        env = dict(os.environ, NPSHM_DIR=shm, SCRATCH=scratch)
        run = subprocess.run([sys.executable, "-c", SCRIPT, order], env=env,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.strip().splitlines()[-1] == "ok"
        assert os.listdir(shm) == []
    finally:
        shutil.rmtree(shm, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
