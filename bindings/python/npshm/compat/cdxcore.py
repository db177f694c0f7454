"""cdxcore.npshm on npshm: ``from npshm.compat.cdxcore import ...``.

    a = create_shared_array("Test2121", shape=(10, 3), dtype=np.int32,
                            force=True, full=0)           # process 1
    b = attach_shared_array("Test2121", validate_shape=(10, 3),
                            validate_dtype=np.int32)      # process 2
    delete_shared_array("Test2121")

Arrays live in /dev/shm/NAME as npshm segments (valid .npy files) and
persist until deleted, as cdxcore's do on Linux.  unlink=True ties the name
to the returned array (it goes when the array is garbage-collected);
track=True on create gives the array npshm's "last" lifetime (the name goes
when the last process holding it releases it, even if processes crash).
read_shared_array() reads .npy files and the files cdxcore.npio.to_file
writes (told apart by the .npy magic).
"""

from __future__ import annotations

import os
import stat
import weakref
from typing import Any, Optional, Tuple, Union

import numpy as np
import numpy.lib.format as npy_format

import npshm
from npshm._names import as_name

_MAX_NDIM = 32  # numpy 1.x

__all__ = ["create_shared_array", "attach_shared_array",
           "delete_shared_array", "read_shared_array", "is_shared_array",
           "ALIGN"]

ALIGN = 4096
"""Alignment of the array data in every segment: npshm pads the header so
the data starts at a multiple of 4096 bytes (cdxcore uses 64; every 4096
boundary is also a 64 boundary)."""


def _report(verbose: Any, message: str) -> None:
    """Tell a cdxcore.verbose.Context-like object (anything with write()),
    or a callable, what happened; None or False: say nothing."""
    if verbose is None or verbose is False:
        return
    write = getattr(verbose, "write", None)
    if callable(write):
        write(message)
    elif callable(verbose):
        verbose(message)
    else:
        print(message)


def _segment_name(name: Any) -> str:
    """cdxcore passes names to multiprocessing.shared_memory, which allows
    one leading '/'; npshm names have none."""
    if not isinstance(name, str):
        raise TypeError(f"shared array name must be a str, got "
                        f"{type(name).__name__}")
    name = as_name(name, "shared array name")
    return name[1:] if name.startswith("/") else name


def _unlink_when_collected(array: np.ndarray) -> None:
    """Remove the array's name once `array` is garbage-collected, provided
    the name still names the same file then."""
    handle = npshm.handle(array)
    path = handle.path
    try:
        st = os.stat(path)
    except OSError:
        return
    weakref.finalize(array, _unlink_if_same, handle.name, path,
                     (st.st_dev, st.st_ino))


def _unlink_if_same(name: str, path: str, identity: Tuple[int, int]) -> None:
    try:
        st = os.stat(path)
        if (st.st_dev, st.st_ino) == identity:
            npshm.delete(name)
    except (OSError, ValueError):
        pass


def create_shared_array(name: str, shape: Any, dtype: Any, *,
                        raise_on_error: bool = True, full: Any = None,
                        force: bool = False, track: Optional[bool] = None,
                        unlink: bool = False, verbose: Any = None
                        ) -> Optional[np.ndarray]:
    """Create the shared array `name` (a file in /dev/shm) and return it.

    full: a value (or an array broadcastable to shape) to fill it with;
      None leaves it zero-filled.
    force: if `name` exists, delete it first (views of the old array stay
      valid).  A file that is not an array is never deleted (ValueError).
    raise_on_error: if `name` exists (and force is False), raise
      FileExistsError when True, return None when False.
    unlink: remove the name when the returned array (and its views) are
      released or this interpreter exits.
    track: True gives the array npshm's "last" lifetime; None or False
      leave it persistent (until delete_shared_array).
    verbose: a cdxcore.verbose.Context (or callable) told what happens.
    """
    segment = _segment_name(name)
    lifetime = "owner" if unlink else ("last" if track else "persistent")
    scalar_fill = full is not None and np.ndim(full) == 0
    fill = full if scalar_fill else None
    try:
        array = npshm.create(segment, shape, dtype, fill=fill,
                             lifetime=lifetime)
    except FileExistsError:
        if not force:
            if raise_on_error:
                raise
            _report(verbose, f"create_shared_array '{name}': exists")
            return None
        _report(verbose, f"create_shared_array '{name}': deleting the "
                         "existing array (force=True)")
        try:
            npshm.delete(segment)
        except FileNotFoundError:
            pass
        try:
            array = npshm.create(segment, shape, dtype, fill=fill,
                                 lifetime=lifetime)
        except FileExistsError:
            if raise_on_error:
                raise
            return None
    if full is not None and not scalar_fill:
        try:
            array[...] = full
        except BaseException:
            handle = npshm.handle(array)
            handle.unlink()
            handle.close()
            raise
    _report(verbose, f"create_shared_array '{name}'")
    return array


def attach_shared_array(name: str, *, validate_shape: Any = None,
                        validate_dtype: Any = None,
                        raise_on_error: bool = True, read_only: bool = False,
                        track: Optional[bool] = None, unlink: bool = False,
                        verbose: Any = None) -> Optional[np.ndarray]:
    """Attach the existing shared array `name`.

    validate_shape, validate_dtype: if given, the array must have them
      (ValueError otherwise, whatever raise_on_error says).
    raise_on_error: if there is no array `name`, raise FileNotFoundError
      when True, return None when False.
    read_only: map it read-only (the ndarray is not writeable).
    unlink: remove the name when the returned array is garbage-collected.
    track: accepted for compatibility; attaching never changes an array's
      lifetime.
    """
    segment = _segment_name(name)
    try:
        array = npshm.attach(segment, dtype=validate_dtype,
                             shape=validate_shape, readonly=bool(read_only))
    except FileNotFoundError:
        if raise_on_error:
            raise
        _report(verbose, f"attach_shared_array '{name}': not found")
        return None
    if unlink:
        _unlink_when_collected(array)
    _report(verbose, f"attach_shared_array '{name}'")
    return array


def delete_shared_array(name: str, raise_on_error: bool = True, *,
                        verbose: Any = None) -> bool:
    """Remove the name of shared array `name`; attached arrays stay valid.

    Returns True when `name` is free now (also if it did not exist).  Other
    failures (permissions, a file of that name that is not an array) raise
    when raise_on_error is True, else return False.
    """
    try:
        npshm.delete(_segment_name(name))
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        if raise_on_error:
            raise
        return False
    _report(verbose, f"delete_shared_array '{name}'")
    return True


def is_shared_array(x: Any) -> bool:
    """True if x (or the array it views) lives in an npshm segment."""
    try:
        npshm.handle(x)
    except (ValueError, TypeError):
        return False
    return True


FileLike = Union[str, "os.PathLike[str]", int, Any]

_NPY_MAGIC = b"\x93NUMPY"

# cdxcore.npio's binary format: a 4-byte big-endian total header length, a
# 1-byte dtype code (this table, in native byte order), a 3-byte big-endian
# ndim, ndim 8-byte big-endian dimensions, then the data in C order.
_CDX_DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint16", "uint32",
               "uint64", "float16", "float32", "float64", "complex64",
               "complex128", "datetime64", "timedelta64")
_CDX_FIXED = 8  # length, dtype code, ndim


class _CdxHeader:
    """A cdxcore.npio file's header: shape, dtype and where the data is."""

    def __init__(self, shape: Tuple[int, ...], dtype: np.dtype,
                 offset: int) -> None:
        self.shape = shape
        self.dtype = dtype
        self.offset = offset
        self.nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize


def _read_exactly(fd: int, n: int, at: int) -> bytes:
    out = b""
    while len(out) < n:
        chunk = os.pread(fd, n - len(out), at + len(out))
        if not chunk:
            break
        out += chunk
    return out


def _cdx_header(fd: int, what: str) -> _CdxHeader:
    """The header of the cdxcore.npio file open at fd, checked against the
    file's size: EOFError for a file too short for its header or data (as
    cdxcore raises), ValueError for an inconsistent header."""
    fixed = _read_exactly(fd, _CDX_FIXED, 0)
    if len(fixed) != _CDX_FIXED:
        raise EOFError(f"read_shared_array {what}: truncated cdxcore file: "
                       f"{len(fixed)} bytes, its header alone needs at least "
                       f"{_CDX_FIXED}")
    total = int.from_bytes(fixed[0:4], "big")
    code = fixed[4]
    ndim = int.from_bytes(fixed[5:8], "big")
    if code >= len(_CDX_DTYPES):
        raise ValueError(f"read_shared_array {what}: not a .npy file, and "
                         f"not a cdxcore file either: unknown dtype code "
                         f"{code} (cdxcore's are 0 to {len(_CDX_DTYPES) - 1})")
    if total != _CDX_FIXED + 8 * ndim:
        raise ValueError(f"read_shared_array {what}: not a .npy file, and "
                         f"not a cdxcore file either: its header length "
                         f"{total} does not match {ndim} dimensions "
                         f"({_CDX_FIXED + 8 * ndim} bytes)")
    if ndim > _MAX_NDIM:
        raise ValueError(f"read_shared_array {what}: cdxcore file with "
                         f"{ndim} dimensions; NumPy supports at most "
                         f"{_MAX_NDIM}")
    raw = _read_exactly(fd, 8 * ndim, _CDX_FIXED)
    if len(raw) != 8 * ndim:
        raise EOFError(f"read_shared_array {what}: truncated cdxcore file: "
                       f"its header needs {total} bytes, the file has "
                       f"{_CDX_FIXED + len(raw)}")
    shape = tuple(int.from_bytes(raw[8 * i:8 * i + 8], "big")
                  for i in range(ndim))
    header = _CdxHeader(shape, np.dtype(_CDX_DTYPES[code]), total)
    size = os.fstat(fd).st_size
    if size - total < header.nbytes:
        raise EOFError(f"read_shared_array {what}: truncated cdxcore file: "
                       f"shape {shape} of {header.dtype} needs "
                       f"{header.nbytes} bytes of data, the file has "
                       f"{size - total}")
    return header


def _is_npy(fd: int) -> bool:
    return _read_exactly(fd, len(_NPY_MAGIC), 0) == _NPY_MAGIC


def _read_cdx_data(fd: int, header: _CdxHeader, target: np.ndarray,
                   what: str) -> None:
    """The file's data into target (C-contiguous, header's shape and dtype),
    read straight into it; EOFError if the file shrank meanwhile."""
    view = memoryview(target.reshape(-1).view(np.uint8))
    done = 0
    while done < header.nbytes:
        n = os.preadv(fd, [view[done:done + (1 << 30)]],
                      header.offset + done)
        if n <= 0:
            raise EOFError(f"read_shared_array {what}: truncated cdxcore "
                           f"file: read {done} of {header.nbytes} bytes of "
                           f"data")
        done += n


def _open_regular(path: str) -> int:
    """A read-only descriptor of the regular file at path: no symbolic link
    is followed and nothing blocks (as npshm.load opens it)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                 | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        _check_regular(fd, path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_regular(fd: int, what: str) -> None:
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        raise ValueError(f"read_shared_array {what}: not a regular file")


def _source_fd(file: FileLike) -> Tuple[int, str]:
    """A descriptor of our own (the caller closes it) for `file` (a path,
    a descriptor or a file object; a regular file), and its name for
    messages."""
    if isinstance(file, (str, bytes, os.PathLike)):
        path = os.fsdecode(file)
        return _open_regular(path), path
    if isinstance(file, int):
        fd = file
    else:
        fileno = getattr(file, "fileno", None)
        if not callable(fileno):
            raise TypeError(f"file must be a path, a descriptor or a file "
                            f"object, got {type(file).__name__}")
        fd = fileno()
    what = f"descriptor {fd}"
    own = os.dup(fd)
    try:
        _check_regular(own, what)
    except BaseException:
        os.close(own)
        raise
    return own, what


def _npy_in_memory(fd: int, what: str) -> np.ndarray:
    """The .npy file open at fd (read from its start) as an array."""
    with os.fdopen(os.dup(fd), "rb") as f:
        f.seek(0)
        try:
            return np.load(f, allow_pickle=False)
        except ValueError as exc:
            raise ValueError(f"read_shared_array {what}: not a .npy file "
                             f"({exc})") from None


def _npy_header(fd: int, what: str) -> Tuple[Tuple[int, ...], np.dtype]:
    """Shape and dtype of the .npy file open at fd, from its header only."""
    with os.fdopen(os.dup(fd), "rb") as f:
        f.seek(0)
        try:
            version = npy_format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = npy_format.read_array_header_1_0(f)
            else:
                shape, _, dtype = npy_format.read_array_header_2_0(f)
        except ValueError as exc:
            raise ValueError(f"read_shared_array {what}: not a .npy file "
                             f"({exc})") from None
    return tuple(shape), dtype


def _existing(segment: str, shape: Any, dtype: Any, read_only: bool
              ) -> Optional[np.ndarray]:
    """The existing array `segment`, attached through npshm's exist_ok
    create: it must have this shape and dtype (ValueError), and be a file
    nobody else could have planted (owned by you or root, not writable by
    others: PermissionError).  None if there is no such name."""
    if not npshm.exists(segment):
        return None
    try:
        array = npshm.create(segment, shape, dtype, exist_ok=True)
    except FileExistsError:
        return None
    if npshm.handle(array).creator:
        # the name went away meanwhile: not an existing array after all
        npshm.delete(segment)
        return None
    if read_only:
        array = npshm.attach(segment, readonly=True)
    return array


def _same_shape(shape: Tuple[int, ...], wanted: Any) -> bool:
    if isinstance(wanted, (int, np.integer)):
        wanted = (wanted,)
    return tuple(shape) == tuple(wanted)


def read_shared_array(file: FileLike, name: str, *,
                      validate_shape: Any = None, validate_dtype: Any = None,
                      accept_existing: bool = True, buffering: int = -1,
                      read_only: bool = False, return_status: bool = False,
                      raise_on_error: bool = True, verbose: Any = None
                      ) -> Any:
    """Read the array file `file` into the new shared array `name`.

    file: a path, a descriptor or a file object of a regular file holding
      a .npy file, or a file cdxcore.npio.to_file wrote (4-byte big-endian
      header length, 1-byte dtype code 0-14, 3-byte ndim, 8-byte
      dimensions, C-order data; told from .npy by its magic).  A cdxcore
      file shorter than its header or data says raises EOFError, one whose
      header is inconsistent ValueError, as cdxcore does; nothing is left
      behind either way.  Bytes after the data are ignored, as cdxcore
      ignores them.
    accept_existing: first try to attach an existing array `name`; it must
      have the file's shape and dtype (or validate_shape/validate_dtype if
      given), ValueError otherwise, and be a file nobody else could have
      planted: owned by you (or root) and not writable by others
      (PermissionError otherwise).
    validate_shape, validate_dtype: the file's array must have them
      (ValueError).
    read_only: return a read-only attachment.
    return_status: return (array, attached), attached telling whether an
      existing array was attached (True) or the file was read (False).
    raise_on_error: if `name` exists and accept_existing is False, raise
      FileExistsError when True, return None when False.
    buffering: accepted for compatibility (a .npy file named by its path is
      copied by the kernel, a cdxcore file read straight into the shared
      array, a .npy descriptor or file object read from its start into
      memory first).  Symbolic links are not followed and anything but a
      regular file is refused (ValueError).
    """
    del buffering
    segment = _segment_name(name)
    if (accept_existing and validate_shape is not None
            and validate_dtype is not None):
        # everything the existing array must match is given: the file is
        # not even opened if it is there
        existing = _existing(segment, validate_shape, validate_dtype,
                             read_only)
        if existing is not None:
            _report(verbose, f"read_shared_array '{name}': attached the "
                             "existing array")
            return (existing, True) if return_status else existing
        accept_existing = False
    fd, what = _source_fd(file)
    try:
        return _read_shared_array(file, fd, what, name, segment,
                                  validate_shape, validate_dtype,
                                  accept_existing, read_only, return_status,
                                  raise_on_error, verbose)
    finally:
        os.close(fd)


def _read_shared_array(file: FileLike, fd: int, what: str, name: str,
                       segment: str, validate_shape: Any,
                       validate_dtype: Any, accept_existing: bool,
                       read_only: bool, return_status: bool,
                       raise_on_error: bool, verbose: Any) -> Any:
    by_path = isinstance(file, (str, bytes, os.PathLike))
    cdx: Optional[_CdxHeader] = None
    in_memory: Optional[np.ndarray] = None
    if not _is_npy(fd):
        cdx = _cdx_header(fd, what)
        shape, dtype = cdx.shape, cdx.dtype
    elif by_path:
        shape, dtype = _npy_header(fd, what)
    else:
        in_memory = _npy_in_memory(fd, what)
        shape, dtype = in_memory.shape, in_memory.dtype

    if accept_existing:
        want_shape = shape if validate_shape is None else validate_shape
        want_dtype = dtype if validate_dtype is None else validate_dtype
        existing = _existing(segment, want_shape, want_dtype, read_only)
        if existing is not None:
            _report(verbose, f"read_shared_array '{name}': attached the "
                             "existing array")
            return (existing, True) if return_status else existing

    if validate_shape is not None and not _same_shape(shape, validate_shape):
        raise ValueError(f"read_shared_array {what}: the file's array has "
                         f"shape {shape}, not {validate_shape}")
    if validate_dtype is not None and np.dtype(validate_dtype) != dtype:
        raise ValueError(f"read_shared_array {what}: the file's array has "
                         f"dtype {dtype}, not {np.dtype(validate_dtype)}")
    try:
        if cdx is not None:
            array = npshm.create(segment, shape, dtype, lifetime="persistent")
            try:
                _read_cdx_data(fd, cdx, array, what)
            except BaseException:
                handle = npshm.handle(array)
                handle.unlink()
                handle.close()
                raise
        elif in_memory is None:
            array = npshm.load(os.path.abspath(os.fsdecode(file)), segment)
        else:
            array = npshm.from_array(segment, in_memory)
    except FileExistsError:
        if raise_on_error:
            raise
        return None
    if read_only:
        array = npshm.attach(segment, readonly=True)
    _report(verbose, f"read_shared_array '{name}' from {what}")
    return (array, False) if return_status else array
