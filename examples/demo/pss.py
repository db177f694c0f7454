"""How much memory a group of processes uses together, from
/proc/PID/smaps_rollup.

RSS counts every resident page a process maps, so pages shared by several
processes are counted once per process.  PSS (proportional set size) splits
each shared page evenly between the processes mapping it: the sum of PSS
over a group is the memory the group really occupies.  Pss_Shmem is the
part of PSS in shared memory (the npshm arrays).
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional

FIELDS = ("Rss", "Pss", "Pss_Shmem")


def rollup(pid: int) -> Optional[Dict[str, int]]:
    """The FIELDS of one process, in bytes; None if it is gone."""
    values: Dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in FIELDS:
                    values[key] = int(rest.split()[0]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return values


def group_total(pids: Iterable[int]) -> Dict[str, int]:
    """Sum of FIELDS over the processes still alive, and how many there were.
    Meaningful while the group is steady: a page mapped in by one process
    while another's rollup is read is split differently in the two."""
    total = dict.fromkeys(FIELDS, 0)
    total["processes"] = 0
    for pid in pids:
        values = rollup(pid)
        if values is None:
            continue
        total["processes"] += 1
        for key in FIELDS:
            total[key] += values.get(key, 0)
    return total
