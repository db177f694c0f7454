"""Handles: what npshm.handle(array) returns, and the managed() scope."""

from __future__ import annotations

import weakref
from typing import Any, List, Optional, Tuple

import numpy as np

from ._shared_array import mapping_of

__all__ = ["Handle", "handle", "Managed", "managed", "MS_ASYNC", "MS_SYNC",
           "MS_INVALIDATE"]

MS_ASYNC = 1
MS_SYNC = 2
MS_INVALIDATE = 4


class Handle:
    """The npshm handle behind a segment-backed array.

    Each npshm.handle() call gives a Handle of its own; several may stand
    for the same mapping (e.g. the creator's and an unpickled copy's in one
    process).  A Handle does not keep the segment mapped: the mapping lives
    exactly as long as some ndarray views it.  close() closes this Handle
    only (its later unlink/msync/mlock/munlock raise ValueError) and drops
    its reference; the mapping is released, with the segment's lifetime
    policy applied, once nothing references it -- never under a live view,
    and never under another Handle's feet.  Usable as a context manager
    that closes on exit.
    """

    __slots__ = ("_ref", "name", "path", "lifetime", "readonly", "creator",
                 "dtype", "shape", "order", "nbytes", "id", "__weakref__")

    def __init__(self, mapping: Any) -> None:
        self._ref: Optional["weakref.ref[Any]"] = weakref.ref(mapping)
        self.name: str = mapping.name
        self.path: str = mapping.path
        self.lifetime: str = mapping.lifetime
        self.readonly: bool = mapping.readonly
        self.creator: bool = mapping.creator
        self.dtype: str = mapping.dtype
        self.shape: Tuple[int, ...] = mapping.shape
        self.order: str = mapping.order
        self.nbytes: int = mapping.nbytes
        # The array's random creation id (0 for a plain .npy file): tells
        # this array from a newer one created again under the same name.
        self.id: int = mapping.id

    def _live(self) -> Any:
        """The mapping, or None once closed or unmapped."""
        return self._ref() if self._ref is not None else None

    def _mapping(self) -> Any:
        mapping = self._live()
        if mapping is None:
            raise ValueError(f"npshm handle of {self.name} is closed")
        return mapping

    @property
    def closed(self) -> bool:
        """True after close(), or once no view of the array remains."""
        return self._live() is None

    def close(self) -> None:
        """Close this Handle; the mapping goes once nothing references it."""
        self._ref = None

    def unlink(self) -> None:
        """Remove the array's name now; existing views stay valid."""
        self._mapping().unlink()

    def msync(self, flags: int = MS_SYNC) -> None:
        """Flush the data to its file (MS_SYNC, MS_ASYNC, MS_INVALIDATE)."""
        self._mapping().msync(flags)

    def mlock(self) -> None:
        """Lock the data in RAM (MemoryError past RLIMIT_MEMLOCK)."""
        self._mapping().mlock()

    def munlock(self) -> None:
        """Undo mlock()."""
        self._mapping().munlock()

    def __enter__(self) -> "Handle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return (f"<npshm.Handle {self.name} {self.dtype} {self.shape} "
                f"{self.lifetime} {'read-only' if self.readonly else 'writable'}"
                f" {state}>")


def handle(array: Any) -> Handle:
    """The Handle of an array made by npshm (or of any view of one).

    Raises ValueError for arrays that do not live in an npshm segment.
    """
    mapping = mapping_of(array)
    if mapping is None:
        raise ValueError("array is not backed by an npshm segment")
    return Handle(mapping)


class Managed:
    """A scope whose arrays are unlinked and closed when it ends.

        with npshm.managed() as scope:
            a = scope.create("frames", (100, 480, 640), "u1")
            b = scope.from_array(None, table)
            ...   # hand a, b to workers
        # here the names "frames" and b's are gone; views still held stay
        # valid until dropped

    Arrays attached through the scope, and arrays create(exist_ok=True)
    found already there, are closed but not unlinked: a scope unlinks only
    what it created.
    """

    def __init__(self) -> None:
        # (the scope's Handle, the mapping kept until the end, unlink at end)
        self._owned: List[Tuple[Handle, Any, bool]] = []

    def _keep(self, array: np.ndarray, may_unlink: bool) -> np.ndarray:
        """Track array; unlink it at the end if may_unlink and this scope's
        call created it (create(exist_ok=True) may only attach)."""
        mapping = mapping_of(array)
        scope_handle = Handle(mapping)
        self._owned.append((scope_handle, mapping,
                            may_unlink and scope_handle.creator))
        return array

    def create(self, name: Optional[str], shape: Any, dtype: Any = float,
               **kwargs: Any) -> np.ndarray:
        """npshm.create() whose array is unlinked at the end of the scope
        (unless exist_ok=True found it existing: then only closed)."""
        from ._api import create
        return self._keep(create(name, shape, dtype, **kwargs), True)

    def from_array(self, name: Optional[str], array: Any, **kwargs: Any
                   ) -> np.ndarray:
        """npshm.from_array() whose array is unlinked at the end."""
        from ._api import from_array
        return self._keep(from_array(name, array, **kwargs), True)

    def load(self, path: str, name: Optional[str] = None, **kwargs: Any
             ) -> np.ndarray:
        """npshm.load() whose array is unlinked at the end."""
        from ._files import load
        return self._keep(load(path, name, **kwargs), True)

    def attach(self, name: str, **kwargs: Any) -> np.ndarray:
        """npshm.attach() whose handle is closed (not unlinked) at the end."""
        from ._api import attach
        return self._keep(attach(name, **kwargs), False)

    def close(self) -> None:
        """Unlink what the scope created, close the handles it made (other
        handles of the same arrays stay open)."""
        owned, self._owned = self._owned, []
        errors = []
        for scope_handle, mapping, unlink in owned:
            try:
                if unlink and not scope_handle.closed:
                    scope_handle.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                errors.append(exc)
            scope_handle.close()
            del mapping
        if errors:
            raise errors[0]

    def __enter__(self) -> "Managed":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def managed() -> Managed:
    """A context manager that unlinks the arrays created through it."""
    return Managed()
