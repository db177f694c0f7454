"""Issue 10 through the Python binding and the CLI, with two real accounts
(the fixtures of conftest.py): what the C-level cases of
test_core_users.py check, as a user of each binding meets it."""
import os
import shutil
import subprocess
import tempfile

import pytest

from test_core_users import ok

BUILD = os.environ.get("NPSHM_BUILD_DIR", "")


@pytest.fixture(scope="module")
def python_path():
    """A copy of the built Python package that every user can read."""
    package = os.path.join(BUILD, "bindings", "python", "npshm")
    if not os.path.isfile(os.path.join(package, "__init__.py")):
        pytest.skip(f"the Python binding is not built (no {package})")
    top = tempfile.mkdtemp(prefix="npshm-test-users-py-", dir="/tmp")  # reachable by every user
    shutil.copytree(package, os.path.join(top, "npshm"), symlinks=False,
                    ignore=shutil.ignore_patterns("__pycache__"))
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o755)
    os.chmod(top, 0o755)
    yield top
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(scope="module")
def cli(tools):
    """A copy of the built CLI that every user can run (the library is in
    the tools directory, on LD_LIBRARY_PATH)."""
    built = os.path.join(BUILD, "cli", "npshm")
    if not os.path.isfile(built):
        pytest.skip(f"the CLI is not built (no {built})")
    path = os.path.join(tools, "npshm")
    shutil.copy(built, path)
    os.chmod(path, 0o755)
    return path


def python_as(run, who, python_path, code):
    """Run Python code as who with the npshm package; (exit status, output)."""
    p = subprocess.run(run.cmd_as(who, ["/usr/bin/python3", "-c", code]),
                       env={**run.env(), "PYTHONPATH": python_path, "PYTHONDONTWRITEBYTECODE": "1"},
                       cwd=run.dir, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def test_python_exist_ok_never_reuses_a_squatted_name(run, accounts, python_path):
    victim, hostile = accounts
    ok(run.step(hostile, "create", "squat", "666"))
    rc, out = python_as(run, victim, python_path, """
import npshm
try:
    npshm.create("squat", (4,), "<f8", exist_ok=True)
    print("REUSED")
except npshm.errors.PermissionError as e:
    assert isinstance(e, PermissionError) and e.slug == "permission", e
    print("REFUSED", e)
""")
    assert rc == 0 and "REFUSED" in out and "REUSED" not in out, out
    assert os.stat(run.path("squat")).st_uid == hostile.uid  # untouched


def test_python_attach_of_another_users_array_needs_allow_other_owner(run, accounts, python_path):
    victim, hostile = accounts
    ok(run.step(hostile, "create", "public", "644"))
    rc, out = python_as(run, victim, python_path, """
import npshm
try:
    npshm.attach("public", readonly=True)
    print("ATTACHED")
except PermissionError as e:
    assert "allow_other_owner" in str(e), e
    print("REFUSED")
a = npshm.attach("public", readonly=True, allow_other_owner=True)
print("ALLOWED", a.shape, a.flags.writeable)
""")
    assert rc == 0 and "REFUSED" in out and "ALLOWED" in out and "ATTACHED" not in out, out


def test_python_save_never_follows_a_planted_link(run, accounts, python_path):
    victim, hostile = accounts
    run.py(hostile, "import os; open('bait', 'w').write('hostile'); os.symlink('bait', 'report.npy')")
    rc, out = python_as(run, victim, python_path, """
import numpy as np, npshm
a = npshm.create(npshm.unique_name("victim"), (4,), "<f8", lifetime="owner")
try:
    npshm.save(a, "report.npy")
    print("SAVED")
except npshm.Error as e:
    print("REFUSED", type(e).__name__, e)
""")
    assert rc == 0 and "REFUSED" in out and "SAVED" not in out, out
    assert open(run.path("bait")).read() == "hostile"
    assert os.path.islink(run.path("report.npy"))


def test_cli_never_hangs_on_a_planted_fifo_and_lists_it_by_kind(run, accounts, cli):
    victim, hostile = accounts
    run.py(hostile, "import os; os.mkfifo('pipe', 0o666)")
    info = subprocess.run(run.cmd_as(victim, [cli, "info", "pipe"]), env=run.env(),
                          capture_output=True, text=True, timeout=20)
    assert info.returncode != 0 and "pipe" in info.stdout + info.stderr, info
    listing = subprocess.run(run.cmd_as(victim, [cli, "ls", "--all", "--json"]), env=run.env(),
                             capture_output=True, text=True, timeout=20)
    assert listing.returncode == 0, listing.stderr
    assert "fifo" in listing.stdout, listing.stdout
    plain = subprocess.run(run.cmd_as(victim, [cli, "ls", "--names"]), env=run.env(),
                           capture_output=True, text=True, timeout=20)
    assert "pipe" not in plain.stdout.split(), plain.stdout  # not an array: only with --all
