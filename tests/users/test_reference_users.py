"""Issue 20, class 2: a saved reference grants nothing by itself.

The attack: the hostile co-user writes a reference (a plain text for C, a
Python pickle, an R .rds holding an npshm_ref) naming the victim's own
private file:///.../model.npy, with ro=0 (and R's in-place flag on) and a
valid damage check.  The victim accepting it gets a read-only view and
cannot overwrite the file.  The victim asking for write access itself still
can.  And what the id does and does not protect for an array others can
read (mode 0644)."""
import os
import shutil
import subprocess
import tempfile

import numpy as np
import pytest

from test_bindings_users import BUILD, python_as, python_path  # noqa: F401 (fixture)

SHAPE = (1024,)


def forged(uri, directory, array_id, readonly=False):
    """A reference text as the hostile user writes it: the grammar of
    include/npshm.h, with a valid damage check (FNV-1a 64)."""
    def encode(text):
        return "".join(
            chr(b) if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "-._~:/")
            else f"%{b:02X}" for b in text.encode())
    body = (f"npshm-ref/1 uri={encode(uri)} dir={encode(directory)}"
            f" id={array_id:016x} offset=0 shape={SHAPE[0]} strides=8"
            f" ro={int(readonly)} dtype=%3Cf8")
    check = 0xcbf29ce484222325
    for b in body.encode():
        check = ((check ^ b) * 0x100000001b3) % 2 ** 64
    return f"{body} sum={check:016x}"


@pytest.fixture
def model(run, accounts):
    """The victim's private model: <dir>/v-home (0700) /model.npy (0600),
    a plain .npy (id 0) of 1024 ones."""
    victim, _ = accounts
    home = os.path.join(run.dir, "v-home")
    os.mkdir(home)
    os.chown(home, victim.uid, victim.gid)
    os.chmod(home, 0o700)
    path = os.path.join(home, "model.npy")
    run.py(victim, "import numpy, os, sys; os.umask(0o077); "
                   "numpy.save(sys.argv[1], numpy.ones(1024))", path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    return path


def hostile_writes(run, hostile, name, data):
    """The hostile user writes data (bytes) into <dir>/name, as their file."""
    path = os.path.join(run.dir, name)
    run.py(hostile, "import sys; open(sys.argv[1], 'wb').write(bytes.fromhex(sys.argv[2]))",
           path, data.hex())
    assert os.stat(path).st_uid == hostile.uid
    return path


def model_sum(path):
    return float(np.load(path).sum())


def test_forged_file_reference_attaches_read_only_c(run, accounts, model):
    victim, hostile = accounts
    gift = hostile_writes(run, hostile, "gift.ref", forged("file://" + model, "", 0).encode())
    out = run.step(victim, "ref", gift, "0")
    assert out == "OK ro=1 sum=1024", out
    assert model_sum(model) == 1024.0
    # The victim asking for write access itself: the write lands.
    out = run.step(victim, "ref", gift, "2", "writable")
    assert out == "OK ro=0 sum=2048", out
    assert model_sum(model) == 2048.0


def test_forged_file_reference_attaches_read_only_python(run, accounts, model, python_path):
    victim, hostile = accounts
    text = forged("file://" + model, "", 0)
    gift = os.path.join(run.dir, "gift.pickle")
    rc, out = python_as(run, hostile, python_path, f"""
import pickle, npshm._pickling
class Gift:
    def __reduce__(self):
        return (npshm._pickling.attach_reference, ({text!r},))
open({gift!r}, "wb").write(pickle.dumps(Gift()))
""")
    assert rc == 0, out
    assert os.stat(gift).st_uid == hostile.uid
    rc, out = python_as(run, victim, python_path, f"""
import pickle
x = pickle.load(open({gift!r}, "rb"))
print("writeable", x.flags.writeable)
try:
    x[...] = 0
    print("wrote")
except ValueError as e:
    print("refused", e)
""")
    assert rc == 0, out
    assert "writeable False" in out and "refused" in out and "wrote" not in out, out
    assert model_sum(model) == 1024.0
    # readonly=False: the victim's own request for write access
    rc, out = python_as(run, victim, python_path, f"""
import npshm
x = npshm.attach({text!r}, readonly=False)
x[...] = 3
print("wrote")
""")
    assert rc == 0 and "wrote" in out, out
    assert model_sum(model) == 3072.0


@pytest.fixture(scope="module")
def r_library():
    """A copy of the built R package that every user can read."""
    built = os.path.join(BUILD, "bindings", "r", "library")
    if not os.path.isdir(os.path.join(built, "npshm")):
        pytest.skip(f"the R package is not built (no {built}/npshm)")
    if not shutil.which("Rscript"):
        pytest.skip("no Rscript")
    top = tempfile.mkdtemp(prefix="npshm-test-users-r-", dir="/tmp")  # reachable by every user
    shutil.copytree(built, os.path.join(top, "library"), symlinks=False)
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o755)
    os.chmod(top, 0o755)
    yield os.path.join(top, "library")
    shutil.rmtree(top, ignore_errors=True)


def r_as(run, who, r_library, code):
    p = subprocess.run(run.cmd_as(who, ["Rscript", "-e", code]),
                       env={**run.env(), "R_LIBS": r_library, "HOME": run.dir},
                       cwd=run.dir, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def test_forged_file_reference_attaches_read_only_r(run, accounts, model, r_library):
    victim, hostile = accounts
    text = forged("file://" + model, "", 0)
    gift = os.path.join(run.dir, "gift.rds")
    rc, out = r_as(run, hostile, r_library, f"""
r <- structure(list(name = "model", reference = "{text}", inplace = TRUE,
                    attributes = NULL), class = "npshm_ref")
saveRDS(r, "{gift}")
""")
    assert rc == 0, out
    assert os.stat(gift).st_uid == hostile.uid
    rc, out = r_as(run, victim, r_library, f"""
library(npshm)
x <- npshm_attach(readRDS("{gift}"))
x[] <- 0
cat("sum", sum(x), "\\n")
""")
    assert rc == 0, out
    assert "sum 0" in out, out  # R's private copy
    assert model_sum(model) == 1024.0
    # The victim's own request: readonly = FALSE, inplace = TRUE
    rc, out = r_as(run, victim, r_library, f"""
library(npshm)
x <- npshm_attach(readRDS("{gift}"), readonly = FALSE, inplace = TRUE)
x[] <- 0
cat("done\\n")
""")
    assert rc == 0 and "done" in out, out
    assert model_sum(model) == 0.0


def array_id_of(run, who, name, python_path):
    rc, out = python_as(run, who, python_path, f"""
import npshm
from npshm._shared_array import mapping_of
print(mapping_of(npshm.attach({name!r}, readonly=True, allow_other_owner=True)).id)
""")
    assert rc == 0, out
    return int(out.strip().splitlines()[-1])


def test_writable_shm_reference_without_write_permission_is_read_only(
        run, accounts, python_path):
    """A reader of a 0644 array learns its id and writes a reference with
    ro=0: their own attach of it is read-only (the system refuses them the
    write open), and the array is unchanged."""
    victim, hostile = accounts
    assert run.step(victim, "create", "shared", "644").startswith("OK")
    array_id = array_id_of(run, hostile, "shared", python_path)
    gift = hostile_writes(run, hostile, "shared.ref",
                          forged("shm://shared", run.dir, array_id).encode())
    out = run.step(hostile, "ref", gift, "5", "allow")
    assert out == "OK ro=1 sum=0", out
    # asking for write access does not help them
    out = run.step(hostile, "ref", gift, "5", "writable", "allow")
    assert out.startswith("ERR NPSHM_E_PERMISSION"), out
    assert run.step(victim, "sum", "shared") == "OK sum=0 lifetime=persistent owner-ok"


def test_reader_can_forge_a_writable_reference_to_a_0644_array(
        run, accounts, python_path):
    """What the id cannot protect (documented in npshm.h and the trust
    model): the same forged reference, accepted by the owner, whose process
    can write the array, attaches writable."""
    victim, hostile = accounts
    assert run.step(victim, "create", "shared", "644").startswith("OK")
    array_id = array_id_of(run, hostile, "shared", python_path)
    gift = hostile_writes(run, hostile, "shared.ref",
                          forged("shm://shared", run.dir, array_id).encode())
    out = run.step(victim, "ref", gift, "5")
    assert out == "OK ro=0 sum=5120", out


def test_shm_reference_by_id_needs_the_id(run, accounts, python_path):
    """Without read access (the default 0600) the id cannot be learnt: a
    guessed id is refused (the array is not the one referenced), and the
    file cannot be opened anyway."""
    victim, hostile = accounts
    assert run.step(victim, "create", "private").startswith("OK")
    gift = hostile_writes(run, hostile, "private.ref",
                          forged("shm://private", run.dir, 0x0123456789ABCDEF).encode())
    out = run.step(victim, "ref", gift, "5")
    assert out.startswith("ERR NPSHM_E_NOT_FOUND") and "removed and created again" in out, out
    assert run.step(victim, "sum", "private") == "OK sum=0 lifetime=persistent owner-ok"
