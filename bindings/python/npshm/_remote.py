"""Host-aware references: one copy of an array per host of a dask cluster.

A plain npshm pickle (see _pickling) is the core's saved reference, the
`npshm-ref/1` text: it means something only where its name resolves to the
same array, on the same host (npshm.host_id()).  A *host reference* is that
text plus two host fields, in one line before it:

    npshm-host/1 host=<32 hex> digest=sha256x16m:<64 hex>
    npshm-ref/1 uri=shm://... (the core's text of the view)

- host: a hash of the host id of the host where the text resolves;
- digest: SHA-256 over the array's layout (dtype, shape, order) and the
  SHA-256 of each 16 MiB piece of its data (pieces hash in parallel, and a
  receiver checks them as they arrive).  The sender computes it once per
  array (cached per process): a host copy is a snapshot of the array when
  it was first sent to another host.

parse() reads the format (the only place that does).  Unpickling:

- on the reference's host: the core's reference (attach, checked by the
  library against the array id and the view's bounds, cached per process);
- elsewhere, or when that array is gone: the same view of this host's copy
  of the array, found or made through the cluster (the transport, see
  set_transport; npshm._dask_comms: the
  scheduler's registry knows which host holds which digest, and the bytes
  come over dask's own comms from any host holding a complete copy,
  checked against the digest before the copy is registered).

A host copy is a read-only array of lifetime "last" under a private name
(npshm-copy-UID-RANDOM), never a name derived from the array: another user
cannot plant a file where npshm will look.  A process keeps the copies it
attached (cached per process, by digest) until release_copies() or its
exit; the host's last holder removes the file, and `npshm gc` (the dask
nanny plugin runs it) removes the copies of processes that died.

The reference of a view of a host copy names the copy on this host (with
the same digest), so it resolves to the same bytes on any host.

Nothing here imports distributed: npshm._dask_hook, when distributed is
loaded, installs this pickling and the transport (npshm._dask_comms).
"""

from __future__ import annotations

import copyreg
import hashlib
import os
import re
import secrets
import stat
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple

import numpy as np

from . import _api, _npshm, _pickling
from ._shared_array import SharedArray, mapping_of
from .errors import of_slug

__all__ = ["HostRef", "parse", "format_ref", "install", "uninstall",
           "reduce", "rebuild", "release_copies", "local_copies",
           "local_host_hash", "digest_of", "copy_name", "set_transport"]

FORMAT = "npshm-host/1"
DIGEST_KIND = "sha256x16m"
PIECE = 16 << 20
_MAX_TEXT = 65536
_FIRST_LINE = re.compile(r"npshm-host/1 host=(?P<host>[0-9a-f]{32}) "
                         r"digest=(?P<digest>sha256x16m:[0-9a-f]{64})")


class HostRef(NamedTuple):
    text: str    # the core's npshm-ref/1 text of the view (on host `host`)
    host: str    # hash of the host id where text resolves (32 hex digits)
    digest: str  # "sha256x16m:<64 hex>" of the whole array (see digest_of)


def format_ref(ref: HostRef) -> str:
    return f"{FORMAT} host={ref.host} digest={ref.digest}\n{ref.text}"


def parse(text: Any) -> HostRef:
    """A host reference's fields; InvalidError (ValueError) if malformed.
    The core's text is checked by the core when used (npshm_ref_parse)."""
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        raise of_slug("invalid", "npshm host reference: not a short text")
    first, sep, core = text.partition("\n")
    match = _FIRST_LINE.fullmatch(first)
    if not sep or match is None or not core.startswith("npshm-ref/1 ") \
            or "\n" in core:
        raise of_slug("invalid", "npshm host reference: malformed "
                      f"(expected '{FORMAT} host=... digest=...' and the "
                      "core's npshm-ref/1 text)")
    return HostRef(core, match["host"], match["digest"])


# ---------------------------------------------------------------------------
# This host


_host_hashes: Dict[str, str] = {}


def local_host_hash() -> str:
    """A hash of npshm.host_id() for the current shm directory (cached)."""
    key = os.environ.get("NPSHM_DIR") or "/dev/shm"
    found = _host_hashes.get(key)
    if found is None:
        found = _host_hashes[key] = hashlib.sha256(
            _api.host_id().encode()).hexdigest()[:32]
    return found


# ---------------------------------------------------------------------------
# Digests


def whole_bytes(mapping: Any) -> np.ndarray:
    """The data of the whole array of mapping as a 1-d uint8 ndarray (a
    view: it keeps the mapping alive)."""
    flat = mapping.view(SharedArray, np.dtype(np.uint8), 0,
                        (int(mapping.nbytes),), (1,), True)
    return flat.view(np.ndarray)


def layout_of(mapping: Any) -> Dict[str, Any]:
    return {"dtype": mapping.dtype, "shape": [int(n) for n in mapping.shape],
            "order": mapping.order, "nbytes": int(mapping.nbytes)}


def layout_line(layout: Dict[str, Any]) -> bytes:
    shape = ",".join(str(int(n)) for n in layout["shape"])
    return (f"{layout['dtype']}|{shape}|{layout['order']}|"
            f"{int(layout['nbytes'])}\n").encode("utf-8", "surrogateescape")


def piece_digest(data: Any) -> bytes:
    return hashlib.sha256(data).digest()


def combine(layout: Dict[str, Any], pieces: Any) -> str:
    h = hashlib.sha256(layout_line(layout))
    for p in pieces:
        h.update(p)
    return f"{DIGEST_KIND}:{h.hexdigest()}"


_pool: Optional[ThreadPoolExecutor] = None


def _hash_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max(1, min(4, os.cpu_count() or 1)),
                                   thread_name_prefix="npshm-digest")
    return _pool


def digest_of_bytes(layout: Dict[str, Any], data: np.ndarray) -> str:
    """The digest of an array's layout and data (1-d uint8)."""
    views = [memoryview(data[i:i + PIECE]) for i in range(0, len(data), PIECE)]
    if len(views) > 1:
        pieces = list(_hash_pool().map(piece_digest, views))
    else:
        pieces = [piece_digest(v) for v in views]
    return combine(layout, pieces)


# (path, array id) -> digest of that array, computed once per process,
# and back
_digests: Dict[Tuple[str, int], str] = {}
_by_digest: Dict[str, Tuple[str, int, Optional[Tuple[int, int]]]] = {}
_digests_lock = threading.Lock()


def digest_of(mapping: Any) -> str:
    """The digest of the array mapping holds (computed once per array and
    process: later writes to the array are not seen by it)."""
    key = (mapping.path, int(mapping.id))
    found = _digests.get(key)
    if found is None:
        found = digest_of_bytes(layout_of(mapping), whole_bytes(mapping))
        remember_digest(mapping, found)
    return found


def known_digest(mapping: Any) -> Optional[str]:
    """The digest of mapping's array if this process computed or was
    given it already, else None."""
    return _digests.get((mapping.path, int(mapping.id)))


def remember_digest(mapping: Any, digest: str) -> None:
    key = (mapping.path, int(mapping.id))
    with _digests_lock:
        _digests[key] = digest
        _by_digest[digest] = (key[0], key[1],
                              _pickling._identity(mapping.path))


def _known(digest: str) -> Optional[Any]:
    """A live mapping of this process holding the array of digest (one it
    pickled or unpickled before), while its path still names that file."""
    entry = _by_digest.get(digest)
    if entry is None or entry[2] is None:
        return None
    path, array_id, identity = entry
    mapping = _pickling._cached(path, array_id)
    if mapping is None or int(mapping.id) != array_id \
            or _pickling._identity(path) != identity:
        return None
    return mapping


# ---------------------------------------------------------------------------
# Pickling


# How host copies are found or made: a callable giving the transport
# module (npshm._dask_comms: context() and obtain(ref)), set by
# npshm._dask_hook when distributed is loaded.
_transport: Optional[Callable[[], Any]] = None


def set_transport(loader: Optional[Callable[[], Any]]) -> None:
    global _transport
    _transport = loader


def _in_dask() -> bool:
    """Whether this process is a dask worker or has a dask client (where
    references may cross hosts)."""
    if _transport is None or "distributed" not in sys.modules:
        return False
    return _transport().context() is not None


def reduce(array: SharedArray) -> Any:
    """copyreg reducer of SharedArray: in a dask client or worker, a host
    reference (when the view is one the core can name); elsewhere npshm's
    plain reference (_pickling)."""
    if not _in_dask():
        return _pickling.reduce_shared(array, 4)
    mapping = mapping_of(array)
    offset = mapping.locate(array) if mapping is not None else None
    if offset is not None and array.dtype != _pickling._header_dtype(mapping):
        offset = None
    if offset is None or mapping.id == 0:
        return _pickling.reduce_shared(array, 4)
    readonly = bool(mapping.readonly or not array.flags.writeable)
    _pickling._pickled(mapping)
    text = mapping.reference(offset, array.shape, array.strides, readonly)
    ref = HostRef(text, local_host_hash(), digest_of(mapping))
    return (rebuild, (format_ref(ref),))


def install() -> None:
    """Make SharedArrays pickle as host references where dask runs."""
    copyreg.pickle(SharedArray, reduce)


def uninstall() -> None:
    copyreg.dispatch_table.pop(SharedArray, None)


def rebuild(text: str) -> SharedArray:
    """Unpickle a host reference (see the module docstring)."""
    ref = parse(text)
    gone: Optional[FileNotFoundError] = None
    if ref.host == local_host_hash():
        try:
            view = _pickling.attach_reference(ref.text)
        except FileNotFoundError as e:
            gone = e  # gone here (a deleted copy?): this host's copy, or fetch
        else:
            remember_digest(mapping_of(view), ref.digest)
            return view
    try:
        mapping = host_copy(ref)
    except FileNotFoundError:
        if gone is not None:
            raise gone from None  # what happened here says most
        raise
    return view_of(mapping, ref)


def view_of(mapping: Any, ref: HostRef) -> SharedArray:
    """The view ref's text names, of the array mapping holds (the same
    bytes on this host): the core checks the view fits that array."""
    core = _npshm.ref_parse(ref.text)
    try:
        dtype = _npshm.ref_dtype(core)
        if dtype != mapping.dtype:
            raise of_slug("mismatch", f"npshm host reference: dtype {dtype} "
                          f"is not the array's {mapping.dtype}")
        text = mapping.reference(_npshm.ref_offset(core),
                                 _npshm.ref_shape_tuple(core),
                                 _npshm.ref_strides_tuple(core), True)
    finally:
        _npshm.ref_free(core)
    return _pickling.attach_reference(text)


# ---------------------------------------------------------------------------
# Host copies


# digest -> (Mapping of this host's copy, (st_dev, st_ino) of its file)
_copies: Dict[str, Tuple[Any, Optional[Tuple[int, int]]]] = {}
_copies_lock = threading.Lock()
_obtain_lock = threading.Lock()


def copy_name() -> str:
    """A fresh private name for a host copy: npshm-copy-UID-RANDOM."""
    return f"npshm-copy-{os.getuid()}-{secrets.token_hex(12)}"


def create_copy(layout: Dict[str, Any]) -> Any:
    """A new array of lifetime "last" under a fresh private name (another
    name if someone else's file is there already); its Mapping."""
    from ._dtypes import dtype_of
    for _ in range(8):
        try:
            target = _api.create(copy_name(), tuple(layout["shape"]),
                                 dtype_of(layout["dtype"]),
                                 order=layout["order"], lifetime="last")
        except FileExistsError:
            continue
        return mapping_of(target)
    raise of_slug("exists", "npshm: no free private name for a host copy")


class CopyWriter:
    """Writes the bytes of a new host copy, piece by piece, with pwrite on
    a descriptor of the file the copy maps (the kernel copies into the
    file's pages: no page fault through the mapping, which on virtual
    machines costs more than the copy itself), or through the mapping when
    the copy's path does not give that same file.  close() when done."""

    def __init__(self, mapping: Any) -> None:
        self.mapping = mapping
        self.base = int(mapping.data_offset)
        self.fd = _open_mapped(mapping)
        self.target: Optional[np.ndarray] = None
        if self.fd is None:
            self.target = mapping.view(
                SharedArray, np.dtype(np.uint8), 0, (int(mapping.nbytes),),
                (1,), False).view(np.ndarray)

    def write(self, offset: int, data: memoryview) -> None:
        """data (bytes) at offset of the copy's data."""
        if self.fd is None:
            assert self.target is not None
            self.target[offset:offset + len(data)] = np.frombuffer(data, np.uint8)
            return
        done = 0
        while done < len(data):
            done += os.pwrite(self.fd, data[done:], self.base + offset + done)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        self.target = None


def _open_mapped(mapping: Any) -> Optional[int]:
    """A read-write descriptor of the file mapping maps (opened without
    following links, checked by fstat against the file this process has
    mapped at mapping's address), or None."""
    flags = (os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
             | os.O_CLOEXEC)
    try:
        fd = os.open(mapping.path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() \
                and st.st_size >= int(mapping.data_offset) + int(mapping.nbytes) \
                and _mapped_file(int(mapping.address)) == (st.st_dev, st.st_ino):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _mapped_file(address: int) -> Optional[Tuple[int, int]]:
    """(st_dev, st_ino) of the file this process maps at address
    (/proc/self/maps), or None."""
    try:
        with open("/proc/self/maps", "rb") as f:
            for line in f:
                fields = line.split(maxsplit=5)
                start, end = (int(x, 16) for x in fields[0].split(b"-"))
                if start <= address < end:
                    major, minor = (int(x, 16) for x in fields[3].split(b":"))
                    return os.makedev(major, minor), int(fields[4])
    except (OSError, ValueError, IndexError):
        pass
    return None


def keep(digest: str, mapping: Any) -> Any:
    """Hold mapping's array as this process's copy of digest, through a
    read-only mapping (its maker's read-write one faults twice as much on
    this process's reads); returns the mapping held."""
    if not mapping.readonly:
        whole = _api._whole_array(mapping)
        mapping = _pickling.attach_readonly(
            mapping.reference(0, whole.shape, whole.strides, True))
    _pickling._pickled(mapping)  # the unpickling cache checks its file too
    with _copies_lock:
        _copies[digest] = (mapping, _pickling._identity(mapping.path))
    remember_digest(mapping, digest)
    return mapping


def held(digest: str) -> Optional[Any]:
    """This process's copy of digest while its file is still there."""
    with _copies_lock:
        entry = _copies.get(digest)
        if entry is None:
            return None
        mapping, identity = entry
        if identity is not None and _pickling._identity(mapping.path) == identity:
            return mapping
        del _copies[digest]
        return None


def owned_by_me(mapping: Any) -> bool:
    """Whether the file of mapping belongs to this process's user."""
    try:
        return os.stat(mapping.path).st_uid == os.getuid()
    except OSError:
        return False


def host_copy(ref: HostRef) -> Any:
    """The Mapping of this host's copy of ref's array (made if needed)."""
    mapping = held(ref.digest)
    if mapping is None:
        mapping = _known(ref.digest)
    if mapping is not None:
        return mapping
    if _transport is None:
        raise of_slug("not_found",
                      "npshm: this array lives on another host (or was "
                      "removed here), and this process runs no dask that "
                      "could get the host's copy of it")
    # One at a time per process: a worker's threads share its claim.
    with _obtain_lock:
        mapping = held(ref.digest)
        if mapping is None:
            mapping = keep(ref.digest, _transport().obtain(ref))
    return mapping


def local_copies() -> Dict[str, str]:
    """Digest -> name of each host copy this process holds."""
    with _copies_lock:
        return {k: m.name for k, (m, _) in _copies.items()}


def release_copies() -> int:
    """Drop this process's hold on every host copy; returns how many.  A
    copy's file goes when the host's last holder lets go."""
    with _copies_lock:
        n = len(_copies)
        _copies.clear()
    return n


def _after_fork() -> None:
    _copies.clear()
    _by_digest.clear()
    _host_hashes.clear()
    global _pool
    _pool = None


os.register_at_fork(after_in_child=_after_fork)
