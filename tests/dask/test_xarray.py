"""npshm.xarray: DataArray and Dataset backed by npshm, pickled by
reference; what copies without it."""

import os
import pickle
import tempfile
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import npshm

xr = pytest.importorskip("xarray")
import npshm.xarray  # noqa: E402


@pytest.fixture(autouse=True)
def private_dir(monkeypatch):
    with tempfile.TemporaryDirectory(dir="/dev/shm",
                                     prefix="npshm-test-xarray-") as d:
        monkeypatch.setenv("NPSHM_DIR", d)
        yield d
        assert os.listdir(d) == [], "a test left arrays behind"


def frame(values):
    return xr.DataArray(values, dims=("t", "x"),
                        coords={"t": np.arange(values.shape[0]),
                                "label": ("x", [f"c{i}" for i in range(values.shape[1])])},
                        name="temperature", attrs={"units": "K"})


def test_plain_dataarray_over_npshm_pickles_by_value(private_dir):
    a = npshm.create("plain", (1000, 1000), "f8")
    da = frame(a)
    assert np.shares_memory(da.values, a)       # the memory is shared...
    assert len(pickle.dumps(da)) > a.nbytes     # ...but a pickle copies it
    del da, a
    npshm.delete("plain")


def test_shared_dataarray_pickles_by_reference_and_rebuilds():
    a = npshm.create("frames", (1000, 1000), "f8")
    a[:] = np.random.default_rng(1).random(a.shape)
    da = frame(a)
    blob = pickle.dumps(npshm.xarray.shared(da))
    assert len(blob) < 40_000   # the 8 MB travel by name (coordinates by value)
    back = pickle.loads(blob)
    assert isinstance(back, xr.DataArray)
    xr.testing.assert_identical(back, da)
    assert np.shares_memory(back.values, a)     # same pages, no copy
    assert back.npshm.names() == {"temperature": "shm://frames"}
    # The accessor gives the same wrapper.
    assert len(pickle.dumps(da.npshm.shared())) == len(blob)
    del back, da, a
    npshm.delete("frames")


def test_shared_dataset_with_mixed_variables():
    t = npshm.create("ds-t", (500, 200), "f4")
    t[:] = 1.5
    p = npshm.create("ds-p", (500,), "i8")
    p[:] = np.arange(500)
    ds = xr.Dataset({"t": (("time", "x"), t), "p": ("time", p),
                     "small": ("x", np.ones(200))},
                    coords={"time": np.arange(500)}, attrs={"title": "demo"})
    blob = pickle.dumps(npshm.xarray.shared(ds))
    assert len(blob) < 4000 + 200 * 8 + 500 * 8
    back = pickle.loads(blob)
    xr.testing.assert_identical(back, ds)
    assert np.shares_memory(back["t"].values, t)
    assert np.shares_memory(back["p"].values, p)
    assert not np.shares_memory(back["small"].values, ds["small"].values)
    assert sorted(npshm.xarray.names(back).values()) == ["shm://ds-p", "shm://ds-t"]
    del back, ds, t, p
    npshm.delete("ds-t")
    npshm.delete("ds-p")


def column_means(ds):
    import npshm  # noqa: F401  (unpickling attaches the arrays)
    return float(ds["t"].mean()), np.shares_memory(ds["t"].values, ds["t"].values)


def test_pool_workers_get_the_dataset_without_copies():
    values = np.arange(200_000, dtype="f8").reshape(400, 500)
    ds = npshm.xarray.to_shared(xr.Dataset({"t": (("y", "x"), values)},
                                           coords={"y": np.arange(400)}))
    assert list(npshm.xarray.names(ds)) == ["t"]
    name = npshm.xarray.names(ds)["t"]
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(column_means, [npshm.xarray.shared(ds)] * 4))
    assert results == [(values.mean(), True)] * 4
    ds["t"].values[0, 0] = -1.0                 # one memory for everyone
    assert float(npshm.attach(name)[0, 0]) == -1.0
    del ds, results
    # lifetime "owner": the arrays went with this process's last view
    import gc
    gc.collect()
    assert not npshm.exists(name)


def test_to_shared_dataarray_keeps_coordinates_and_refuses_other_types():
    da = frame(np.ones((30, 4)))
    moved = da.npshm.to_shared(lifetime="owner")
    xr.testing.assert_identical(moved, da)
    assert set(moved.npshm.names()) == {"temperature", "label"}  # not "t": an index
    assert isinstance(npshm.handle(moved.values), npshm.Handle)
    with pytest.raises(TypeError, match="DataArray or Dataset"):
        npshm.xarray.to_shared(np.ones(3))
    with pytest.raises(TypeError, match="DataArray or Dataset"):
        npshm.xarray.shared([1, 2])
    del moved
    import gc
    gc.collect()
