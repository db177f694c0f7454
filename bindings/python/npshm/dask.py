"""npshm arrays on dask.distributed: references within a host, one copy per
host across hosts, moved over dask's own comms.

    import npshm, npshm.dask
    from distributed import Client
    client = Client(...)
    npshm.dask.setup(client)            # once per cluster
    a = npshm.create("big", (10_000, 10_000), "f8")
    fa = client.scatter(a, broadcast=True)       # a few hundred bytes each
    client.submit(np.sum, fa).result()
    x = npshm.dask.array(a, chunks=(1000, 10_000))   # chunks are views
    x.mean().compute()

npshm arrays (SharedArray and its views) travel as host references
wherever dask sends them -- scattered, task arguments, results, moved
between workers -- once npshm and distributed are both
imported (npshm registers itself with dask's serialization; importing this
module is not needed for that).  A process on the array's host attaches it
(no bytes copied).  The first process of another host that needs it gets
the bytes once for its host over dask's comms (TLS and the cluster's
Security apply), from any host that holds a complete copy, checks them
against the digest the reference carries, and keeps them as the host's
read-only copy, which the host's other processes attach.  The page
"dask.distributed" of the npshm documentation describes the design and its
security.

setup() installs the three plugins this needs: a scheduler plugin (the
registry of who holds what), a nanny plugin (serves this host's bytes;
removes copies left by dead workers) and a worker plugin (registers the
worker; lets go of its copies at teardown).
"""

from __future__ import annotations

import asyncio
import gc as _gc
import os
import threading
import time
from typing import Any, Dict, List, Optional

import numpy as np
from distributed import NannyPlugin, WorkerPlugin

from . import _api, _dask_comms, _dask_hook, _remote
from ._files import load as _load
from ._shared_array import SharedArray, mapping_of

__all__ = ["setup", "array", "load_per_host", "release_copies",
           "local_copies", "host_ids", "WorkerSetup", "NannyServe",
           "Registry", "sweep_copies"]

_dask_hook.register()

local_copies = _remote.local_copies
Registry = _dask_comms.Registry


# ---------------------------------------------------------------------------
# Plugins


class WorkerSetup(WorkerPlugin):
    """In every worker: register with the scheduler's registry (its host,
    and who serves its host's bytes: its nanny, or itself without one);
    remove what dead processes left in the shm directory (a worker that
    replaces a killed one: the copy the killed one was making); at
    teardown let go of the host copies it held."""

    name = "npshm-worker"

    def __init__(self, nanny_serves: bool = True) -> None:
        self.nanny_serves = nanny_serves

    async def setup(self, worker: Any) -> None:
        _dask_comms.set_context(_dask_comms.Context(
            worker.scheduler.address, worker.security, "worker",
            worker.address))
        server = worker.nanny if (self.nanny_serves and worker.nanny) \
            else worker.address
        if server == worker.address:
            worker.handlers["npshm_read"] = _dask_comms.handle_read
        await worker.scheduler.npshm_hello(
            address=worker.address, host=_remote.local_host_hash(),
            server=server)
        await asyncio.get_running_loop().run_in_executor(None, _sweep_quietly)

    def teardown(self, worker: Any) -> None:
        _release_here()


class NannyServe(NannyPlugin):
    """In every nanny: serve this host's bytes to other hosts (npshm_read
    on the nanny's server); once its worker process is gone (closed or
    killed), remove the host copies no live process holds (npshm.gc)."""

    name = "npshm-nanny"

    def setup(self, nanny: Any) -> None:
        env = getattr(nanny, "env", None) or {}
        self._dir = env.get("NPSHM_DIR") or os.environ.get("NPSHM_DIR")
        nanny.handlers["npshm_read"] = _dask_comms.handle_read

    def teardown(self, nanny: Any) -> None:
        _dask_comms.release_serving()
        _gc.collect()
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
    _sweep_quietly(directory)


def _sweep_quietly(directory: Optional[str] = None) -> None:
    try:
        sweep_copies(directory)
    except OSError:  # the directory went away with the cluster's owner
        pass


def sweep_copies(directory: Optional[str] = None) -> List[str]:
    """Remove the arrays of lifetime "owner" or "last" in the shm directory
    that no live process holds (npshm.gc: host copies of dead workers among
    them; never anything in use or persistent); returns the names removed."""
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
    """Prepare a cluster (once; later workers get it too): the scheduler's
    registry, the nannies' byte service and clean-up, the workers'
    registration."""
    _dask_comms.set_context(_dask_comms.Context(
        client.scheduler.address, client.security, "client", client.id))
    client.register_scheduler_plugin(Registry(), name=Registry.name,
                                     idempotent=True)
    try:
        client.register_worker_plugin(NannyServe(), name=NannyServe.name,
                                      nanny=True)
        nanny_serves = True
    except Exception:  # no nannies (processes=False, dask-worker --no-nanny)
        nanny_serves = False
    client.register_worker_plugin(WorkerSetup(nanny_serves),
                                  name=WorkerSetup.name)


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


def _warm(text: str, path: Optional[str]) -> bool:
    """In one worker of a host: make the host's copy of the array (from
    the host's own file at path when it holds the same bytes).  Whether
    the local file was used."""
    ref = _remote.parse(text)
    used = False
    if path is not None and _remote.held(ref.digest) is None:
        used = _from_local_file(ref, path)
    _remote.rebuild(text)
    return used


def _from_local_file(ref: "_remote.HostRef", path: str) -> bool:
    if not os.path.isfile(path):
        return False
    try:
        a = _load(path, _remote.copy_name(), lifetime="last")
    except (OSError, ValueError):
        return False
    mapping = mapping_of(a)
    if _remote.digest_of_bytes(_remote.layout_of(mapping),
                               _remote.whole_bytes(mapping)) != ref.digest:
        del a, mapping  # another file: the host gets the sender's bytes
        return False
    ctx = _dask_comms.context()
    assert ctx is not None
    text = _dask_comms._whole_text(mapping)
    _remote.keep(ref.digest, mapping)

    async def have() -> None:
        pool = await _dask_comms._private_loop().pool(ctx)
        await _dask_comms._call(
            pool, ctx.scheduler, "npshm_have", digest=ref.digest,
            host=_remote.local_host_hash(), text=text, who=ctx.who)
    _dask_comms._private_loop().run(have())
    return True


def load_per_host(client: Any, path: "os.PathLike[str] | str",
                  name: Optional[str] = None, *,
                  lifetime: Optional[str] = None,
                  local_file: bool = False) -> SharedArray:
    """Load the .npy file at path into shared memory once per host.

    This process loads it (npshm.load: one kernel copy from the file);
    then one worker of every other host makes its host's copy, which the
    host's other workers attach: from its own file at the same path when
    local_file is true and that file holds the same bytes (checked by
    digest), else over the cluster's comms (bytes cross once per host).
    Returns this process's array: pass it to tasks as any npshm array.

    lifetime: of this process's array; by default "owner" when name is
    None (removed when this process closes it or exits) and "persistent"
    for a named array.  Host copies have lifetime "last" and go with the
    cluster's workers.
    """
    if lifetime is None:
        lifetime = "owner" if name is None else "persistent"
    a = _load(path, name, lifetime=lifetime)
    local = _api.host_id()
    per_host: Dict[str, str] = {}
    for address, host in host_ids(client).items():
        if host != local:
            per_host.setdefault(host, address)
    if per_host:
        text = _remote.reduce(a)[1][0]
        file_path = os.path.abspath(os.fspath(path)) if local_file else None
        futures = [client.submit(_warm, text, file_path, workers=[w],
                                 pure=False, allow_other_workers=False)
                   for w in per_host.values()]
        client.gather(futures)
    return a


def _release_here() -> int:
    n = _remote.release_copies()
    _dask_comms.release_serving()
    _gc.collect()
    return n


def release_copies(client: Any) -> Dict[str, int]:
    """Every worker lets go of the host copies it holds (each copy's file
    goes with its host's last holder); returns worker -> copies dropped."""
    result = client.run(_release_here)
    client.run(_release_nanny, nanny=True)
    _release_here()
    return result


def _release_nanny() -> int:
    _dask_comms.release_serving()
    _gc.collect()
    return 0


def dask_setup(worker: Any) -> None:
    """`dask-worker --preload npshm.dask`: the worker can serve its host's
    bytes itself (setup(client) registers it, and its nanny if any, with
    the scheduler's registry)."""
    worker.handlers["npshm_read"] = _dask_comms.handle_read
