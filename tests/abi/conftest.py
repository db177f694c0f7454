"""Fixtures of the core ABI tests: the library through plain ctypes (no
generated binding), private shm directories and a leak check."""
import ctypes
import os
import pathlib
import secrets
import shutil
import tempfile

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


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
    """libnpshm loaded with dlopen, with the prototypes declared by hand."""

    def __init__(self, path: str):
        self.so_path = path
        L = ctypes.CDLL(path)
        c = ctypes
        P, I64P = c.c_void_p, c.POINTER(c.c_int64)
        protos = {
            "npshm_version": (c.c_char_p, []),
            "npshm_version_number": (c.c_int, []),
            "npshm_last_error": (c.c_int, []),
            "npshm_last_message": (c.c_char_p, []),
            "npshm_error_name": (c.c_char_p, [c.c_int]),
            "npshm_options_new": (P, []),
            "npshm_options_free": (None, [P]),
            "npshm_options_set_lifetime": (c.c_int, [P, c.c_int]),
            "npshm_options_set_readonly": (c.c_int, [P, c.c_int]),
            "npshm_options_set_directory": (c.c_int, [P, c.c_char_p]),
            "npshm_create": (P, [c.c_char_p, c.c_char_p, c.c_int, I64P, c.c_int, P]),
            "npshm_attach": (P, [c.c_char_p, P]),
            "npshm_close": (c.c_int, [P]),
            "npshm_remove": (c.c_int, [c.c_char_p, P]),
            "npshm_data": (P, [P]),
            "npshm_dtype": (c.c_char_p, [P]),
            "npshm_ndim": (c.c_int, [P]),
            "npshm_shape": (I64P, [P]),
            "npshm_strides": (I64P, [P]),
            "npshm_order": (c.c_int, [P]),
            "npshm_nbytes": (c.c_size_t, [P]),
            "npshm_path": (c.c_char_p, [P]),
            "npshm_data_offset": (c.c_size_t, [P]),
        }
        for name, (res, args) in protos.items():
            fn = getattr(L, name)
            fn.restype, fn.argtypes = res, args
        self.L = L

    def __getattr__(self, name):
        return getattr(self.L, "npshm_" + name)

    def error(self) -> str:
        return f"{self.error_name(self.last_error()).decode()}: {self.last_message().decode()}"


@pytest.fixture(scope="session")
def lib() -> Lib:
    return Lib(library_path())


@pytest.fixture
def shm_dir(monkeypatch):
    """A private directory under /dev/shm made the library's default."""
    path = tempfile.mkdtemp(prefix="npshm-pytest-", dir="/dev/shm")
    monkeypatch.setenv("NPSHM_DIR", path)
    yield pathlib.Path(path)
    shutil.rmtree(path, ignore_errors=True)


def _ours(name: str) -> bool:
    """Names this session makes in /dev/shm: unique() names and private
    directories (other suites may run at the same time)."""
    return f"-{os.getpid()}-" in name or name.startswith("npshm-pytest-")


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
