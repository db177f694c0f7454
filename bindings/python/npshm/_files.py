"""npshm.load / npshm.save: .npy files on disk <-> segments."""

from __future__ import annotations

import os
from typing import Any, Optional

import numpy as np

from . import _npshm
from ._api import _lifetime, _whole_array, attach, unique_name
from ._shared_array import SharedArray

__all__ = ["load", "save"]


def load(path: "os.PathLike[str] | str", name: Optional[str] = None, *,
         lifetime: str = "persistent", mode: int = 0o600) -> SharedArray:
    """Read the .npy file at path straight into a new segment `name`
    (None: a unique name) and return a view of it.

    The library copies the data in the kernel (copy_file_range or
    sendfile) from the file into the new segment, with no intermediate
    buffer, and publishes the name only once the copy is complete; dtype,
    shape and memory order (C or Fortran) are kept.  Files holding Python
    objects are refused (ValueError).  Nothing is left behind on failure.
    """
    path = os.fspath(path)
    if name is None:
        name = unique_name()
    options = _npshm.options_new()
    try:
        _npshm.options_set_lifetime(options, _lifetime(lifetime))
        _npshm.options_set_mode(options, int(mode))
        mapping = _npshm.load_mapping(os.path.abspath(path), name, options)
    finally:
        _npshm.options_free(options)
    return _whole_array(mapping, reusable=True)


def save(array_or_name: Any, path: "os.PathLike[str] | str") -> None:
    """Write an array, or the array named array_or_name, to a .npy file."""
    if isinstance(array_or_name, str):
        array = attach(array_or_name, readonly=True)
    else:
        array = np.asanyarray(array_or_name)
    np.save(path, array.view(np.ndarray), allow_pickle=False)
