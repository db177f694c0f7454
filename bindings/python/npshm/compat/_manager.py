"""Letting a multiprocessing SharedMemoryManager clean up npshm segments.

A SharedMemoryManager's server process keeps a list of segment names and,
when the manager shuts down, unlinks each one (through
multiprocessing.shared_memory, i.e. /dev/shm/NAME: the very file an npshm
segment of that name is).  manager.SharedMemory(size) adds the names it
creates to that list with the server's "track_segment" call; track() adds an
npshm segment's name the same way, and release() takes it off the list
again ("release_segment") once the name was removed early, because the
server stops unlinking at the first name that is already gone.

This uses the manager's connection attributes (_Client, _address,
_authkey), exactly as SharedMemoryManager.SharedMemory() itself does: the
standard library offers no public call for it.
"""

from __future__ import annotations

import weakref
from multiprocessing.managers import (RemoteError, SharedMemoryManager, State,
                                     dispatch)
from typing import Any, Dict, Optional

__all__ = ["track", "release", "manager_of"]

# segment name -> the manager tracking it (for unlinks by any instance of
# this process, not only the one that allocated it)
_tracked: "Dict[str, weakref.ref[Any]]" = {}


def _check(manager: Any) -> None:
    if not isinstance(manager, SharedMemoryManager):
        raise ValueError(f"manager must be a multiprocessing.managers."
                         f"SharedMemoryManager, got {type(manager).__name__}")
    state = getattr(getattr(manager, "_state", None), "value", None)
    if state != State.STARTED:
        raise ValueError("the SharedMemoryManager is not running: start it "
                         "(or use it as a context manager) before allocating")


def _call(manager: Any, method: str, name: str) -> None:
    with manager._Client(manager._address, authkey=manager._authkey) as conn:
        dispatch(conn, None, method, (name,))


def track(manager: Any, name: str) -> None:
    """Have the manager unlink segment `name` when it shuts down.
    ValueError if the manager is not a running SharedMemoryManager."""
    _check(manager)
    try:
        _call(manager, "track_segment", name)
    except (OSError, EOFError) as exc:
        raise ValueError(f"SharedMemoryManager did not take segment {name}: "
                         f"{exc}") from exc
    _tracked[name] = weakref.ref(manager)


def manager_of(name: str) -> Optional[Any]:
    """The manager tracking segment `name` in this process, if any."""
    ref = _tracked.get(name)
    return ref() if ref is not None else None


def release(name: str) -> None:
    """Take `name` off its manager's list (after its name was removed).
    Nothing happens if no manager of this process tracks it, or if the
    manager has shut down already."""
    ref = _tracked.pop(name, None)
    manager = ref() if ref is not None else None
    if manager is None:
        return
    if getattr(getattr(manager, "_state", None), "value", None) \
            != State.STARTED:
        return
    try:
        # The server drops the name from its list, then unlinks it if it is
        # still there (an error comes back when it was already gone).
        _call(manager, "release_segment", name)
    except (OSError, EOFError, RemoteError):
        pass
