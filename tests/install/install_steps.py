"""What every install-path test shares: a clean copy of the source tree (its
tracked files, as a fresh clone has them), fresh virtual environments, an
environment with nothing of the build tree in it, timed steps, temporary
directories that are removed at the end (also on failure or SIGTERM), a
private shm directory (NPSHM_DIR) that must be empty at the end, and
the closing line "SUMMARY: N passed, M failed, K skipped" that
scripts/summarize-tests.py counts.

A test is a sequence of steps; a step that fails stops the test (the later
steps depend on it).  Each step prints its name, result and duration."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, the one python3-numpy is for

# Variables that would let a test see the build tree or another install.
_LEAKY = ("PYTHONPATH", "PYTHONHOME", "LD_LIBRARY_PATH", "LD_PRELOAD", "NPSHM_LIB",
          "NPSHM_LIBRARY", "NPSHM_CLI", "NPSHM_BUILD_DIR", "VIRTUAL_ENV",
          "PKG_CONFIG_PATH", "CMAKE_PREFIX_PATH", "MESONPY_", "PIP_")


class StepFailed(Exception):
    pass


def clean_env(**extra):
    """The environment of a user's shell: no build-tree paths, no pip index."""
    env = {k: v for k, v in os.environ.items()
           if not any(k == p or (p.endswith("_") and k.startswith(p)) for p in _LEAKY)}
    env.update(PIP_NO_INDEX="1", PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PYTHONDONTWRITEBYTECODE="1", LC_ALL="C.UTF-8")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run(cmd, *, cwd, env=None, timeout=900, input=None):
    """Run cmd; return its stdout.  On failure raise StepFailed with the
    command and the end of its output."""
    cmd = [str(c) for c in cmd]
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env if env is not None else clean_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace", timeout=timeout, input=input,
                           stdin=None if input is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise StepFailed(f"timed out after {timeout}s: {' '.join(cmd)}") from e
    except OSError as e:
        raise StepFailed(f"cannot run {cmd[0]}: {e.strerror}") from e
    if p.returncode != 0:
        tail = "\n".join(p.stdout.splitlines()[-40:])
        raise StepFailed(f"exit {p.returncode}: {' '.join(cmd)}\n{tail}")
    return p.stdout


def check(condition, message):
    if not condition:
        raise StepFailed(message)


class InstallTest:
    """Steps, counts and a scratch directory for one install path."""

    def __init__(self, title):
        self.title = title
        self.passed = self.failed = self.skipped = 0
        self.started = time.monotonic()
        self.scratch = tempfile.mkdtemp(prefix="npshm-install-")
        self.source_root = os.path.normpath(os.path.join(os.path.dirname(
            os.path.abspath(__file__)), "..", ".."))
        # Every tool's temporary files (pip, meson-python, build) go inside
        # the scratch directory too, so that they go with it.
        os.mkdir(os.path.join(self.scratch, "tmp"))
        os.environ["TMPDIR"] = os.path.join(self.scratch, "tmp")
        # Every array a step makes goes to a shm directory of the test's
        # own (clean_env() passes NPSHM_DIR on): the shared /dev/shm holds
        # other programs' arrays, which no check here may count.
        self.shm_dir = tempfile.mkdtemp(prefix="npshm-test-install-", dir="/dev/shm")
        os.environ["NPSHM_DIR"] = self.shm_dir
        signal.signal(signal.SIGTERM, self._terminated)
        print(f"# {title} (scratch: {self.scratch})", flush=True)

    def _terminated(self, signum, frame):
        raise SystemExit(f"terminated by signal {signum}")

    def cli_lists_its_own_array(self, cli, cwd, env):
        """`npshm create` then `npshm ls` names the array (in the test's
        own shm directory), then `npshm rm`: the command works end to end."""
        name = f"npshm-test-install-ls-{os.getpid()}"
        run([*cli, "create", name, "--shape", "3", "--dtype", "f8"], cwd=cwd, env=env)
        try:
            out = run([*cli, "ls", "--names"], cwd=cwd, env=env)
            check(out.split() == [name], f"npshm ls --names printed {out!r}, expected {name!r}")
        finally:
            run([*cli, "rm", name], cwd=cwd, env=env)

    def path(self, *parts):
        return os.path.join(self.scratch, *parts)

    @contextmanager
    def step(self, name, fatal=True):
        """A timed step; its failure stops the test unless fatal=False (a
        step the later ones do not depend on)."""
        t0 = time.monotonic()
        try:
            yield
        except StepFailed as e:
            self.failed += 1
            print(f"FAIL {name} ({time.monotonic() - t0:.1f}s)\n{e}", flush=True)
            if fatal:
                raise
            return
        self.passed += 1
        print(f"ok   {name} ({time.monotonic() - t0:.1f}s)", flush=True)

    def add_counts(self, passed, failed, skipped):
        """Count a test suite's own results (e.g. pytest's) into the summary."""
        self.passed += passed
        self.failed += failed
        self.skipped += skipped

    def skip_all(self, reason):
        print(f"skip {self.title}: {reason}", flush=True)
        self.skipped += 1
        self.finish()

    def clean_copy(self, dest_name="src", git=False):
        """The source tree's tracked files (as a fresh clone has them, with
        their current contents) copied to the scratch directory.  git=True
        makes the copy a one-commit repository (meson dist, which builds the
        sdist, packs what git tracks)."""
        dest = self.path(dest_name)
        listing = subprocess.run(["git", "-C", self.source_root, "ls-files", "-z"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if listing.returncode != 0:
            raise StepFailed("the source tree is not a git checkout: "
                             + listing.stderr.decode(errors="replace").strip())
        for rel in listing.stdout.decode().split("\0"):
            if not rel:
                continue
            src = os.path.join(self.source_root, rel)
            if not os.path.lexists(src):
                continue  # deleted in the working tree
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel), follow_symlinks=False)
        if git:
            ident = ["-c", "user.name=npshm install test", "-c", "user.email=test@localhost",
                     "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]
            run(["git", *ident, "init", "-q", dest], cwd=self.scratch)
            run(["git", "add", "-A"], cwd=dest)
            run(["git", *ident, "commit", "-q", "-m", "clean copy"], cwd=dest)
        return dest

    def venv(self, name, pip=True):
        """A fresh venv that sees Debian's packages (NumPy, pytest,
        meson-python, build); pip=False skips installing pip into it (slow)."""
        where = self.path(name)
        run([SYSTEM_PYTHON, "-m", "venv", "--system-site-packages",
             *([] if pip else ["--without-pip"]), where], cwd=self.scratch)
        return where

    def finish(self):
        left = sorted(os.listdir(self.shm_dir))
        if left:
            print(f"FAIL arrays left in the shm directory: {left}", flush=True)
            self.failed += 1
        shutil.rmtree(self.shm_dir, ignore_errors=True)
        shutil.rmtree(self.scratch, ignore_errors=True)
        left = os.path.exists(self.scratch)
        if left:
            print(f"FAIL could not remove {self.scratch}", flush=True)
            self.failed += 1
        total = time.monotonic() - self.started
        print(f"# {self.title}: {total:.1f}s in all", flush=True)
        print(f"SUMMARY: {self.passed} passed, {self.failed} failed, {self.skipped} skipped",
              flush=True)
        sys.exit(1 if self.failed else 0)


def main(title, body):
    """Run body(test); count its steps; clean up; exit 0 only if all passed."""
    test = InstallTest(title)
    try:
        body(test)
    except StepFailed:
        pass  # counted by the step
    except BaseException as e:  # noqa: BLE001 - report, clean up, fail
        test.failed += 1
        print(f"FAIL {title}: {type(e).__name__}: {e}", flush=True)
    test.finish()


PYTEST_COUNTS = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)")


def pytest_counts(output):
    """(passed, failed, skipped) from pytest's closing line."""
    last = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for n, word in PYTEST_COUNTS.findall(last[-1] if last else ""):
        key = {"error": "failed", "errors": "failed", "xfailed": "passed",
               "xpassed": "failed"}.get(word, word)
        counts[key] += int(n)
    return counts["passed"], counts["failed"], counts["skipped"]
