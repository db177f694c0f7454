"""npshm: share NumPy arrays between processes through /dev/shm, no copies.

Every array is a file /dev/shm/NAME that is also a valid .npy file.

    import npshm
    a = npshm.create("frames", (1000, 1000), "f4")      # in shared memory
    b = npshm.attach("frames")                           # any process
    with multiprocessing.Pool() as pool:                 # a pickles by name
        pool.map(work, [(a, i) for i in range(10)])
    npshm.delete("frames")

help() on each function and class says what it does; the npshm
documentation's Python guide and Python reference describe the whole API.
"""

from . import _npshm, errors
from ._api import (ArrayInfo, attach, create, delete, exists, from_array, gc,
                   host_id, list, readonly, unique_name)
from ._api import array_name as name
from ._files import load, save
from ._handle import (MS_ASYNC, MS_INVALIDATE, MS_SYNC, Handle, Managed,
                      handle, managed)
from ._shared_array import SharedArray
from .errors import Error
from ._waiting import (ArrayLock, lock, notify, version, wait_changed,
                       wait_changed_async, wait_created, wait_released)
from . import _dask_hook

_dask_hook.install()  # arrays travel by reference through dask

__version__: str = _npshm.version()

__all__ = [
    "ArrayInfo", "Error", "Handle", "Managed", "SharedArray", "MS_ASYNC",
    "MS_INVALIDATE", "MS_SYNC", "attach", "create", "delete", "exists",
    "from_array", "gc", "handle", "host_id", "list", "load", "managed", "name",
    "readonly", "save", "unique_name", "errors", "__version__",
    "ArrayLock", "lock", "notify", "version", "wait_changed",
    "wait_changed_async", "wait_created", "wait_released",
]
