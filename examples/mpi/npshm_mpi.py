"""One copy of an array per node for an MPI job, shared by name.

    mpirun -np 3 python3 npshm_mpi.py NAME ELEMENTS [HOSTS] : -np 1 Rscript npshm_rank.R NAME ELEMENTS [HOSTS]

1. Every rank says which language it runs (Allgather on COMM_WORLD: R ranks
   through Rmpi take part; Rmpi has no communicator splitting).
2. The Python ranks form their own communicator (Create_group, collective
   only over them) and split it by node (COMM_TYPE_SHARED).
3. The first leader makes the array (here: fills it; or npshm.load() of a
   .npy file); the other nodes' leaders create it empty and receive it with
   one Bcast between leaders: the bytes cross once per node.
4. A barrier on COMM_WORLD; then every other rank, Python or R, attaches
   the array by name (no copy) and works on it.

The array is an ordinary npshm array: `npshm ls` shows it on every node
during the job, and it outlives the job unless deleted (here: rank 0 of
each node deletes it at the end unless KEEP=1 is in the environment).
Rank 0 prints one JSON line: per rank, its language, node index (in
HOSTS), the sum it computed and the PSS of its mapping of the array,
measured once every rank has read every page (a page's PSS is its size
divided by the processes mapping it at that moment, so the ranks of a node
sum to one copy only when they all hold it).
"""

import json
import os
import socket
import sys

import numpy as np
from mpi4py import MPI

import npshm

PYTHON, R = 0, 1


def mapping_pss(path):
    """PSS (bytes) of this process's mappings of the file at path (found
    by device and inode: the creator mapped it before it had its name)."""
    st = os.stat(path)
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}"
    inode = str(st.st_ino)
    total, inside = 0, False
    with open("/proc/self/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"):
                inside = len(fields) >= 5 and fields[3:5] == [device, inode]
            elif inside and fields[0] == "Pss:":
                total += int(fields[1]) * 1024
    return total


def main():
    name, elements = sys.argv[1], int(sys.argv[2])
    hosts = sys.argv[3].split(",") if len(sys.argv) > 3 else []
    world = MPI.COMM_WORLD

    languages = np.zeros(world.size, dtype="i4")
    world.Allgather(np.array([PYTHON], dtype="i4"), languages)
    python_ranks = [r for r in range(world.size) if languages[r] == PYTHON]
    group = world.Get_group().Incl(python_ranks)
    pycomm = world.Create_group(group)
    node = pycomm.Split_type(MPI.COMM_TYPE_SHARED)
    leader = node.rank == 0
    leaders = pycomm.Split(0 if leader else MPI.UNDEFINED, pycomm.rank)

    if leader:
        if leaders.rank == 0:
            a = npshm.create(name, (elements,), "f8")
            a[:] = np.arange(elements, dtype="f8")   # or npshm.load("x.npy", name)
        else:
            a = npshm.create(name, (elements,), "f8")
        leaders.Bcast(a, root=0)                     # once per node
    world.Barrier()                                  # every node has its copy
    if not leader:
        a = npshm.attach(name, readonly=True)

    total = float(np.sum(a, dtype=np.float64))      # every rank touches every page
    world.Barrier()                                  # ... before anyone measures
    path = npshm.handle(a).path
    host = hosts.index(socket.gethostname()) if socket.gethostname() in hosts else -1
    mine = np.array([PYTHON, host, total, mapping_pss(path)], dtype="f8")
    everyone = np.zeros(4 * world.size, dtype="f8") if world.rank == 0 else None
    world.Gather(mine, everyone, root=0)
    world.Barrier()                                  # everyone is done reading
    if leader and os.environ.get("KEEP") != "1":
        npshm.delete(name)
    if world.rank == 0:
        rows = everyone.reshape(world.size, 4)
        print(json.dumps([{"language": "python" if r[0] == PYTHON else "R",
                           "host": int(r[1]), "sum": r[2], "pss": int(r[3])}
                          for r in rows]), flush=True)
    if leader:
        leaders.Free()
    node.Free()
    pycomm.Free()


if __name__ == "__main__":
    main()
