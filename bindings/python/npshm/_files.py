"""npshm.load / npshm.save: .npy files on disk <-> segments.

Both go through the C library (npshm_load, npshm_save), which copies in the
kernel, refuses anything but a regular file at the path (no symbolic link
is followed, a FIFO never blocks), and publishes the result only once it is
complete.
"""

from __future__ import annotations

import os
from typing import Any, Iterator, Optional, Tuple

import numpy as np

from . import _npshm
from ._api import (_default_lifetime, _exists_hint, _lifetime, _whole_array,
                   from_array, unique_name)
from ._dtypes import dtype_of
from ._names import NameLike, as_name, as_path
from ._progress import ProgressLike, reporting
from ._shared_array import SharedArray, mapping_of
from .errors import ExistsError, InvalidError, invalid

__all__ = ["load", "save"]

PathLike = "os.PathLike[str] | str | bytes"


# How many "STEM-N" names load() tries after STEM before a unique name.
_STEM_SUFFIXES = 99


def _file_stem(path: str) -> str:
    """The file's name without its last extension, as the CLI's
    `npshm load FILE` names the array ("data/frames.npy": "frames")."""
    base = os.path.basename(path.rstrip("/")) or path
    dot = base.rfind(".")
    return base if dot <= 0 else base[:dot]


def _names_from_stem(path: str) -> Iterator[Tuple[str, bool]]:
    """The names load(path) tries, in order, each with True if it is the
    last: the file's stem, STEM-1 ... STEM-99, then a unique name (also at
    once if the stem is no valid name, e.g. it starts with '.')."""
    stem = _file_stem(path)
    try:
        _npshm.resolve_path("shm://" + stem)
    except InvalidError:
        pass
    else:
        yield stem, False
        for i in range(1, _STEM_SUFFIXES + 1):
            candidate = f"{stem}-{i}"
            try:
                _npshm.resolve_path("shm://" + candidate)
            except InvalidError:  # too long with the suffix
                break
            yield candidate, False
    yield unique_name(), True


def load(path: PathLike, name: Optional[NameLike] = None, *,
         lifetime: Optional[str] = None, mode: int = 0o600,
         progress: ProgressLike = None) -> SharedArray:
    """Read the .npy file at path straight into a new segment `name` and
    return a view of it.

    name: the new array's name.  None: the file's name without its
      extension, as `npshm load FILE` names it ("data/frames.npy" gives
      "frames"); if that name is taken, "frames-1", "frames-2" ... (read
      the name back with npshm.name(a)).
    lifetime: "persistent", "owner" or "last", as for npshm.create.
      Default: "persistent" for an explicit name, "owner" for name=None
      (the array goes when this process drops it or exits).

    The library copies the data in the kernel (copy_file_range or
    sendfile) from the file into the new segment, with no intermediate
    buffer, and publishes the name only once the copy is complete; dtype,
    shape and memory order (C or Fortran) are kept.  Files holding Python
    objects are refused (ValueError).  Nothing is left behind on failure.

    progress: a callable progress(done, total) (bytes), or True for a tqdm
      bar.  An exception it raises, or Ctrl-C, stops the copy (nothing is
      left behind) and propagates.
    """
    file_path = os.path.abspath(as_path(path))
    lifetime = _default_lifetime(name, lifetime)
    candidates = (iter([(as_name(name), True)]) if name is not None
                  else _names_from_stem(file_path))
    options = _npshm.options_new()
    try:
        _npshm.options_set_lifetime(options, _lifetime(lifetime))
        _npshm.options_set_mode(options, int(mode))
        for candidate, last in candidates:
            try:
                with reporting(progress,
                               f"load {os.path.basename(file_path)}") \
                        as report:
                    mapping = _npshm.load_mapping(file_path, candidate,
                                                  options, report)
                break
            except ExistsError as exc:
                if last:
                    raise _exists_hint(exc, candidate, False) from None
    finally:
        _npshm.options_free(options)
    return _whole_array(mapping, reusable=True)


def _whole(array: Any, mapping: Any) -> bool:
    """True if array views all of mapping's array, as the array itself."""
    try:
        dtype = dtype_of(mapping.dtype)
    except ValueError:
        return False
    return (mapping.locate(array) == 0 and array.dtype == dtype
            and array.shape == mapping.shape
            and array.strides == mapping.strides)


def _save_options(no_clobber: bool) -> Any:
    options = _npshm.options_new()
    _npshm.options_set_no_clobber(options, 1 if no_clobber else 0)
    return options


def _save_mapping(mapping: Any, path: str, progress: ProgressLike,
                  no_clobber: bool) -> None:
    options = _save_options(no_clobber)
    try:
        with reporting(progress, f"save {os.path.basename(path)}") as report:
            _npshm.save_mapping(mapping, path, options, report)
    finally:
        _npshm.options_free(options)


def save(array_or_name: Any, path: PathLike, *,
         progress: ProgressLike = None, no_clobber: bool = False) -> None:
    """Write an array, or the array named array_or_name (str or bytes), to
    the .npy file at path.

    The library writes the file, copying in the kernel: the new file has no
    name until it is complete, then replaces a regular file at path
    atomically (anything else there -- a symbolic link, FIFO, device or
    directory -- is refused with ValueError; nothing is followed).  A
    replaced file of the caller's keeps its permission bits; a new file
    gets read for group and others only where the array gives them read,
    write for them only where the caller owns the array and gave them
    write, less the umask (a private array stays private).  A symbolic
    link another user planted in a shared sticky directory (such as /tmp)
    on the way to path is refused (PermissionError).  Saving by name does not apply the array's lifetime.  An array that is not a whole npshm array (a
    plain ndarray, or a slice of a shared one) is first copied into an
    unnamed temporary segment, so it needs that much free shared memory.

    progress: as for npshm.load.
    no_clobber: never replace anything at path: FileExistsError if
    something is there, also when it appears while the save runs (nothing
    is left behind then).
    """
    file_path = os.path.abspath(as_path(path))
    if isinstance(array_or_name, (str, bytes)):
        # by name in the library: its lifetime is not applied (saving a
        # "last" array nobody else holds does not remove it)
        name = as_name(array_or_name)
        options = _save_options(no_clobber)
        try:
            with reporting(progress, f"save {os.path.basename(file_path)}") \
                    as report:
                _npshm.save_by_name(name, file_path, options, report)
        finally:
            _npshm.options_free(options)
        return
    array = np.asanyarray(array_or_name)
    if array.dtype.hasobject:
        raise invalid(f"save {file_path}: dtype {array.dtype} holds Python "
                      "objects; .npy files written by npshm hold only plain "
                      "data")
    mapping = mapping_of(array)
    if mapping is not None and _whole(array, mapping):
        _save_mapping(mapping, file_path, progress, no_clobber)
        return
    # Anything else goes through a temporary segment, unnamed as soon as
    # it exists (its "owner" lifetime lets gc remove it should this process
    # die in between).
    temporary_mapping = mapping_of(from_array(None, array, lifetime="owner"))
    temporary_mapping.unlink()
    _save_mapping(temporary_mapping, file_path, progress, no_clobber)
