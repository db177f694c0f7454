"""Letting a multiprocessing SharedMemoryManager clean up npshm segments.

shared-memory-array hands its segments to a SharedMemoryManager, which
removes them when it shuts down.  The manager's own list (its server's
"track_segment") is not used for that: the server unlinks
/dev/shm/NAME through multiprocessing.shared_memory, which is not the
segment when $NPSHM_DIR points elsewhere (the segment would leak and a file
of that name in /dev/shm, maybe another user's, would be deleted).
Instead, track() keeps the names in this process and removes them through
npshm -- in npshm's directory, and only while the name still holds the
array that was tracked (same id) -- when the manager shuts down: at
manager.shutdown() (the end of its with block) or, failing that, when the
manager object goes away or the interpreter exits.  release() takes a name
off the list once it was removed early.

Segments of a process killed before its manager shut down stay, as with
any persistent npshm array: remove them with npshm.delete.
"""

from __future__ import annotations

import weakref
from multiprocessing import util
from multiprocessing.managers import SharedMemoryManager, State
from typing import Any, Dict, Optional

import npshm

__all__ = ["track", "release", "manager_of"]

# segment name -> the manager tracking it (for unlinks by any instance of
# this process, not only the one that allocated it)
_tracked: "Dict[str, weakref.ref[Any]]" = {}

# manager -> {segment name: array id} it removes at shutdown
_names: "weakref.WeakKeyDictionary[Any, Dict[str, int]]" = \
    weakref.WeakKeyDictionary()


def _check(manager: Any) -> None:
    if not isinstance(manager, SharedMemoryManager):
        raise ValueError(f"manager must be a multiprocessing.managers."
                         f"SharedMemoryManager, got {type(manager).__name__}")
    state = getattr(getattr(manager, "_state", None), "value", None)
    if state != State.STARTED:
        raise ValueError("the SharedMemoryManager is not running: start it "
                         "(or use it as a context manager) before allocating")


def _remove_all(names: Dict[str, int]) -> None:
    """Remove each name that still holds the array (id) that was tracked."""
    for name, array_id in sorted(names.items()):
        try:
            held = npshm.handle(npshm.attach(name, readonly=True)).id
            if held == array_id:
                npshm.delete(name)
        except (OSError, ValueError):
            pass
        _tracked.pop(name, None)
    names.clear()


def _names_of(manager: Any) -> Dict[str, int]:
    """The list of manager, made (with its shutdown hook) on first use."""
    names = _names.get(manager)
    if names is None:
        names = {}
        # Before the manager's own finalizer (exit priority 0) at exit.
        cleanup = util.Finalize(manager, _remove_all, args=(names,),
                                exitpriority=10)
        shutdown = manager.shutdown

        def shutdown_then_stop() -> None:
            cleanup()
            shutdown()
        manager.shutdown = shutdown_then_stop
        _names[manager] = names
    return names


def track(manager: Any, name: str, array_id: int) -> None:
    """Have the manager remove segment `name` (while it holds the array
    array_id) when it shuts down.  ValueError if the manager is not a
    running SharedMemoryManager."""
    _check(manager)
    _names_of(manager)[name] = array_id
    _tracked[name] = weakref.ref(manager)


def manager_of(name: str) -> Optional[Any]:
    """The manager tracking segment `name` in this process, if any."""
    ref = _tracked.get(name)
    return ref() if ref is not None else None


def release(name: str) -> None:
    """Take `name` off its manager's list (after its name was removed).
    Nothing happens if no manager of this process tracks it."""
    ref = _tracked.pop(name, None)
    manager = ref() if ref is not None else None
    if manager is not None:
        _names.get(manager, {}).pop(name, None)
