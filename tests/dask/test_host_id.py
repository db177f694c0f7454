"""npshm.host_id(): boot id + device and inode of the shm directory."""

import os
import tempfile

import pytest

import npshm


def boot_id():
    with open("/proc/sys/kernel/random/boot_id") as f:
        return f.read().strip()


def test_host_id_names_boot_id_and_shm_directory(monkeypatch):
    with tempfile.TemporaryDirectory(dir="/dev/shm", prefix="npshm-test-hostid-") as d:
        monkeypatch.setenv("NPSHM_DIR", d)
        st = os.stat(d)
        assert npshm.host_id() == (f"{boot_id()}:{os.major(st.st_dev)}:"
                                   f"{os.minor(st.st_dev)}:{st.st_ino}")
        other = os.path.join(d, "sub")
        os.mkdir(other)
        monkeypatch.setenv("NPSHM_DIR", other)
        assert npshm.host_id() != (f"{boot_id()}:{os.major(st.st_dev)}:"
                                   f"{os.minor(st.st_dev)}:{st.st_ino}")
        assert npshm.host_id().startswith(boot_id() + ":")


def test_missing_directory_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("NPSHM_DIR", "/nonexistent-npshm-dir")
    with pytest.raises(FileNotFoundError, match="/nonexistent-npshm-dir"):
        npshm.host_id()
