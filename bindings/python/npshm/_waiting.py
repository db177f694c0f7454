"""Waiting and locking: wait for an array to be created, changed or released,
and lock it between processes (see docs/waiting.md).

Every wait releases the GIL while it sleeps and can be interrupted with
Ctrl-C (the library waits in slices of at most 50 ms, and signals are
checked between them); the asyncio forms (``*_async``) take no thread per
call (see npshm._async_wait).
A timeout is in seconds; None waits without limit.  A wait that runs out of
time raises ``npshm.errors.TimeoutError``, which is also the builtin
``TimeoutError``.
"""

from __future__ import annotations

from typing import Any, Optional

from . import _async_wait, _npshm
from ._names import NameLike, as_name
from ._shared_array import mapping_of
from .errors import invalid

# notify, version and wait_changed do all their work in C (src/waiting.c):
# a notification takes microseconds, and Python code around it would be a
# large part of that.
_notify_array = _npshm._npshm_c.notify_array
_version_array = _npshm._npshm_c.version_array
_wait_changed_array = _npshm._npshm_c.wait_changed_array

__all__ = ["wait_created", "wait_created_async", "notify", "version", "wait_changed",
           "wait_changed_async", "wait_released", "lock", "ArrayLock"]


def _seconds(timeout: Optional[float]) -> float:
    if timeout is None:
        return -1.0
    try:
        t = float(timeout)
    except (TypeError, ValueError):
        raise TypeError(f"timeout must be a number of seconds or None, "
                        f"got {timeout!r}") from None
    if t != t or t < 0:
        raise invalid(f"timeout must be >= 0 seconds or None, got {timeout!r}")
    return t


def _mapping(a: Any) -> Any:
    m = mapping_of(a)
    if m is None:
        raise TypeError("expected an array npshm created or attached "
                        f"(npshm.create / npshm.attach), got {type(a).__name__}")
    return m


def wait_created(name: NameLike, timeout: Optional[float] = None) -> None:
    """Return once `name` exists as an array.

    The shm directory is watched (inotify) before the name is looked up, so
    a creation at any moment is seen; waiting uses no CPU."""
    _npshm.wait_created_name(as_name(name), None, _seconds(timeout))


async def wait_created_async(name: NameLike, timeout: Optional[float] = None) -> None:
    """wait_created for asyncio: ``await npshm.wait_created_async(name)``.

    Cost: no thread.  The event loop polls the library's watch of the shm
    directory (an inotify descriptor, with loop.add_reader), and each event
    makes it look for the name."""
    nm = as_name(name)
    await _async_wait.wait_created(nm, _seconds(timeout), f"wait_created {nm}")


def notify(a: Any) -> int:
    """Add one to the array's version and wake every waiter; returns the new
    version.  Needs a writable array (a reader can wait, not notify)."""
    return _notify_array(a)


def version(a: Any) -> int:
    """The array's version: 0 when created, one more at each notify()."""
    return _version_array(a)


def wait_changed(a: Any, seen: int, timeout: Optional[float] = None) -> int:
    """Return the array's version as soon as it differs from `seen`.

    Never misses a notify made after `seen` was read; waiters see the latest
    version and may skip intermediate ones."""
    return _wait_changed_array(a, seen, timeout)


async def wait_changed_async(a: Any, seen: int,
                             timeout: Optional[float] = None) -> int:
    """wait_changed for asyncio: ``v = await npshm.wait_changed_async(a, v)``.

    Cost: no thread per call.  One thread per process waits for every
    pending call at once (Linux 5.16 and later: futex_waitv), for any number
    of calls on up to 127 arrays; a call on an array beyond those, or on a
    system without futex_waitv, waits in a thread of its own, which ends
    within 50 ms of a cancellation."""
    mapping = _mapping(a)
    total = _seconds(timeout)
    v = _version_array(a)
    seen = int(seen)
    if v != seen:
        return v
    if total == 0:
        return _wait_changed_array(a, seen, 0)  # raises the timeout
    return await _async_wait.wait_changed(a, mapping, seen, total,
                                          f"wait_changed {mapping.name}")


def wait_released(name_or_array: Any, timeout: Optional[float] = None) -> None:
    """Return once no process other than this one holds the array (by name,
    or the array of a handle).  Holders that exit or are killed count as
    gone; new attachers are never held up by a waiter."""
    if mapping_of(name_or_array) is not None:
        _npshm.wait_released_either(None, None, mapping_of(name_or_array),
                                    _seconds(timeout))
    else:
        _npshm.wait_released_either(as_name(name_or_array), None, None,
                                    _seconds(timeout))


class ArrayLock:
    """A held array lock (what npshm.lock returns); a context manager that
    releases it on exit.  release() releases it earlier."""

    __slots__ = ("_mapping", "exclusive", "_held")

    def __init__(self, mapping: Any, exclusive: bool) -> None:
        self._mapping = mapping
        self.exclusive = exclusive
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            _npshm.unlock_mapping(self._mapping)

    def __enter__(self) -> "ArrayLock":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def __repr__(self) -> str:
        state = "held" if self._held else "released"
        mode = "exclusive" if self.exclusive else "shared"
        return f"<npshm.ArrayLock {mode} {state} {self._mapping.name}>"


def lock(a: Any, exclusive: bool = True,
         timeout: Optional[float] = None) -> ArrayLock:
    """Lock the array between processes: ``with npshm.lock(a): ...``.

    exclusive=True: a writer's lock (needs a writable array); False: a
    shared reader's lock.  The lock belongs to the array's handle (the views
    of one create/attach share it) and the kernel releases it when the
    process dies, even by SIGKILL.  Advisory: it stops no write.  Any
    process that can open the file can take it."""
    mapping = _mapping(a)
    _npshm.lock_mapping(mapping, 1 if exclusive else 0, _seconds(timeout))
    return ArrayLock(mapping, bool(exclusive))
