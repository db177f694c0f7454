"""How a host copy's bytes are written (npshm._remote.CopyWriter): with
pwrite on a descriptor checked to be the file the copy maps, and through
the mapping when the copy's path names something else (a symbolic link, or
another file put there): the bytes land in the copy, never elsewhere."""

import os

import numpy as np
import pytest

from npshm import _remote

LAYOUT = {"dtype": "|u1", "shape": [3 * 1024 * 1024 + 5], "order": "C",
          "nbytes": 3 * 1024 * 1024 + 5}
PIECE = 1024 * 1024


def fill(writer, data):
    # Pieces out of order, as transfers may complete.
    starts = list(range(0, len(data), PIECE))
    for offset in reversed(starts):
        writer.write(offset, memoryview(data[offset:offset + PIECE]))


def copy_of(mapping):
    return np.asarray(_remote.whole_bytes(mapping))


def write_copy(copy, data, *, through_pwrite):
    """Fill copy with data through a CopyWriter: by pwrite on the checked
    descriptor, or (through_pwrite=False: the file at the copy's path is
    not the mapped one) through the mapping; the copy holds data after."""
    writer = _remote.CopyWriter(copy)
    try:
        assert (writer.fd is not None) == through_pwrite
        fill(writer, data)
    finally:
        writer.close()
    assert np.array_equal(copy_of(copy), data)


@pytest.fixture
def copy(private_shm_dir):
    mapping = _remote.create_copy(LAYOUT)
    yield mapping
    try:
        mapping.unlink()
    except OSError:
        pass


@pytest.fixture
def data():
    return np.random.default_rng(7).integers(0, 256, LAYOUT["nbytes"], np.uint8)


def test_pieces_land_in_the_copy_through_pwrite(copy, data):
    write_copy(copy, data, through_pwrite=True)  # the checked descriptor was opened


def test_another_file_at_the_copys_path_is_not_written(copy, data):
    # Another file takes the copy's name (its user could do that): the
    # writer sees it is not the mapped file and writes through the mapping.
    other = os.path.join(os.path.dirname(copy.path), "other")
    with open(other, "wb") as f:
        f.write(b"\0" * (LAYOUT["nbytes"] + 8192))
    os.replace(other, copy.path)
    write_copy(copy, data, through_pwrite=False)
    with open(copy.path, "rb") as f:
        assert f.read() == b"\0" * (LAYOUT["nbytes"] + 8192)


def test_a_link_at_the_copys_path_is_not_followed(copy, data, tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"\0" * (LAYOUT["nbytes"] + 8192))
    os.unlink(copy.path)
    os.symlink(target, copy.path)
    write_copy(copy, data, through_pwrite=False)
    assert target.read_bytes() == b"\0" * (LAYOUT["nbytes"] + 8192)
    os.unlink(copy.path)
