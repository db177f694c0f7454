"""Lifetimes at normal interpreter exit: an "owner" array the process
created, and its hold on a "last" array, go when the interpreter exits
normally, whatever still references them at that moment (a daemon thread, a
module global, a live dask array).  The library's exit hook does it
(core/store/exit_hook.hpp), after Python's own shutdown, so nothing Python keeps
alive can skip it.  Each script runs in its own interpreter with a private
NPSHM_DIR, which must be empty afterwards."""

import os

import pytest


def leftovers(directory):
    return sorted(os.listdir(directory))


def test_daemon_thread_holding_arrays(private_shm_dir, run):
    run("""
        import threading, time
        import npshm
        ready = threading.Event()
        def hold():
            owner = npshm.create("npshm-test-exit-daemon", 1000, lifetime="owner")
            last = npshm.create("npshm-test-exit-daemon-last", 1000, lifetime="last")
            owner[:] = 1
            ready.set()
            time.sleep(3600)   # never returns: the thread is frozen at exit
        threading.Thread(target=hold, daemon=True).start()
        assert ready.wait(60)
        assert npshm.exists("npshm-test-exit-daemon")
        """)
    assert leftovers(private_shm_dir) == []


def test_module_globals_and_cycles(private_shm_dir, run):
    run("""
        import sys, types
        import npshm
        a = npshm.create("npshm-test-exit-global", 10, lifetime="owner")
        # in another module, on sys itself, and in a cycle whose member has
        # a __del__ that still uses the array late in shutdown
        mod = types.ModuleType("npshm_test_exit_holder")
        mod.kept = npshm.create("npshm-test-exit-module", 10, lifetime="owner")
        sys.modules[mod.__name__] = mod
        sys.npshm_test_exit_kept = npshm.create("npshm-test-exit-sys", 10, lifetime="last")
        class Node:
            def __del__(self):
                self.array[0] += 1
        n = Node()
        n.me = n
        n.array = npshm.create("npshm-test-exit-cycle", 10, lifetime="owner")
        del n
        """)
    assert leftovers(private_shm_dir) == []


def test_live_dask_array(private_shm_dir, run):
    pytest.importorskip("dask.array")
    run("""
        import dask.array as da
        import npshm
        x = npshm.create("npshm-test-exit-dask", (1000, 100), lifetime="owner")
        x[:] = 2
        d = da.from_array(x, chunks=(100, 100))
        total = (d * 2).sum()
        assert total.compute() == 1000 * 100 * 4
        del x   # only the dask graph references the array now
        """)
    assert leftovers(private_shm_dir) == []


def test_forked_child_exit_leaves_parent_arrays(private_shm_dir, run):
    run("""
        import os, sys
        import npshm
        a = npshm.create("npshm-test-exit-fork", 10, lifetime="owner")
        pid = os.fork()
        if pid == 0:
            sys.exit(0)   # a normal exit of a child holding inherited handles
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert npshm.exists("npshm-test-exit-fork"), "the child's exit removed it"
        """)
    assert leftovers(private_shm_dir) == []


def test_persistent_arrays_stay(private_shm_dir, run):
    run("""
        import npshm
        a = npshm.create("npshm-test-exit-persistent", 10)
        """)
    assert leftovers(private_shm_dir) == ["npshm-test-exit-persistent"]
