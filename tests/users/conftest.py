"""Fixtures of the multi-user tests: two throwaway accounts (a victim and a
hostile co-user), a private sticky world-writable shm directory, and
run_as() to run a step as one of them.  Everything made is removed
afterwards, also when a test fails.  Needs root (useradd, setpriv)."""
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid

import pytest

STEP_TIMEOUT = 20  # seconds: a step that takes longer is a hang


def _root_and_tools():
    if os.geteuid() != 0:
        return "needs root (creates accounts with useradd, runs steps with setpriv)"
    for tool in ("useradd", "userdel", "setpriv"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            return f"needs {tool}"
    if not os.environ.get("NPSHM_STEP") or not os.environ.get("NPSHM_LIB"):
        return "NPSHM_STEP (the npshm_step helper) not set: run through meson test --suite users"
    return None


@pytest.fixture(scope="session")
def tools(tmp_path_factory):
    why = _root_and_tools()
    if why:
        pytest.skip(why)
    # A copy of the helper and the library that any user can run.
    # In /tmp itself, not $TMPDIR: the other accounts must reach it, and a
    # test run's TMPDIR is private to root.
    bindir = tempfile.mkdtemp(prefix="npshm-test-users-bin-", dir="/tmp")
    os.chmod(bindir, 0o755)
    step = os.environ["NPSHM_STEP"]
    shutil.copy(step, os.path.join(bindir, "npshm_step"))
    libdir = os.path.dirname(os.environ["NPSHM_LIB"])
    for f in os.listdir(libdir):
        if f.startswith("libnpshm.so") and not os.path.isdir(os.path.join(libdir, f)):
            shutil.copy(os.path.join(libdir, f), os.path.join(bindir, f), follow_symlinks=True)
    for f in os.listdir(bindir):
        os.chmod(os.path.join(bindir, f), 0o755)
    yield bindir
    shutil.rmtree(bindir, ignore_errors=True)


class Account:
    def __init__(self, name):
        self.name = name
        pw = pwd.getpwnam(name)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid


@pytest.fixture(scope="session")
def accounts(tools):
    """(victim, hostile): two new users with their own groups."""
    tag = uuid.uuid4().hex[:8]
    made = []
    try:
        for role in ("v", "h"):
            name = f"npu{role}{tag}"
            subprocess.run(["useradd", "-M", "-U", "-s", "/usr/sbin/nologin", name], check=True)
            made.append(name)
        yield Account(made[0]), Account(made[1])
    finally:
        for name in made:
            subprocess.run(["userdel", name], check=False)


@pytest.fixture
def shm_dir():
    """A private directory like /dev/shm: sticky and world-writable."""
    d = tempfile.mkdtemp(prefix="npshm-test-users-", dir="/dev/shm")
    os.chmod(d, 0o1777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


class Runner:
    def __init__(self, tools, shm_dir):
        self.tools, self.dir = tools, shm_dir

    def env(self):
        return {"PATH": "/usr/bin:/bin", "NPSHM_DIR": self.dir, "LD_LIBRARY_PATH": self.tools}

    def cmd_as(self, who, argv):
        if who is None:  # root
            return list(argv)
        return ["setpriv", f"--reuid={who.uid}", f"--regid={who.gid}", "--clear-groups", "--"] + list(argv)

    def step(self, who, *args, timeout=STEP_TIMEOUT):
        """Run npshm_step as who (None: root); its output line."""
        p = subprocess.run(self.cmd_as(who, [os.path.join(self.tools, "npshm_step"), *args]),
                           env=self.env(), capture_output=True, text=True, timeout=timeout,
                           errors="surrogateescape")
        assert p.returncode == 0, f"npshm_step {args} as {who and who.name}: exit {p.returncode}: {p.stderr}"
        return p.stdout.strip()

    def py(self, who, code, *args, timeout=STEP_TIMEOUT):
        """Run Python code as who, in the shm directory (sys.argv[1:] = args)."""
        p = subprocess.run(self.cmd_as(who, ["/usr/bin/python3", "-c", code, *args]), env=self.env(),
                           cwd=self.dir, capture_output=True, text=True, timeout=timeout)
        assert p.returncode == 0, f"python as {who and who.name}: {p.stderr}"
        return p.stdout.strip()

    def popen(self, who, *args):
        return subprocess.Popen(self.cmd_as(who, [os.path.join(self.tools, "npshm_step"), *args]),
                                env=self.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def path(self, name):
        return os.path.join(self.dir, name)


@pytest.fixture
def run(tools, shm_dir):
    return Runner(tools, shm_dir)
