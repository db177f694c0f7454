"""NumPy dtypes <-> the NPY descr strings the C library speaks.

The library normalises descrs ("<f8", "[('a', '<i4'), ('b', '<f8', (2,))]");
numpy.lib.format converts them both ways, as numpy.save/numpy.load do.
Conversions are cached: dtypes and descr strings are immutable.
"""

from __future__ import annotations

import ast
import functools
from typing import Any

import numpy as np
import numpy.lib.format as npy_format

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


@functools.lru_cache(maxsize=512)
def dtype_of(descr: str) -> np.dtype:
    """The numpy.dtype of a descr string as the library reports it."""
    text = descr.strip()
    try:
        value = ast.literal_eval(text) if text[:1] in "[('\"" else text
        return npy_format.descr_to_dtype(value)
    except (ValueError, TypeError, SyntaxError) as exc:
        raise invalid(f"dtype {descr!r} has no NumPy equivalent: {exc}") \
            from None


def item_bytes(value: Any, dtype: np.dtype) -> bytes:
    """One element of dtype holding value, as raw bytes (for fill=)."""
    item = np.array(value, dtype=dtype)
    if item.shape != ():
        raise invalid(
            f"fill must be one element of dtype {dtype}, got shape {item.shape}")
    return item.tobytes()
