"""Shared fixtures: unique segment names, a /dev/shm leak check, and a runner
for code that must run in its own interpreter (so a crash fails the test
instead of killing pytest)."""

import os
import secrets
import subprocess
import sys
import textwrap

import pytest

import npshm

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
SHM_DIR = os.environ.get("NPSHM_DIR") or "/dev/shm"
SESSION = f"npshm-test-py{os.getpid()}"
# Every segment a test makes is named with one of these markers: ours when
# tests pick names, npshm.unique_name()'s default when they pass name=None.
MARKERS = (SESSION, f"npshm-{os.getpid()}-")


def ours():
    return {n for n in os.listdir(SHM_DIR) if any(m in n for m in MARKERS)}


@pytest.fixture
def private_shm_dir(monkeypatch):
    """A shm directory of the test's own (NPSHM_DIR), for tests that check
    the whole directory is unchanged: the shared /dev/shm changes under
    them while other suites run."""
    import shutil
    import tempfile
    d = tempfile.mkdtemp(prefix=f"{SESSION}-dir-", dir="/dev/shm")
    monkeypatch.setenv("NPSHM_DIR", d)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(autouse=True)
def no_leftover_segments():
    """Fail a test that leaves segments in /dev/shm (and remove them)."""
    before = ours()
    yield
    left = ours() - before
    for name in left:
        try:
            os.unlink(os.path.join(SHM_DIR, name))
        except OSError:
            pass
    assert not left, f"test left segments in {SHM_DIR}: {sorted(left)}"


@pytest.fixture
def name():
    """A fresh segment name; the segment is removed after the test."""
    n = f"{SESSION}-{secrets.token_hex(6)}"
    yield n
    try:
        npshm.delete(n)
    except (FileNotFoundError, ValueError):
        pass


@pytest.fixture
def names():
    """A factory of fresh names, all removed after the test."""
    made = []

    def make():
        n = f"{SESSION}-{secrets.token_hex(6)}"
        made.append(n)
        return n
    yield make
    for n in made:
        try:
            npshm.delete(n)
        except (FileNotFoundError, ValueError):
            pass


def run_python(code, *args, timeout=120, check=True):
    """Run code in a fresh interpreter with this PYTHONPATH; returns the
    CompletedProcess.  check: fail unless it exited 0 (a signal fails)."""
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(
        [TESTS_DIR] + [p for p in [env.get("PYTHONPATH")] if p])
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=env)
    if check:
        assert proc.returncode == 0, (
            f"child exited {proc.returncode}\nstdout:\n{proc.stdout}\n"
            f"stderr:\n{proc.stderr}")
    return proc


@pytest.fixture
def run():
    return run_python
