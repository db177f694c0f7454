"""SharedArray 3.x on npshm: ``import npshm.compat.sharedarray as sa``.

    a = sa.create("shm://test", 10)      # zero-filled, persistent
    b = sa.attach("shm://test")          # any process; ro=True: read-only
    a[0] = 42; print(b[0])               # 42.0: the same memory
    sa.list()                            # [ArrayDesc(name=b'test', ...)]
    sa.delete("test")                    # b stays valid until dropped

Names: "shm://NAME" or "NAME" is /dev/shm/NAME; "file://PATH" is a file
anywhere (a relative PATH is taken from the current directory).  Arrays
persist after ``del`` and after the interpreter exits, until delete().

The returned arrays are plain numpy.ndarrays whose ``base`` is a MapOwner
with ``name``, ``addr``, ``size``, ``msync(flags)``, ``mlock()`` and
``munlock()``.  Every segment is an npshm array, so npshm.attach(),
npshm.handle() and the other compat modules open it too.
"""

from __future__ import annotations

import builtins
import os
from typing import Any, NamedTuple, Tuple, Union

import numpy as np

import npshm
from npshm._names import as_name

__all__ = ["create", "attach", "delete", "list", "ArrayDesc", "MapOwner",
           "MS_ASYNC", "MS_SYNC", "MS_INVALIDATE"]

# The msync(2) flag values of Linux <sys/mman.h>, as SharedArray exports
# them; MapOwner.msync() translates them to npshm's own flag values.
MS_ASYNC = 1
MS_INVALIDATE = 2
MS_SYNC = 4

_FLAG_TO_NPSHM = ((MS_ASYNC, npshm.MS_ASYNC), (MS_SYNC, npshm.MS_SYNC),
                  (MS_INVALIDATE, npshm.MS_INVALIDATE))

NameLike = Union[str, bytes]


def _text(name: Any) -> str:
    return as_name(name, "array name")


def _npshm_name(name: str) -> str:
    """SharedArray's name -> npshm's: file://PATH becomes absolute."""
    if name.startswith("file://"):
        path = name[len("file://"):]
        if not path:
            raise ValueError(f"{name!r}: file:// needs a path")
        return "file://" + os.path.abspath(path)
    return name


def _npshm_flags(flags: int) -> int:
    flags = int(flags)
    known = MS_ASYNC | MS_SYNC | MS_INVALIDATE
    if flags & ~known:
        raise ValueError(f"msync flags {flags:#x}: only MS_ASYNC, MS_SYNC "
                         "and MS_INVALIDATE are known")
    return sum(ours for theirs, ours in _FLAG_TO_NPSHM if flags & theirs)


class MapOwner:
    """The ``base`` of every array this module returns: it keeps the npshm
    segment mapped while any view of it lives.

    name: the name as given to create() or attach().
    addr, size: address and byte size of the array data.
    base: the npshm.SharedArray behind it (npshm.handle() follows it).
    """

    __slots__ = ("name", "base", "_handle", "__weakref__")

    def __init__(self, name: str, array: np.ndarray) -> None:
        self.name = name
        self.base = array
        self._handle = npshm.handle(array)

    @property
    def __array_interface__(self) -> dict:
        return self.base.__array_interface__

    @property
    def addr(self) -> int:
        return int(self.base.__array_interface__["data"][0])

    @property
    def size(self) -> int:
        return int(self.base.nbytes)

    def msync(self, flags: int = MS_SYNC) -> None:
        """msync(2) over the data: MS_ASYNC, MS_SYNC, optionally with
        MS_INVALIDATE (this module's constants)."""
        self._handle.msync(_npshm_flags(flags))

    def mlock(self) -> None:
        """Lock the data in RAM (MemoryError past RLIMIT_MEMLOCK)."""
        self._handle.mlock()

    def munlock(self) -> None:
        """Undo mlock()."""
        self._handle.munlock()

    def __repr__(self) -> str:
        return (f"<npshm.compat.sharedarray.MapOwner {self.name!r} "
                f"{self.size} bytes>")


def _wrap(name: str, array: np.ndarray) -> np.ndarray:
    """A plain ndarray over array's memory whose base is a MapOwner."""
    owner = MapOwner(name, array)
    view = np.asarray(owner)
    if view.dtype != array.dtype:
        # __array_interface__ spells padded structured dtypes as fields
        # named f1, f2...: put the exact dtype back (same itemsize).
        view.dtype = array.dtype
    return view


def create(name: NameLike, shape: Any, dtype: Any = float) -> np.ndarray:
    """Create a zero-filled array (shape and dtype as numpy.zeros) named
    "shm://NAME", "NAME" or "file://PATH".  It persists until delete().

    FileExistsError if the name is taken; ValueError for a bad name, shape
    or dtype (object dtypes cannot live in shared memory).
    """
    text = _text(name)
    return _wrap(text, npshm.create(_npshm_name(text), shape, dtype))


def attach(name: NameLike, ro: bool = False) -> np.ndarray:
    """Attach an existing array; ro=True maps it read-only (the ndarray is
    not writeable).  FileNotFoundError if there is none."""
    text = _text(name)
    return _wrap(text, npshm.attach(_npshm_name(text), readonly=bool(ro)))


def delete(name: NameLike) -> None:
    """Remove the array's name.  Arrays attached anywhere stay valid until
    dropped.  FileNotFoundError if there is none; a file that is not an
    array is never removed (ValueError)."""
    npshm.delete(_npshm_name(_text(name)))


class ArrayDesc(NamedTuple):
    """One item of list(): name (bytes, as SharedArray gives it), dtype
    (numpy.dtype) and dims (the shape)."""
    name: bytes
    dtype: Any
    dims: Tuple[int, ...]


def list() -> builtins.list:  # noqa: A001 -- SharedArray's name
    """The arrays in /dev/shm (or $NPSHM_DIR), sorted by name."""
    described = []
    for info in npshm.list():
        bare = info.name
        if bare.startswith("shm://"):
            bare = bare[len("shm://"):]
        described.append(ArrayDesc(os.fsencode(bare), info.dtype,
                                   tuple(info.shape)))
    return described
