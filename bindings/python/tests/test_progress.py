"""progress= of npshm.load and npshm.save: callables, tqdm bars, and
cancelling (an exception from the callback, Ctrl-C) leaving nothing."""

import os
import sys

import numpy as np
import pytest

import npshm
from conftest import SHM_DIR, ours


@pytest.fixture
def npy(tmp_path):
    path = tmp_path / "in.npy"
    np.save(path, np.arange(100_000, dtype="f8"))
    return path


def test_callable_reports_load_and_save(tmp_path, npy, name):
    calls = []
    a = npshm.load(npy, name, progress=lambda done, total:
                   calls.append((done, total)))
    total = a.nbytes
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert all(t == total for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    calls.clear()
    npshm.save(a, tmp_path / "out.npy", progress=lambda d, t:
               calls.append((d, t)))
    assert calls[-1][0] == calls[-1][1] > 0
    assert np.array_equal(np.load(tmp_path / "out.npy"), a)


@pytest.mark.parametrize("operation", ["load", "save"])
def test_exception_in_callback_cancels(tmp_path, npy, name, operation):
    class Stop(Exception):
        pass

    def stop(done, total):
        raise Stop(done)

    before = ours()
    if operation == "load":
        with pytest.raises(Stop):
            npshm.load(npy, name, progress=stop)
        assert not npshm.exists(name)
    else:
        with pytest.raises(Stop):
            npshm.save(np.arange(10.0), tmp_path / "out.npy", progress=stop)
        assert not (tmp_path / "out.npy").exists()
        assert sorted(os.listdir(tmp_path)) == ["in.npy"]
    assert ours() == before


def test_keyboard_interrupt_in_callback_cancels(npy, name):
    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        npshm.load(npy, name, progress=interrupt)
    assert not npshm.exists(name)


def test_tqdm_bar(tmp_path, npy, name, capfd):
    pytest.importorskip("tqdm", reason="python3-tqdm is not installed")
    a = npshm.load(npy, name, progress=True)
    npshm.save(a, tmp_path / "out.npy", progress=True)
    err = capfd.readouterr().err
    assert "load in.npy" in err and "save out.npy" in err
    assert "100%" in err and "781k" in err  # 800,000 bytes in KiB units


def test_tqdm_missing_is_a_clear_error(npy, name, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(npshm.errors.InvalidError, match="tqdm"):
        npshm.load(npy, name, progress=True)
    assert not npshm.exists(name)


def test_progress_type_checked(npy, name):
    with pytest.raises(TypeError, match="progress"):
        npshm.load(npy, name, progress="yes")
    assert not npshm.exists(name)


def test_ctrl_c_signal_cancels_a_load(run, tmp_path, name):
    """A real SIGINT during a long kernel copy (no Python callback) stops
    it at the next report; KeyboardInterrupt, nothing left behind."""
    big = tmp_path / "big.npy"
    # a 512 MiB array file, sparse on disk
    with open(big, "wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": "|u1", "fortran_order": False,
                "shape": (512 << 20,)})
        f.truncate(f.tell() + (512 << 20))
    # SIGINT every 10 ms from a thread while the main thread is in the
    # library's copy (no Python code runs there)
    proc = run("""
        import os, signal, sys, threading, npshm
        stop = threading.Event()
        def ring():
            while not stop.wait(0.01):
                os.kill(os.getpid(), signal.SIGINT)
        try:
            threading.Thread(target=ring, daemon=True).start()
            npshm.load(sys.argv[1], sys.argv[2])
            result = "completed"
        except KeyboardInterrupt:
            result = "canceled"
        stop.set()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print(result)
    """, big, name)
    if "completed" in proc.stdout:
        pytest.skip("the 512 MiB copy finished before a SIGINT arrived")
    assert "canceled" in proc.stdout, proc
    assert not os.path.exists(os.path.join(SHM_DIR, name))
    assert not npshm.exists(name)
