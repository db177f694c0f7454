"""References that also work on other hosts: one local copy per host.

A plain npshm pickle (see _pickling) names a segment; it means something
only where that name resolves to the same array, i.e. on the same host
(npshm.host_id()).  A *host-aware* reference adds a hash of the sender's
host id, the sender's host name (for people), and the address and secret
token of a small byte server in the sending process.  Unpickling it:

- on the sender's host: the plain unpickling (_pickling.rebuild: attach by
  name, checked against the array id and the view's bounds, cached per
  process);
- elsewhere (or when the name no longer holds that array): a read-only view
  of this host's copy of the array, made once per host.  The first process
  of the host that needs it creates "NAME@HOST.HASH-ID~partial" (lifetime
  "last"), receives the whole array's bytes from the sender's byte server
  straight into it, and publishes it as "NAME@HOST.HASH-ID" (a hard link:
  the name appears only once complete); the host's other processes wait
  for that name and attach it.  Views of a copy are read-only: a write to
  a copy would never reach the original.  A view of a copy pickles as a
  reference to the original (same name, id and host), served by the
  process that holds the copy.

A process keeps the copies it attached (cached per process) until
release_copies() or its exit; their lifetime is "last", so the last
process of the host to let go removes the file, and `npshm gc` removes the
files of processes that died.  Nothing here imports dask: npshm.dask makes
SharedArrays pickle this way (install()) and tells the byte server which
address to listen on.

The byte server serves only arrays this process has sent references of,
and only to requests carrying the process's random token (which travels
inside the references, like the names).  It listens on one address (the
one the process uses to reach its dask cluster, or NPSHM_DASK_ADDRESS).
"""

from __future__ import annotations

import copyreg
import errno
import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import socketserver
import sys
import threading
import time
from typing import Any, Callable, Dict, Optional, Tuple

import numpy as np

from . import _api, _pickling
from ._dtypes import dtype_of
from ._shared_array import SharedArray, mapping_of

__all__ = ["install", "uninstall", "reduce", "rebuild", "release_copies",
           "set_address_hint", "derived_name", "local_copies"]

_VERSION = "npshm-remote-1"
_MAX_NAME = 200
_PARTIAL = "~partial"
_WAIT_SECONDS = float(os.environ.get("NPSHM_DASK_WAIT", "300"))

# ---------------------------------------------------------------------------
# Identity of this host


_host_ids: Dict[str, str] = {}


def local_host_id() -> str:
    """npshm.host_id() of the current shm directory (cached per directory)."""
    key = os.environ.get("NPSHM_DIR") or "/dev/shm"
    found = _host_ids.get(key)
    if found is None:
        found = _host_ids[key] = _api.host_id()
    return found


def _host_name() -> str:
    name = socket.gethostname() or "host"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:40] or "host"


# ---------------------------------------------------------------------------
# The byte server (in every process that sends references)


_address_hint: Optional[Callable[[], Optional[str]]] = None
_server_lock = threading.Lock()
_server: Optional["_ByteServer"] = None
# (name, id) a reference names -> (name, id) of the array here that holds
# those bytes (the same, or this host's copy of it)
_served: Dict[Tuple[str, int], Tuple[str, int]] = {}


def set_address_hint(hint: Optional[Callable[[], Optional[str]]]) -> None:
    """hint() gives the IP address the byte server should listen on (None:
    no server, references then only work on this host)."""
    global _address_hint
    _address_hint = hint


class _Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def handle(self) -> None:
        server: "_ByteServer" = self.server  # type: ignore[assignment]
        try:
            line = self.rfile.readline(65536)
            request = json.loads(line)
            token = str(request.get("token", ""))
            name = str(request["name"])
            array_id = int(request["id"])
        except (ValueError, KeyError, TypeError):
            self._reply({"ok": False, "error": "malformed request"})
            return
        if not hmac.compare_digest(token, server.token):
            self._reply({"ok": False, "error": "wrong token"})
            return
        local = _served.get((name, array_id))
        if local is None:
            self._reply({"ok": False, "error": f"{name} is not served here"})
            return
        try:
            whole = _api.attach(local[0], readonly=True)
        except OSError as e:
            self._reply({"ok": False, "error": str(e)})
            return
        mapping = mapping_of(whole)
        if mapping.id != local[1]:
            self._reply({"ok": False, "error": f"{name} is no longer the array "
                         "that was sent (it was removed and created again)"})
            return
        self._reply({"ok": True, "dtype": mapping.dtype,
                     "shape": list(mapping.shape), "order": mapping.order,
                     "nbytes": mapping.nbytes})
        if self.rfile.readline(16).strip() != b"send":
            return
        if mapping.nbytes:
            self.connection.sendall(memoryview(_raw_bytes(whole)))

    def _reply(self, message: Dict[str, Any]) -> None:
        self.wfile.write(json.dumps(message).encode() + b"\n")
        self.wfile.flush()


class _ByteServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str) -> None:
        super().__init__((host, 0), _Handler)
        self.token = secrets.token_hex(16)
        self.thread = threading.Thread(target=self.serve_forever,
                                       name="npshm-byte-server", daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        host, port = self.server_address[:2]
        return f"{host}:{port}"


def _ensure_server() -> Optional[_ByteServer]:
    global _server
    with _server_lock:
        if _server is not None:
            return _server
        host = _address_hint() if _address_hint is not None else None
        host = os.environ.get("NPSHM_DASK_ADDRESS") or host
        if not host:
            return None
        _server = _ByteServer(host)
        return _server


def _stop_server() -> None:
    global _server
    with _server_lock:
        if _server is not None:
            _server.shutdown()
            _server.server_close()
            _server = None


def _forget_after_fork() -> None:
    global _server
    _server = None  # the thread did not survive the fork
    _served.clear()
    _copies.clear()


# ---------------------------------------------------------------------------
# Pickling


def _raw_bytes(array: np.ndarray) -> np.ndarray:
    """The bytes of a whole contiguous array, as a 1-d uint8 view."""
    flat = array.reshape(-1, order="A")
    return flat.view(np.uint8)


def _host_hash(host_id: str) -> str:
    """16 hex digits standing for a host id (in references and names)."""
    return hashlib.sha256(host_id.encode()).hexdigest()[:16]


def local_host_hash() -> str:
    return _host_hash(local_host_id())


def _same_host(host_hash: str) -> bool:
    """Whether a reference's host (a hash, or its first 8 digits as copy
    names keep it) is this one.  A rare false match is harmless: the array
    id is checked on attach, and the copy is fetched then."""
    return bool(host_hash) and local_host_hash().startswith(host_hash)


_COPY_NAME = re.compile(r"^shm://(?P<base>.+)@(?P<hostname>[A-Za-z0-9._-]+)"
                        r"\.(?P<hash>[0-9a-f]{8})-(?P<id>[0-9a-f]{16})$")


def _origin(mapping: Any) -> Tuple[str, int, str, str]:
    """(name, id, host hash, host name) of the array a mapping holds: the
    original's for a local copy, else its own."""
    match = _COPY_NAME.match(mapping.name)
    if match is not None and mapping.lifetime == "last":
        return ("shm://" + match["base"], int(match["id"], 16), match["hash"],
                match["hostname"])
    return (mapping.name, mapping.id, local_host_hash(), _host_name())


def reduce(array: SharedArray) -> Any:
    """copyreg reducer of SharedArray: a host-aware reference when the view
    lies inside its segment, else the plain pickle (by value).  A view of a
    local copy refers to the original (so it resolves to the original on
    the original's host, and to the same copy name elsewhere)."""
    mapping = mapping_of(array)
    offset = mapping.locate(array) if mapping is not None else None
    if offset is None:
        return array.view(np.ndarray).__reduce_ex__(4)
    name, array_id, host, hostname = _origin(mapping)
    server = _ensure_server()
    if server is not None:
        _served[(name, array_id)] = (mapping.name, mapping.id)
    readonly = bool(mapping.readonly or not array.flags.writeable)
    ref = (_VERSION, name, array_id, offset, array.shape, array.strides,
           array.dtype, readonly, host, hostname,
           server.address if server else "", server.token if server else "")
    return (rebuild, (ref,))


def install() -> None:
    """Make SharedArrays pickle as host-aware references (in this process)."""
    copyreg.pickle(SharedArray, reduce)


def uninstall() -> None:
    copyreg.dispatch_table.pop(SharedArray, None)


def rebuild(ref: Tuple[Any, ...]) -> SharedArray:
    """Unpickle a host-aware reference (see the module docstring)."""
    if "distributed" in sys.modules and "npshm.dask" not in sys.modules:
        # A dask worker: send SharedArrays on as references too.
        import npshm.dask  # noqa: F401
    if not isinstance(ref, tuple) or len(ref) != 12 or ref[0] != _VERSION:
        raise ValueError("unpickle npshm reference: unknown format")
    (_, name, array_id, offset, shape, strides, dtype, readonly, host,
     hostname, server, token) = ref
    if _same_host(host):
        try:
            return _pickling.rebuild(name, offset, shape, strides, dtype,
                                     readonly, array_id)
        except FileNotFoundError:
            if not server:
                raise
    elif not server:
        raise FileNotFoundError(
            errno.ENOENT,
            f"unpickle {name}: the array lives on host {hostname}, not on "
            "this one, and its sender runs no byte server (npshm.dask starts "
            "one in dask clients and workers)")
    dtype = np.dtype(dtype)
    if dtype.hasobject:
        raise ValueError(f"unpickle {name}: dtype {dtype} holds Python objects")
    mapping = _local_copy(name, array_id, hostname, host, server, token)
    return mapping.view(SharedArray, dtype, int(offset), tuple(shape),
                        tuple(strides), True)


# ---------------------------------------------------------------------------
# Local copies


# origin array id -> (Mapping of this host's copy, (st_dev, st_ino) of its
# file when attached); kept until released
_copies: Dict[int, Tuple[Any, Optional[Tuple[int, int]]]] = {}
_copies_lock = threading.Lock()


def derived_name(name: str, hostname: str, host_hash: str,
                 array_id: int) -> str:
    """The name of this host's copy of array `name` (id array_id) from host
    hostname: "NAME@HOSTNAME.HOSTHASH-ID" (NAME shortened to fit; HOSTHASH:
    8 hex digits standing for the host id)."""
    base = name[len("shm://"):] if name.startswith("shm://") else name
    base = os.path.basename(base.rstrip("/")) or "array"
    suffix = f"@{hostname}.{host_hash[:8]}-{array_id:016x}"
    room = _MAX_NAME - len(_PARTIAL) - len(suffix.encode())
    encoded = base.encode("utf-8", "surrogateescape")[:room]
    base = encoded.decode("utf-8", "ignore").lstrip(".") or "array"
    return base + suffix


def local_copies() -> Dict[int, str]:
    """Origin array id -> name of the copy this process holds."""
    with _copies_lock:
        return {k: m.name for k, (m, _) in _copies.items()}


def release_copies() -> int:
    """Drop this process's hold on every local copy; returns how many.
    A copy's file goes when the host's last holder lets go."""
    with _copies_lock:
        n = len(_copies)
        _copies.clear()
    return n




def _attach_copy(name: str) -> Optional[Any]:
    try:
        whole = _api.attach(name, readonly=True)
    except FileNotFoundError:
        return None
    return mapping_of(whole)


def _local_copy(name: str, array_id: int, hostname: str, host_hash: str,
                server: str, token: str) -> Any:
    if array_id == 0:
        raise ValueError(
            f"unpickle {name}: a plain .npy file (no npshm id) cannot be "
            "copied to another host; load it into shared memory first")
    copy_name = derived_name(name, hostname, host_hash, array_id)
    with _copies_lock:
        held = _copies.get(array_id)
        if held is not None:
            mapping, identity = held
            if _pickling._identity(mapping.path) == identity:
                return mapping
            del _copies[array_id]  # its file was removed: make it again
        mapping = _attach_or_fetch(copy_name, name, array_id, server, token)
        _copies[array_id] = (mapping, _pickling._identity(mapping.path))
        return mapping


def _attach_or_fetch(copy_name: str, name: str, array_id: int, server: str,
                     token: str) -> Any:
    deadline = time.monotonic() + _WAIT_SECONDS
    partial = copy_name + _PARTIAL
    polls = 0
    while True:
        mapping = _attach_copy(copy_name)
        if mapping is not None:
            return mapping
        made = _fetch_into(partial, copy_name, name, array_id, server, token)
        if made is not None:
            return made
        # Another process of this host is making the copy: wait for it.
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"unpickle {name}: waited {_WAIT_SECONDS:.0f} s for another "
                f"process of this host to make its copy {copy_name}")
        time.sleep(0.02)
        polls += 1
        if polls % 100 == 0:
            _drop_if_abandoned(partial)


def _drop_if_abandoned(partial: str) -> None:
    """Remove a partial copy whose maker died (no live holder)."""
    for info in _api.list():
        if info.name == "shm://" + partial and info.holders == 0:
            time.sleep(0.2)
            again = [i for i in _api.list() if i.name == info.name]
            if again and again[0].holders == 0:
                try:
                    _api.delete(partial)
                except OSError:
                    pass


# How many copies this process has received (for tests and diagnostics).
fetch_count = 0


def _recv_exactly(sock: socket.socket, view: memoryview) -> None:
    got = 0
    while got < len(view):
        n = sock.recv_into(view[got:], min(len(view) - got, 1 << 24))
        if n == 0:
            raise ConnectionError("connection closed early")
        got += n


def _fetch_into(partial: str, copy_name: str, name: str, array_id: int,
                server: str, token: str) -> Optional[Any]:
    """Make this host's copy unless another process is making it (None)."""
    host, _, port = server.rpartition(":")
    what = f"copy {name} from {server}"
    try:
        sock = socket.create_connection((host, int(port)), timeout=60)
    except OSError as e:
        raise ConnectionError(f"{what}: cannot connect ({e})") from None
    with sock:
        reader = sock.makefile("rb")
        sock.sendall(json.dumps({"token": token, "name": name,
                                 "id": array_id}).encode() + b"\n")
        try:
            header = json.loads(reader.readline(65536))
        except ValueError:
            raise ConnectionError(f"{what}: no answer") from None
        if not header.get("ok"):
            raise FileNotFoundError(errno.ENOENT,
                                    f"{what}: {header.get('error')}")
        try:
            target = _api.create(partial, tuple(header["shape"]),
                                 dtype_of(header["dtype"]),
                                 order=header["order"], lifetime="last")
        except FileExistsError:
            sock.sendall(b"skip\n")
            return None
        handle = mapping_of(target)
        # Holding the partial name, check again: a maker that finished just
        # before published the copy and then removed its partial name.
        done = _attach_copy(copy_name)
        if done is not None:
            handle.unlink()
            sock.sendall(b"skip\n")
            return done
        global fetch_count
        fetch_count += 1
        try:
            sock.sendall(b"send\n")
            if header["nbytes"]:
                _recv_exactly(sock, memoryview(_raw_bytes(target)))
            final_path = os.path.join(os.path.dirname(handle.path), copy_name)
            os.link(handle.path, final_path)
        except BaseException:
            try:
                handle.unlink()
            except OSError:
                pass
            raise
        os.unlink(handle.path)
    mapping = _attach_copy(copy_name)
    if mapping is None:
        raise FileNotFoundError(errno.ENOENT, f"{what}: {copy_name} vanished")
    return mapping


os.register_at_fork(after_in_child=_forget_after_fork)
