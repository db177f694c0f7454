"""The caller's block quota on a real file system: a small ext4 image with
user quotas, loop-mounted as a shared sticky directory, and an unprivileged
user with a 1 MiB block quota.  Creates, loads and saves beyond the quota
fail with NPSHM_E_NO_SPACE naming the quota, and use none of it.

Skipped, with the reason, where the kernel has no loop devices or cannot
mount ext4 with quotas (a kernel built without CONFIG_QFMT_V2: no user
quotas at all; tests/c/test_quota.c then shows the same check with the
quota answered by the test)."""
import ctypes
import os
import shutil
import subprocess
import tempfile

import numpy as np
import pytest

from test_bindings_users import cli  # noqa: F401 (fixture)

KiB, MiB = 1 << 10, 1 << 20
LIMIT = 1 * MiB

# <sys/quota.h>
Q_GETQUOTA, Q_SETQUOTA, USRQUOTA, QIF_BLIMITS = 0x800007, 0x800008, 0, 1


class Dqblk(ctypes.Structure):
    _fields_ = [("bhardlimit", ctypes.c_uint64), ("bsoftlimit", ctypes.c_uint64),
                ("curspace", ctypes.c_uint64), ("ihardlimit", ctypes.c_uint64),
                ("isoftlimit", ctypes.c_uint64), ("curinodes", ctypes.c_uint64),
                ("btime", ctypes.c_uint64), ("itime", ctypes.c_uint64), ("valid", ctypes.c_uint32)]


def quotactl(cmd, device, uid, block):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.quotactl((cmd << 8) | USRQUOTA, device.encode(), uid, ctypes.byref(block)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"quotactl on {device}: {os.strerror(err)}")


def used_bytes(device, uid):
    block = Dqblk()
    quotactl(Q_GETQUOTA, device, uid, block)
    return block.curspace


@pytest.fixture
def quota_fs(accounts):
    """(mount point, loop device): a 64 MiB ext4 with user quotas, mode 1777,
    the victim limited to LIMIT bytes.  Unmounted and removed after."""
    for tool in ("mkfs.ext4", "losetup", "mount", "umount"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            pytest.skip(f"needs {tool}")
    if not os.path.exists("/dev/loop-control"):
        pytest.skip("no loop devices here (/dev/loop-control is missing): cannot mount a file system image")
    victim, _ = accounts
    work = tempfile.mkdtemp(prefix="npshm-test-quota-", dir="/tmp")
    image, point = os.path.join(work, "fs.img"), os.path.join(work, "mnt")
    mounted = False
    try:
        os.mkdir(point)
        with open(image, "wb") as f:
            f.truncate(64 * MiB)
        subprocess.run(["mkfs.ext4", "-q", "-F", "-O", "quota", "-E", "quotatype=usrquota", image],
                       check=True, capture_output=True)
        p = subprocess.run(["mount", "-o", "loop,usrquota", image, point], capture_output=True, text=True)
        if p.returncode != 0:
            pytest.skip("this kernel cannot mount an ext4 image with user quotas (a kernel without "
                        f"CONFIG_QFMT_V2 has no user quotas): {p.stderr.strip()}")
        mounted = True
        device = next(line.split()[0] for line in open("/proc/self/mounts")
                      if line.split()[1] == point)
        os.chmod(point, 0o1777)
        block = Dqblk(bhardlimit=LIMIT // KiB, bsoftlimit=LIMIT // KiB, valid=QIF_BLIMITS)
        quotactl(Q_SETQUOTA, device, victim.uid, block)
        yield point, device
    finally:
        if mounted:
            subprocess.run(["umount", point], check=False)
            if os.path.ismount(point):
                subprocess.run(["umount", "-l", point], check=False)
        shutil.rmtree(work, ignore_errors=True)


def test_quota_refuses_create_load_and_save_and_reserves_nothing(run, accounts, cli, quota_fs):
    """Promise (trust model 'Reservations never fill the file system'): the
    caller's block quota is compared with the request before anything is
    reserved.  The victim (quota 1 MiB) creates, loads and saves 4 MiB into
    the quota file system: each fails with no-space, naming the quota, the
    victim's usage is unchanged and nothing is left; 256 KiB still fits."""
    victim, _ = accounts
    point, device = quota_fs
    source = run.path("source.npy")  # 4 MiB, on the big shm directory
    np.save(source, np.ones(4 * MiB // 8))
    os.chown(source, victim.uid, victim.gid)
    before = used_bytes(device, victim.uid)

    def npshm(*args):
        return subprocess.run(run.cmd_as(victim, [cli, *args]), env=run.env(), cwd=run.dir,
                              capture_output=True, text=True, timeout=60)

    attempts = {
        "create": npshm("--dir", point, "create", "big", "--shape", str(4 * MiB // 8), "--dtype", "f8"),
        "load": npshm("--dir", point, "load", source, "loaded"),
        "save": npshm("save", "file://" + source, os.path.join(point, "copy.npy")),
    }
    for what, p in attempts.items():
        assert p.returncode != 0, f"{what} beyond the quota succeeded: {p.stdout}"
        assert "no-space" in p.stderr or "no space" in p.stderr, f"{what}: {p.stderr}"
        assert f"block quota of uid {victim.uid}" in p.stderr, f"{what}: {p.stderr}"
        assert used_bytes(device, victim.uid) == before, f"{what} used the victim's quota"
    assert sorted(e for e in os.listdir(point) if e != "lost+found") == []

    fits = npshm("--dir", point, "create", "small", "--shape", str(256 * KiB // 8), "--dtype", "f8")
    assert fits.returncode == 0, fits.stderr
    assert used_bytes(device, victim.uid) > before
