"""npshm arrays travel by reference through dask without `import npshm.dask`.

dask.distributed serializes an ndarray subclass with its numpy serializer,
which sends the bytes, unless the subclass registers its own.  At import of
npshm this module registers SharedArray with distributed's `dask_serialize`
dispatch (declining, so distributed pickles the array), gives dask's
tokenize the array's digest (no second hash of its bytes) and installs the
host-aware pickling (npshm._remote, with npshm._dask_comms as its
transport): at once if distributed is loaded, else the moment
`distributed.protocol.serialize` is imported (an import hook that wraps
that one module's loading; npshm never imports distributed for this).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from typing import Any, Optional, Sequence

__all__ = ["register", "install"]

_TARGET = "distributed.protocol.serialize"
_lock = threading.Lock()
_registered = False


def register() -> None:
    """Register npshm with distributed (idempotent); distributed must be
    importable."""
    global _registered
    with _lock:
        if _registered:
            return
        _registered = True
    from distributed.protocol.serialize import dask_serialize
    from . import _remote
    from ._shared_array import SharedArray

    def decline(array: Any) -> Any:
        """dask's numpy serializer would send the bytes: decline, so
        distributed pickles the array (as a reference, npshm._remote)."""
        raise NotImplementedError("npshm arrays travel by reference (pickle)")

    dask_serialize.register(SharedArray)(decline)
    _register_token()
    _remote.set_transport(_transport)
    _remote.install()


def _register_token() -> None:
    """dask's tokenize of an npshm array (client.scatter's key, with
    hash=True, and dask.array names): the digest its host reference
    carries, with the view's place, instead of a second hash of the same
    bytes (dask's own).  The digest names the array's bytes when it was
    first sent or tokenized, as a host copy does; a view that is not the
    whole array uses the digest only when it is known already (else
    dask's hash of the view's own bytes)."""
    import numpy as np
    from dask.base import normalize_token
    from . import _remote
    from ._shared_array import SharedArray, mapping_of
    dasks = normalize_token.dispatch(np.ndarray)

    def token(array: Any) -> Any:
        mapping = mapping_of(array)
        if mapping is not None and mapping.id != 0 and array.shape:
            offset = mapping.locate(array)
            whole = offset == 0 and array.nbytes == int(mapping.nbytes)
            digest = _remote.digest_of(mapping) if whole \
                else _remote.known_digest(mapping)
            if offset is not None and digest is not None:
                return ("npshm", digest, offset, array.dtype, array.shape,
                        array.strides)
        return dasks(array)

    normalize_token.register(SharedArray)(token)


def _transport() -> Any:
    """npshm._dask_comms, imported on first use (distributed is complete
    by then; at registration it may still be importing)."""
    from . import _dask_comms
    return _dask_comms


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def create_module(self, spec: Any) -> Any:
        return self.inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.inner.exec_module(module)
        register()


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Optional[Sequence[str]],
                  target: Any = None) -> Any:
        if fullname != _TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    """At npshm import: register now, or when distributed loads."""
    if _TARGET in sys.modules:
        register()
        return
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
