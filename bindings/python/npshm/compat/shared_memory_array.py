"""shared-memory-array on npshm:
``from npshm.compat.shared_memory_array import SharedMemoryArray``.

    with SharedMemoryManager() as manager:
        shared = SharedMemoryArray.copy(manager, data)
        with Pool() as pool:                    # instances pickle by name
            sums = pool.map(sum_row, [(shared, i) for i in range(n)])
    # the manager's shutdown removed the segment's name

A SharedMemoryArray points at an npshm segment (/dev/shm/NAME) and gives
numpy views of it with as_array().  allocate/allocate_like/copy make a new
segment owned by this instance and have the SharedMemoryManager's shutdown
remove it (in npshm's directory, $NPSHM_DIR included: see _manager.py);
close() on the owner unlinks it earlier.  attach() opens an existing segment.

Unlike the original: 0-d shapes work; as_array() after close() raises
ValueError; views returned by as_array() stay valid after close() and after
the manager shut down; an instance unpickled in a worker is never the
owner.
"""

from __future__ import annotations

import operator
from typing import Any, Optional, Tuple

import numpy as np

import npshm
from npshm._names import as_name

from . import _manager

__all__ = ["SharedMemoryArray", "SharedArray", "ManagedSharedMemoryArray"]


def _checked_shape(shape: Any) -> Tuple[int, ...]:
    """The original's rules: an int or an iterable of ints, none negative
    (TypeError / ValueError)."""
    if shape is None or isinstance(shape, (str, bytes)):
        raise TypeError(f"Shape must be iterable or integer, got "
                        f"{type(shape).__name__}")
    dims = tuple(shape) if hasattr(shape, "__iter__") else (shape,)
    if not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool)
               for d in dims):
        raise TypeError(f"Shape dimensions must be integers, got {dims}")
    if any(d < 0 for d in dims):
        raise ValueError(f"Shape dimensions must be non-negative, got {dims}")
    return tuple(int(d) for d in dims)


def _checked_dtype(dtype: Any) -> np.dtype:
    if dtype is None:
        raise TypeError("Invalid dtype specification: dtype cannot be None")
    try:
        return np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"Invalid dtype specification: {dtype!r}") from exc


def _loose_shape(shape: Any) -> Tuple[int, ...]:
    """Shapes of the *_unsafe variants, checked only when used."""
    if hasattr(shape, "__iter__"):
        return tuple(operator.index(d) for d in shape)
    return (operator.index(shape),)


def _raw_bytes(array: np.ndarray) -> np.ndarray:
    """The segment's data as a 1-d uint8 view (no copy)."""
    return array.reshape(-1, order="A").view(np.uint8)


def _view(array: np.ndarray, shape: Tuple[int, ...], dtype: np.dtype,
          name: str) -> np.ndarray:
    """The segment `array` seen with this shape and dtype: itself when they
    match, else its bytes reinterpreted (as the original does with a buffer
    at least that large); ValueError when the segment is too small."""
    if array.shape == shape and array.dtype == dtype:
        return array[...]
    if dtype.hasobject:
        raise ValueError(f"dtype {dtype} holds Python objects; shared memory "
                         "holds only plain data")
    need = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if need > array.nbytes:
        raise ValueError(
            f"Shared memory buffer too small: need {need} bytes for shape "
            f"{shape} and dtype {dtype}, but {name} holds {array.nbytes} "
            "bytes")
    return _raw_bytes(array)[:need].view(dtype).reshape(shape)


class _SegmentInfo:
    """What ``.shm`` gives: the name, size (data bytes) and buf (a
    memoryview of the data) of the segment."""

    __slots__ = ("_owner",)

    def __init__(self, owner: "SharedMemoryArray") -> None:
        self._owner = owner

    @property
    def name(self) -> str:
        return self._owner.name

    @property
    def size(self) -> int:
        return self._owner._nbytes

    @property
    def buf(self) -> memoryview:
        return memoryview(_raw_bytes(self._owner._open_array()))


class SharedMemoryArray:
    """A pointer to a numpy array in an npshm segment.

    Make one with allocate(), allocate_like(), copy() (owner: close()
    unlinks the segment) or attach() (not the owner); get numpy views with
    as_array().  Attributes: name, shape, dtype, owner, shm.
    """

    __slots__ = ("_name", "_shape", "_dtype", "_owner", "_array", "_nbytes",
                 "_unlinked")

    def __init__(self, array: Optional[np.ndarray], name: str, shape: Any,
                 dtype: Any, owner: bool) -> None:
        # Internal: use the static constructors.
        self._name = name
        self._shape = shape
        self._dtype = dtype
        self._owner = owner
        self._array = array
        self._nbytes = int(array.nbytes) if array is not None else 0
        self._unlinked = False

    # -- attributes --------------------------------------------------------

    @property
    def name(self) -> str:
        """The segment's name (attach(name, ...) opens it elsewhere)."""
        return self._name

    @property
    def shape(self) -> Any:
        return self._shape

    @property
    def dtype(self) -> Any:
        return self._dtype

    @property
    def owner(self) -> bool:
        """True for the instance that allocated the segment."""
        return self._owner

    @property
    def shm(self) -> _SegmentInfo:
        return _SegmentInfo(self)

    @property
    def closed(self) -> bool:
        return self._array is None

    def _open_array(self) -> np.ndarray:
        array = self._array
        if array is None:
            raise ValueError(f"SharedMemoryArray {self._name} is closed")
        return array

    # -- views and cleanup -------------------------------------------------

    def as_array(self) -> np.ndarray:
        """A numpy view of the shared memory (no copy).  It stays valid
        after close().  ValueError once this instance is closed."""
        array = self._open_array()
        shape = _loose_shape(self._shape)
        try:
            dtype = np.dtype(self._dtype)
        except TypeError as exc:
            raise TypeError(f"Invalid dtype specification: {self._dtype!r}") \
                from exc
        return _view(array, shape, dtype, self._name)

    def close(self) -> None:
        """Release this instance's handle; the owner also unlinks the
        segment.  Views from as_array() stay valid.  Idempotent."""
        if self._owner:
            self.unlink()
        self._array = None

    def unlink(self) -> None:
        """Remove the segment's name now (other processes' views stay
        valid).  Idempotent."""
        if self._unlinked:
            return
        if self._array is not None:
            try:
                npshm.handle(self._array).unlink()
            except FileNotFoundError:
                pass
            except ValueError:  # its npshm handle was closed elsewhere
                self._delete_by_name()
        else:
            self._delete_by_name()
        self._unlinked = True
        _manager.release(self._name)

    def _delete_by_name(self) -> None:
        try:
            npshm.delete(self._name)
        except FileNotFoundError:
            pass

    def managed(self) -> "ManagedSharedMemoryArray":
        """A context manager that closes this instance on exit."""
        return ManagedSharedMemoryArray(self)

    # -- pickling: by reference ---------------------------------------------

    def __reduce__(self) -> Any:
        # The npshm array pickles as its segment name and position; the
        # copy in the other process attaches it and is never the owner.
        return (_rebuild, (self._array, self._name, self._shape, self._dtype))

    def __repr__(self) -> str:
        state = "closed" if self._array is None else "open"
        role = "owner" if self._owner else "attached"
        return (f"SharedMemoryArray(name={self._name!r}, shape={self._shape!r}"
                f", dtype={self._dtype!r}, {role}, {state})")

    # -- constructors ------------------------------------------------------

    @staticmethod
    def _new_segment(manager: Any, shape: Tuple[int, ...], dtype: np.dtype
                     ) -> "SharedMemoryArray":
        array = _allocate(manager, shape, dtype)
        return SharedMemoryArray(array, _name_of(array), shape, dtype,
                                 owner=True)

    @staticmethod
    def allocate(manager: Any, shape: Any, dtype: Any) -> "SharedMemoryArray":
        """A new zero-filled array in shared memory, owned by the result and
        unlinked when `manager` (a running SharedMemoryManager) shuts down.
        TypeError/ValueError for bad shape or dtype, ValueError if the
        manager cannot take it."""
        return SharedMemoryArray._new_segment(
            manager, _checked_shape(shape), _checked_dtype(dtype))

    @staticmethod
    def allocate_like(manager: Any, array: Any) -> "SharedMemoryArray":
        """allocate() with array's shape and dtype."""
        return SharedMemoryArray._new_segment(
            manager, _checked_shape(array.shape), _checked_dtype(array.dtype))

    @staticmethod
    def copy(manager: Any, array: Any) -> "SharedMemoryArray":
        """A new shared array holding a copy of array (any layout)."""
        shared = SharedMemoryArray.allocate_like(manager, array)
        _fill(shared, array)
        return shared

    @staticmethod
    def attach(name: str, shape: Any, dtype: Any) -> "SharedMemoryArray":
        """Open the existing segment `name` as an array of this shape and
        dtype (not the owner).  FileNotFoundError if there is none;
        ValueError if the segment holds fewer bytes than they need."""
        dims = _checked_shape(shape)
        np_dtype = _checked_dtype(dtype)
        segment = _attach(name)
        _view(segment, dims, np_dtype, name)  # checks the size
        return SharedMemoryArray(segment, _bare(name), dims, np_dtype,
                                 owner=False)

    @staticmethod
    def allocate_unsafe(manager: Any, shape: Any, dtype: Any,
                        nbytes: Optional[int] = None) -> "SharedMemoryArray":
        """allocate() without checking shape and dtype first.  nbytes: bytes
        per element (default: dtype's itemsize)."""
        itemsize = np.dtype(dtype).itemsize
        if nbytes is None or nbytes == itemsize:
            array = _allocate(manager, shape, dtype)
        else:
            count = int(np.prod(_loose_shape(shape), dtype=np.int64))
            array = _allocate(manager, count * int(nbytes), np.uint8)
        return SharedMemoryArray(array, _name_of(array), shape, dtype,
                                 owner=True)

    @staticmethod
    def allocate_like_unsafe(manager: Any, array: Any) -> "SharedMemoryArray":
        """allocate_like() without checks."""
        return SharedMemoryArray.allocate_unsafe(manager, array.shape,
                                                 array.dtype)

    @staticmethod
    def copy_unsafe(manager: Any, array: Any) -> "SharedMemoryArray":
        """copy() without checks."""
        shared = SharedMemoryArray.allocate_like_unsafe(manager, array)
        _fill(shared, array)
        return shared

    @staticmethod
    def attach_unsafe(name: str, shape: Any, dtype: Any
                      ) -> "SharedMemoryArray":
        """attach() without checking shape, dtype or size: as_array()
        raises ValueError if they do not fit the segment."""
        return SharedMemoryArray(_attach(name), _bare(name), shape, dtype,
                                 owner=False)


SharedArray = SharedMemoryArray


class ManagedSharedMemoryArray:
    """What SharedMemoryArray.managed() returns: a context manager whose
    ``with`` gives the SharedMemoryArray and closes it on exit; other
    attributes are the SharedMemoryArray's."""

    def __init__(self, shared_array: SharedMemoryArray) -> None:
        self._shared_array = shared_array
        self._closed = False

    def __enter__(self) -> SharedMemoryArray:
        if self._closed:
            raise ValueError("Cannot enter context: ManagedSharedMemoryArray "
                             "is already closed")
        return self._shared_array

    def __exit__(self, *exc: Any) -> bool:
        if not self._closed:
            self._shared_array.close()
            self._closed = True
        return False

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_shared_array":
            raise AttributeError(name)
        return getattr(self._shared_array, name)


def _bare(name: str) -> str:
    """Names as multiprocessing.shared_memory shows them (no '/', no
    'shm://')."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    name = as_name(name)
    if name.startswith("shm://"):
        return name[len("shm://"):]
    return name[1:] if name.startswith("/") else name


def _name_of(array: np.ndarray) -> str:
    return _bare(npshm.handle(array).name)


def _attach(name: str) -> np.ndarray:
    return npshm.attach(_bare(name))


def _allocate(manager: Any, shape: Any, dtype: Any) -> np.ndarray:
    """A new persistent segment with a unique name that `manager` unlinks
    at its shutdown; nothing is left if the manager cannot take it."""
    _manager._check(manager)
    array = npshm.create(None, shape, dtype)
    name = _name_of(array)
    try:
        _manager.track(manager, name, npshm.handle(array).id)
    except BaseException:
        npshm.delete(name)
        raise
    return array


def _fill(shared: SharedMemoryArray, source: Any) -> None:
    """Copy source into a new owned segment; unlink it if that fails."""
    try:
        if np.size(source):
            np.copyto(shared.as_array(), source, casting="unsafe")
    except BaseException as exc:
        shared.close()
        if isinstance(exc, (TypeError, ValueError)):
            raise ValueError(
                f"Failed to copy array data to shared memory. Array shape: "
                f"{np.shape(source)}, dtype: {getattr(source, 'dtype', '?')}"
                f": {exc}") from exc
        raise


def _rebuild(array: Optional[np.ndarray], name: str, shape: Any, dtype: Any
             ) -> SharedMemoryArray:
    """Unpickle: the same segment, attached in this process (closed if the
    pickled instance was), never the owner."""
    return SharedMemoryArray(array, name, shape, dtype, owner=False)
