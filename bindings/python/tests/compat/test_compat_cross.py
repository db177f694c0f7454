"""An array made through any compat module (or npshm itself) is attachable
through every other one and through npshm.attach, sharing the memory."""

import multiprocessing
from multiprocessing.managers import SharedMemoryManager

import numpy as np
import pytest

import compat_workers
import npshm
import npshm.compat.sharedarray as sa
from npshm.compat.cdxcore import (attach_shared_array, create_shared_array,
                                  delete_shared_array, is_shared_array)
from npshm.compat.shared_memory_array import SharedMemoryArray

SHAPE, DTYPE = (3, 5), np.dtype("<i8")
VALUES = np.arange(15, dtype=DTYPE).reshape(SHAPE)


def attach_everywhere(name):
    """The array `name` through each module, as writable numpy arrays."""
    return {
        "npshm": npshm.attach(name),
        "sharedarray": sa.attach(f"shm://{name}"),
        "cdxcore": attach_shared_array(name, validate_shape=SHAPE,
                                       validate_dtype=DTYPE),
        "shared_memory_array": SharedMemoryArray.attach(
            name, SHAPE, DTYPE).as_array(),
    }


def check_one_memory(made, name):
    made[...] = VALUES
    views = attach_everywhere(name)
    for label, view in views.items():
        assert view.shape == SHAPE and view.dtype == DTYPE, label
        assert np.array_equal(view, VALUES), label
        assert is_shared_array(view), label
    for label, view in views.items():   # a write through any is seen by all
        view[0, 0] = len(label)
        assert made[0, 0] == len(label), label
        assert all(other[0, 0] == len(label) for other in views.values())


def test_made_by_npshm(name):
    check_one_memory(npshm.create(name, SHAPE, DTYPE), name)


def test_made_by_sharedarray(name):
    check_one_memory(sa.create(name, SHAPE, DTYPE), name)


def test_made_by_cdxcore(name):
    check_one_memory(create_shared_array(name, SHAPE, DTYPE), name)


def test_made_by_shared_memory_array():
    with SharedMemoryManager() as manager:
        shared = SharedMemoryArray.allocate(manager, SHAPE, DTYPE)
        check_one_memory(shared.as_array(), shared.name)
        assert any(d.name == shared.name.encode() for d in sa.list())
        assert delete_shared_array(shared.name) is True
        assert not npshm.exists(shared.name)


def test_deleted_by_any_module(names):
    for delete in (npshm.delete, sa.delete, delete_shared_array):
        n = names()
        sa.create(n, 2)
        delete(n)
        assert not npshm.exists(n)
        with pytest.raises(FileNotFoundError):
            SharedMemoryArray.attach(n, (2,), "f8")


@pytest.mark.parametrize("module", ["sharedarray", "cdxcore"])
def test_pool_workers_attach_by_name(names, module):
    made = {}
    for i in range(3):
        n = names()
        made[n] = create_shared_array(n, (100,), "f8", full=float(i))
    context = multiprocessing.get_context("fork" if "fork" in
                                          multiprocessing.get_all_start_methods()
                                          else "spawn")
    with context.Pool(2) as pool:
        sums = pool.map(compat_workers.attach_and_sum,
                        [(module, n) for n in made])
    assert sums == [0.0, 100.0, 200.0]


def test_sharedarray_arrays_pickle_by_value_like_the_original(name):
    import pickle
    a = sa.create(name, 4)
    a[:] = 2
    b = pickle.loads(pickle.dumps(a))
    assert type(b) is np.ndarray and b.tolist() == [2.0] * 4
    assert not is_shared_array(b)
