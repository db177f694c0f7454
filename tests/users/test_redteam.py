"""Red team of issue 20: a hostile co-user (and a careless caller) against
the promises of docs/trust-model.md and the Trust block of include/npshm.h.

Each test reproduces one attempt.  A test marked xfail(strict=True) is a
break found and not yet fixed: it fails now, and the suite reports XPASS (a
failure) once the promise holds, so the mark goes with the fix."""
import os
import subprocess
import tempfile

import numpy as np
import pytest

from test_bindings_users import cli  # noqa: F401 (fixture)
from test_core_users import ok

MiB = 1 << 20

# A bystander that uses the small file system the way other programs use
# shared memory: unreserved pages of its own sparse mapping, faulted in and
# punched out again and again.  It dies of SIGBUS the moment the file
# system is full.  It prints "ready" once it runs.
BYSTANDER = r"""
import mmap, os, sys
path, size = sys.argv[1], int(sys.argv[2])
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
os.ftruncate(fd, size)
m = mmap.mmap(fd, size, mmap.MAP_SHARED)
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE = 1, 2
print("ready", flush=True)
while True:
    for off in range(0, size, 4096):
        m[off] = 1
    libc.fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, ctypes.c_long(0), ctypes.c_long(size))
"""


@pytest.fixture
def small_tmpfs():
    """A private 64 MiB tmpfs, mode 1777 (like /dev/shm), unmounted after."""
    point = tempfile.mkdtemp(prefix="npshm-test-redteam-tmpfs-", dir="/tmp")
    os.chmod(point, 0o755)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m,mode=1777", "npshm-test-redteam", point],
                   check=True)
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", point], check=False)
        os.rmdir(point)


def test_save_onto_a_tmpfs_never_fills_it(run, accounts, small_tmpfs):
    """Promise (header 'Space', trust model 'Reservations never fill the
    file system'): npshm never brings a file system to full, not even for a
    moment.  A save of a 60 MiB array onto a shared 64 MiB tmpfs (a path in
    /dev/shm is the common case) writes page by page with no free-space
    check: it fills the file system, fails with ENOSPC and frees the pages,
    and meanwhile a bystander's page fault dies of SIGBUS."""
    victim, _ = accounts
    src = run.path("big.npy")  # a plain .npy of the victim's, on the big /dev/shm
    np.save(src, np.ones(60 * MiB // 8))
    os.chown(src, victim.uid, victim.gid)
    by = subprocess.Popen(["/usr/bin/python3", "-c", BYSTANDER, os.path.join(small_tmpfs, "bystander"),
                           str(8 * MiB)], stdout=subprocess.PIPE, text=True)
    try:
        assert by.stdout.readline().strip() == "ready"
        died = None
        outs = set()
        # 50 saves, each of which fills the file system if it writes
        # without checking first; the bystander faults continuously.
        for attempt in range(50):
            out = run.step(victim, "save", "file://" + src, os.path.join(small_tmpfs, f"copy{attempt}.npy"))
            outs.add(out.split(" ", 2)[1] if out.startswith("ERR") else out)
            if by.poll() is not None:
                died = (attempt, by.returncode)
                break
        assert died is None, f"the bystander died (attempt, status) = {died} while npshm saved; results {outs}"
        assert outs == {"NPSHM_E_NO_SPACE"}, outs
        # A save that fits still works, and the bystander still runs.
        small = run.path("small.npy")
        np.save(small, np.arange(2 * MiB // 8, dtype="<f8"))
        os.chown(small, victim.uid, victim.gid)
        fits = os.path.join(small_tmpfs, "fits.npy")
        ok(run.step(victim, "save", "file://" + small, fits))
        assert np.array_equal(np.load(fits), np.arange(2 * MiB // 8, dtype="<f8"))
        assert by.poll() is None
    finally:
        if by.poll() is None:
            by.kill()
        by.wait()


def test_attach_never_follows_a_directory_link_planted_in_a_sticky_directory(run, accounts):
    """Promise (trust model, 'What a hostile co-user can and cannot do'):
    they cannot make npshm follow a link they planted.  The victim means to
    update a shared file, file://DIR/shared/data.npy; the hostile user
    makes DIR/shared (DIR sticky and world-writable, like /tmp) a symbolic
    link to the victim's own private directory.  fs.protected_symlinks is 0
    on these machines, so the kernel would follow it and the victim's
    writable attach would write the victim's own private file; npshm
    refuses the link (NPSHM_E_PERMISSION, naming it)."""
    victim, hostile = accounts
    private = run.path("private")
    os.mkdir(private, 0o700)
    os.chown(private, victim.uid, victim.gid)
    run.py(victim, "import numpy as np, sys; np.save(sys.argv[1], np.arange(1024.0))",
           os.path.join(private, "data.npy"))
    run.py(hostile, "import os, sys; os.symlink(sys.argv[1], sys.argv[2])", private, run.path("shared"))
    out = run.step(victim, "write", "file://" + run.path("shared/data.npy"), "7", "allow")
    total = run.step(victim, "sum", "file://" + os.path.join(private, "data.npy"))
    assert total.startswith(f"OK sum={sum(range(1024))} "), \
        f"the victim's private file was written through the planted link: {out!r}, then {total!r}"
    assert out.startswith("ERR NPSHM_E_PERMISSION") and "refusing to follow the symbolic link" in out, out


def test_reader_can_forge_a_writable_reference_to_a_copy_in_a_private_directory(run, accounts):
    """What the id cannot protect, stated in the trust model ('Saved
    references', until now untested): a copy (cp) of an array keeps its id,
    and a shm:// reference carries its own dir=.  A reader of the victim's
    0644 array learns the id from the trailer and writes a reference with
    ro=0 naming the victim's backup copy in a private 0700 directory the
    hostile user cannot even enter; the victim accepting it writes the
    backup.  This test proves the documented limit, it is not a break."""
    victim, hostile = accounts
    ok(run.step(victim, "create", "shared", "644"))
    backup = run.path("v-backup")
    os.mkdir(backup, 0o700)
    os.chown(backup, victim.uid, victim.gid)
    run.py(victim, "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])",
           run.path("shared"), os.path.join(backup, "shared"))
    # The trailer follows the data (docs/format.md): 4096 + 1024 * 8.
    array_id = int(run.py(hostile, "import sys; f = open(sys.argv[1], 'rb'); f.seek(4096 + 8192); "
                                   "print(int.from_bytes(f.read(64)[32:40], 'little'))", run.path("shared")))
    from test_reference_users import forged, hostile_writes
    gift = hostile_writes(run, hostile, "backup.ref", forged("shm://shared", backup, array_id).encode())
    out = run.step(victim, "ref", gift, "5")
    assert out == "OK ro=0 sum=5120", out
    assert run.step(victim, "sum", "file://" + os.path.join(backup, "shared")).startswith("OK sum=5120 ")
    assert run.step(victim, "sum", "shared").startswith("OK sum=0 ")


HOLD_FLOCK = r"""
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
fcntl.flock(fd, fcntl.LOCK_SH)
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_reader_can_delay_the_removal_of_an_owner_array(run, accounts):
    """What a hostile co-user can still do (trust model 'Delay the removal
    of an array they can read', until now untested): a reader of the
    victim's 0644 owner array holds a flock on it.  The victim's remove
    fails with NPSHM_E_BUSY, the victim's close leaves the array, and gc
    removes it once the reader lets go.  Proves the documented limit."""
    victim, hostile = accounts
    owner = run.popen(victim, "create", "pinned", "644", "owner", "-", "hold")
    pin = None
    try:
        assert owner.stdout.readline().strip() == "OK creator=1"
        pin = subprocess.Popen(run.cmd_as(hostile, ["/usr/bin/python3", "-c", HOLD_FLOCK, run.path("pinned")]),
                               env=run.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert pin.stdout.readline().strip() == "locked"
        out = run.step(victim, "remove", "pinned")
        assert out.startswith("ERR NPSHM_E_BUSY"), out
        owner.stdin.close()
        assert owner.wait(timeout=20) == 0
        assert os.path.exists(run.path("pinned")), "the owner's close removed it despite the reader's flock"
        assert run.step(None, "gc") == "OK"  # still held: gc leaves it
        pin.stdin.close()
        pin.wait(timeout=20)
        pin = None
        assert run.step(None, "gc") == "OK shm://pinned"
        assert not os.path.exists(run.path("pinned"))
    finally:
        for p in (owner, pin):
            if p and p.poll() is None:
                p.kill()
                p.wait()


def test_roots_gc_removes_another_users_abandoned_owner_array_only(run, accounts):
    """Trust model 'Root' (until now without a named test): root's gc
    removes the abandoned owner array of another user (its creator was
    killed), and nothing else of theirs: not a persistent array, not a
    live owner array of the hostile user."""
    victim, hostile = accounts
    dead = run.popen(victim, "create", "abandoned", "600", "owner", "-", "hold")
    live = run.popen(hostile, "create", "alive", "600", "owner", "-", "hold")
    try:
        assert dead.stdout.readline().strip() == "OK creator=1"
        assert live.stdout.readline().strip() == "OK creator=1"
        ok(run.step(victim, "create", "kept", "600"))
        dead.kill()  # SIGKILL: no exit hook, no close
        dead.wait(timeout=20)
        assert os.path.exists(run.path("abandoned"))
        assert run.step(None, "gc") == "OK shm://abandoned"
        assert sorted(os.listdir(run.dir)) == ["alive", "kept"]
    finally:
        for p in (dead, live):
            if p.poll() is None:
                p.stdin.close()
                p.wait(timeout=20)



def test_load_never_follows_a_directory_link_planted_in_a_sticky_directory(run, accounts, cli):
    """The same attempt as the attach above, with a leak: the hostile user
    asks the victim to publish 'their' DIR/shared/data.npy readable to all
    (npshm load --mode 644), having made DIR/shared a link to the victim's
    private directory.  Followed, the load would publish the victim's
    private data for the hostile user to read; npshm refuses the link."""
    victim, hostile = accounts
    private = run.path("private")
    os.mkdir(private, 0o700)
    os.chown(private, victim.uid, victim.gid)
    run.py(victim, "import numpy as np, sys; np.save(sys.argv[1], np.full(4, 42.0))",
           os.path.join(private, "data.npy"))
    run.py(hostile, "import os, sys; os.symlink(sys.argv[1], sys.argv[2])", private, run.path("shared"))
    p = subprocess.run(run.cmd_as(victim, [cli, "load", run.path("shared/data.npy"), "--mode", "644"]),
                       env=run.env(), cwd=run.dir, capture_output=True, text=True, timeout=20)
    assert not os.path.exists(run.path("data")), \
        f"the victim's private data was published through the planted link: {p.stdout}{p.stderr}"
    assert p.returncode != 0
    assert "refusing to follow the symbolic link" in p.stderr, p.stderr


SAVER = r"""
import ctypes, os, sys
lib = ctypes.CDLL(os.path.join(sys.argv[1], "libnpshm.so.0"))
lib.npshm_last_message.restype = ctypes.c_char_p
print(os.getpid(), flush=True)
sys.stdin.readline()
rc = lib.npshm_save_name(sys.argv[2].encode(), sys.argv[3].encode(), None)
print("OK" if rc == 0 else "ERR " + lib.npshm_last_message().decode(errors="replace"), flush=True)
"""


def test_planted_hidden_names_never_stop_a_save_from_replacing_a_file(run, accounts):
    """Promise (trust model 'What every open does', save): a save replaces
    a regular file of the caller's atomically, through a hidden name beside
    it.  Were that name predictable (.NAME.npshm-tmp-PID-N, N counting
    from 0), a hostile co-user who sees the victim's process id plants
    those names in the shared sticky directory first, and every save of the
    victim's that replaces a file there would fail ("cannot name the
    file").  Its last part is random."""
    victim, hostile = accounts
    ok(run.step(victim, "create", "data", "600"))
    ok(run.step(victim, "write", "data", "3"))
    target = run.path("out.npy")
    ok(run.step(victim, "save", "data", target))  # the victim's own file, to be replaced
    ok(run.step(victim, "write", "data", "5"))
    saver = subprocess.Popen(run.cmd_as(victim, ["/usr/bin/python3", "-c", SAVER, run.tools, "data", target]),
                             env=run.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        pid = int(saver.stdout.readline())
        run.py(hostile, "import sys\nfor n in range(64):\n    open('.out.npy.npshm-tmp-%s-%d' % (sys.argv[1], n), 'w')",
               str(pid))
        saver.stdin.write("go\n")
        saver.stdin.flush()
        out = saver.stdout.readline().strip()
        assert saver.wait(timeout=20) == 0
    finally:
        if saver.poll() is None:
            saver.kill()
            saver.wait()
    assert out == "OK", out
    assert np.array_equal(np.load(target), np.full(1024, 5.0))


def test_a_co_user_can_end_a_wait_created_with_an_array_of_their_own(run, accounts, cli):
    """What a hostile co-user can still do (trust model): wait_created
    returns once the name opens as a valid array (docs/waiting.md), and
    anyone may create a free name in the shared directory.  The hostile
    user ends the victim's wait with an array of theirs; the victim's
    attach of it is then refused (another user's file), links, FIFOs and
    files that are not arrays never end the wait, and nothing the hostile
    user made is written."""
    victim, hostile = accounts
    for plant in ("import os; os.symlink('/etc/passwd', 'incoming')", "import os; os.mkfifo('incoming', 0o666)",
                  "open('incoming', 'w').write('not an array')"):
        run.py(hostile, plant)
        p = subprocess.run(run.cmd_as(victim, [cli, "wait", "incoming", "--created", "--timeout", "0.5"]),
                           env=run.env(), cwd=run.dir, capture_output=True, text=True, timeout=20)
        assert p.returncode != 0 and "timed out" in p.stderr, (plant, p.stderr)
        os.unlink(run.path("incoming"))
    waiter = subprocess.Popen(run.cmd_as(victim, [cli, "wait", "incoming", "--created", "--timeout", "15"]),
                              env=run.env(), cwd=run.dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ok(run.step(hostile, "create", "incoming", "666"))
        assert waiter.wait(timeout=20) == 0, waiter.stderr.read()
    finally:
        if waiter.poll() is None:
            waiter.kill()
            waiter.wait()
    assert run.step(victim, "write", "incoming", "9").startswith("ERR NPSHM_E_PERMISSION")
    assert run.step(hostile, "sum", "incoming").startswith("OK sum=0 ")


def test_names_that_are_not_utf8_can_look_alike_in_json(run, accounts, cli):
    """What a hostile co-user can still do (trust model): JSON output is
    ASCII and shows bytes that are not UTF-8 as U+FFFD (docs/cli.md), so a
    name of theirs with such a byte looks like a name of the victim's
    with U+FFFD itself; `npshm ls -0` prints names exactly."""
    victim, hostile = accounts
    ok(run.step(victim, "create", "data\ufffd", "644"))
    run.py(hostile, "import os, sys; f = open(b'data\\xff', 'wb'); f.write(open(sys.argv[1], 'rb').read())",
           run.path("data\ufffd"))
    p = subprocess.run(run.cmd_as(victim, [cli, "ls", "--json-lines"]), env=run.env(), cwd=run.dir,
                       capture_output=True, timeout=20)
    import json
    names = [json.loads(line)["name"] for line in p.stdout.splitlines()]
    assert names == ["data\ufffd", "data\ufffd"], names
    p = subprocess.run(run.cmd_as(victim, [cli, "ls", "-0"]), env=run.env(), cwd=run.dir,
                       capture_output=True, timeout=20)
    assert sorted(p.stdout.split(b"\0")[:-1]) == sorted([b"data\xff", "data\ufffd".encode()])


NAMED_MAPPER = r"""
import ctypes, mmap, os, sys
ctypes.CDLL(None).prctl(15, b"\x1b]0;EVIL\x07\xe2\x80\xae", 0, 0, 0)  # PR_SET_NAME: the command name
fd = os.open(sys.argv[1], os.O_RDONLY)
m = mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ)
print("ready", flush=True)
sys.stdin.read()
"""


def test_a_co_users_process_name_never_drives_the_terminal(run, accounts, cli):
    """Promise (trust model: nobody drives your terminal through a name):
    `npshm info` lists the processes mapping an array with their command
    names, which any process sets to anything (prctl PR_SET_NAME).  A
    hostile process maps the victim's 0644 array under a name of escape
    sequences and a bidi override; root's `npshm info`, text and JSON,
    shows it escaped."""
    victim, hostile = accounts
    ok(run.step(victim, "create", "shared", "644"))
    mapper = subprocess.Popen(run.cmd_as(hostile, ["/usr/bin/python3", "-c", NAMED_MAPPER, run.path("shared")]),
                              env=run.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert mapper.stdout.readline().strip() == "ready"
        for args in (["info", "shared"], ["info", "shared", "--json"]):
            p = subprocess.run(run.cmd_as(None, [cli, *args]), env=run.env(), cwd=run.dir,
                               capture_output=True, timeout=20)
            assert p.returncode == 0, p.stderr
            assert b"EVIL" in p.stdout, p.stdout  # the process is listed
            assert b"\x1b" not in p.stdout + p.stderr and b"\x07" not in p.stdout + p.stderr
            assert "\u202e".encode() not in p.stdout + p.stderr
    finally:
        mapper.stdin.close()
        mapper.wait(timeout=20)
