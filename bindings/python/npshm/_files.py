"""npshm.load / npshm.save: .npy files on disk <-> segments.

Both go through the C library (npshm_load, npshm_save), which copies in the
kernel, refuses anything but a regular file at the path (no symbolic link
is followed, a FIFO never blocks), and publishes the result only once it is
complete.
"""

from __future__ import annotations

import os
from typing import Any, Optional

import numpy as np

from . import _npshm
from ._api import _lifetime, _whole_array, from_array, unique_name
from ._dtypes import dtype_of
from ._names import NameLike, as_name, as_path
from ._progress import ProgressLike, reporting
from ._shared_array import SharedArray, mapping_of
from .errors import invalid

__all__ = ["load", "save"]

PathLike = "os.PathLike[str] | str | bytes"


def load(path: PathLike, name: Optional[NameLike] = None, *,
         lifetime: str = "persistent", mode: int = 0o600,
         progress: ProgressLike = None) -> SharedArray:
    """Read the .npy file at path straight into a new segment `name`
    (None: a unique name) and return a view of it.

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
    name = unique_name() if name is None else as_name(name)
    options = _npshm.options_new()
    try:
        _npshm.options_set_lifetime(options, _lifetime(lifetime))
        _npshm.options_set_mode(options, int(mode))
        with reporting(progress, f"load {os.path.basename(file_path)}") \
                as report:
            mapping = _npshm.load_mapping(file_path, name, options, report)
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


def _save_mapping(mapping: Any, path: str, progress: ProgressLike) -> None:
    options = _npshm.options_new()
    try:
        with reporting(progress, f"save {os.path.basename(path)}") as report:
            _npshm.save_mapping(mapping, path, options, report)
    finally:
        _npshm.options_free(options)


def save(array_or_name: Any, path: PathLike, *,
         progress: ProgressLike = None) -> None:
    """Write an array, or the array named array_or_name (str or bytes), to
    the .npy file at path.

    The library writes the file, copying in the kernel: the new file has no
    name until it is complete, then replaces a regular file at path
    atomically (anything else there -- a symbolic link, FIFO, device or
    directory -- is refused with ValueError; nothing is followed).  It gets
    the replaced file's permission bits, else the array's (a private array
    stays private).  Saving by name does not apply the array's lifetime.  An array that is not a whole npshm array (a
    plain ndarray, or a slice of a shared one) is first copied into an
    unnamed temporary segment, so it needs that much free shared memory.

    progress: as for npshm.load.
    """
    file_path = os.path.abspath(as_path(path))
    if isinstance(array_or_name, (str, bytes)):
        # by name in the library: its lifetime is not applied (saving a
        # "last" array nobody else holds does not remove it)
        name = as_name(array_or_name)
        options = _npshm.options_new()
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
        _save_mapping(mapping, file_path, progress)
        return
    # Anything else goes through a temporary segment, unnamed as soon as
    # it exists (its "owner" lifetime lets gc remove it should this process
    # die in between).
    temporary_mapping = mapping_of(from_array(None, array, lifetime="owner"))
    temporary_mapping.unlink()
    _save_mapping(temporary_mapping, file_path, progress)
