"""npshm arrays on dask.distributed: references within a host, one copy per
host across hosts.

    import npshm, npshm.dask
    from distributed import Client
    client = Client(...)
    npshm.dask.setup(client)            # workers: send arrays on by reference
    a = npshm.create("big", (10_000, 10_000), "f8")
    fa = client.scatter(a, broadcast=True)       # a few hundred bytes each
    client.submit(np.sum, fa).result()
    x = npshm.dask.array(a, chunks=(1000, 10_000))   # chunks are views
    x.mean().compute()

Importing this module (in the client; setup() does it in the workers, as
`--preload npshm.dask` does) makes npshm arrays (SharedArray and its views)
travel as *host-aware references*: scattered, passed as task arguments,
returned from tasks or moved between workers, they are pickled as the
segment's name, the view's geometry, the array id and the sender's host id
(see npshm._remote).  A process on the same host attaches the segment
(cached per process): no bytes are copied.  A process on another host gets
the array from the sender once per host, into a local read-only copy named
"NAME@SENDERHOST-ID" that the host's other workers attach.

Extension points used (all public): the `dask_serialize` dispatch (npshm
arrays decline dask's numpy serializer, so distributed falls back to its
pickle family, which uses the reference), copyreg, a WorkerPlugin and a
NannyPlugin.  No private dask internal is used.
"""

from __future__ import annotations

import gc as _gc
import os
import socket
import threading
import time
from typing import Any, Dict, List, Optional

import numpy as np
from distributed import NannyPlugin, WorkerPlugin
from distributed.protocol.serialize import dask_serialize

from . import _api, _remote
from ._files import load as _load
from ._shared_array import SharedArray

__all__ = ["setup", "array", "load_per_host", "release_copies",
           "local_copies", "host_ids", "WorkerSetup", "NannyCleanup"]

local_copies = _remote.local_copies


# ---------------------------------------------------------------------------
# Registration (on import)


@dask_serialize.register(SharedArray)
def _decline(array: SharedArray) -> Any:
    """dask's numpy serializer would copy the data: decline, so distributed
    pickles the array (by reference, through npshm._remote.reduce)."""
    raise NotImplementedError("npshm arrays travel by pickle (as references)")


def _ip_towards(host: str) -> Optional[str]:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((host, 9))
            return s.getsockname()[0]
    except OSError:
        return None


def _address_hint() -> Optional[str]:
    """The address of this process towards its dask cluster: a worker's own
    IP, or the IP a client uses to reach its scheduler."""
    from distributed import get_worker, default_client
    from distributed.comm import get_address_host
    try:
        worker = get_worker()
        return get_address_host(worker.address)
    except (ValueError, AttributeError):
        pass
    try:
        client = default_client()
        address = client.scheduler.address
    except (ValueError, AttributeError):
        return None
    if not address or not address.startswith(("tcp://", "tls://")):
        return None
    return _ip_towards(get_address_host(address))


_remote.install()
_remote.set_address_hint(_address_hint)


# ---------------------------------------------------------------------------
# Plugins


class WorkerSetup(WorkerPlugin):
    """In every worker: import npshm.dask (so arrays a task returns travel
    by reference) and, when the worker closes, let go of the local copies
    it held."""

    name = "npshm-worker"

    def setup(self, worker: Any) -> None:
        _remote.set_address_hint(_address_hint)

    def teardown(self, worker: Any) -> None:
        _remote.release_copies()
        _gc.collect()


class NannyCleanup(NannyPlugin):
    """In every nanny: once its worker process is gone (closed or killed),
    remove the local copies no live process holds (npshm.gc)."""

    name = "npshm-nanny"

    def setup(self, nanny: Any) -> None:
        self._dir = os.environ.get("NPSHM_DIR")

    def teardown(self, nanny: Any) -> None:
        process = getattr(nanny, "process", None)
        pid = getattr(process, "pid", None) if process is not None else None
        threading.Thread(target=_sweep_after, args=(pid, self._dir),
                         name="npshm-nanny-cleanup").start()


def _pid_alive(pid: Optional[int]) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (not reaped yet) holds no locks any more
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:
        return False


def _sweep_after(pid: Optional[int], directory: Optional[str],
                 timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        sweep_copies(directory)
    except OSError:  # the directory went away with the cluster's owner
        pass


def sweep_copies(directory: Optional[str] = None) -> List[str]:
    """Remove the local copies (and unfinished ones) in the shm directory
    that no live process holds; returns the names removed.  This is
    npshm.gc(): copies have lifetime "last", so it removes them once their
    holders are gone, together with any other "owner"/"last" array no live
    process holds, and never anything in use or persistent."""
    old = os.environ.get("NPSHM_DIR")
    if directory:
        os.environ["NPSHM_DIR"] = directory
    try:
        removed = [name for name, _ in _api.gc()]
    finally:
        if directory:
            if old is None:
                os.environ.pop("NPSHM_DIR", None)
            else:
                os.environ["NPSHM_DIR"] = old
    return removed


def setup(client: Any) -> None:
    """Prepare a cluster: every worker (now and later) imports npshm.dask,
    and every nanny removes its host's unused copies when its worker goes."""
    client.register_worker_plugin(WorkerSetup(), name=WorkerSetup.name)
    try:
        client.register_worker_plugin(NannyCleanup(), name=NannyCleanup.name,
                                      nanny=True)
    except Exception:  # no nannies (processes=False, or dask-worker --no-nanny)
        pass


# ---------------------------------------------------------------------------
# Helpers


def array(a: SharedArray, chunks: Any = "auto", **kwargs: Any) -> Any:
    """A dask array over npshm array `a` whose chunks are views of it
    (never copies): each chunk task carries a reference to `a` and slices
    it where it runs."""
    import dask.array as da
    if not isinstance(a, SharedArray):
        raise TypeError("npshm.dask.array wants an npshm array "
                        f"(npshm.create/attach/load), got {type(a).__name__}")
    kwargs.setdefault("inline_array", True)
    kwargs.setdefault("meta", np.empty((0,) * a.ndim, dtype=a.dtype))
    return da.from_array(a, chunks=chunks, asarray=False, **kwargs)


def host_ids(client: Any) -> Dict[str, str]:
    """Worker address -> npshm.host_id() of that worker."""
    return client.run(_api.host_id)


def _warm(a: SharedArray) -> str:
    return _api.host_id()


def load_per_host(client: Any, path: "os.PathLike[str] | str",
                  name: Optional[str] = None, *,
                  lifetime: str = "persistent") -> SharedArray:
    """Load the .npy file at path into shared memory once per host.

    This process loads it (npshm.load: one kernel copy from the file); then
    one worker of every other host receives it (bytes cross once per host)
    into that host's local copy, which the host's other workers attach.
    Returns this process's array: pass it to tasks as any npshm array.
    """
    a = _load(path, name, lifetime=lifetime)
    local = _api.host_id()
    per_host: Dict[str, str] = {}
    for address, host in host_ids(client).items():
        if host != local:
            per_host.setdefault(host, address)
    futures = [client.submit(_warm, a, workers=[w], pure=False,
                             allow_other_workers=False)
               for w in per_host.values()]
    client.gather(futures)
    return a


def _release_here() -> int:
    n = _remote.release_copies()
    _gc.collect()
    return n


def release_copies(client: Any) -> Dict[str, int]:
    """Every worker lets go of the local copies it holds (each copy's file
    goes with its host's last holder); returns worker -> copies dropped."""
    result = client.run(_release_here)
    _release_here()
    return result
