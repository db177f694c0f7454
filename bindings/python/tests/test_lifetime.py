"""Handles and lifetimes: close never unmaps under a view; every lifetime
policy, including workers killed with SIGKILL; fork children."""

import os
import pickle
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import npshm
from npshm._shared_array import mapping_of
from shmmaps import mapped




def test_close_while_views_alive(run, name):
    """Risky on purpose: runs in its own interpreter, so a crash fails."""
    proc = run(f"""
        import gc, numpy as np, npshm
        from shmmaps import mapped
        a = npshm.create({name!r}, (1000, 1000), "f8", fill=1.0)
        v = a[10:20, ::7].T
        h = npshm.handle(a)
        h.close()
        del a; gc.collect()
        assert h.closed
        for op in (h.unlink, h.msync, h.mlock, h.munlock):
            try:
                op(); raise SystemExit("closed handle still usable")
            except ValueError:
                pass
        v[...] = 2.0                    # the mapping is still there
        assert v.sum() == 2.0 * v.size
        path = h.path
        assert mapped(path)
        del v; gc.collect()             # last view gone: now unmapped
        assert not mapped(path)
        npshm.delete({name!r})
        print("ok")
        """)
    assert proc.stdout.strip() == "ok"


def test_handle_released_with_last_view(name):
    a = npshm.create(name, 100)
    h = npshm.handle(a)
    path = h.path
    b = a[::2]
    del a
    assert not h.closed and mapped(path)
    del b
    assert h.closed and not mapped(path)
    assert npshm.exists(name)  # persistent


def test_handle_context_manager(name):
    a = npshm.create(name, 10)
    with npshm.handle(a) as h:
        h.msync()
    assert h.closed
    a[0] = 1  # still mapped: a is alive


def test_owner_lifetime(name, run):
    a = npshm.create(name, 10, lifetime="owner")
    b = npshm.attach(name)
    del b  # an attacher's release does nothing
    assert npshm.exists(name)
    del a  # the creator's release unlinks
    assert not npshm.exists(name)
    run(f"""
        import npshm
        a = npshm.create({name!r}, 10, lifetime="owner")
        """)  # normal interpreter exit releases it
    assert not npshm.exists(name)


def test_last_lifetime(name, run):
    a = npshm.create(name, 10, lifetime="last")
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, npshm
            b = npshm.attach({name!r})
            print("attached", flush=True)
            sys.stdin.readline()
            """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "attached"
        del a
        assert npshm.exists(name)      # the child still holds it
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.wait(60) == 0
        assert not npshm.exists(name)  # the last holder released it
    finally:
        child.kill()
        child.wait()


@pytest.mark.parametrize("lifetime", ["last", "owner"])
def test_sigkill_of_a_worker(name, lifetime):
    """A killed attacher does not count as a holder and unlinks nothing."""
    a = npshm.create(name, 10, lifetime=lifetime)
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time, npshm
            b = npshm.attach({name!r})
            b[0] = 42
            print("attached", flush=True)
            time.sleep(120)
            """)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "attached"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(60) == -signal.SIGKILL
        assert npshm.exists(name) and a[0] == 42
        del a
        assert not npshm.exists(name)
    finally:
        child.kill()
        child.wait()


def test_sigkill_of_a_creator_then_gc(name):
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time, npshm
            a = npshm.create({name!r}, 10, lifetime="owner")
            print("created", flush=True)
            time.sleep(120)
            """)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "created"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(60)
    finally:
        child.kill()
        child.wait()
    assert npshm.exists(name)          # nobody released it
    doomed = [n for n, _ in npshm.gc(dry_run=True)]
    assert "shm://" + name in doomed or name in doomed
    npshm.delete(name)


def test_persistent_survives_everything(name, run):
    run(f"""
        import npshm
        a = npshm.create({name!r}, 10, fill=3)
        """)
    assert npshm.exists(name)
    assert all(n not in ("shm://" + name, name)
               for n, _ in npshm.gc(dry_run=True))
    assert (npshm.attach(name) == 3).all()


def test_fork_child_release_keeps_owner_segment(name, run):
    run(f"""
        import os, npshm
        a = npshm.create({name!r}, 10, lifetime="owner")
        pid = os.fork()
        if pid == 0:
            a[0] = 5
            del a                      # inherited handle: only unmapped
            os._exit(0 if npshm.exists({name!r}) else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, "child unlinked"
        assert npshm.exists({name!r}) and a[0] == 5
        del a
        assert not npshm.exists({name!r})
        """)


def test_handle_close_is_per_handle(name):
    """Closing one Handle leaves the others (and the shared Mapping) open."""
    a = npshm.create(name, 4, "f8")
    copy = pickle.loads(pickle.dumps(a))    # shares a's mapping here
    assert mapping_of(copy) is mapping_of(a)
    npshm.handle(copy).close()              # the code holding copy is done
    h = npshm.handle(a)
    assert not h.closed
    h.msync()                               # the creator's handle works
    first, second = npshm.handle(a), npshm.handle(a)
    first.close()
    assert first.closed and not second.closed
    with pytest.raises(ValueError, match="closed"):
        first.msync()
    second.msync()
    copy[0] = 3.0                           # the mapping is still there
    assert a[0] == 3.0
    h.unlink()
    assert not npshm.exists(name)
