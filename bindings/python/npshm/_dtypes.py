"""NumPy dtypes <-> the NPY descr strings the C library speaks.

numpy.dtype -> descr: numpy.lib.format's dtype_to_descr, as numpy.save
writes it.  descr -> numpy.dtype: the library says what a descr means
(kind, item size, byte order, unit, fields: npshm_dtype_info_*), and the
numpy.dtype is built from that; descr text is never parsed here.
Conversions are cached: dtypes and descr strings are immutable.
"""

from __future__ import annotations

import functools
from typing import Any, Tuple

import numpy as np
import numpy.lib.format as npy_format

from . import _npshm
from .errors import invalid

__all__ = ["as_dtype", "descr_of", "dtype_of", "item_bytes"]


@functools.lru_cache(maxsize=512)
def _descr_of_dtype(dtype: np.dtype) -> str:
    if dtype.hasobject:
        raise invalid(
            f"dtype {dtype} holds Python objects; npshm arrays hold only "
            "plain data (what .npy stores without pickling)")
    descr = npy_format.dtype_to_descr(dtype)
    return descr if isinstance(descr, str) else repr(descr)


def as_dtype(dtype: Any) -> np.dtype:
    """numpy.dtype(dtype), with ValueError for what is not a dtype."""
    if isinstance(dtype, np.dtype):
        return dtype
    try:
        return np.dtype(dtype)
    except TypeError as exc:
        raise invalid(f"not a NumPy dtype: {dtype!r} ({exc})") from None


def descr_of(dtype: Any) -> str:
    """The NPY descr of anything numpy.dtype() accepts ("<f8", "[...]")."""
    return _descr_of_dtype(as_dtype(dtype))


def _numpy_dtype(description: Tuple[Any, ...]) -> np.dtype:
    """The numpy.dtype of one _npshm.dtype_description()."""
    descr, kind, itemsize, byteorder, unit, fields = description
    if fields is not None:
        names, formats, offsets, titles = [], [], [], []
        for name, title, offset, field_type, shape in fields:
            if name == "" and field_type[5] is None and field_type[1] == "V":
                continue  # padding, as numpy.save writes it
            names.append(name)
            titles.append(title)
            offsets.append(offset)
            field_dtype = _numpy_dtype(field_type)
            formats.append((field_dtype, shape) if shape else field_dtype)
        return np.dtype({"names": names, "formats": formats,
                         "offsets": offsets, "titles": titles,
                         "itemsize": itemsize})
    if kind == "U":
        return np.dtype(f"{byteorder}U{itemsize // 4}")
    if kind in "Mm":
        return np.dtype(f"{byteorder}{kind}8" + (f"[{unit}]" if unit else ""))
    try:
        return np.dtype(f"{byteorder}{kind}{itemsize}")
    except TypeError as exc:
        raise invalid(f"dtype {descr!r} has no NumPy equivalent: {exc}") \
            from None


@functools.lru_cache(maxsize=512)
def dtype_of(descr: str) -> np.dtype:
    """The numpy.dtype of a descr string as the library reports it."""
    return _numpy_dtype(_npshm.dtype_description(descr))


def item_bytes(value: Any, dtype: np.dtype) -> bytes:
    """One element of dtype holding value, as raw bytes (for fill=)."""
    item = np.array(value, dtype=dtype)
    if item.shape != ():
        raise invalid(
            f"fill must be one element of dtype {dtype}, got shape {item.shape}")
    return item.tobytes()
