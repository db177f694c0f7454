"""Creating, attaching, listing and deleting npshm arrays by name."""

from __future__ import annotations

import builtins
import operator
import os
import secrets
from typing import Any, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from . import _npshm, _pickling
from ._dtypes import as_dtype, descr_of, dtype_of, item_bytes
from ._names import NameLike, as_name
from ._shared_array import SharedArray, mapping_of
from .errors import ExistsError, error, invalid

__all__ = ["create", "attach", "from_array", "array_name", "delete",
           "exists", "list",
           "gc", "host_id", "unique_name", "ArrayInfo"]

ShapeLike = Union[int, Sequence[int]]

_NUMPY_MAXDIMS = 32  # numpy 1.x; the library allows 64
# The library's tables: {"persistent": 0, ...}, {"C": 0, "F": 1}.
_LIFETIMES = {_npshm.lifetime_name(v): v for v in range(_npshm.LIFETIME_COUNT)}
_ORDERS = {_npshm.order_name(v): v for v in range(_npshm.ORDER_COUNT)}


def unique_name(prefix: str = "npshm") -> str:
    """A name nobody else uses: prefix-PID-random hex."""
    return f"{prefix}-{os.getpid()}-{secrets.token_hex(8)}"


def _shape_tuple(shape: ShapeLike) -> Tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"shape must be an int or a sequence of ints, "
                        f"got {shape!r}") from None
    if len(dims) > _NUMPY_MAXDIMS:
        raise invalid(f"shape has {len(dims)} dimensions; NumPy supports "
                      f"at most {_NUMPY_MAXDIMS}")
    return dims


def _default_lifetime(name: Any, lifetime: Optional[str]) -> str:
    """The lifetime an array gets: the one asked for, else "owner" for an
    array made without a name (nobody else knows its name, so nothing of it
    may outlive its creator), else "persistent"."""
    if lifetime is not None:
        return lifetime
    return "owner" if name is None else "persistent"


def _lifetime(lifetime: str) -> int:
    try:
        return _LIFETIMES[lifetime]
    except (KeyError, TypeError):
        raise invalid(f"lifetime must be one of {sorted(_LIFETIMES)}, "
                      f"got {lifetime!r}") from None


def _order(order: str) -> int:
    try:
        return _ORDERS[order]
    except (KeyError, TypeError):
        raise invalid(f"order must be one of {sorted(_ORDERS)}, got {order!r}") from None


def _exists_hint(exc: BaseException, name: str, exist_ok_applies: bool
                 ) -> BaseException:
    """exc (an ExistsError from the library) with Python's ways out added
    to the library's message."""
    library_message = (getattr(exc, "library_message", None)
                       or getattr(exc, "strerror", None) or str(exc))
    remedy = ("pass exist_ok=True to attach it instead, or call "
              if exist_ok_applies else "call ")
    hinted = error(getattr(exc, "code", 0),
                   f"{library_message}; in Python: {remedy}"
                   f"npshm.delete({name!r}) to remove it first",
                   getattr(exc, "errno", 0))
    hinted.library_message = library_message  # type: ignore[attr-defined]
    return hinted


def _whole_array(mapping: Any, reusable: bool = False,
                 dtype: Optional[np.dtype] = None) -> SharedArray:
    """The whole array; reusable: offer the mapping to unpickling in this
    process, as done for the arrays this process creates.  dtype: the
    array's numpy.dtype when the caller has it (it made the array from it),
    else the one of its header's descr."""
    array = mapping.array(SharedArray,
                          dtype if dtype is not None else dtype_of(mapping.dtype))
    if reusable:
        _pickling.remember(mapping)
    return array


def create(name: Optional[NameLike], shape: ShapeLike, dtype: Any = float, *,
           order: str = "C", fill: Any = None,
           lifetime: Optional[str] = None,
           mode: int = 0o600, exist_ok: bool = False,
           populate: bool = False) -> SharedArray:
    """Create the array `name` in shared memory and return a view of it.

    name: "NAME" or "shm://NAME" (a file in /dev/shm, or $NPSHM_DIR), or
      None for a unique name (read it back with npshm.name(a)).
    shape, dtype, order ("C" or "F"): as for numpy.empty.
    fill: a value every element is set to (default: zeros).
    lifetime: "persistent" (until deleted), "owner" (until the creating
      handle is released), "last" (until the last process holding it
      releases it).  Default: "persistent" for a named array, "owner" for
      name=None (nobody else knows that name: the array goes when the
      process drops it or exits, instead of piling up).
    mode: permission bits of the file.
    exist_ok: if the name exists, attach it instead, provided its dtype,
      shape and memory order equal these (MismatchError, a ValueError,
      otherwise) and the file is safe to use: a regular file owned by you
      (or root) that group and others cannot write unless mode grants it
      (PermissionError otherwise: another user could have planted it to
      read what you write).  The existing array keeps its own lifetime,
      mode and contents: fill, lifetime and mode apply only to a newly
      created array.
    populate: map every page now, in one call, instead of at first touch.

    Memory is reserved up front: a full /dev/shm raises OSError(ENOSPC).
    """
    lifetime = _default_lifetime(name, lifetime)
    name = unique_name() if name is None else as_name(name)
    dims = _shape_tuple(shape)
    np_dtype = as_dtype(dtype)
    descr = descr_of(np_dtype)
    order_code = _order(order)
    options = None
    if (fill is not None or lifetime != "persistent" or mode != 0o600
            or exist_ok or populate):
        options = _npshm.options_new()
    try:
        if options is not None:
            _npshm.options_set_lifetime(options, _lifetime(lifetime))
            _npshm.options_set_mode(options, int(mode))
            _npshm.options_set_populate(options, int(populate))
            if fill is not None:
                _npshm.options_set_fill(options, item_bytes(fill, np_dtype))
            if exist_ok:
                _npshm.options_set_exist_ok(options, 1)
        mapping = _npshm.create_mapping(name, descr, dims, order_code,
                                        options)
    except ExistsError as exc:
        raise _exists_hint(exc, name, True) from None
    finally:
        if options is not None:
            _npshm.options_free(options)
    # exist_ok attaches only an array of this very dtype (the library checks)
    return _whole_array(mapping, reusable=bool(mapping.creator),
                        dtype=np_dtype)


def attach(name: NameLike, *, dtype: Any = None,
           shape: Optional[ShapeLike] = None, readonly: Optional[bool] = None,
           allow_other_owner: bool = False, populate: bool = False) -> SharedArray:
    """Attach the existing array `name` and return a view of it (no copy).

    dtype, shape: if given, the array must have exactly these (ValueError
      otherwise).
    readonly: map the memory read-only; the ndarray is not writeable.
      Default (None): writable for a name.
    allow_other_owner: attach a file owned by another user (not root).
      Refused by default (PermissionError): its owner can shrink it at any
      moment, and every process mapping it then crashes (SIGBUS) on its
      next access.  Allow it only for users you trust.
    populate: map every page now, in one call, instead of at first touch.

    `name` may also be "file:///absolute/path.npy": any .npy file.

    `name` may also be a saved reference's text ("npshm-ref/1 ...", as
    C's npshm_ref_text, R's npshm_ref() and Julia's NPShm.reference make):
    the view it names, checked by the library against the array.  A
    reference grants nothing by itself: with readonly None the view is
    writable only when the reference names a shm:// array by its id and
    this process can write the file; a file:// reference, or one naming a
    plain .npy (id 0), gives a read-only view.  readonly=False asks for
    write access yourself (PermissionError if you cannot write the file);
    readonly=True gives a read-only view.  dtype, shape,
    allow_other_owner and populate do not apply to a reference.
    """
    if isinstance(name, str) and name.startswith("npshm-ref/"):
        if (dtype is not None or shape is not None or allow_other_owner
                or populate):
            raise invalid("attach: a saved reference attaches the view it "
                          "names; dtype, shape, allow_other_owner and "
                          "populate do not apply")
        return _pickling.attach_reference(
            name, readonly=None if readonly is None else bool(readonly))
    name = as_name(name)
    options = None
    if (dtype is not None or shape is not None or readonly
            or allow_other_owner or populate):
        options = _npshm.options_new()
    try:
        if options is not None:
            if readonly:
                _npshm.options_set_readonly(options, 1)
            if allow_other_owner:
                _npshm.options_set_allow_other_owner(options, 1)
            if populate:
                _npshm.options_set_populate(options, 1)
            if dtype is not None:
                _npshm.options_set_expected_dtype(options, descr_of(dtype))
            if shape is not None:
                _npshm.options_set_expected_shape(options, _shape_tuple(shape))
        mapping = _npshm.attach_mapping(name, options)
    finally:
        if options is not None:
            _npshm.options_free(options)
    return _whole_array(mapping)


def from_array(name: Optional[NameLike], array: Any, *,
               lifetime: Optional[str] = None,
               mode: int = 0o600) -> SharedArray:
    """Copy any array into a new segment `name` (None: a unique name).

    lifetime: as for create: "persistent" by default, "owner" for
      name=None.

    Fortran-ordered input stays Fortran-ordered; other layouts (strided,
    transposed, non-contiguous) are copied element by element into a C
    order segment with no intermediate copy.  Nothing is left behind if the
    copy fails.
    """
    lifetime = _default_lifetime(name, lifetime)
    name = None if name is None else as_name(name)
    source = np.asanyarray(array)
    order = ("F" if source.flags.f_contiguous and not source.flags.c_contiguous
             else "C")
    if source.flags.c_contiguous or source.flags.f_contiguous:
        return _from_contiguous(name, source, order, lifetime, mode)
    try:
        target = create(name, source.shape, source.dtype, order=order,
                        lifetime=lifetime, mode=mode)
    except ExistsError as exc:  # from_array has no exist_ok
        raise _exists_hint(exc, str(name), False) from None
    try:
        np.copyto(target, source, casting="no")
    except BaseException:
        mapping_of(target).unlink()  # the views go with target
        raise
    return target


def _from_contiguous(name: Optional[str], source: np.ndarray, order: str,
                     lifetime: str, mode: int) -> SharedArray:
    """from_array of contiguous input: its bytes are written into the file
    before it is mapped or named (no page faults through the new mapping)."""
    if name is None:
        name = unique_name()
    np_dtype = as_dtype(source.dtype)
    descr = descr_of(np_dtype)
    options = _npshm.options_new()
    try:
        _npshm.options_set_lifetime(options, _lifetime(lifetime))
        _npshm.options_set_mode(options, int(mode))
        data = np.asarray(source).ravel(order="K").view(np.uint8)  # no copy
        mapping = _npshm.create_mapping_from(name, descr, source.shape,
                                             _order(order), data, options)
    except ExistsError as exc:
        raise _exists_hint(exc, name, False) from None
    finally:
        _npshm.options_free(options)
    return _whole_array(mapping, reusable=True, dtype=np_dtype)


def readonly(array: Any) -> Any:
    """A read-only view of array, for handing to workers that only read.

    The view cannot be made writeable again.  A view of an npshm array
    pickles as a read-only reference: a worker that receives it maps the
    array read-only, which costs it fewer and cheaper page faults than a
    read-write mapping, and cannot write by mistake.  The original array
    stays writeable.  Any other array gives a read-only view too (it still
    pickles by value, and its owner may make it writeable again).

        pool.map(row_sum, [(npshm.readonly(a), i) for i in range(n)])
    """
    source = np.asanyarray(array)
    mapping = mapping_of(source)
    offset = mapping.locate(source) if mapping is not None else None
    if offset is not None:
        # a view whose base is the mapping itself: numpy then refuses to
        # make it writeable again
        return mapping.view(type(source), source.dtype, offset, source.shape,
                            source.strides, True)
    view = source.view()
    view.flags.writeable = False
    return view


def array_name(array: Any) -> str:
    """The name of the npshm array that array is (or views), as
    npshm.handle(array).name: npshm.name(a) after npshm.create(None, ...).

    Raises ValueError for arrays that do not live in an npshm segment.
    """
    mapping = mapping_of(array)
    if mapping is None:
        raise ValueError("array is not backed by an npshm segment")
    return str(mapping.name)


def delete(name: NameLike) -> None:
    """Remove the array `name` (FileNotFoundError if there is none).

    Processes that have it attached keep their views.  A file that is not an
    npshm/.npy array is never removed (ValueError).
    """
    _npshm.remove(as_name(name), None)


def exists(name: NameLike) -> bool:
    """True if `name` is an array, False if nothing has that name.

    A file of that name that is not a valid array raises ValueError.
    """
    return bool(_npshm.exists(as_name(name), None))


class ArrayInfo(NamedTuple):
    """One array as npshm.list() reports it, without attaching it."""
    name: str
    dtype: Any               # numpy.dtype (the descr string if numpy lacks it)
    shape: Tuple[int, ...]
    order: str               # "C" or "F"
    nbytes: int
    lifetime: str            # "persistent", "owner", "last"
    holders: int             # live handles holding it (-1: unknown)
    mtime: int               # Unix seconds
    path: str


def _info_record(info: Any) -> ArrayInfo:
    descr = _npshm.info_dtype(info)
    try:
        dtype: Any = dtype_of(descr)
    except ValueError:
        dtype = descr
    return ArrayInfo(
        name=_npshm.info_name(info),
        dtype=dtype,
        shape=_npshm.info_shape_tuple(info),
        order=_npshm.order_name(_npshm.info_order(info)) or "unknown",
        nbytes=_npshm.info_nbytes(info),
        lifetime=_npshm.lifetime_name(_npshm.info_lifetime(info)) or "unknown",
        holders=_npshm.info_holders(info),
        mtime=_npshm.info_mtime(info),
        path=_npshm.info_path(info))


def _records(listing: Any, valid_only: bool) -> List[ArrayInfo]:
    records = []
    try:
        for i in range(_npshm.list_size(listing)):
            info = _npshm.list_get(listing, i)
            if _npshm.info_status(info) == _npshm.OK:
                records.append(_info_record(info))
            elif not valid_only:
                records.append(ArrayInfo(
                    name=_npshm.info_name(info), dtype=None, shape=(),
                    order="C", nbytes=0, lifetime="unknown",
                    holders=_npshm.info_holders(info),
                    mtime=_npshm.info_mtime(info),
                    path=_npshm.info_path(info)))
    finally:
        _npshm.list_free(listing)
    return records


def list() -> builtins.list:  # noqa: A001 -- the public name is npshm.list
    """Every valid array in the shm directory, sorted by name."""
    return _records(_npshm.list_arrays(None), valid_only=True)


def gc(*, dry_run: bool = False) -> builtins.list:
    """Unlink "owner"/"last" arrays no live process holds (and unfinished
    creates of dead processes); returns what was (or would be) removed as
    (name, path) pairs.  Never touches persistent arrays or foreign files."""
    listing = _npshm.gc(None, int(dry_run))
    removed = []
    try:
        for i in range(_npshm.list_size(listing)):
            info = _npshm.list_get(listing, i)
            removed.append((_npshm.info_name(info), _npshm.info_path(info)))
    finally:
        _npshm.list_free(listing)
    return removed


def host_id() -> str:
    """This host's identity for shared arrays (npshm_host_id): the boot id
    and the shm directory's device and inode.  Processes with equal ids see
    the same arrays under the same names; compare for equality only."""
    return _npshm.host_id_text(None)
