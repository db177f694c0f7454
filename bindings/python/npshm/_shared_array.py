"""SharedArray: the ndarray subclass of arrays that live in an npshm segment.

Every SharedArray made by npshm has, at the end of its .base chain, the
Mapping that owns the segment's handle; slices, transposes and reshapes of
it stay SharedArrays and keep that chain.  That chain is the link to the
segment: a SharedArray pickles by reference (the library's saved reference
to the view) when its data lies inside the segment, and by value otherwise
(results of arithmetic, copies).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from . import _npshm

__all__ = ["SharedArray", "mapping_of"]

_Mapping = _npshm._npshm_c.Mapping


def mapping_of(array: Any) -> Optional[Any]:
    """The Mapping at the end of array's .base chain, or None."""
    base = array
    while base is not None:
        if type(base) is _Mapping:
            return base
        base = getattr(base, "base", None)
    return None


# How a SharedArray pickles (by reference): npshm._pickling sets this when
# it is imported, which the package's __init__ does, so that this module
# depends on nothing above it.
reduce_hook: Callable[[Any, Optional[int]], Any]


class SharedArray(np.ndarray):
    """An ndarray whose data lives in an npshm segment (/dev/shm/NAME).

    Behaves as a normal ndarray.  Pickling sends only a saved reference
    (the segment's name and id, the view's offset, shape, strides and
    dtype: the library's npshm_ref text), so handing it to
    multiprocessing or concurrent.futures workers copies no data; the worker
    attaches the segment (once while it holds views of it) and sees the same
    memory.  Arrays computed from it (a + 1, a.sum(axis=0), a.copy()) are
    new memory and pickle by value, as plain ndarrays.
    """

    def __array_wrap__(self, out_arr: np.ndarray, context: Any = None
                       ) -> Any:
        result = super().__array_wrap__(out_arr, context)
        if isinstance(result, SharedArray) and mapping_of(result) is None:
            # New memory: a plain ndarray (or a scalar, as numpy gives).
            plain = result.view(np.ndarray)
            return plain[()] if plain.ndim == 0 else plain
        return result

    def __reduce__(self) -> Any:
        return reduce_hook(self, None)

    def __reduce_ex__(self, protocol: int) -> Any:  # type: ignore[override]
        return reduce_hook(self, protocol)
