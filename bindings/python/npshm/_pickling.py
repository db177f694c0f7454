"""Pickling SharedArrays by reference, and unpickling them with no copy.

A SharedArray (or any view of one) of the array's own dtype whose elements
all lie inside its segment pickles as the library's saved reference to that
view (npshm_ref_make): one line of text naming the array (canonical name,
shm directory, random id) and the view (byte offset from the data start,
shape, strides, dtype, read-only flag), with a damage check (catching damage, not forgery); docs/format.md
specifies it.  The pickle is attach_reference(text).  Unpickling parses the
text (npshm_ref_parse) and lets the library check it against the array:
the very array referenced (a name removed and created again raises
FileNotFoundError), its dtype, every element inside the data, and the
access the reference grants (npshm_ref_attach; npshm_ref_check for an
attachment this process already has): a view is writable only when the
reference names a shm:// array by its id and this process can write the
file; a file:// or id-0 reference unpickles read-only, whatever mapping
of the file this process already has.  Anything else (views of
another dtype, results of computations) pickles as a plain ndarray.

Unpickling attaches the array once per process while any view unpickled
from it lives: the attachment is cached by file path.  A process made by
fork does not unpickle onto the mappings it inherited: an inherited handle
shares the parent's open file description and lock, so it does not count
as a holder of its own (the parent's release of a "last" array would remove
the name under the child).  The cache is emptied in the child right after
fork, and the child attaches its own handle.  An attachment is reused only
while its path still names the same file (once known: an array created in
this process is remembered without a stat, until first pickled; until then
only a reference carrying a non-zero id, which the library compares, may
reuse it); a cache entry goes away with its mapping.

rebuild() unpickles the fields of a view (name, offset, shape, strides,
dtype, read-only, id): the pickles of the previous release (seven fields,
or six before ids: then attached by name alone).  It makes them the library's reference to that view
of the array the name holds now (npshm_ref_make checks the view lies inside
the data); the id and dtype, which a reference made from that array
carries as the array's own, are compared with the fields first.
"""

from __future__ import annotations

import os
import weakref
from typing import Any, Callable, Dict, Optional, Tuple

import numpy as np

from . import _npshm
from ._dtypes import descr_of, dtype_of
from ._names import as_name
from .errors import of_slug
from . import _shared_array
from ._shared_array import SharedArray, mapping_of

__all__ = ["reduce_shared", "remember", "attach_reference", "attach_readonly",
           "rebuild"]

# path -> (weak reference to Mapping, (st_dev, st_ino) of its file, or None
# until the mapping is first pickled: creating an array costs no stat)
_attachments: Dict[str, Tuple["weakref.ref[Any]",
                              Optional[Tuple[int, int]]]] = {}

# A forked child attaches its own handles (see the module docstring).
os.register_at_fork(after_in_child=_attachments.clear)


def _store(path: str, mapping: Any,
           identity: Optional[Tuple[int, int]]) -> None:
    """Cache mapping under path until it dies (or is replaced)."""
    def drop(ref: "weakref.ref[Any]", path: str = path,
             attachments: Dict[str, Any] = _attachments) -> None:
        entry = attachments.get(path)
        if entry is not None and entry[0] is ref:
            del attachments[path]
    _attachments[path] = (weakref.ref(mapping, drop), identity)


def _identity(path: str) -> Optional[Tuple[int, int]]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def remember(mapping: Any) -> None:
    """Offer mapping for reuse by unpickling in this process (its file's
    identity is taken when it is first pickled, see _pickled)."""
    _store(mapping.path, mapping, None)


def attach_readonly(text: str) -> Any:
    """A new read-only mapping of the array the reference text names
    (checked by the library as any reference), which unpickling in this
    process then reuses for that array in place of the mapping it had
    (reads through a read-only mapping fault less); its Mapping."""
    ref = _npshm.ref_parse(text)
    try:
        path = _npshm.ref_path(ref)
        before = _identity(path)
        mapping = _attach_ref(ref, True)
    finally:
        _npshm.ref_free(ref)
    if before is not None and _identity(mapping.path) == before:
        _store(path, mapping, before)
    return mapping


def _pickled(mapping: Any) -> None:
    """mapping is being pickled: if it was remembered without its file's
    identity, take it now (its name names it: it is being pickled)."""
    entry = _attachments.get(mapping.path)
    if entry is not None and entry[1] is None and entry[0]() is mapping:
        identity = _identity(mapping.path)
        if identity is not None:
            _store(mapping.path, mapping, identity)


def _cached(path: str, array_id: int) -> Any:
    """The live cached mapping of path while path still names its file
    (when that file's identity is known; without it, only for a reference
    to array_id != 0, which the library then compares).  Else None."""
    entry = _attachments.get(path)
    if entry is None:
        return None
    mapping, identity = entry[0](), entry[1]
    if mapping is None:
        return None
    if identity is None:
        return mapping if array_id != 0 else None
    return mapping if _identity(path) == identity else None


def _attached(path: str, attach: Callable[[], Any]) -> Any:
    """A fresh mapping from attach(), offered for reuse unless a live cached
    mapping of the same array allows as much, or path changed meanwhile."""
    before = _identity(path)
    mapping = attach()
    entry = _attachments.get(path)
    previous = entry[0]() if entry is not None else None
    same_as_cached = (previous is not None and previous.id != 0
                      and previous.id == mapping.id
                      and (mapping.readonly or not previous.readonly))
    if (not same_as_cached and before is not None
            and _identity(mapping.path) == before):
        _store(path, mapping, before)
    return mapping


def attach_reference(text: str,
                     readonly: Optional[bool] = None) -> SharedArray:
    """Unpickle: the view a saved reference (npshm_ref_*) names, checked by
    the library against the array (see the module docstring).

    readonly None (unpickling): the reference decides, by the library's
    rule: writable only for a shm:// array named by its id, where this
    process can write the file; a file:// or id-0 reference is read-only.
    True: read-only.  False: this call asks for write access itself
    (npshm_options_set_ref_writable; PermissionError if the file cannot be
    opened for writing)."""
    ref = _npshm.ref_parse(text)
    try:
        path = _npshm.ref_path(ref)
        mapping = _cached(path, _npshm.ref_id(ref))
        if readonly is False:
            if (mapping is None or mapping.readonly
                    or not _npshm.ref_fits(ref, mapping)):
                mapping = _attached(path, lambda: _attach_ref(ref, False))
            view_readonly = False
        else:
            if mapping is None or not _npshm.ref_fits(ref, mapping):
                mapping = _attached(path, lambda: _attach_ref(ref, readonly))
            view_readonly = bool(readonly or _npshm.ref_is_readonly(ref)
                                 or mapping.readonly)
        return mapping.view(SharedArray, dtype_of(_npshm.ref_dtype(ref)),
                            _npshm.ref_offset(ref), _npshm.ref_shape_tuple(ref),
                            _npshm.ref_strides_tuple(ref), view_readonly)
    finally:
        _npshm.ref_free(ref)


def _attach_ref(ref: Any, readonly: Optional[bool]) -> Any:
    """npshm_ref_attach: None lets the reference decide, True read-only,
    False asks for write access (see attach_reference)."""
    if readonly is None:
        return _npshm.ref_attach_mapping(ref, None)
    options = _npshm.options_new()
    try:
        if readonly:
            _npshm.options_set_readonly(options, 1)
        else:
            _npshm.options_set_ref_writable(options, 1)
        return _npshm.ref_attach_mapping(ref, options)
    finally:
        _npshm.options_free(options)


def rebuild(name: str, offset: int, shape: Tuple[int, ...],
            strides: Tuple[int, ...], dtype: Any, readonly: bool,
            array_id: int = 0) -> SharedArray:
    """Unpickle the fields of a view of array array_id (0: whichever array
    the name holds) of name; see the module docstring."""
    name = as_name(name)
    # Fields that name no id (pickles from before ids) never carry write
    # access: only a reference naming a shm:// array by its id does (the
    # library's rule, applied to the reference made below).
    readonly = bool(readonly) or array_id == 0
    descr = _fields_descr(name, dtype)
    path = _npshm.resolve_path(name)
    mapping = _cached(path, array_id)
    if mapping is None or (mapping.readonly and not readonly):
        mapping = _attached(path, lambda: _attach_by_name(name, readonly))
    if array_id != 0 and mapping.id != array_id:
        raise of_slug(
            "not_found",
            f"unpickle {mapping.name}: the array of that name is not the one "
            "that was pickled (it was removed and created again)")
    if descr != mapping.dtype:
        raise of_slug(
            "mismatch",
            f"unpickle {mapping.name}: the reference's dtype {descr} is not "
            f"the array's {mapping.dtype}")
    return attach_reference(mapping.reference(offset, shape, strides,
                                              readonly))


def _attach_by_name(name: str, readonly: bool) -> Any:
    """Attach name; a writable attach this process may not make (the file
    is not writable for it) falls back to read-only, as the library does
    for a reference granting write access."""
    options = _npshm.options_new()
    try:
        _npshm.options_set_readonly(options, int(readonly))
        try:
            return _npshm.attach_mapping(name, options)
        except PermissionError:
            if readonly:
                raise
        _npshm.options_set_readonly(options, 1)
        return _npshm.attach_mapping(name, options)
    finally:
        _npshm.options_free(options)


def _fields_descr(name: str, dtype: Any) -> str:
    """The descr of the fields' dtype, as the library normalises it;
    refusing anything that is not a dtype or holds Python objects (shared
    bytes read as object pointers could crash this process)."""
    try:
        fields_dtype = np.dtype(dtype)
    except TypeError:
        raise of_slug("invalid", f"unpickle {name}: {dtype!r} is not a "
                                 "dtype") from None
    if fields_dtype.hasobject:
        raise of_slug("invalid", f"unpickle {name}: the reference's dtype "
                                 f"{fields_dtype} holds Python objects")
    return _npshm.dtype_description(descr_of(fields_dtype))[0]


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
    return (attach_reference, (mapping.reference(
        offset, array.shape, array.strides, readonly),))


_shared_array.reduce_hook = reduce_shared
