"""issue 10 at the C level, with two real accounts: a victim and a hostile
co-user sharing one sticky shm directory (and root, who runs gc).  Every
step runs the npshm_step helper (or a few lines of Python for the hostile
user's raw file tricks) as that user."""
import os
import socket
import subprocess
import time

import pytest

PRECIOUS = 1024 * 7.0  # sum of an array filled with 7


def ok(out):
    assert out.startswith("OK"), out
    return out


def err(out, slug):
    assert out.startswith("ERR NPSHM_E_" + slug.upper()), out
    return out


@pytest.fixture
def users(accounts):
    return accounts


def make_precious(run, victim):
    ok(run.step(victim, "create", "precious", "600"))
    ok(run.step(victim, "write", "precious", "7"))


# 2. paths another user controls are never followed or opened blindly

def test_symlink_planted_at_the_name_is_refused(run, users):
    victim, hostile = users
    make_precious(run, victim)
    run.py(hostile, "import os,sys; os.symlink(sys.argv[1], 'shared')", run.path("precious"))
    err(run.step(victim, "write", "shared", "666"), "format")
    err(run.step(victim, "attach", "shared", "ro"), "format")
    assert "symbolic link" in run.step(victim, "stat", "shared")
    assert ok(run.step(victim, "sum", "precious")) .startswith(f"OK sum={PRECIOUS:g}")
    err(run.step(victim, "save", "precious", run.path("shared")), "invalid")  # not written through
    assert os.path.islink(run.path("shared"))


@pytest.mark.parametrize("kind", ["fifo", "socket", "directory"])
def test_odd_files_at_the_name_never_hang(run, users, kind):
    victim, hostile = users
    code = {"fifo": "import os; os.mkfifo('odd', 0o666)",
            "socket": "import socket,time; s=socket.socket(socket.AF_UNIX); s.bind('odd')",
            "directory": "import os; os.mkdir('odd', 0o777)"}[kind]
    run.py(hostile, code)
    for argv in (["attach", "odd"], ["attach", "odd", "ro"], ["sum", "odd"], ["remove", "odd"]):
        out = run.step(victim, *argv)
        assert out.startswith("ERR"), out
    assert "not a regular file" in run.step(victim, "stat", "odd")
    ok(run.step(victim, "list"))
    ok(run.step(None, "gc"))
    err(run.step(victim, "create", "odd"), "exists")
    make_precious(run, victim)
    err(run.step(victim, "save", "precious", run.path("odd")), "invalid")


def test_files_swapped_between_check_and_use(run, users):
    """The hostile user keeps replacing the name with a link, a FIFO and a
    file of theirs while the victim attaches it: the victim never hangs,
    never attaches the hostile's file and never writes through the link."""
    victim, hostile = users
    make_precious(run, victim)
    swapper = subprocess.Popen(run.cmd_as(hostile, ["/usr/bin/python3", "-c", """
import os, sys, time
end = time.time() + 4
i = 0
while time.time() < end:
    tmp = 'x%d' % (i % 3)
    try:
        if i % 3 == 0: os.symlink(sys.argv[1], tmp)
        elif i % 3 == 1: os.mkfifo(tmp)
        else: open(tmp, 'wb').write(open(sys.argv[2], 'rb').read())
        os.rename(tmp, 'swapped')
    except OSError:
        pass
    i += 1
""", run.path("precious"), run.path("template")]), cwd=run.dir, env=run.env())
    ok(run.step(hostile, "create", "template", "644"))
    deadline = time.time() + 4
    while time.time() < deadline:
        out = run.step(victim, "write", "swapped", "666", timeout=10)
        assert out.startswith("ERR"), out  # never a link, FIFO or another user's file
    swapper.wait(timeout=20)
    assert ok(run.step(victim, "sum", "precious")).startswith(f"OK sum={PRECIOUS:g}")


# 3. squatting and 5. other owners

def test_squatted_name_is_not_reused(run, users):
    victim, hostile = users
    ok(run.step(hostile, "create", "mine", "666"))  # world-writable, owned by the hostile user
    err(run.step(victim, "create", "mine", "600", "persistent", "exist_ok"), "permission")
    out = err(run.step(victim, "attach", "mine"), "permission")
    assert "allow_other_owner" in out
    err(run.step(victim, "attach", "mine", "ro"), "permission")
    ok(run.step(victim, "attach", "mine", "allow"))  # explicitly allowed
    # the victim's own array is reused
    ok(run.step(victim, "create", "own", "600"))
    assert "creator=0" in ok(run.step(victim, "create", "own", "600", "persistent", "exist_ok"))


def test_truncation_by_the_owner_is_detected(run, users):
    """What the trust model promises: an attach of another user's file needs
    allow_other_owner; then its owner can truncate it, and the library
    reports the change instead of reading past the end."""
    victim, hostile = users
    ok(run.step(hostile, "create", "shrinking", "644"))
    holder = run.popen(victim, "hold", "shrinking", "ro", "allow")
    assert holder.stdout.readline().startswith("OK")
    run.py(hostile, "import os; os.truncate('shrinking', 4096)")
    holder.stdin.close()
    assert holder.wait(timeout=20) == 0
    out = holder.stdout.read()
    assert "ERR NPSHM_E_FORMAT" in out and "changed size" in out, out


def test_victims_files_are_out_of_reach(run, users):
    victim, hostile = users
    make_precious(run, victim)
    err(run.step(hostile, "attach", "precious", "ro", "allow"), "permission")  # mode 0600
    err(run.step(hostile, "remove", "precious"), "permission")  # sticky directory
    out = run.py(hostile, "import os\ntry:\n os.link('precious', 'alias'); print('linked')\n"
                          "except OSError as e: print('refused', e.errno)")
    assert out.startswith("refused"), out  # fs.protected_hardlinks


# 4. leases

def test_hostile_lease_never_blocks_anyone(run, users):
    victim, hostile = users
    ok(run.step(hostile, "create", "leased", "644"))
    holder = subprocess.Popen(run.cmd_as(hostile, ["/usr/bin/python3", "-c", """
import fcntl, os, sys
fd = os.open('leased', os.O_RDONLY)
fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
print('leased', flush=True)
sys.stdin.read()
"""]), cwd=run.dir, env=run.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "leased"
        start = time.time()
        err(run.step(victim, "attach", "leased", "ro", "allow"), "busy")
        run.step(victim, "stat", "leased")  # BUSY, or OK once the lease is breaking: never a wait
        ok(run.step(victim, "list"))
        ok(run.step(None, "gc"))  # root's gc
        ok(run.step(None, "list"))
        assert time.time() - start < 40  # (a lease holds an opener 45 s)
    finally:
        holder.stdin.close()
        holder.wait(timeout=20)


# 6. lifetimes of the wrong file, 7. gc

def test_gc_spares_copies_and_foreign_files(run, users):
    victim, hostile = users
    keeper = run.popen(victim, "create", "last-one", "644", "last", "-", "hold")
    assert keeper.stdout.readline().startswith("OK")
    run.py(hostile, "import shutil; shutil.copyfile('last-one', 'snapshot')")  # a plain copy
    run.py(hostile, "open('.npshm-tmp-1-0','wb').write(b'x'); import os; os.utime('.npshm-tmp-1-0', (1e9, 1e9))")
    time.sleep(1.1)
    ok(run.step(None, "gc"))
    assert os.path.exists(run.path("snapshot"))
    assert os.path.exists(run.path(".npshm-tmp-1-0"))
    keeper.stdin.close()
    keeper.wait(timeout=20)
    out = ok(run.step(victim, "attach", "snapshot", "ro", "allow"))
    assert "lifetime=persistent" in out
    assert os.path.exists(run.path("snapshot"))


def test_save_by_name_never_applies_the_lifetime(run, users):
    victim, _ = users
    holder = run.popen(victim, "create", "lasting", "600", "last", "-", "hold")
    assert holder.stdout.readline().startswith("OK")
    ok(run.step(victim, "save", "lasting", run.path("lasting.npy")))
    holder.stdin.close()
    holder.wait(timeout=20)
    assert not os.path.exists(run.path("lasting"))  # went with its last holder, not before
    assert os.path.exists(run.path("lasting.npy"))
    ok(run.step(victim, "create", "kept", "600"))
    ok(run.step(victim, "save", "kept", run.path("kept.npy")))
    assert os.stat(run.path("kept.npy")).st_mode & 0o777 == 0o600  # 9. the array's mode


# names at the limit

def test_names_at_the_200_byte_limit(run, users):
    victim, hostile = users
    name = "n" * 200
    make_precious(run, victim)
    run.py(hostile, "import os,sys; os.symlink(sys.argv[1], sys.argv[2])", run.path("precious"), name)
    err(run.step(victim, "attach", name), "format")
    ok(run.step(victim, "create", "m" * 200))
    ok(run.step(victim, "attach", "m" * 200))
    err(run.step(victim, "create", "m" * 201), "invalid")


# 10. escapes in the library's messages

def test_hostile_header_text_is_escaped(run, users):
    victim, hostile = users
    run.py(hostile, """
d = "{'descr': '\\x1b]0;pwned\\x07\\u202e<f8', 'fortran_order': False, 'shape': (1,), }".encode()
h = d + b' ' * (118 - len(d)) + b'\\n'
open('hostile', 'wb').write(b'\\x93NUMPY\\x03\\x00' + len(h).to_bytes(4, 'little') + h + bytes(8))
""")
    for out in (run.step(victim, "attach", "hostile", "ro", "allow"), run.step(victim, "stat", "hostile")):
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, repr(out)
        assert "\\x1b" in out, out


# Waiting (docs/waiting.md): a co-user with read access can wait, but cannot
# make a waiter return without a notify, nor notify.

HOSTILE_WAKER = r"""
import ctypes, mmap, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
size = os.fstat(fd).st_size
libc = ctypes.CDLL(None, use_errno=True)
# a read-only mapping through libc, for its address
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
p = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
SYS_futex, FUTEX_WAKE = 202, 1  # x86-64 (the machines these tests run on)
libc.syscall.restype = ctypes.c_long
end = time.monotonic() + float(sys.argv[2])
wakes = 0
while time.monotonic() < end:
    for off in range(size - 16, size, 4):
        libc.syscall(ctypes.c_long(SYS_futex), ctypes.c_void_p(p + off), ctypes.c_int(FUTEX_WAKE),
                     ctypes.c_int(2**31 - 1), None, None, ctypes.c_int(0))
        wakes += 1
print(wakes)
"""


def test_read_only_co_user_cannot_end_a_wait_or_notify(run, users):
    victim, hostile = users
    ok(run.step(victim, "create", "frames", "644"))
    # the co-user can read it and wait on it ...
    ok(run.step(hostile, "wait_changed", "frames", "1", "0", "allow"))  # version 0 differs from 1
    # ... but not notify
    out = run.step(hostile, "notify", "frames", "allow")
    assert out.startswith("ERR NPSHM_E_PERMISSION") or out.startswith("ERR NPSHM_E_READONLY"), out
    out = run.step(hostile, "notify", "frames", "ro", "allow")
    err(out, "readonly")
    # and waking the futex word as fast as it can does not end the victim's wait
    waker = subprocess.Popen(run.cmd_as(hostile, ["/usr/bin/python3", "-c", HOSTILE_WAKER,
                                                  run.path("frames"), "1.5"]),
                             env=run.env(), stdout=subprocess.PIPE, text=True)
    time.sleep(0.2)
    t0 = time.monotonic()
    err(run.step(victim, "wait_changed", "frames", "0", "1.0"), "timeout")
    assert time.monotonic() - t0 >= 1.0
    out, _ = waker.communicate(timeout=20)
    assert waker.returncode == 0 and int(out) > 0
    # the owner's notify does end it
    ok(run.step(victim, "notify", "frames"))
    assert run.step(victim, "wait_changed", "frames", "0", "5") == "OK version=1"
