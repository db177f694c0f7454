"""Pickling SharedArrays by reference, and unpickling them with no copy.

A SharedArray (or any view of one) whose elements all lie inside its
segment pickles as (name, byte offset from the data start, shape, strides,
dtype, read-only, id).  Unpickling attaches the segment by name (the
attachment is shared by every view unpickled in this process while any of
them lives) and rebuilds the same view.  Anything else pickles as a plain
ndarray.

The id is the array's random creation id (npshm_id; 0 for a plain .npy
file).  When the name was removed and an array created again under it, the
name now holds another id: unpickling raises FileNotFoundError instead of
viewing the newer array's bytes.  References pickled before ids existed
(six fields) are attached by name alone.

A process made by fork does not unpickle onto the mappings it inherited:
an inherited handle shares the parent's open file description and lock, so
it does not count as a holder of its own (the parent's release of a "last"
array would remove the name under the child).  The attachment cache is
emptied in the child right after fork, and the child attaches its own
handle.  An attachment is reused only while its name still names the same
file and, for a pickle that carries an id, while it is the array of that id;
a cache entry goes away with its mapping.
"""

from __future__ import annotations

import errno
import os
import weakref
from typing import Any, Dict, Optional, Tuple

import numpy as np

from . import _npshm
from ._names import as_name
from ._shared_array import SharedArray, mapping_of

__all__ = ["reduce_shared", "remember"]

# name -> (weak reference to Mapping, (st_dev, st_ino) of its file)
_attachments: Dict[str, Tuple["weakref.ref[Any]", Tuple[int, int]]] = {}

# A forked child attaches its own handles (see the module docstring).
os.register_at_fork(after_in_child=_attachments.clear)


def _store(name: str, mapping: Any, identity: Tuple[int, int]) -> None:
    """Cache mapping under name until it dies (or is replaced)."""
    def drop(ref: "weakref.ref[Any]", name: str = name,
             attachments: Dict[str, Any] = _attachments) -> None:
        entry = attachments.get(name)
        if entry is not None and entry[0] is ref:
            del attachments[name]
    _attachments[name] = (weakref.ref(mapping, drop), identity)


def _identity(path: str) -> Optional[Tuple[int, int]]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _path_of(name: str) -> str:
    """The file a name refers to (as the C library resolves it)."""
    if name.startswith("file://"):
        return name[len("file://"):]
    if name.startswith("shm://"):
        name = name[len("shm://"):]
    return os.path.join(os.environ.get("NPSHM_DIR") or "/dev/shm", name)


def remember(mapping: Any) -> None:
    """Offer mapping for reuse by unpickling in this process."""
    identity = _identity(mapping.path)
    if identity is not None:
        _store(mapping.name, mapping, identity)


def _cached(name: str, readonly: bool) -> Any:
    """The live cached mapping of name, if it still maps the file the name
    names and allows the access wanted; else None."""
    entry = _attachments.get(name)
    if entry is None:
        return None
    mapping = entry[0]()
    if (mapping is not None and (readonly or not mapping.readonly)
            and _identity(mapping.path) == entry[1]):
        return mapping
    return None


def _mapping_for(name: str, readonly: bool, array_id: int) -> Any:
    """A mapping of name; that of array array_id unless it is 0 (then any).
    A cached mapping of another id is passed over: the name is attached
    afresh, once, and the caller checks what it got."""
    cached = _cached(name, readonly)
    if cached is not None and (array_id == 0 or cached.id == array_id):
        return cached
    before = _identity(_path_of(name))
    options = _npshm.options_new()
    try:
        _npshm.options_set_readonly(options, int(readonly))
        mapping = _npshm.attach_mapping(name, options)
    finally:
        _npshm.options_free(options)
    # Keep the cached entry when the fresh attachment is the same array
    # (only the pickle was stale); it stays valid for that array's pickles.
    same_as_cached = (cached is not None and cached.id != 0
                      and cached.id == mapping.id)
    if (not same_as_cached and before is not None
            and _identity(mapping.path) == before):
        _store(name, mapping, before)
    return mapping


def rebuild(name: str, offset: int, shape: Tuple[int, ...],
            strides: Tuple[int, ...], dtype: np.dtype, readonly: bool,
            array_id: int = 0) -> SharedArray:
    """Unpickle: the view (offset, shape, strides, dtype) of segment name,
    which must still be the array array_id (unless that is 0: a plain .npy
    file, or a reference pickled before ids existed)."""
    name = as_name(name)
    mapping = _mapping_for(name, readonly, array_id)
    if array_id != 0 and mapping.id != array_id:
        raise FileNotFoundError(
            errno.ENOENT,
            f"unpickle {mapping.name}: the array of that name is not the one "
            "that was pickled (it was removed and created again)")
    return mapping.view(SharedArray, np.dtype(dtype), offset, shape, strides,
                        readonly)


def reduce_shared(array: SharedArray, protocol: Optional[int]) -> Any:
    mapping = mapping_of(array)
    offset = mapping.locate(array) if mapping is not None else None
    if offset is None:
        plain = array.view(np.ndarray)
        if protocol is None:
            return plain.__reduce__()
        return plain.__reduce_ex__(protocol)
    readonly = bool(mapping.readonly or not array.flags.writeable)
    return (rebuild, (mapping.name, offset, array.shape, array.strides,
                      array.dtype, readonly, mapping.id))
