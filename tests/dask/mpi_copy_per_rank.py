"""The MPI recipe done wrong, on purpose: every rank keeps its own copy of
the array (its own npshm array NAME-RANK, filled by one Bcast to every
rank) instead of one copy per host attached by name.  It prints the same
JSON line as examples/mpi/npshm_mpi.py, so that test_mpi_two_hosts.py can
show its one-copy-per-host check fails on a real second copy.  The arrays
outlive the job (the test removes them).

    mpirun -np 4 python3 mpi_copy_per_rank.py NAME ELEMENTS HOSTS
"""

import json
import os
import socket
import sys

import numpy as np
from mpi4py import MPI

import npshm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "examples", "mpi"))
from npshm_mpi import PYTHON, mapping_pss  # noqa: E402


def main():
    name, elements, hosts = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
    world = MPI.COMM_WORLD
    a = npshm.create(f"{name}-{world.rank}", (elements,), "f8")
    if world.rank == 0:
        a[:] = np.arange(elements, dtype="f8")
    world.Bcast(a, root=0)                           # a copy for every rank
    total = float(np.sum(a, dtype=np.float64))
    world.Barrier()
    host = hosts.index(socket.gethostname())
    mine = np.array([PYTHON, host, total, mapping_pss(npshm.handle(a).path)], dtype="f8")
    everyone = np.zeros(4 * world.size, dtype="f8") if world.rank == 0 else None
    world.Gather(mine, everyone, root=0)
    if world.rank == 0:
        print(json.dumps([{"language": "python", "host": int(r[1]), "sum": r[2], "pss": int(r[3])}
                          for r in everyone.reshape(world.size, 4)]), flush=True)


if __name__ == "__main__":
    main()
