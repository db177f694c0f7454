"""npshm.load / npshm.save."""

import os

import numpy as np
import pytest

import npshm
from conftest import SESSION, SHM_DIR


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", ["<f8", ">i2", "<U4",
                                   [("a", "u1"), ("b", ">f4", (3,))]],
                         ids=str)
def test_load_keeps_dtype_shape_order(tmp_path, name, order, dtype):
    dt = np.dtype(dtype)
    raw = (np.arange(300 * 7 * dt.itemsize) % 251).astype(np.uint8)
    source = np.frombuffer(raw.tobytes(), dt).reshape((300, 7), order=order)
    path = tmp_path / "in.npy"
    np.save(path, source)
    a = npshm.load(path, name)
    assert a.dtype == source.dtype and a.shape == source.shape
    assert a.flags.f_contiguous == (order == "F")
    assert a.tobytes("A") == source.tobytes("A")
    back = np.load(npshm.handle(a).path)
    assert back.dtype == source.dtype and back.tobytes("A") == source.tobytes("A")


def test_load_name_from_file_and_empty(tmp_path):
    path = tmp_path / f"{SESSION}-e.npy"
    np.save(path, np.zeros((0, 3), "f4"))
    a = npshm.load(str(path))
    h = npshm.handle(a)
    try:
        assert a.shape == (0, 3)
        assert h.name == f"shm://{SESSION}-e" and h.lifetime == "owner"
    finally:
        npshm.delete(h.name)


def test_save_array_and_name(tmp_path, name):
    a = npshm.create(name, (4, 5), ">u2", order="F", fill=9)
    npshm.save(a[1:], tmp_path / "view.npy")
    npshm.save(name, tmp_path / "named.npy")
    assert np.array_equal(np.load(tmp_path / "view.npy"), a[1:])
    back = np.load(tmp_path / "named.npy")
    assert np.array_equal(back, a) and back.flags.f_contiguous


def test_load_bad_files_leave_nothing(tmp_path, name):
    truncated = tmp_path / "t.npy"
    np.save(truncated, np.arange(1000.0))
    with open(truncated, "r+b") as f:
        f.truncate(os.path.getsize(truncated) - 8)
    with pytest.raises(ValueError, match="truncated"):
        npshm.load(truncated, name)
    assert not npshm.exists(name)

    foreign = tmp_path / "f.npy"
    foreign.write_bytes(b"hello, not numpy")
    with pytest.raises(ValueError):
        npshm.load(foreign, name)
    assert not npshm.exists(name)

    objects = tmp_path / "o.npy"
    np.save(objects, np.array([1, None], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="objects"):
        npshm.load(objects, name)
    assert not npshm.exists(name)

    with pytest.raises(FileNotFoundError):
        npshm.load(tmp_path / "missing.npy", name)
    assert not npshm.exists(name)


def test_load_existing_name(tmp_path, name):
    np.save(tmp_path / "x.npy", np.arange(3))
    npshm.create(name, 3)
    with pytest.raises(FileExistsError):
        npshm.load(tmp_path / "x.npy", name)
    assert (npshm.attach(name) == 0).all()


# ---- save goes through the library: nothing is followed, nothing blocks ----

SAVE_SOURCES = {
    "whole": lambda name: npshm.create(name, (3, 4), "<i4", fill=3),
    "view": lambda name: npshm.create(name, (3, 4), "<i4", fill=3)[1:, ::2],
    "plain": lambda name: np.full((3, 4), 3, "<i4"),
}


@pytest.mark.parametrize("source", sorted(SAVE_SOURCES))
def test_save_refuses_symlink(tmp_path, name, source):
    array = SAVE_SOURCES[source](name)
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    link = tmp_path / "out.npy"
    link.symlink_to(victim)
    with pytest.raises(ValueError):
        npshm.save(array, link)
    assert victim.read_bytes() == b"keep me" and link.is_symlink()
    assert sorted(os.listdir(tmp_path)) == ["out.npy", "victim"]


@pytest.mark.parametrize("source", sorted(SAVE_SOURCES))
def test_save_to_fifo_does_not_block(run, tmp_path, source):
    fifo = tmp_path / "out.npy"
    os.mkfifo(fifo)
    # in a child, so that a save that blocks fails the test instead of
    # hanging it
    proc = run(f"""
        import sys, numpy as np, npshm
        from conftest import SESSION
        name = SESSION + "-fifo-" + "{source}"
        whole = npshm.create(name, (3, 4), "<i4", fill=3)
        npshm.delete(name)
        array = {{"whole": whole, "view": whole[1:],
                  "plain": np.zeros(3)}}["{source}"]
        try:
            npshm.save(array, sys.argv[1])
        except ValueError as exc:
            print("refused:", exc)
    """, fifo, timeout=30)
    assert "refused:" in proc.stdout


@pytest.mark.parametrize("source", sorted(SAVE_SOURCES))
def test_save_leaves_no_temporary(tmp_path, name, source, private_shm_dir):
    array = SAVE_SOURCES[source](name)
    before = set(os.listdir(private_shm_dir))
    npshm.save(array, tmp_path / "out.npy", progress=None)
    assert os.listdir(tmp_path) == ["out.npy"]
    assert np.array_equal(np.load(tmp_path / "out.npy"), array)
    assert set(os.listdir(private_shm_dir)) - before == set()


@pytest.mark.parametrize("source", sorted(SAVE_SOURCES) + ["by name"])
def test_save_no_clobber_keeps_what_is_there(tmp_path, name, source,
                                            private_shm_dir):
    array = (npshm.create(name, (3, 4), "<i4", fill=3) if source == "by name"
             else SAVE_SOURCES[source](name))
    what = name if source == "by name" else array
    before = set(os.listdir(private_shm_dir))
    target = tmp_path / "out.npy"
    target.write_bytes(b"keep me")
    dangling = tmp_path / "dangling.npy"
    dangling.symlink_to(tmp_path / "nowhere")
    for path in (target, dangling):
        with pytest.raises(FileExistsError, match="not replaced: no-clobber"):
            npshm.save(what, path, no_clobber=True)
    assert target.read_bytes() == b"keep me"
    assert not (tmp_path / "nowhere").exists()
    assert sorted(os.listdir(tmp_path)) == ["dangling.npy", "out.npy"]
    npshm.save(what, tmp_path / "new.npy", no_clobber=True)
    assert (np.load(tmp_path / "new.npy") == 3).all()
    npshm.save(what, target)                       # the default replaces
    assert (np.load(target) == 3).all()
    assert set(os.listdir(private_shm_dir)) - before <= {name}


def test_save_by_name_of_last_array_keeps_it(tmp_path, name, run):
    """Saving a "last" array by name must not remove it, even when no other
    process holds it."""
    run("""
        import os, sys, npshm
        a = npshm.create(sys.argv[1], 5, fill=2.0, lifetime="last")
        os._exit(0)  # dies holding it: its lock goes, the file stays
    """, name)
    assert npshm.exists(name)  # a "last" array nobody holds now
    npshm.save(name, tmp_path / "x.npy")
    assert npshm.exists(name)
    assert (np.load(tmp_path / "x.npy") == 2.0).all()


def test_save_object_dtype_refused(tmp_path):
    with pytest.raises(ValueError, match="Python objects"):
        npshm.save(np.array([object()]), tmp_path / "o.npy")
    assert os.listdir(tmp_path) == []


def test_save_keeps_modes(tmp_path, name):
    """An existing file keeps its mode; a new file gets the array's."""
    a = npshm.create(name, 3, mode=0o600)
    private = tmp_path / "private.npy"
    private.write_bytes(b"old")
    os.chmod(private, 0o600)
    npshm.save(a, private)
    assert os.stat(private).st_mode & 0o777 == 0o600
    shared = tmp_path / "shared.npy"
    shared.write_bytes(b"old")
    os.chmod(shared, 0o640)
    npshm.save(name, shared)
    assert os.stat(shared).st_mode & 0o777 == 0o640
    npshm.save(a, tmp_path / "new.npy")
    assert os.stat(tmp_path / "new.npy").st_mode & 0o777 == 0o600
