"""Arrays made without a name: lifetime "owner" by default (nobody else
knows the name, so nothing of them may outlive the process), load(path)
named after the file as `npshm load` names it, and npshm.name()."""

import os

import numpy as np
import pytest

import npshm

from conftest import run_python


def test_unnamed_arrays_leave_nothing_after_a_script(private_shm_dir,
                                                     tmp_path):
    """A script using create(None), from_array(None) and load(path) exits
    normally and leaves the shm directory empty."""
    npy = tmp_path / "frames.npy"
    np.save(npy, np.arange(12.0).reshape(3, 4))
    proc = run_python("""
        import os, sys
        import numpy as np
        import npshm
        a = npshm.create(None, (3, 4), "f4")
        b = npshm.from_array(None, np.arange(10))
        c = npshm.from_array(None, np.arange(20).reshape(4, 5)[:, ::2])
        d = npshm.load(sys.argv[1])
        a[:] = 1
        names = sorted(os.listdir(os.environ["NPSHM_DIR"]))
        print(len(names), npshm.name(d))
        print(*[npshm.handle(x).lifetime for x in (a, b, c, d)])
        """, npy)
    count, loaded_name = proc.stdout.split("\n")[0].split()
    assert count == "4"                       # they existed while it ran
    assert loaded_name == "shm://frames"      # named after the file
    assert proc.stdout.split("\n")[1].split() == ["owner"] * 4
    assert os.listdir(private_shm_dir) == []


def test_explicit_lifetime_wins(private_shm_dir):
    a = npshm.create(None, 3, lifetime="persistent")
    b = npshm.from_array(None, np.arange(3), lifetime="last")
    try:
        assert npshm.handle(a).lifetime == "persistent"
        assert npshm.handle(b).lifetime == "last"
    finally:
        npshm.delete(npshm.name(a))
        npshm.delete(npshm.name(b))


def test_named_arrays_stay_persistent(name, tmp_path):
    a = npshm.create(name, 3)
    assert npshm.handle(a).lifetime == "persistent"
    path = tmp_path / "x.npy"
    np.save(path, np.arange(3))
    b = npshm.load(path, name + "-loaded")
    try:
        assert npshm.handle(b).lifetime == "persistent"
    finally:
        npshm.delete(name + "-loaded")


def test_unnamed_array_goes_when_dropped(private_shm_dir):
    a = npshm.create(None, 3)
    path = npshm.handle(a).path
    assert os.path.exists(path)
    del a
    assert not os.path.exists(path)


def test_load_names_from_the_stem_and_suffixes(private_shm_dir, tmp_path):
    path = tmp_path / "data.v2.npy"
    np.save(path, np.arange(5))
    first = npshm.load(path)
    second = npshm.load(str(path))
    third = npshm.load(os.fsencode(path))
    assert [npshm.name(x) for x in (first, second, third)] == [
        "shm://data.v2", "shm://data.v2-1", "shm://data.v2-2"]
    assert all(np.array_equal(x, np.arange(5))
               for x in (first, second, third))
    del first, second, third
    assert os.listdir(private_shm_dir) == []


def test_load_stem_that_is_no_name_gets_a_unique_one(private_shm_dir,
                                                     tmp_path):
    path = tmp_path / ".hidden.npy"       # shm names cannot start with '.'
    np.save(path, np.arange(2))
    a = npshm.load(path)
    assert npshm.name(a).startswith(f"shm://npshm-{os.getpid()}-")


def test_load_with_a_taken_name_still_fails(name, tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.arange(2))
    npshm.create(name, 1)
    with pytest.raises(FileExistsError):
        npshm.load(path, name)


def test_name_accessor(name):
    a = npshm.create(name, (2, 3))
    assert npshm.name(a) == npshm.handle(a).name == f"shm://{name}"
    assert npshm.name(a[1:]) == f"shm://{name}"
    with pytest.raises(ValueError):
        npshm.name(np.zeros(3))


# Errors that say what to do when the name is taken.

def test_existing_name_says_what_to_do(name):
    npshm.create(name, 3)
    with pytest.raises(npshm.errors.ExistsError) as info:
        npshm.create(name, 3)
    message = str(info.value)
    assert "an array of that name exists" in message
    assert "exist_ok=True" in message
    assert f"npshm.delete({name!r})" in message
    assert f"npshm rm {name}" in message
    assert isinstance(info.value, FileExistsError)
    assert info.value.errno == 17 and info.value.code == npshm.errors.EXISTS
    for make in (lambda: npshm.from_array(name, np.arange(3)),
                 lambda: npshm.from_array(name, np.arange(6)[::2])):
        with pytest.raises(FileExistsError) as info:
            make()
        message = str(info.value)
        assert "exist_ok" not in message          # from_array has none
        assert message.count(f"npshm.delete({name!r})") == 1


def test_existing_name_from_load(name, tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.arange(2))
    npshm.create(name, 1)
    with pytest.raises(FileExistsError, match=r"npshm\.delete\("):
        npshm.load(path, name)


def test_hostile_name_in_the_hint_is_escaped(names):
    # (control characters are refused in names; a bidi override is not)
    hostile = names() + "-\u202e'; rm -rf ~ #"
    npshm.create(hostile, 1)
    try:
        with pytest.raises(FileExistsError) as info:
            npshm.create(hostile, 1)
        message = str(info.value)
        assert "\u202e" not in message       # shown escaped, not reordering
        assert "npshm rm '" in message            # shell-quoted
    finally:
        npshm.delete(hostile)
