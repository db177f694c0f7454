"""npshm.load / npshm.save: .npy files on disk <-> segments."""

from __future__ import annotations

import os
from typing import Any, Optional

import numpy as np
import numpy.lib.format as npy_format

from ._api import attach, create
from ._shared_array import SharedArray, mapping_of

__all__ = ["load", "save"]

_CHUNK = 1 << 30  # bytes per sendfile/readinto call


def _read_header(f: Any, path: str) -> Any:
    try:
        version = npy_format.read_magic(f)
        if version == (1, 0):
            return npy_format.read_array_header_1_0(f)
        if version in ((2, 0), (3, 0)):
            return npy_format.read_array_header_2_0(f)
    except ValueError as exc:
        raise ValueError(f"load {path}: not a valid .npy file ({exc})") \
            from None
    raise ValueError(f"load {path}: unsupported .npy version {version}")


def _segment_inode(address: int) -> Optional[int]:
    """Inode of the file mapped at address in this process (/proc/self/maps)."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                fields = line.split()
                low, _, high = fields[0].partition("-")
                if int(low, 16) <= address < int(high, 16):
                    return int(fields[4])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _copy_by_file(src: int, offset: int, nbytes: int, mapping: Any) -> bool:
    """Copy with sendfile into the segment's file: the kernel copies page
    cache to shm pages, with no page faults in this process.  False if the
    segment's file cannot be opened as the very file that is mapped."""
    try:
        dst = os.open(mapping.path, os.O_WRONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        if os.fstat(dst).st_ino != _segment_inode(mapping.address):
            return False
        done = 0
        while done < nbytes:
            os.lseek(dst, mapping.data_offset + done, os.SEEK_SET)
            sent = os.sendfile(dst, src, offset + done,
                               min(_CHUNK, nbytes - done))
            if sent == 0:
                raise ValueError("truncated")
            done += sent
        return True
    finally:
        os.close(dst)


def _copy_by_read(src: int, offset: int, nbytes: int, target: np.ndarray,
                  mapping: Any) -> None:
    raw = mapping.view(np.ndarray, np.dtype(np.uint8), 0, (nbytes,), (1,),
                       False)
    view = memoryview(raw)
    done = 0
    while done < nbytes:
        got = os.preadv(src, [view[done:done + _CHUNK]], offset + done)
        if got == 0:
            raise ValueError("truncated")
        done += got


def load(path: "os.PathLike[str] | str", name: Optional[str] = None, *,
         lifetime: str = "persistent", mode: int = 0o600) -> SharedArray:
    """Read the .npy file at path straight into a new segment `name`
    (None: a unique name) and return a view of it.

    The data goes from the file to shared memory in one kernel copy
    (sendfile), with no intermediate buffer; dtype, shape and memory order
    (C or Fortran) are kept.  Files holding Python objects are refused
    (ValueError).  Nothing is left behind on failure.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        shape, fortran_order, dtype = _read_header(f, path)
        offset = f.tell()
        if dtype.hasobject:
            raise ValueError(f"load {path}: holds Python objects (pickled "
                             "data); npshm arrays hold plain data only")
        array = create(name, shape, dtype, order="F" if fortran_order else "C",
                       lifetime=lifetime, mode=mode)
        mapping = mapping_of(array)
        nbytes = mapping.nbytes
        src = f.fileno()
        try:
            size = os.fstat(src).st_size
            if size - offset < nbytes:
                raise ValueError(
                    f"load {path}: truncated: {size - offset} data bytes, "
                    f"{nbytes} needed for shape {shape} of {dtype}")
            if nbytes and not _copy_by_file(src, offset, nbytes, mapping):
                _copy_by_read(src, offset, nbytes, array, mapping)
        except BaseException:
            try:
                mapping.unlink()
            except OSError:
                pass
            mapping.close()
            raise
    return array


def save(array_or_name: Any, path: "os.PathLike[str] | str") -> None:
    """Write an array, or the array named array_or_name, to a .npy file."""
    if isinstance(array_or_name, str):
        array = attach(array_or_name, readonly=True)
    else:
        array = np.asanyarray(array_or_name)
    np.save(path, array.view(np.ndarray), allow_pickle=False)
