"""Fixtures of the core ABI tests: the library through plain ctypes (no
generated binding), private shm directories and a leak check."""
import os
import pathlib
import secrets
import shutil
import sys
import tempfile

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import npshm_ctypes  # noqa: E402


def library_path() -> str:
    path = os.environ.get("NPSHM_LIB")
    if path:
        return path
    for build in sorted(ROOT.glob("build*")):
        candidate = build / "core" / "libnpshm.so"
        if candidate.exists():
            return str(candidate)
    pytest.exit("libnpshm.so not found: set NPSHM_LIB or build with meson", returncode=2)


class Lib:
    """libnpshm loaded with dlopen, every prototype from the header
    (tools/npshm_ctypes.py: the one ctypes table)."""

    def __init__(self, path: str):
        self.so_path = path
        self.L = npshm_ctypes.load(path)

    def __getattr__(self, name):
        if name.startswith("NPSHM_"):
            return getattr(self.L, name)
        return getattr(self.L, "npshm_" + name)

    def error(self) -> str:
        return f"{self.error_name(self.last_error()).decode()}: {self.last_message().decode()}"


@pytest.fixture(scope="session")
def lib() -> Lib:
    return Lib(library_path())


@pytest.fixture
def shm_dir(monkeypatch):
    """A private directory under /dev/shm made the library's default."""
    path = tempfile.mkdtemp(prefix=f"npshm-test-abi-{os.getpid()}-", dir="/dev/shm")
    monkeypatch.setenv("NPSHM_DIR", path)
    yield pathlib.Path(path)
    shutil.rmtree(path, ignore_errors=True)


def _ours(name: str) -> bool:
    """Names this session makes in /dev/shm: unique() names and private
    directories, both carrying this process's pid (other suites, and other
    runs of this one, may use /dev/shm at the same time)."""
    return f"-{os.getpid()}-" in name


@pytest.fixture(autouse=True)
def no_leftovers():
    """Fail a test that leaves files of its own in /dev/shm."""
    before = set(os.listdir("/dev/shm"))
    yield
    left = {n for n in set(os.listdir("/dev/shm")) - before if _ours(n)}
    assert not left, f"test left {sorted(left)} in /dev/shm"


@pytest.fixture
def unique():
    return lambda stem="t": f"{stem}-{os.getpid()}-{secrets.token_hex(4)}"
