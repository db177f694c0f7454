"""Host copies over dask.distributed's own comms (no socket of npshm's own).

Three parts, all reached through dask's rpc over the cluster's comms, so
TLS and the cluster's Security apply:

- Registry (a SchedulerPlugin, handlers on the scheduler): which host
  holds which array (by digest, with the core reference text that resolves
  there), which process of the cluster serves each host (a nanny, or the
  worker itself without nanny), and who is making a host's copy now (one
  claim per host and digest: the host's other processes wait for it).
- handle_read (a handler on nannies, or workers without nanny): a piece
  of the bytes of an array this host holds, by the reference text the
  registry gave.  Nannies serve because their event loop never waits on a
  transfer (a worker's loop may be unpickling an argument).
- obtain() (in any worker or client): this host's copy of an array, found
  through the registry or made from any host holding a complete copy;
  every piece is hashed as it arrives and the whole is checked against the
  reference's digest before the copy is registered.  A failed or corrupted
  transfer is retried from the next holder; when none is left it fails,
  saying why for each.

Calls run on a private event loop thread of this process (unpickling can
happen on the worker's own loop, which must not run them).
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import threading
import time
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import numpy as np
from distributed.core import ConnectionPool
from distributed.diagnostics.plugin import SchedulerPlugin
from distributed.protocol.serialize import to_serialize

from . import _api, _pickling, _remote
from ._shared_array import mapping_of
from .errors import of_slug

__all__ = ["context", "obtain", "handle_read", "Registry", "set_context",
           "transfers", "corrupt_next"]

WAIT_SECONDS = float(os.environ.get("NPSHM_DASK_WAIT", "300"))
PIECE = _remote.PIECE
IN_FLIGHT = 3
CALL_TIMEOUT = 120.0


class Context(NamedTuple):
    scheduler: str   # the scheduler's address
    security: Any    # distributed.Security of this process
    role: str        # "worker" or "client" (Security.get_connection_args)
    who: str         # a worker's address, or a client's id


_explicit: Optional[Context] = None


def set_context(ctx: Optional[Context]) -> None:
    """The cluster of this process when dask's own lookups do not find it
    (set by the plugins)."""
    global _explicit
    _explicit = ctx


def context() -> Optional[Context]:
    """This process's cluster: its running worker, else its default
    client, else what a plugin set; None outside dask."""
    try:
        from distributed import get_worker
        worker = get_worker()
    except (ValueError, ImportError):
        worker = None
    if worker is not None and getattr(worker, "scheduler", None) is not None:
        return Context(worker.scheduler.address, worker.security, "worker",
                       worker.address)
    try:
        from distributed import default_client
        client = default_client()
    except (ValueError, ImportError):
        client = None
    if client is not None and client.status in ("running", "connecting",
                                                "newly-created"):
        return Context(client.scheduler.address, client.security, "client",
                       client.id)
    return _explicit


# ---------------------------------------------------------------------------
# The private loop


class _Loop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever,
                                       name="npshm-dask-comms", daemon=True)
        self.thread.start()
        # id(security), role -> (security, pool); the security is kept so
        # its id is not reused
        self.pools: Dict[Tuple[int, str], Tuple[Any, Any]] = {}

    def run(self, coro: Any) -> Any:
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError("npshm: a host copy was needed on npshm's own "
                               "comms thread")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    async def pool(self, ctx: Context) -> Any:
        key = (id(ctx.security), ctx.role)
        found = self.pools.get(key)
        if found is None:
            pool = await ConnectionPool(
                limit=64, timeout=60,
                connection_args=ctx.security.get_connection_args(ctx.role))
            found = self.pools[key] = (ctx.security, pool)
        return found[1]


_loop_lock = threading.Lock()
_the_loop: Optional[_Loop] = None


def _private_loop() -> _Loop:
    global _the_loop
    with _loop_lock:
        if _the_loop is None:
            _the_loop = _Loop()
        return _the_loop


def _after_fork() -> None:
    global _the_loop, _explicit
    _the_loop = None
    _explicit = None
    _serving.clear()


os.register_at_fork(after_in_child=_after_fork)


def _in_process(address: str) -> Any:
    """The dask server of this process listening at address, if any (a
    LocalCluster runs its scheduler and nannies in the client's process:
    their loop may be the one waiting for us, so we call them directly)."""
    from distributed import Nanny, Scheduler, Worker
    for cls in (Scheduler, Nanny, Worker):
        for server in list(cls._instances):
            if getattr(server, "address", None) == address:
                return server
    return None


async def _call(pool: Any, address: str, op: str, **kwargs: Any) -> Any:
    """op(**kwargs) on the dask server at address, over the cluster's comms
    (or directly when it runs in this process)."""
    server = _in_process(address)
    if server is not None:
        handler = server.handlers.get(op)
        if handler is None:
            return None
        result = handler(**kwargs)
        if isinstance(result, dict) and "data" in result:
            data = result["data"]
            result = dict(result, data=getattr(data, "data", data))
        return result
    return await asyncio.wait_for(getattr(pool(address), op)(**kwargs),
                                  CALL_TIMEOUT)


# ---------------------------------------------------------------------------
# Fetching (any worker or client)

# What this process did, for tests and diagnostics.
transfers = {"copies": 0, "bytes": 0, "rejected": 0}
# Test hook: corrupt this many of the next transfers this process receives
# (one byte flipped after it arrives, before it is checked).
corrupt_next = 0


class _Rejected(Exception):
    """A transfer whose bytes do not match the reference's digest."""


def obtain(ref: "_remote.HostRef") -> Any:
    """The Mapping of this host's copy of ref's array (see module doc)."""
    ctx = context()
    if ctx is None:
        raise of_slug(
            "not_found",
            "npshm: this array lives on another host (or was removed here), "
            "and this process is no dask worker or client that could get "
            "the host's copy of it")
    return _private_loop().run(_obtain(ctx, ref))


def _what(ref: "_remote.HostRef") -> str:
    return f"array {ref.digest[len(_remote.DIGEST_KIND) + 1:][:16]}"


async def _obtain(ctx: Context, ref: "_remote.HostRef") -> Any:
    pool = await _private_loop().pool(ctx)

    async def scheduler(op: str, **kwargs: Any) -> Any:
        return await _call(pool, ctx.scheduler, op, **kwargs)
    here = _remote.local_host_hash()
    deadline = time.monotonic() + WAIT_SECONDS
    delay = 0.01
    while True:
        reply = await scheduler(
            "npshm_locate", digest=ref.digest, host=here, who=ctx.who,
            origin_host=ref.host, origin_text=ref.text)
        if not isinstance(reply, dict):
            raise of_slug(
                "not_found",
                f"npshm: {_what(ref)} lives on another host, and the "
                "cluster's scheduler keeps no npshm registry: call "
                "npshm.dask.setup(client) once per cluster")
        if "copy" in reply:
            mapping = _attach_whole(str(reply["copy"]))
            if mapping is not None:
                return mapping
            await scheduler("npshm_forget", digest=ref.digest, host=here,
                            text=reply["copy"])
            continue
        if "fetch" in reply:
            try:
                mapping = await _fetch(pool, reply["fetch"], ref)
                text = _whole_text(mapping)
                await scheduler("npshm_have", digest=ref.digest, host=here,
                                text=text, who=ctx.who)
            except BaseException:
                try:
                    await scheduler("npshm_release", digest=ref.digest,
                                    host=here, who=ctx.who)
                except Exception:
                    pass
                raise
            return mapping
        # Another process of this host is making the copy.
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"npshm: waited {WAIT_SECONDS:.0f} s for {reply.get('wait')} "
                f"to make this host's copy of {_what(ref)}")
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.05)


def _attach_whole(text: str) -> Optional[Any]:
    """The mapping of the array text names, if it is there (and, for a
    host copy, belongs to this user); else None."""
    try:
        view = _pickling.attach_reference(text, readonly=True)
    except (OSError, ValueError):
        return None
    mapping = mapping_of(view)
    name = mapping.name[len("shm://"):]
    if name.startswith("npshm-copy-") and not _remote.owned_by_me(mapping):
        return None
    return mapping


def _whole_text(mapping: Any) -> str:
    whole = _api._whole_array(mapping)
    return mapping.reference(0, whole.shape, whole.strides, True)


def _check_layout(layout: Any) -> Dict[str, Any]:
    try:
        checked = {"dtype": str(layout["dtype"]),
                   "shape": [int(n) for n in layout["shape"]],
                   "order": str(layout["order"]),
                   "nbytes": int(layout["nbytes"])}
    except (KeyError, TypeError, ValueError):
        raise _Rejected("malformed layout") from None
    if checked["order"] not in _api._ORDERS or checked["nbytes"] < 0 \
            or any(n < 0 for n in checked["shape"]):
        raise _Rejected("malformed layout")
    return checked


async def _fetch(pool: Any, holders: Any, ref: "_remote.HostRef") -> Any:
    failures: List[str] = []
    for holder in holders:
        try:
            address, text = str(holder[0]), str(holder[1])
        except (TypeError, IndexError):
            continue
        try:
            return await _fetch_from(pool, address, text, ref)
        except _Rejected as e:
            transfers["rejected"] += 1
            failures.append(f"{address}: {e}")
        except (OSError, ValueError, asyncio.TimeoutError) as e:
            failures.append(f"{address}: {e}")
        except Exception as e:  # the comm's own errors (CommClosedError...)
            failures.append(f"{address}: {type(e).__name__}: {e}")
    if not failures:
        raise of_slug("not_found",
                      f"npshm: no host of the cluster holds {_what(ref)} "
                      "(its host has no npshm worker any more, or the array "
                      "was removed)")
    raise of_slug("not_found",
                  f"npshm: no host could give a verified copy of {_what(ref)}: "
                  + "; ".join(failures))


def _store(writer: "_remote.CopyWriter", offset: int, data: Any) -> bytes:
    """Hash a received piece and write it into the copy (hashed as
    received: the writer puts exactly these bytes in the copy's file)."""
    global corrupt_next
    view = memoryview(data)
    if view.ndim != 1 or view.format != "B":
        view = view.cast("B")
    if corrupt_next > 0 and len(view):
        corrupt_next -= 1
        flipped = bytearray(view)
        flipped[0] ^= 0xFF
        view = memoryview(flipped)
    digest = _remote.piece_digest(view)
    writer.write(offset, view)
    return digest


async def _fetch_from(pool: Any, address: str, text: str,
                      ref: "_remote.HostRef") -> Any:
    def read(offset: int) -> Any:
        return asyncio.ensure_future(_call(
            pool, address, "npshm_read", text=text, digest=ref.digest,
            offset=offset, size=PIECE))

    first = await read(0)
    if not isinstance(first, dict) or "error" in first:
        error = first.get("error") if isinstance(first, dict) else first
        raise FileNotFoundError(f"not served there ({error})")
    layout = _check_layout(first.get("layout"))
    nbytes = layout["nbytes"]
    mapping = _remote.create_copy(layout)
    pending: "collections.deque[Any]" = collections.deque()
    writer = None
    try:
        if int(mapping.nbytes) != nbytes:
            raise _Rejected("layout and size disagree")
        writer = _remote.CopyWriter(mapping)
        loop = asyncio.get_running_loop()
        starts = list(range(0, nbytes, PIECE)) or [0]
        pending.append(first)
        for offset in starts[1:IN_FLIGHT]:
            pending.append(read(offset))
        pieces = []
        for i, offset in enumerate(starts):
            reply = pending.popleft()
            if not isinstance(reply, dict):
                reply = await reply
            if i + IN_FLIGHT < len(starts):
                pending.append(read(starts[i + IN_FLIGHT]))
            data = reply.get("data") if isinstance(reply, dict) else None
            if data is None:
                raise FileNotFoundError(f"not served there ({reply})")
            size = memoryview(data).nbytes
            if size != min(PIECE, nbytes - offset):
                raise _Rejected("a piece of the wrong size")
            pieces.append(await loop.run_in_executor(
                None, _store, writer, offset, data))
            transfers["bytes"] += size
        got = _remote.combine(layout, pieces)
        if got != ref.digest:
            raise _Rejected("the bytes received do not match the "
                            "reference's digest (corrupted, or the array "
                            "was written after it was first sent)")
    except BaseException:
        for f in pending:
            if not isinstance(f, dict):
                f.cancel()
        try:
            mapping.unlink()
        except OSError:
            pass
        raise
    finally:
        if writer is not None:
            writer.close()
    transfers["copies"] += 1
    return mapping


# ---------------------------------------------------------------------------
# Serving (nannies, or workers without nanny)

# digest -> mapping being served, held from a transfer's first piece to
# its last (a few at most, most recent last)
_serving: "collections.OrderedDict[str, Any]" = collections.OrderedDict()
_SERVING_MAX = 4


def release_serving() -> None:
    _serving.clear()


def handle_read(text: str = "", digest: str = "", offset: int = 0,
                size: int = 0) -> Dict[str, Any]:
    """npshm_read: a piece of the array text names on this host (the
    layout with the first piece).  Errors are replies, not exceptions."""
    try:
        offset, size = int(offset), int(size)
        if offset < 0 or not 0 < size <= PIECE:
            return {"error": "bad range"}
        mapping = _serving.get(digest)
        if mapping is not None and (
                offset == 0 or _pickling._identity(mapping.path) is None):
            # A transfer starts, or the file went: serve only what this
            # host still holds under a name (a deleted array's bytes stay
            # mapped here but are no copy any more).
            del _serving[digest]
            mapping = None
        if mapping is None:
            mapping = _remote.held(str(digest))
        if mapping is None:
            core = _remote.parse(f"{_remote.FORMAT} host={'0' * 32} "
                                 f"digest={digest}\n{text}")
            mapping = _attach_whole(core.text)
            if mapping is None:
                return {"error": "not on this host"}
        _serving[digest] = mapping
        _serving.move_to_end(digest)
        while len(_serving) > _SERVING_MAX:
            _serving.popitem(last=False)
        data = _remote.whole_bytes(mapping)
        reply: Dict[str, Any] = {
            "data": to_serialize(np.ascontiguousarray(data[offset:offset + size]))}
        if offset == 0:
            reply["layout"] = _remote.layout_of(mapping)
        if offset + size >= len(data):
            _serving.pop(digest, None)  # the transfer's last piece
        return reply
    except (OSError, ValueError) as e:
        return {"error": str(e)}


# ---------------------------------------------------------------------------
# The registry (on the scheduler)


class Registry(SchedulerPlugin):
    """Who holds which array, on which host; see the module docstring."""

    name = "npshm-registry"

    def __init__(self) -> None:
        # worker address -> (host hash, address that serves for it)
        self.servers: Dict[str, Tuple[str, str]] = {}
        # digest -> host hash -> reference text resolving there
        self.copies: Dict[str, Dict[str, str]] = {}
        self.dead: "collections.OrderedDict[str, None]" = collections.OrderedDict()
        # (digest, host) -> (who, since)
        self.claims: Dict[Tuple[str, str], Tuple[str, float]] = {}
        self.scheduler: Any = None

    async def start(self, scheduler: Any) -> None:
        self.scheduler = scheduler
        scheduler.handlers.update({
            "npshm_hello": self.hello, "npshm_locate": self.locate,
            "npshm_have": self.have, "npshm_forget": self.forget,
            "npshm_release": self.release, "npshm_holders": self.holders})

    def remove_worker(self, scheduler: Any, worker: str) -> None:
        self.servers.pop(worker, None)
        self._drop_claims(worker)

    def remove_client(self, scheduler: Any, client: str) -> None:
        self._drop_claims(client)

    def _drop_claims(self, who: str) -> None:
        for key, (claimant, _) in list(self.claims.items()):
            if claimant == who:
                del self.claims[key]

    def _alive(self, who: str) -> bool:
        s = self.scheduler
        return who in s.workers or who in getattr(s, "clients", {})

    def hello(self, address: str = "", host: str = "",
              server: str = "") -> bool:
        self.servers[str(address)] = (str(host), str(server or address))
        return True

    def locate(self, digest: str = "", host: str = "", who: str = "",
               origin_host: str = "", origin_text: str = "") -> Dict[str, Any]:
        entry = self.copies.setdefault(digest, {})
        if origin_host and origin_host not in entry \
                and origin_text not in self.dead:
            entry[origin_host] = origin_text
        if host in entry:
            return {"copy": entry[host]}
        key = (digest, host)
        claim = self.claims.get(key)
        if claim is not None and claim[0] != who and self._alive(claim[0]) \
                and time.monotonic() - claim[1] < WAIT_SECONDS:
            return {"wait": claim[0]}
        self.claims[key] = (who, time.monotonic())
        # Every serving process of a holding host is a candidate, hosts in
        # random order (spreads the load).
        candidates = [(server, entry[h]) for h, server
                      in set(self.servers.values())
                      if h in entry and h != host]
        random.shuffle(candidates)
        return {"fetch": candidates}

    def have(self, digest: str = "", host: str = "", text: str = "",
             who: str = "") -> bool:
        self.copies.setdefault(digest, {})[host] = text
        self.claims.pop((digest, host), None)
        return True

    def forget(self, digest: str = "", host: str = "",
               text: str = "") -> bool:
        entry = self.copies.get(digest, {})
        if entry.get(host) == text:
            del entry[host]
        self.dead[text] = None
        while len(self.dead) > 10000:
            self.dead.popitem(last=False)
        return True

    def release(self, digest: str = "", host: str = "",
                who: str = "") -> bool:
        claim = self.claims.get((digest, host))
        if claim is not None and claim[0] == who:
            del self.claims[(digest, host)]
        return True

    def holders(self, digest: str = "") -> Dict[str, str]:
        """host hash -> reference text, for one digest (diagnostics)."""
        return dict(self.copies.get(digest, {}))
