"""Pickling SharedArrays by reference, and unpickling them with no copy.

A SharedArray (or any view of one) of the array's own dtype whose elements
all lie inside its segment pickles as (name, byte offset from the data
start, shape, strides, dtype, read-only, id).  Unpickling checks the
reference against the segment: the dtype must be the array's (never one
holding Python objects), every element must lie inside the data, and a
read-only reference gives a read-only view (mapped read-only in a process
that attaches afresh).  Unpickling attaches the segment by name (the
attachment is shared by every view unpickled in this process while any of
them lives) and rebuilds the same view.  Anything else (views of another
dtype, results of computations) pickles as a plain ndarray.

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

import operator
import os
import weakref
from typing import Any, Dict, Optional, Tuple

import numpy as np

from . import _npshm
from ._dtypes import dtype_of
from ._names import as_name
from .errors import of_slug
from ._shared_array import SharedArray, mapping_of

__all__ = ["reduce_shared", "remember"]

# name -> (weak reference to Mapping, (st_dev, st_ino) of its file, or None
# until the mapping is first pickled: creating an array costs no stat)
_attachments: Dict[str, Tuple["weakref.ref[Any]",
                              Optional[Tuple[int, int]]]] = {}

# A forked child attaches its own handles (see the module docstring).
os.register_at_fork(after_in_child=_attachments.clear)


def _store(name: str, mapping: Any,
           identity: Optional[Tuple[int, int]]) -> None:
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


def remember(mapping: Any) -> None:
    """Offer mapping for reuse by unpickling in this process (its file's
    identity is taken when it is first pickled, see _pickled)."""
    _store(mapping.name, mapping, None)


def _pickled(mapping: Any) -> None:
    """mapping is being pickled: if it was remembered without its file's
    identity, take it now (its name names it: it is being pickled)."""
    entry = _attachments.get(mapping.name)
    if entry is not None and entry[1] is None and entry[0]() is mapping:
        identity = _identity(mapping.path)
        if identity is not None:
            _store(mapping.name, mapping, identity)


def _cached(name: str, readonly: bool, array_id: int) -> Any:
    """The live cached mapping of name if it allows the access wanted and
    is the array wanted: the one of array_id (unless that is 0) whose name
    still names its file (when that file's identity is known; without it,
    only a reference with the very same random id reuses it).  Else None."""
    entry = _attachments.get(name)
    if entry is None:
        return None
    mapping, identity = entry[0](), entry[1]
    if mapping is None or (mapping.readonly and not readonly):
        return None
    if array_id != 0 and mapping.id != array_id:
        return None
    if identity is None:
        return mapping if array_id != 0 else None
    return mapping if _identity(mapping.path) == identity else None


def _mapping_for(name: str, readonly: bool, array_id: int) -> Any:
    """A mapping of name; that of array array_id unless it is 0 (then any).
    Without a usable cached mapping the name is attached afresh, once, and
    the caller checks what it got."""
    cached = _cached(name, readonly, array_id)
    if cached is not None:
        return cached
    before = _identity(_npshm.resolve_path(name))
    options = _npshm.options_new()
    try:
        _npshm.options_set_readonly(options, int(readonly))
        mapping = _npshm.attach_mapping(name, options)
    finally:
        _npshm.options_free(options)
    # Keep a live cached mapping of the same array that allows as much
    # (only the reference did not fit it); else offer the fresh one, if the name did not change
    # while it was attached.
    entry = _attachments.get(name)
    previous = entry[0]() if entry is not None else None
    same_as_cached = (previous is not None and previous.id != 0
                      and previous.id == mapping.id
                      and (mapping.readonly or not previous.readonly))
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
    view_dtype = _checked_dtype(name, dtype)
    mapping = _mapping_for(name, bool(readonly), array_id)
    if array_id != 0 and mapping.id != array_id:
        raise of_slug(
            "not_found",
            f"unpickle {mapping.name}: the array of that name is not the one "
            "that was pickled (it was removed and created again)")
    header_dtype = dtype_of(mapping.dtype)
    if view_dtype != header_dtype:
        raise of_slug(
            "format",
            f"unpickle {mapping.name}: the reference's dtype {view_dtype} is "
            f"not the array's {header_dtype}")
    # Mapping.view checks that every element lies inside the data, and a
    # read-only reference (or mapping) gives a view that cannot be made
    # writeable.
    return mapping.view(SharedArray, view_dtype, operator.index(offset),
                        tuple(shape), tuple(strides), bool(readonly))


def _checked_dtype(name: str, dtype: Any) -> np.dtype:
    """The reference's dtype, refusing anything holding Python objects
    (shared bytes read as object pointers could crash this process)."""
    try:
        view_dtype = np.dtype(dtype)
    except TypeError:
        raise of_slug("format", f"unpickle {name}: {dtype!r} is not a "
                                "dtype") from None
    if view_dtype.hasobject:
        raise of_slug("format", f"unpickle {name}: the reference's dtype "
                                f"{view_dtype} holds Python objects")
    return view_dtype


def _header_dtype(mapping: Any) -> Optional[np.dtype]:
    try:
        return dtype_of(mapping.dtype)
    except ValueError:
        return None


def reduce_shared(array: SharedArray, protocol: Optional[int]) -> Any:
    mapping = mapping_of(array)
    offset = mapping.locate(array) if mapping is not None else None
    if offset is not None and array.dtype != _header_dtype(mapping):
        offset = None  # a reference rebuilds only the array's own dtype
    if offset is None:
        plain = array.view(np.ndarray)
        if protocol is None:
            return plain.__reduce__()
        return plain.__reduce_ex__(protocol)
    readonly = bool(mapping.readonly or not array.flags.writeable)
    _pickled(mapping)
    return (rebuild, (mapping.name, offset, array.shape, array.strides,
                      array.dtype, readonly, mapping.id))
