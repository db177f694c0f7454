"""Pickling SharedArrays by reference, and unpickling them with no copy.

A SharedArray (or any view of one) whose elements all lie inside its
segment pickles as (name, byte offset from the data start, shape, strides,
dtype, read-only).  Unpickling attaches the segment by name (the attachment
is shared by every view unpickled in this process while any of them lives)
and rebuilds the same view.  Anything else pickles as a plain ndarray.

A process made by fork does not unpickle onto the mappings it inherited:
an inherited handle shares the parent's open file description and lock, so
it does not count as a holder of its own (the parent's release of a "last"
array would remove the name under the child).  The attachment cache is
emptied in the child right after fork, and the child attaches its own
handle.  An attachment is reused only while its name still names the same
file; a cache entry goes away with its mapping.
"""

from __future__ import annotations

import os
import weakref
from typing import Any, Dict, Optional, Tuple

import numpy as np

from . import _npshm
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


def _mapping_for(name: str, readonly: bool) -> Any:
    entry = _attachments.get(name)
    if entry is not None:
        mapping = entry[0]()
        if (mapping is not None and (readonly or not mapping.readonly)
                and _identity(mapping.path) == entry[1]):
            return mapping
    before = _identity(_path_of(name))
    options = _npshm.options_new()
    try:
        _npshm.options_set_readonly(options, int(readonly))
        mapping = _npshm.attach_mapping(name, options)
    finally:
        _npshm.options_free(options)
    if before is not None and _identity(mapping.path) == before:
        _store(name, mapping, before)
    return mapping


def rebuild(name: str, offset: int, shape: Tuple[int, ...],
            strides: Tuple[int, ...], dtype: np.dtype, readonly: bool
            ) -> SharedArray:
    """Unpickle: the view (offset, shape, strides, dtype) of segment name."""
    mapping = _mapping_for(name, readonly)
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
                      array.dtype, readonly))
