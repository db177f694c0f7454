"""The demo's Python participants: the task each multiprocessing Pool worker
runs.

The coordinator passes the shared arrays themselves as task arguments; npshm
pickles them by reference (a name and a layout, a few hundred bytes), so the
worker attaches the same memory by name and nothing is copied.  Each worker
computes the column sums of its block of columns into column 0 of the shared
result, in step with the other participants:

    ready -> wait for go -> compute -> done -> wait for release

Reports travel on a multiprocessing queue as tuples:
    ("ready", pid, label) and ("done", pid, seconds, checksum).
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

# Set in each worker by start_worker (the Pool's initializer).
_go: Any = None
_release: Any = None
_reports: Any = None
_coordinator = 0


def start_worker(go: Any, release: Any, reports: Any) -> None:
    """Pool initializer: keep the coordinator's events and report queue.
    Ctrl-C is the coordinator's to handle: it stops the workers itself."""
    global _go, _release, _reports, _coordinator
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _go, _release, _reports = go, release, reports
    _coordinator = os.getppid()


def _wait(event: Any) -> None:
    """Wait for event; exit at once if the coordinator has died."""
    while not event.wait(0.2):
        if os.getppid() != _coordinator:
            os._exit(3)


def column_sums(data: Any, sums: Any, first: int, stop: int,
                label: str) -> int:
    """Column sums of data[:, first:stop] into sums[first:stop, 0]."""
    _reports.put(("ready", os.getpid(), label))
    _wait(_go)
    started = time.perf_counter()
    block = data[:, first:stop].sum(axis=0)
    sums[first:stop, 0] = block
    seconds = time.perf_counter() - started
    _reports.put(("done", os.getpid(), seconds, float(block.sum())))
    _wait(_release)
    return os.getpid()
